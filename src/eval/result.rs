//! What evaluation produces: per-score, per-criterion and per-table results, window marks and
//! match outcomes. Everything a trace shows comes from here.

use super::matchers::FieldOutcome;
use super::value::Value;
use crate::case::Case;
use crate::program::{MatchSummary, Points, Program};

/// How a collection treated one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// What happened to a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Outcome at this index applied.
    Applied(usize),
    /// No outcome's condition held (and there is no `else`): contributes nothing.
    NoOutcome,
    /// Evidence unknown: skipped, or scored with the stated default.
    Unknown {
        /// True when the unknown arm's default was scored.
        defaulted: bool,
        /// The outcome whose condition (or weight input) was unknown.
        at: usize,
    },
}

/// A criterion's result.
#[derive(Debug, Clone)]
pub struct CriterionResult<'a> {
    /// Applied, no outcome, or unknown.
    pub status: Status,
    /// Points or log-odds added to the score.
    pub contribution: Points,
    /// For `per` and `ramp` weights: the count or input used.
    pub input: Option<f64>,
    /// Values of the criterion's reads, in [`crate::program::CriterionDef::reads`] order.
    pub evidence: Vec<Value<'a>>,
    /// Values interpolated into the reason.
    pub reason: Vec<Value<'a>>,
}

/// A decision table's result (bands or verdict).
#[derive(Debug, Clone)]
pub struct DecisionResult<'a> {
    /// The row that applied.
    pub row: usize,
    /// Rows before it whose condition was unknown.
    pub undecided: Vec<usize>,
    /// Values of the table's reads.
    pub evidence: Vec<Value<'a>>,
    /// Values interpolated into the row's reason.
    pub reason: Vec<Value<'a>>,
}

/// A score's result.
#[derive(Debug, Clone)]
pub struct ScoreResult<'a> {
    /// Starting amount: 0 points, or the prior's log-odds.
    pub base: Points,
    /// base + Σ contributions, exactly.
    pub total: Points,
    /// Evidence scores: the probability of the total.
    pub probability: Option<f64>,
    /// Per criterion, in order.
    pub criteria: Vec<CriterionResult<'a>>,
    /// The band, when the score has bands.
    pub band: Option<DecisionResult<'a>>,
    /// Criteria whose evidence was known.
    pub known: usize,
}

impl ScoreResult<'_> {
    /// Known criteria as a fraction of all.
    pub fn coverage(&self) -> f64 {
        if self.criteria.is_empty() {
            1.0
        } else {
            self.known as f64 / self.criteria.len() as f64
        }
    }
}

/// A detail match's result: each field's outcome.
#[derive(Debug, Clone, Default)]
pub struct MatchResult<'a> {
    /// Per field, in order.
    pub fields: Vec<FieldOutcome>,
    /// Per field: the claimed and the confirmed value.
    pub values: Vec<(Value<'a>, Value<'a>)>,
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

/// Everything evaluation produced for one case.
#[derive(Debug)]
pub struct Evaluation<'a> {
    /// The program evaluated.
    pub program: &'a Program,
    /// The case.
    pub case: &'a Case,
    /// Per score, in program order.
    pub scores: Vec<ScoreResult<'a>>,
    /// The verdict, when the program has one.
    pub verdict: Option<DecisionResult<'a>>,
    /// Values of lets that were read.
    pub lets: Vec<Option<Value<'a>>>,
    /// Results of traced collections that ran.
    pub collections: Vec<Option<Value<'a>>>,
    /// Item marks of traced collections that ran.
    pub windows: Vec<Option<Vec<Mark>>>,
    /// Detail matches that ran.
    pub matches: Vec<Option<MatchResult<'a>>>,
}
