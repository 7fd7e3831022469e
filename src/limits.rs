//! Bounds on everything outside input can make large: file and case sizes, strings and lists
//! in a case, expression nesting, the estimated cost of the rules and the work of scoring one
//! case. Each is documented in `docs/RELIABILITY.md`; the configurable ones have CLI flags.

/// Expressions nest at most this deep: parentheses, `not`, operators, and definitions that use
/// definitions all count. The parser, checker and evaluator recurse over expressions, so this
/// bounds their stack use whatever the rules say.
pub(crate) const MAX_DEPTH: usize = 128;

/// Collections nest at most this deep (`count` inside `any` inside …).
pub(crate) const MAX_COLLECTION_NESTING: usize = 4;

/// The list length at which the static cost of rules is estimated and compared with
/// [`Limits::max_cost`].
pub(crate) const NOMINAL_ITEMS: u64 = 1_000;

/// Fuzzy matching compares values of at most this many characters; longer values are
/// compared exactly (ignoring case), since edit distance is quadratic in their length.
pub(crate) const FUZZY_CHARS: usize = 256;

/// Configurable limits.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest rule or schema file, in bytes.
    pub rule_file_bytes: u64,
    /// Largest case document (a case file, a fixture file, or one line of a JSON Lines batch).
    pub case_bytes: u64,
    /// Longest string value read from a case, in bytes.
    pub string_bytes: usize,
    /// Most items in one list of a case.
    pub list_items: usize,
    /// Largest estimated cost of the rules, per case, with lists of 1,000 items.
    pub max_cost: u64,
    /// Most evaluation steps for one case; a case that needs more is reported as an error and
    /// the others are still scored.
    pub max_work: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            rule_file_bytes: 4 << 20,
            case_bytes: 64 << 20,
            string_bytes: 1 << 20,
            list_items: 100_000,
            max_cost: 100_000_000,
            max_work: 50_000_000,
        }
    }
}
