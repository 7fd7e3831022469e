//! The compiled rule set: flat tables indexed by ids, with every name and path resolved.
//!
//! Expressions live in one arena ([`Program::nodes`]); criteria, lets, collections and
//! matches point into it. Nothing here is looked up by string at evaluation time.

use crate::case::layout::Layout;
pub use crate::check::Cost;
use crate::limits::Limits;
use crate::ops::{BinOp, CollectOp, WindowSide};
use crate::source::{SourceMap, Span};

/// Index of an expression node.
pub type NodeId = u32;

/// A compiled rule set, ready to score cases.
#[derive(Debug)]
pub struct Program {
    /// The rule files, for line numbers and snippets in traces.
    pub sources: SourceMap,
    /// Rule-set metadata and content hash.
    pub meta: Metadata,
    /// Expression arena.
    pub nodes: Vec<Node>,
    /// Source span of each node.
    pub spans: Vec<Span>,
    /// Named derived values (`let`).
    pub lets: Vec<LetDef>,
    /// Collection operations (`count`, `distinct`, …).
    pub collections: Vec<CollectionDef>,
    /// Detail matches.
    pub matches: Vec<MatchDef>,
    /// Scores in evaluation order.
    pub scores: Vec<ScoreDef>,
    /// The combined verdict.
    pub verdict: Option<DecisionDef>,
    /// What to read from a case.
    pub layout: Layout,
    /// The root slot holding the case's `id`.
    pub case_id: u32,
    /// Size and work limits the program was compiled with (evaluation enforces `max_work`).
    pub limits: Limits,
    /// Estimated evaluation cost, per criterion and in all.
    pub costs: Costs,
}

/// Estimated evaluation cost of a program (see `check::cost`).
#[derive(Debug, Clone, Default)]
pub struct Costs {
    /// Per score, per criterion: the cost of the criterion alone, definitions it reads included.
    pub criteria: Vec<Vec<Cost>>,
    /// One case, every definition counted once.
    pub total: Cost,
}

impl Program {
    /// The source text of a node.
    pub fn text(&self, node: NodeId) -> &str {
        self.sources.snippet(self.spans[node as usize])
    }
}

/// Rule-set metadata.
#[derive(Debug, Default, Clone)]
pub struct Metadata {
    /// Rule-set id.
    pub id: String,
    /// Version string.
    pub version: String,
    /// Description.
    pub description: String,
    /// References (sources the rules rest on).
    pub references: Vec<String>,
    /// `sha256:` of all rule files' names and contents, in load order.
    pub content_hash: String,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// true / false
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(Box<str>),
    /// Milliseconds since the epoch.
    Time(i64),
    /// Milliseconds.
    Dur(i64),
}

/// What a detail-match summary property reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchSummary {
    /// Fields that matched.
    Matched,
    /// Fields that did not match.
    Mismatched,
    /// Fields with both sides known.
    Known,
    /// Fields with a side unknown.
    Unknown,
    /// matched / known.
    Ratio,
}

/// What a score reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreProp {
    /// Points (additive) or probability (evidence).
    Value,
    /// The band label.
    Band,
    /// Known criteria / all criteria.
    Coverage,
    /// The lowest value the score could take once its unknown evidence is known.
    Min,
    /// The highest value it could take.
    Max,
    /// True when its band is the same whatever its unknown evidence turns out to be.
    Settled,
}

/// An expression node.
#[derive(Debug, Clone)]
pub enum Node {
    /// A constant.
    Lit(Lit),
    /// A value read from the case root.
    Slot(u32),
    /// A field of the item bound at comprehension `depth`.
    ItemSlot {
        /// Binder depth (0 = outermost comprehension).
        depth: u8,
        /// Slot in the item record.
        slot: u32,
    },
    /// A `let` value.
    Let(u32),
    /// Kleene negation.
    Not(NodeId),
    /// Arithmetic negation.
    Neg(NodeId),
    /// A binary operation.
    Binary(BinOp, NodeId, NodeId),
    /// `value within length side anchor`
    Within {
        /// Tested time.
        value: NodeId,
        /// Window length.
        length: NodeId,
        /// Side.
        side: WindowSide,
        /// Anchor time.
        anchor: NodeId,
    },
    /// `item.field within length side anchor` with a constant length: a fused [`Node::Within`].
    WithinItem {
        /// Binder depth of the item.
        depth: u8,
        /// Slot in the item record.
        slot: u32,
        /// Window length in milliseconds.
        length: i64,
        /// Side.
        side: WindowSide,
        /// Anchor time.
        anchor: NodeId,
    },
    /// `item.field op value`: a fused [`Node::Binary`] comparison.
    CompareItem {
        /// Comparison operator.
        op: BinOp,
        /// Binder depth of the item.
        depth: u8,
        /// Slot in the item record.
        slot: u32,
        /// The other operand.
        rhs: NodeId,
    },
    /// A collection operation.
    Collect(u32),
    /// `known(x)`: never unknown.
    Known(NodeId),
    /// `count_true(a, b, …)`
    CountTrue(Box<[NodeId]>),
    /// `abs(x)`
    Abs(NodeId),
    /// A detail match as a whole.
    Match(u32),
    /// One field's outcome of a match.
    MatchField {
        /// Match id.
        id: u32,
        /// Field index.
        field: u32,
    },
    /// A summary of a match.
    MatchSummary {
        /// Match id.
        id: u32,
        /// Which summary.
        what: MatchSummary,
    },
    /// A score's value, band or coverage.
    Score {
        /// Score index.
        id: u32,
        /// What is read.
        prop: ScoreProp,
    },
}

impl Node {
    /// The nodes this node's value is computed from directly. Definitions, collections and
    /// matches are reached through their ids, not listed here.
    pub fn operands(&self) -> impl Iterator<Item = NodeId> + '_ {
        let (fixed, list): ([Option<NodeId>; 3], &[NodeId]) = match self {
            Node::Not(a) | Node::Neg(a) | Node::Known(a) | Node::Abs(a) => {
                ([Some(*a), None, None], &[])
            }
            Node::Binary(_, a, b) => ([Some(*a), Some(*b), None], &[]),
            Node::Within {
                value,
                length,
                anchor,
                ..
            } => ([Some(*value), Some(*length), Some(*anchor)], &[]),
            Node::WithinItem { anchor, .. } => ([Some(*anchor), None, None], &[]),
            Node::CompareItem { rhs, .. } => ([Some(*rhs), None, None], &[]),
            Node::CountTrue(parts) => ([None, None, None], parts),
            Node::Lit(_)
            | Node::Slot(_)
            | Node::ItemSlot { .. }
            | Node::Let(_)
            | Node::Collect(_)
            | Node::Match(_)
            | Node::MatchField { .. }
            | Node::MatchSummary { .. }
            | Node::Score { .. } => ([None, None, None], &[]),
        };
        fixed.into_iter().flatten().chain(list.iter().copied())
    }
}

/// A `let` definition.
#[derive(Debug)]
pub struct LetDef {
    /// Its name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Its value.
    pub node: NodeId,
    /// Case values and other lets it reads, for the trace.
    pub reads: Vec<Read>,
}

/// A collection operation.
#[derive(Debug)]
pub struct CollectionDef {
    /// Operation.
    pub op: CollectOp,
    /// The list.
    pub list: NodeId,
    /// Binder depth of the item variable.
    pub depth: u8,
    /// Projected value or condition.
    pub projection: Option<NodeId>,
    /// Filter.
    pub filter: Option<NodeId>,
    /// True when not nested in another collection: item outcomes are recorded for the trace.
    pub traced: bool,
    /// Steps charged against the work budget per item (nested collections charge their own).
    pub item_steps: u64,
    /// The item field its filter windows on, when it is a time (for times in traces).
    pub time_slot: Option<u32>,
    /// The whole expression.
    pub span: Span,
}

/// How one field of a detail match is compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Matcher {
    /// Equal values (lists: same set).
    Exact,
    /// Equal ignoring case.
    Nocase,
    /// Similarity (normalised Levenshtein) at least the threshold.
    Fuzzy(f64),
    /// Numbers within an absolute tolerance.
    Within(f64),
    /// Numbers within a fraction of the confirmed value.
    WithinPercent(f64),
    /// Jaccard overlap at least the threshold; `None`: any shared value.
    Overlap(Option<f64>),
}

/// One compared field.
#[derive(Debug)]
pub struct MatchFieldDef {
    /// Field name.
    pub name: String,
    /// Comparison.
    pub matcher: Matcher,
    /// Claimed value.
    pub claimed: Read,
    /// Confirmed value.
    pub confirmed: Read,
}

/// A detail match: claimed object vs confirmed object, field by field.
#[derive(Debug)]
pub struct MatchDef {
    /// Fields in order.
    pub fields: Vec<MatchFieldDef>,
}

/// Fixed-point amounts: points or log-odds, in ten-thousandths, so sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Points(pub i64);

impl Points {
    /// Units per point.
    pub const SCALE: i64 = 10_000;

    /// The largest amount, in units (10^11 points, or log-odds): any contribution is clamped
    /// to it, so that sums and differences of amounts cannot overflow.
    pub const LIMIT: i64 = 1_000_000_000_000_000;

    /// Rounds a float to the fixed-point grid, within [`Points::LIMIT`].
    pub fn from_f64(value: f64) -> Points {
        Points::from_units(value * Self::SCALE as f64)
    }

    /// Rounds a number of units to the grid, within [`Points::LIMIT`] (not-a-number is 0).
    pub fn from_units(units: f64) -> Points {
        if units.is_nan() {
            return Points(0);
        }
        let limit = Self::LIMIT as f64;
        Points(units.round().clamp(-limit, limit) as i64)
    }

    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0))
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points(0), |a, b| a + b)
    }
}

impl std::fmt::Display for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let scale = Self::SCALE as u64;
        let (whole, frac) = (abs / scale, abs % scale);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{frac:04}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// How a score adds up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreMode {
    /// Points add up from zero.
    Additive,
    /// Log-odds add up from the prior's.
    Evidence {
        /// Prior probability.
        prior: f64,
    },
}

/// A contribution shape, in the score's unit (points or log-odds).
#[derive(Debug, Clone)]
pub enum WeightDef {
    /// A fixed amount.
    Fixed(Points),
    /// `amount` per unit of `count`, the count capped at `max`.
    Per {
        /// Per unit.
        amount: Points,
        /// Units.
        count: NodeId,
        /// Cap on units.
        max: Option<f64>,
    },
    /// Linear from (x0, y0) to (x1, y1), flat outside.
    Ramp {
        /// Input.
        input: NodeId,
        /// x0, x1.
        x: [f64; 2],
        /// y0, y1.
        y: [Points; 2],
    },
}

impl WeightDef {
    /// The count or ramp input the weight reads, if any.
    pub fn input(&self) -> Option<NodeId> {
        match self {
            WeightDef::Fixed(_) => None,
            WeightDef::Per { count, .. } => Some(*count),
            WeightDef::Ramp { input, .. } => Some(*input),
        }
    }
}

/// A piece of a reason text.
#[derive(Debug, Clone)]
pub enum TextPart {
    /// Literal text.
    Text(String),
    /// An interpolated value.
    Value(NodeId),
}

/// The interpolated values of a reason text.
pub fn text_values(parts: &[TextPart]) -> impl Iterator<Item = NodeId> + '_ {
    parts.iter().filter_map(|p| match p {
        TextPart::Value(node) => Some(*node),
        TextPart::Text(_) => None,
    })
}

/// One outcome of a criterion.
#[derive(Debug)]
pub struct OutcomeDef {
    /// Condition; `None` for `else`.
    pub guard: Option<NodeId>,
    /// Contribution.
    pub weight: WeightDef,
    /// Reason text.
    pub reason: Vec<TextPart>,
    /// Secondary facts that adjust it when known, first true one applying.
    pub refinements: Vec<RefinementDef>,
    /// The whole line.
    pub span: Span,
}

/// `refine when cond => weight "reason"` under an outcome.
#[derive(Debug)]
pub struct RefinementDef {
    /// The secondary fact.
    pub guard: NodeId,
    /// The outcome's contribution when it holds.
    pub weight: WeightDef,
    /// Reason text.
    pub reason: Vec<TextPart>,
    /// The whole line.
    pub span: Span,
}

/// What a criterion does when its evidence is unknown.
#[derive(Debug)]
pub struct UnknownPolicy {
    /// `None`: skipped (contributes nothing, lowers coverage); else a stated default.
    pub default: Option<Points>,
    /// Reason text.
    pub reason: Vec<TextPart>,
}

/// A value a criterion reads, shown as its evidence.
#[derive(Debug, Clone)]
pub struct Read {
    /// As written in the rules (a path, a let name, a collection).
    pub label: String,
    /// The node that computes it.
    pub node: NodeId,
    /// For a case path: its slot in the case root, so that missing and null are told apart.
    pub slot: Option<u32>,
}

/// A weighted criterion.
#[derive(Debug)]
pub struct CriterionDef {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Reasoning and sources.
    pub about: Option<String>,
    /// Outcomes, first match wins.
    pub outcomes: Vec<OutcomeDef>,
    /// Unknown handling.
    pub unknown: UnknownPolicy,
    /// Evidence it reads.
    pub reads: Vec<Read>,
    /// The whole criterion.
    pub span: Span,
}

impl CriterionDef {
    /// Every node evaluating the criterion may evaluate: conditions, weight inputs, reasons
    /// and evidence.
    pub fn evaluated_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.outcomes
            .iter()
            .flat_map(|o| {
                let refinements = o.refinements.iter().flat_map(|r| {
                    std::iter::once(r.guard)
                        .chain(r.weight.input())
                        .chain(text_values(&r.reason))
                });
                o.guard
                    .into_iter()
                    .chain(o.weight.input())
                    .chain(text_values(&o.reason))
                    .chain(refinements)
            })
            .chain(text_values(&self.unknown.reason))
            .chain(self.reads.iter().map(|r| r.node))
    }
}

/// A score.
#[derive(Debug)]
pub struct ScoreDef {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Additive or evidence.
    pub mode: ScoreMode,
    /// Criteria in order.
    pub criteria: Vec<CriterionDef>,
    /// Bands.
    pub bands: Option<DecisionDef>,
    /// The whole score.
    pub span: Span,
}

/// The test of a decision row.
#[derive(Debug, Clone)]
pub enum RowTestDef {
    /// The score is at least (or above) a threshold, in points or log-odds.
    Threshold {
        /// `>` rather than `>=`.
        strict: bool,
        /// Threshold in the score's unit (log-odds for evidence scores).
        at: Points,
        /// The threshold as written (points or probability).
        shown: f64,
    },
    /// A condition.
    When(NodeId),
    /// Always.
    Else,
}

/// One row of a decision table.
#[derive(Debug)]
pub struct RowDef {
    /// Test.
    pub test: RowTestDef,
    /// Label given.
    pub label: String,
    /// Reason text.
    pub reason: Vec<TextPart>,
    /// The whole row.
    pub span: Span,
}

impl DecisionDef {
    /// Every node evaluating the table may evaluate: conditions, reasons and evidence.
    pub fn evaluated_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.rows
            .iter()
            .flat_map(|r| {
                let condition = match r.test {
                    RowTestDef::When(node) => Some(node),
                    _ => None,
                };
                condition.into_iter().chain(text_values(&r.reason))
            })
            .chain(self.reads.iter().map(|r| r.node))
    }
}

/// Bands or the verdict: first row that applies gives the label.
#[derive(Debug)]
pub struct DecisionDef {
    /// Title.
    pub title: Option<String>,
    /// Rows.
    pub rows: Vec<RowDef>,
    /// Values the rows read.
    pub reads: Vec<Read>,
    /// The whole block.
    pub span: Span,
}
