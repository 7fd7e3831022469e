//! What evaluation records: per score, criterion and decision table, typed, with the evidence
//! values each read and its state, in flat stores indexed by [`Slice`]s (no allocation per
//! criterion). The trace is a view over these records; it never goes back to program nodes or
//! case slots to find out what happened.

use serde::Serialize;

use super::matchers::FieldOutcome;
use super::value::Value;
use crate::case::{Case, ListData, Slot};
use crate::ops::{BinOp, WindowSide};
use crate::program::{MatchSummary, NodeId, Points, Program};
use crate::ratio::Ratio;

/// A run of entries in one of an [`Evaluation`]'s flat stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Slice {
    /// First entry.
    pub(crate) start: u32,
    /// Number of entries.
    pub(crate) len: u32,
}

impl Slice {
    /// The entries of `store` this slice covers.
    pub(crate) fn of<T>(self, store: &[T]) -> &[T] {
        let start = self.start as usize;
        store.get(start..start + self.len as usize).unwrap_or(&[])
    }

    pub(crate) fn after<T>(start: usize, store: &[T]) -> Slice {
        Slice {
            start: start as u32,
            len: (store.len() - start) as u32,
        }
    }
}

/// How a collection treated one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// The filter was false.
    Excluded,
    /// Counted (for `distinct`: the first item with its value).
    Counted,
    /// The filter or value was unknown: left out.
    Unknown,
    /// `distinct` only: passed the filter, but its value was already counted.
    Duplicate,
}

/// The items a top-level collection went through.
#[derive(Debug, Clone)]
pub(crate) struct Window<'a> {
    /// The list.
    pub(crate) list: &'a ListData,
    /// How each item was treated.
    pub(crate) marks: Vec<Mark>,
}

/// What is known of one value read as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceState {
    /// Known.
    Known,
    /// The case does not have the field.
    Missing,
    /// The case has the field, as `null`.
    Null,
    /// Computed from evidence that is unknown.
    Unknown,
}

impl EvidenceState {
    /// True for [`EvidenceState::Known`].
    pub(crate) fn is_known(self) -> bool {
        self == EvidenceState::Known
    }
}

/// One value read as evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvidenceItem<'a> {
    /// The value (unknown when not known).
    pub value: Value<'a>,
    /// Known, missing, null or unknown.
    pub state: EvidenceState,
}

/// What was done with a criterion whose main evidence was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// `unknown => skip`: it contributes nothing.
    Skipped,
    /// `unknown => WEIGHT`: it contributes the stated default.
    Defaulted,
}

/// How a criterion was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Row `row` applied, adjusted by its refinement `refinement` when one held.
    Applied {
        /// Index of the row.
        row: u32,
        /// Index of the refinement of that row that applied.
        refinement: Option<u32>,
    },
    /// No row's condition held and there is no `else`: it contributes nothing.
    NoOutcome,
    /// The condition (or weight input) of row `row` was unknown.
    Unknown {
        /// Index of the row.
        row: u32,
        /// Skipped or scored with its default.
        handling: Handling,
    },
}

impl Outcome {
    /// True for [`Outcome::Unknown`].
    pub fn is_unknown(self) -> bool {
        matches!(self, Outcome::Unknown { .. })
    }
}

/// An outcome a criterion could still reach once unknown evidence is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alternative {
    /// The row.
    pub(crate) row: u32,
    /// The refinement of the row, if it is one.
    pub(crate) refinement: Option<u32>,
    /// Its contribution (a range when its weight reads unknown evidence).
    pub(crate) contribution: Bounds,
}

/// A comparison that read a value known only as a range, and its outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RangeTest<'a> {
    /// The row of the criterion whose condition (or refinement) holds it.
    pub(crate) row: u32,
    /// The comparison's node.
    pub(crate) node: NodeId,
    /// What is tested.
    pub(crate) test: RangeTestKind<'a>,
    /// The nodes of the two operands (for a window: the tested time and the anchor).
    pub(crate) operands: [NodeId; 2],
    /// The left operand's value (a window's tested time).
    pub(crate) left: Value<'a>,
    /// The right operand's value (a window's anchor).
    pub(crate) right: Value<'a>,
    /// True when it holds for every possible value, false for none, `None` otherwise.
    pub(crate) holds: Option<bool>,
}

/// The kind of a [`RangeTest`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RangeTestKind<'a> {
    /// `left op right`.
    Compare(BinOp),
    /// `left within length side right`.
    Within {
        /// Side of the anchor.
        side: WindowSide,
        /// The window's length.
        length: Value<'a>,
    },
}

/// A closed range of amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bounds {
    /// Smallest.
    pub min: Points,
    /// Largest.
    pub max: Points,
}

impl Bounds {
    /// One amount.
    pub(crate) fn exactly(amount: Points) -> Bounds {
        Bounds {
            min: amount,
            max: amount,
        }
    }

    /// The smallest range holding both.
    pub(crate) fn union(self, other: Bounds) -> Bounds {
        Bounds {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    /// The range of sums.
    pub(crate) fn plus(self, other: Bounds) -> Bounds {
        Bounds {
            min: self.min + other.min,
            max: self.max + other.max,
        }
    }

    /// True when the range holds one amount.
    pub(crate) fn is_exact(self) -> bool {
        self.min == self.max
    }
}

/// A criterion's result.
#[derive(Debug, Clone)]
pub(crate) struct CriterionResult {
    /// How it was decided.
    pub(crate) outcome: Outcome,
    /// Points or log-odds added to the score.
    pub(crate) contribution: Points,
    /// What it could contribute once every unknown it depends on is known.
    pub(crate) possible: Bounds,
    /// For `per` and `ramp` weights: the count or input used.
    pub(crate) input: Option<f64>,
    /// Values of the criterion's reads, in `CriterionDef::reads` order.
    pub(crate) evidence: Slice,
    /// Values interpolated into the reason of the outcome that applied.
    pub(crate) reason: Slice,
    /// Outcomes it could still reach, when something it depends on is unknown.
    pub(crate) alternatives: Slice,
    /// Comparisons of its conditions that read a range, when it read one.
    pub(crate) range_tests: Slice,
}

/// A decision table's result (bands or verdict).
#[derive(Debug, Clone)]
pub(crate) struct DecisionResult {
    /// The row that applied.
    pub(crate) row: u32,
    /// Earlier rows whose condition was unknown, so they could not apply.
    pub(crate) undecided: Vec<u32>,
    /// Values of the table's reads.
    pub(crate) evidence: Slice,
    /// Values interpolated into the row's reason.
    pub(crate) reason: Slice,
}

/// A score's result.
#[derive(Debug, Clone)]
pub(crate) struct ScoreResult {
    /// Starting amount: 0 points, or the prior's log-odds.
    pub(crate) base: Points,
    /// base + Σ contributions, exactly.
    pub(crate) total: Points,
    /// The totals the score could reach once its unknown evidence is known.
    pub(crate) possible: Bounds,
    /// Evidence scores: the probability of the total.
    pub(crate) probability: Option<f64>,
    /// Evidence scores: the exact odds of the total, when every weight applied is a ratio
    /// that can be held exactly (bands compare these, not the rounded total).
    pub(crate) odds: Option<Ratio>,
    /// Per criterion, in order.
    pub(crate) criteria: Vec<CriterionResult>,
    /// The band, when the score has bands.
    pub(crate) band: Option<DecisionResult>,
    /// True when the band is the same over the whole possible range.
    pub(crate) settled: bool,
    /// Criteria whose evidence was known.
    pub(crate) known: usize,
}

impl ScoreResult {
    /// Known criteria as a fraction of all.
    pub(crate) fn coverage(&self) -> f64 {
        if self.criteria.is_empty() {
            1.0
        } else {
            self.known as f64 / self.criteria.len() as f64
        }
    }
}

impl Evaluation<'_> {
    /// The time of item `index` of top-level collection `collection`, when its filter is a
    /// window on a time field of the item.
    pub(crate) fn item_time(&self, collection: u32, index: usize) -> Option<i64> {
        let slot = self
            .program
            .collections
            .get(collection as usize)?
            .time_slot?;
        let window = self.windows.get(collection as usize)?.as_ref()?;
        if index >= window.list.len() {
            return None;
        }
        match window.list.item(index).get(slot as usize)? {
            Slot::Time(t) => Some(*t),
            _ => None,
        }
    }
}

/// A detail match's result: each field's outcome.
#[derive(Debug, Clone, Default)]
pub(crate) struct MatchResult<'a> {
    /// Per field, in order.
    pub(crate) fields: Vec<FieldOutcome>,
    /// Per field: the claimed and the confirmed value, with what is known of each.
    pub(crate) sides: Vec<(EvidenceItem<'a>, EvidenceItem<'a>)>,
}

impl MatchResult<'_> {
    fn count(&self, pred: impl Fn(&FieldOutcome) -> bool) -> f64 {
        self.fields.iter().filter(|f| pred(f)).count() as f64
    }

    pub(super) fn summary(&self, what: MatchSummary) -> Value<'static> {
        let matched = self.count(|f| f.matched == Some(true));
        let known = self.count(|f| f.matched.is_some());
        match what {
            MatchSummary::Matched => Value::Num(matched),
            MatchSummary::Mismatched => Value::Num(known - matched),
            MatchSummary::Known => Value::Num(known),
            MatchSummary::Unknown => Value::Num(self.fields.len() as f64 - known),
            MatchSummary::Ratio if known > 0.0 => Value::Num(matched / known),
            MatchSummary::Ratio => Value::Unknown,
        }
    }
}

/// Everything evaluation recorded for one case.
#[derive(Debug)]
pub struct Evaluation<'a> {
    /// The program evaluated.
    pub(crate) program: &'a Program,
    /// The case.
    pub(crate) case: &'a Case,
    /// The case's `id`, when it has one.
    pub(crate) case_id: EvidenceItem<'a>,
    /// Per score, in program order.
    pub(crate) scores: Vec<ScoreResult>,
    /// The verdict, when the program has one.
    pub(crate) verdict: Option<DecisionResult>,
    /// Values of the definitions that were read.
    pub(crate) lets: Vec<Option<Value<'a>>>,
    /// Per definition that was read: its own reads' values.
    pub(crate) let_evidence: Vec<Option<Slice>>,
    /// Results of top-level collections that ran.
    pub(crate) collections: Vec<Option<Value<'a>>>,
    /// Top-level collections that ran: their list and how each item was treated.
    pub(crate) windows: Vec<Option<Window<'a>>>,
    /// Detail matches that ran.
    pub(crate) matches: Vec<Option<MatchResult<'a>>>,
    /// Evidence values, referred to by slices.
    pub(crate) evidence: Vec<EvidenceItem<'a>>,
    /// Values interpolated into reasons, referred to by slices.
    pub(crate) values: Vec<Value<'a>>,
    /// Outcomes criteria could still reach, referred to by slices.
    pub(crate) alternatives: Vec<Alternative>,
    /// Comparisons that read ranges, referred to by slices.
    pub(crate) range_tests: Vec<RangeTest<'a>>,
}
