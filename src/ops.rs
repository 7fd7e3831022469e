//! Operators shared by the syntax tree and the compiled program: below both, so that
//! evaluation never depends on the parser's types.

/// Binary operators, loosest binding first.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    /// `??`: the left value, or the right when the left is unknown.
    Otherwise,
    /// `or` (Kleene)
    Or,
    /// `and` (Kleene)
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `list contains value`
    Contains,
    /// `value in list`
    In,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Otherwise => "??",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Contains => "contains",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// Which side of the anchor a time window lies on.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowSide {
    /// `within d after t`: t ≤ x ≤ t + d
    After,
    /// `within d before t`: t − d ≤ x ≤ t
    Before,
    /// `within d of t`: |x − t| ≤ d
    Around,
}

/// Collection operations.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CollectOp {
    /// Items whose filter holds.
    Count,
    /// Distinct values of the projection.
    Distinct,
    /// Sum of the projection.
    Sum,
    /// Smallest projection.
    Min,
    /// Largest projection.
    Max,
    /// Some item's condition holds.
    Any,
    /// Every item's condition holds.
    All,
}

/// An aggregate over a list of the case, as the parser, the checker's suggestions, the trace
/// and the documentation know it: the one list of aggregates.
pub(crate) struct Aggregate {
    /// The operation.
    pub(crate) op: CollectOp,
    /// Its keyword.
    pub(crate) name: &'static str,
    /// The value it aggregates is written before `for`: `distinct(p.account for p in posts)`.
    pub(crate) projects: bool,
    /// It needs a `where` condition (`any`, `all`).
    pub(crate) needs_where: bool,
    /// How it is written, for the documentation.
    pub(crate) form: &'static str,
    /// What it gives, for the documentation.
    pub(crate) gives: &'static str,
}

/// Every aggregate.
pub(crate) const AGGREGATES: &[Aggregate] = &[
    Aggregate {
        op: CollectOp::Count,
        name: "count",
        projects: false,
        needs_where: false,
        form: "count(p in posts where COND)",
        gives: "number of items whose condition is true",
    },
    Aggregate {
        op: CollectOp::Distinct,
        name: "distinct",
        projects: true,
        needs_where: false,
        form: "distinct(p.account for p in posts where COND)",
        gives: "number of distinct values",
    },
    Aggregate {
        op: CollectOp::Sum,
        name: "sum",
        projects: true,
        needs_where: false,
        form: "sum(x.n for x in list where COND)",
        gives: "sum of the values",
    },
    Aggregate {
        op: CollectOp::Min,
        name: "min",
        projects: true,
        needs_where: false,
        form: "min(x.at for x in list where COND)",
        gives: "smallest value (numbers, timestamps, durations); unknown for no items",
    },
    Aggregate {
        op: CollectOp::Max,
        name: "max",
        projects: true,
        needs_where: false,
        form: "max(x.at for x in list where COND)",
        gives: "largest value; unknown for no items",
    },
    Aggregate {
        op: CollectOp::Any,
        name: "any",
        projects: false,
        needs_where: true,
        form: "any(c in list where COND)",
        gives: "condition: true if some item's condition is true, else unknown if some is unknown, else false",
    },
    Aggregate {
        op: CollectOp::All,
        name: "all",
        projects: false,
        needs_where: true,
        form: "all(c in list where COND)",
        gives: "condition: false if some item's condition is false, else unknown if some is unknown, else true",
    },
];

impl CollectOp {
    /// The aggregate's entry in [`AGGREGATES`].
    pub(crate) fn info(self) -> &'static Aggregate {
        // INVARIANT: AGGREGATES lists every operation.
        AGGREGATES
            .iter()
            .find(|a| a.op == self)
            .unwrap_or(&AGGREGATES[0])
    }

    /// The aggregate called `name`.
    pub(crate) fn named(name: &str) -> Option<CollectOp> {
        AGGREGATES.iter().find(|a| a.name == name).map(|a| a.op)
    }

    /// The keyword.
    pub(crate) fn name(self) -> &'static str {
        self.info().name
    }
}

/// The matchers there are: one per entry of [`MATCHERS`], so that the checker decides what
/// each compiles to by an exhaustive match (a new matcher cannot fall through to another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatcherKind {
    /// Equal values.
    Exact,
    /// Equal ignoring case.
    Nocase,
    /// Similar, at least a threshold.
    Fuzzy,
    /// Numbers within a tolerance.
    Within,
    /// Sets overlapping, optionally at least a threshold.
    Overlap,
}

/// A matcher of detail matches, as the checker, the trace and the documentation know it: the one
/// list of matchers.
pub(crate) struct MatcherInfo {
    /// Its name.
    pub(crate) name: &'static str,
    /// Which it is.
    pub(crate) kind: MatcherKind,
    /// How it is written, with an argument when it takes one.
    pub(crate) example: &'static str,
    /// When a field matches, for the documentation.
    pub(crate) matches_when: &'static str,
}

/// Every matcher.
pub(crate) const MATCHERS: &[MatcherInfo] = &[
    MatcherInfo {
        name: "exact",
        kind: MatcherKind::Exact,
        example: "exact",
        matches_when: "equal values; for lists, the same set",
    },
    MatcherInfo {
        name: "nocase",
        kind: MatcherKind::Nocase,
        example: "nocase",
        matches_when: "equal ignoring letter case",
    },
    MatcherInfo {
        name: "fuzzy",
        kind: MatcherKind::Fuzzy,
        example: "fuzzy 85%",
        matches_when: "every claimed value has a confirmed value at least that similar (normalised Levenshtein, ignoring case; values over 256 characters are compared exactly)",
    },
    MatcherInfo {
        name: "within",
        kind: MatcherKind::Within,
        example: "within 2",
        matches_when: "numbers differ by at most 2; `within 20%`: by at most 20 % of the confirmed value",
    },
    MatcherInfo {
        name: "overlap",
        kind: MatcherKind::Overlap,
        example: "overlap 50%",
        matches_when: "the sets have a Jaccard overlap of at least 50 % (ignoring case); plain `overlap`: they share a value",
    },
];

/// The matcher called `name`.
pub(crate) fn matcher(name: &str) -> Option<&'static MatcherInfo> {
    MATCHERS.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::{AGGREGATES, CollectOp, MATCHERS, MatcherKind};

    /// Every operation and every matcher has exactly one entry in its table: the exhaustive
    /// matches below stop compiling when a variant is added, until it is listed here (and then
    /// this fails until the table has it).
    #[test]
    fn the_tables_list_every_operation_and_matcher_once() {
        let op_listed = |op: CollectOp| match op {
            CollectOp::Count
            | CollectOp::Distinct
            | CollectOp::Sum
            | CollectOp::Min
            | CollectOp::Max
            | CollectOp::Any
            | CollectOp::All => AGGREGATES.iter().filter(|a| a.op == op).count(),
        };
        for op in [
            CollectOp::Count,
            CollectOp::Distinct,
            CollectOp::Sum,
            CollectOp::Min,
            CollectOp::Max,
            CollectOp::Any,
            CollectOp::All,
        ] {
            assert_eq!(op_listed(op), 1, "{op:?}");
            assert_eq!(op.info().op, op, "{op:?}");
        }
        let kind_listed = |kind: MatcherKind| match kind {
            MatcherKind::Exact
            | MatcherKind::Nocase
            | MatcherKind::Fuzzy
            | MatcherKind::Within
            | MatcherKind::Overlap => MATCHERS.iter().filter(|m| m.kind == kind).count(),
        };
        for kind in [
            MatcherKind::Exact,
            MatcherKind::Nocase,
            MatcherKind::Fuzzy,
            MatcherKind::Within,
            MatcherKind::Overlap,
        ] {
            assert_eq!(kind_listed(kind), 1, "{kind:?}");
        }
    }

    /// The language reference lists every aggregate and matcher: the docs cannot drift from
    /// the tables the parser and checker use.
    #[test]
    fn the_language_reference_documents_every_aggregate_and_matcher() {
        let docs = include_str!("../docs/LANGUAGE.md");
        for a in super::AGGREGATES {
            let row = format!("| `{}` | {} |", a.form, a.gives);
            assert!(docs.contains(&row), "docs/LANGUAGE.md lacks the row\n{row}");
        }
        for m in super::MATCHERS {
            let row = format!("| `{}` | {} |", m.example, m.matches_when);
            assert!(docs.contains(&row), "docs/LANGUAGE.md lacks the row\n{row}");
        }
    }
}
