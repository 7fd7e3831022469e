//! The compiled rule set: flat tables indexed by ids, with every name and path resolved.
//!
//! Expressions live in one arena ([`Program::nodes`]); criteria, lets, collections and
//! matches point into it. Nothing here is looked up by string at evaluation time.

use crate::case::layout::Layout;
pub(crate) use crate::check::Cost;
use crate::limits::Limits;
use crate::ops::{BinOp, CollectOp, WindowSide};
use crate::ratio::Ratio;
use crate::source::{SourceMap, Span};

/// Index of an expression node.
pub(crate) type NodeId = u32;

/// A compiled rule set, ready to score cases.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub struct Program {
    /// The rule files, for line numbers and snippets in traces.
    pub(crate) sources: SourceMap,
    /// Rule-set metadata and content hash.
    pub(crate) meta: Metadata,
    /// Expression arena.
    pub(crate) nodes: Vec<Node>,
    /// Source span of each node.
    pub(crate) spans: Vec<Span>,
    /// One-line texts of the expressions written over several lines, sorted by node.
    pub(crate) one_line: Vec<(NodeId, Box<str>)>,
    /// Named derived values (`let`).
    pub(crate) lets: Vec<LetDef>,
    /// Collection operations (`count`, `distinct`, …).
    pub(crate) collections: Vec<CollectionDef>,
    /// Detail matches.
    pub(crate) matches: Vec<MatchDef>,
    /// Scores in evaluation order.
    pub(crate) scores: Vec<ScoreDef>,
    /// The combined verdict.
    pub(crate) verdict: Option<DecisionDef>,
    /// Competing hypotheses, weighed side by side (`hypotheses` block).
    pub(crate) hypotheses: Option<HypothesesDef>,
    /// What the engine needs to know of the rule set's domain.
    pub(crate) profile: crate::profile::Profile,
    /// The case schema the header declares: its path and text (a decision log keeps it, so
    /// that the rules compile again as they did).
    pub(crate) declared_schema: Option<(String, String)>,
    /// What to read from a case.
    pub(crate) layout: Layout,
    /// The root slot holding the case's `id`.
    pub(crate) case_id: u32,
    /// Size and work limits the program was compiled with (evaluation enforces `max_work`).
    pub(crate) limits: Limits,
    /// Estimated evaluation cost, per criterion and in all.
    pub(crate) costs: Costs,
}

/// Estimated evaluation cost of a program (see `check::cost`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(crate) struct Costs {
    /// Per score, per criterion: the cost of the criterion alone, definitions it reads included.
    pub(crate) criteria: Vec<Vec<Cost>>,
    /// The competing hypotheses block: every row once per hypothesis, at most as many
    /// hypotheses as a case can have.
    pub(crate) hypotheses: Option<Cost>,
    /// One case, every definition counted once.
    pub(crate) total: Cost,
}

impl Program {
    /// The name of score `index` (empty when there is none).
    pub(crate) fn score_name(&self, index: usize) -> &str {
        self.scores.get(index).map_or("", |s| s.name.as_str())
    }

    /// The names of the rule set's scores, in the order traces list them.
    pub fn score_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.scores.iter().map(|s| s.name.as_str())
    }

    /// What the rule set's `profile` declares of its domain.
    pub fn profile(&self) -> &crate::profile::Profile {
        &self.profile
    }

    /// The rule set's id, version, description, references and content hash.
    pub fn meta(&self) -> &Metadata {
        &self.meta
    }

    /// The rule files, for rendering diagnostics.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The rule set as text: each rule file in load order, then the case schema its header
    /// declares, as (name, text). [`crate::compile_sources`] compiles them again to the same
    /// program and content hash (the decision log stores them; the Python package pickles them).
    pub fn source_files(&self) -> Vec<(String, String)> {
        self.sources
            .files()
            .iter()
            .map(|f| (f.name.to_string(), f.text.to_string()))
            .chain(self.declared_schema.iter().cloned())
            .collect()
    }

    /// The limits the program was compiled with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// True when two programs compute the same expressions in the same order, wherever they
    /// were written (the formatter's fuzz target checks that formatting keeps this).
    pub fn same_expressions(&self, other: &Program) -> bool {
        self.nodes == other.nodes
    }

    /// Reads a case (JSON), keeping only the values these rules read.
    pub fn load(&self, json: &[u8]) -> Result<crate::case::Case, crate::case::CaseError> {
        crate::case::load_case(&self.layout, &self.limits, json)
    }

    /// Reads a case already parsed, as [`Program::load`] reads its text.
    pub(crate) fn load_value(
        &self,
        json: &serde_json::Value,
    ) -> Result<crate::case::Case, crate::case::CaseError> {
        crate::case::load_case_value(&self.layout, &self.limits, json)
    }

    /// The source text of a node.
    pub(crate) fn text(&self, node: NodeId) -> &str {
        self.sources.snippet(self.spans[node as usize])
    }

    /// The source text of an expression on one line, as traces quote it: a line break and the
    /// indentation after it become one space.
    pub(crate) fn expression(&self, node: NodeId) -> &str {
        match self.one_line.binary_search_by_key(&node, |(n, _)| *n) {
            Ok(i) => &self.one_line[i].1,
            Err(_) => self.text(node),
        }
    }

    /// What a condition means in words: the description of the definition it names, when it
    /// is one definition that has one.
    pub(crate) fn description_of(&self, node: NodeId) -> Option<&str> {
        match &self.nodes[node as usize] {
            Node::Let(l) => self.lets[*l as usize].description.as_deref(),
            _ => None,
        }
    }

    /// The scores a condition reads, directly or through definitions, each once, in order.
    pub(crate) fn scores_read(&self, node: NodeId) -> Vec<u32> {
        let mut out = Vec::new();
        self.walk(node, |current| {
            if let Node::Score { id, .. } = current
                && !out.contains(id)
            {
                out.push(*id);
            }
        });
        out.sort_unstable();
        out
    }

    /// Whether evaluating `node` may read the hypothesis being weighed.
    pub(crate) fn reads_hypothesis(&self, node: NodeId) -> bool {
        let mut reads = false;
        self.walk(node, |current| {
            reads |= matches!(current, Node::Hypothesis(_))
        });
        reads
    }

    /// Visits every node evaluating `node` may evaluate: its operands, the definitions it reads
    /// (each once) and its collections' lists, projections and filters.
    fn walk(&self, node: NodeId, mut visit: impl FnMut(&Node)) {
        let mut seen_lets = vec![false; self.lets.len()];
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            let Some(current) = self.nodes.get(node as usize) else {
                continue;
            };
            visit(current);
            match current {
                Node::Let(l) => {
                    if !std::mem::replace(&mut seen_lets[*l as usize], true) {
                        stack.push(self.lets[*l as usize].node);
                    }
                }
                Node::Collect(c) => {
                    let def = &self.collections[*c as usize];
                    stack.extend(
                        [Some(def.list), def.projection, def.filter]
                            .into_iter()
                            .flatten(),
                    );
                }
                _ => stack.extend(current.operands()),
            }
        }
    }

    /// One-line texts of the expressions written over several lines, by node.
    pub(crate) fn one_line_texts(sources: &SourceMap, spans: &[Span]) -> Vec<(NodeId, Box<str>)> {
        spans
            .iter()
            .enumerate()
            .filter_map(|(node, span)| {
                let text = sources.snippet(*span);
                text.contains('\n')
                    .then(|| (node as NodeId, one_line(text).into_boxed_str()))
            })
            .collect()
    }
}

/// Source text written over several lines, on one: its lines trimmed and joined by a space.
pub(crate) fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" ")
}

/// Rule-set metadata.
#[derive(serde::Serialize, serde::Deserialize, Debug, Default, Clone)]
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub(crate) enum Lit {
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchSummary {
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScoreProp {
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub(crate) enum Node {
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
    /// A field of the hypothesis being weighed (in a `hypotheses` block).
    Hypothesis(HypothesisField),
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
    pub(crate) fn operands(&self) -> impl Iterator<Item = NodeId> + '_ {
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
            | Node::Hypothesis(_)
            | Node::Score { .. } => ([None, None, None], &[]),
        };
        fixed.into_iter().flatten().chain(list.iter().copied())
    }
}

/// What `hypothesis.FIELD` reads.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HypothesisField {
    /// The candidate group (unknown for a hypothesis declared with `one`).
    Group,
    /// The name of the hypothesis's kind (`each NAME`, `one NAME`).
    Kind,
}

/// The fields of a hypothesis, as rules name them.
pub(crate) const HYPOTHESIS_FIELDS: &[(&str, HypothesisField)] = &[
    ("group", HypothesisField::Group),
    ("kind", HypothesisField::Kind),
];

/// Competing hypotheses: where the case names candidate groups, the kinds of hypothesis, and
/// the evidence rows each hypothesis is weighed by.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct HypothesesDef {
    /// The block's name.
    pub(crate) name: String,
    /// The question the hypotheses answer.
    pub(crate) title: Option<String>,
    /// Reasoning and sources.
    pub(crate) about: Option<String>,
    /// Each source of candidate groups: a string value, or a `distinct` collection whose
    /// projected values are groups.
    pub(crate) groups: Vec<NodeId>,
    /// Kinds of hypothesis, in column order (per-group kinds repeat for each group).
    pub(crate) kinds: Vec<HypothesisKindDef>,
    /// The evidence rows: likelihood ratios, each read once per hypothesis.
    pub(crate) criteria: Vec<CriterionDef>,
    /// Per criterion: true when it reads `hypothesis` (otherwise its cell is the same in every
    /// column, whatever its unknown evidence turns out to be). Set once the program is built.
    pub(crate) reads_hypothesis: Vec<bool>,
    /// Log-odds by which one known row must favour a rival over the leader for the ranking to
    /// be in conflict.
    pub(crate) conflict: Points,
    /// The ratio as written, for traces.
    pub(crate) conflict_shown: f64,
    /// The block's name, where diagnostics about the whole block point.
    pub(crate) span: Span,
}

/// A kind of hypothesis.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct HypothesisKindDef {
    /// Its name.
    pub(crate) name: String,
    /// True for one hypothesis per candidate group.
    pub(crate) per_group: bool,
    /// What it says (may interpolate the group).
    pub(crate) title: Vec<TextPart>,
}

/// A `let` definition.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct LetDef {
    /// Its name.
    pub(crate) name: String,
    /// Optional description.
    pub(crate) description: Option<String>,
    /// Its value.
    pub(crate) node: NodeId,
    /// Case values and other lets it reads, for the trace.
    pub(crate) reads: Vec<Read>,
}

/// A collection operation.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct CollectionDef {
    /// Operation.
    pub(crate) op: CollectOp,
    /// The list.
    pub(crate) list: NodeId,
    /// Projected value or condition.
    pub(crate) projection: Option<NodeId>,
    /// Filter.
    pub(crate) filter: Option<NodeId>,
    /// True when not nested in another collection: item outcomes are recorded for the trace.
    pub(crate) traced: bool,
    /// Steps charged against the work budget per item (nested collections charge their own).
    pub(crate) item_steps: u64,
    /// The item field its filter windows on, when it is a time (for times in traces).
    pub(crate) time_slot: Option<u32>,
    /// The whole expression.
    pub(crate) span: Span,
}

/// How one field of a detail match is compared.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq)]
pub(crate) enum Matcher {
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
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct MatchFieldDef {
    /// Field name.
    pub(crate) name: String,
    /// Comparison.
    pub(crate) matcher: Matcher,
    /// The comparison as traces write it (`fuzzy 90.0%`), written once when compiling.
    pub(crate) matcher_text: String,
    /// Claimed value.
    pub(crate) claimed: Read,
    /// Confirmed value.
    pub(crate) confirmed: Read,
}

/// A detail match: claimed object vs confirmed object, field by field.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct MatchDef {
    /// Fields in order.
    pub(crate) fields: Vec<MatchFieldDef>,
}

/// Fixed-point amounts: points or log-odds, in ten-thousandths, so sums are exact.
#[derive(
    serde::Serialize,
    serde::Deserialize,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Hash,
)]
pub struct Points(pub i64);

impl Points {
    /// Units per point.
    pub(crate) const SCALE: i64 = 10_000;

    /// The largest amount, in units (10^11 points, or log-odds): any contribution is clamped
    /// to it, so that sums and differences of amounts cannot overflow.
    pub(crate) const LIMIT: i64 = 1_000_000_000_000_000;

    /// Rounds a float to the fixed-point grid, within [`Points::LIMIT`].
    pub(crate) fn from_f64(value: f64) -> Points {
        Points::from_units(value * Self::SCALE as f64)
    }

    /// Rounds a number of units to the grid, within [`Points::LIMIT`] (not-a-number is 0).
    pub(crate) fn from_units(units: f64) -> Points {
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq)]
pub enum ScoreMode {
    /// Points add up from zero.
    Additive,
    /// Log-odds add up from the prior's.
    Evidence {
        /// Prior probability.
        prior: f64,
    },
}

/// A constant weight: as written, and in the score's unit.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq)]
pub(crate) struct Amount {
    /// In the score's unit: points, or log-odds for a likelihood ratio.
    pub(crate) units: Points,
    /// As written: the points, or the likelihood ratio.
    pub(crate) written: f64,
}

impl Amount {
    /// The exact likelihood ratio of an evidence weight, as written.
    pub(crate) fn ratio(self) -> Option<Ratio> {
        Ratio::of_decimal(self.written)
    }
}

/// A contribution shape, in the score's unit (points or log-odds).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) enum WeightDef {
    /// A fixed amount.
    Fixed(Amount),
    /// `amount` per unit of `count`, the count capped at `max`.
    Per {
        /// Per unit.
        amount: Amount,
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
        y: [Amount; 2],
    },
}

/// The units a `per` weight counts: the count capped at `max`, never below zero.
pub(crate) fn per_units(count: f64, max: Option<f64>) -> f64 {
    max.map_or(count, |m| count.min(m)).max(0.0)
}

/// Where an input lies on a ramp from `x[0]` to `x[1]`: 0 at or before the start, 1 at or
/// after the end.
pub(crate) fn ramp_position(input: f64, x: [f64; 2]) -> f64 {
    ((input - x[0]) / (x[1] - x[0])).clamp(0.0, 1.0)
}

impl WeightDef {
    /// The count or ramp input the weight reads, if any.
    pub(crate) fn input(&self) -> Option<NodeId> {
        match self {
            WeightDef::Fixed(_) => None,
            WeightDef::Per { count, .. } => Some(*count),
            WeightDef::Ramp { input, .. } => Some(*input),
        }
    }
}

/// A piece of a reason text.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) enum TextPart {
    /// Literal text.
    Text(String),
    /// An interpolated value.
    Value(NodeId),
}

/// The interpolated values of a reason text.
pub(crate) fn text_values(parts: &[TextPart]) -> impl Iterator<Item = NodeId> + '_ {
    parts.iter().filter_map(|p| match p {
        TextPart::Value(node) => Some(*node),
        TextPart::Text(_) => None,
    })
}

/// One outcome of a criterion.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct OutcomeDef {
    /// Condition; `None` for `else`.
    pub(crate) guard: Option<NodeId>,
    /// Contribution.
    pub(crate) weight: WeightDef,
    /// Reason text.
    pub(crate) reason: Vec<TextPart>,
    /// Secondary facts that adjust it when known, first true one applying.
    pub(crate) refinements: Vec<RefinementDef>,
    /// The whole line.
    pub(crate) span: Span,
}

/// `refine when cond => weight "reason"` under an outcome.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct RefinementDef {
    /// The secondary fact.
    pub(crate) guard: NodeId,
    /// The outcome's contribution when it holds.
    pub(crate) weight: WeightDef,
    /// Reason text.
    pub(crate) reason: Vec<TextPart>,
    /// The whole line.
    pub(crate) span: Span,
}

/// What a criterion does when its evidence is unknown.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct UnknownPolicy {
    /// `None`: skipped (contributes nothing, lowers coverage); else a stated default.
    pub(crate) default: Option<Amount>,
    /// Reason text.
    pub(crate) reason: Vec<TextPart>,
}

/// A value a criterion reads, shown as its evidence.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) struct Read {
    /// As written in the rules (a path, a let name, a collection).
    pub(crate) label: String,
    /// The node that computes it.
    pub(crate) node: NodeId,
    /// For a case path: its slot in the case root, so that missing and null are told apart.
    pub(crate) slot: Option<u32>,
}

/// A weighted criterion.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct CriterionDef {
    /// Name.
    pub(crate) name: String,
    /// Title.
    pub(crate) title: Option<String>,
    /// Reasoning and sources.
    pub(crate) about: Option<String>,
    /// Outcomes, first match wins.
    pub(crate) outcomes: Vec<OutcomeDef>,
    /// Unknown handling.
    pub(crate) unknown: UnknownPolicy,
    /// Evidence it reads.
    pub(crate) reads: Vec<Read>,
    /// The whole criterion.
    pub(crate) span: Span,
}

impl CriterionDef {
    /// Every node evaluating the criterion may evaluate: conditions, weight inputs, reasons
    /// and evidence.
    pub(crate) fn evaluated_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
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
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct ScoreDef {
    /// Name.
    pub(crate) name: String,
    /// Title.
    pub(crate) title: Option<String>,
    /// Additive or evidence.
    pub(crate) mode: ScoreMode,
    /// Criteria in order.
    pub(crate) criteria: Vec<CriterionDef>,
    /// Bands.
    pub(crate) bands: Option<DecisionDef>,
}

/// The test of a decision row.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) enum RowTestDef {
    /// The score is at least (or above) a threshold, in points or log-odds.
    Threshold {
        /// `>` rather than `>=`.
        strict: bool,
        /// Threshold in the score's unit (log-odds for evidence scores).
        at: Points,
        /// For evidence scores, the threshold's exact odds, to decide ties exactly.
        odds: Option<Ratio>,
        /// The threshold as written (points or probability).
        shown: f64,
    },
    /// A condition.
    When(NodeId),
    /// Always.
    Else,
}

/// One row of a decision table.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct RowDef {
    /// Test.
    pub(crate) test: RowTestDef,
    /// Label given.
    pub(crate) label: String,
    /// Reason text.
    pub(crate) reason: Vec<TextPart>,
    /// For a row written with `unless`: its condition and the evidence that defeats it.
    /// `when C => "a" unless D => "b"` is lowered to two rows, `C and D => "b"` (a conflict)
    /// then `C => "a"`; `when C => "a" unless D` to one, `C and not D => "a"`.
    pub(crate) unless: Option<Unless>,
    /// For the row that holds when evidence defeats an override: what the override would have
    /// given. The judgement is then in conflict.
    pub(crate) conflict: Option<Overridden>,
    /// The scores its condition reads, directly or through definitions, each once, in order
    /// (filled once the program is whole).
    pub(crate) scores_read: Vec<u32>,
    /// The whole row.
    pub(crate) span: Span,
}

/// An override row's condition and the evidence that defeats it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy)]
pub(crate) struct Unless {
    /// The override's condition (`C`).
    pub(crate) condition: NodeId,
    /// The evidence that defeats it (`D`).
    pub(crate) defeater: NodeId,
}

/// What an override defeated by contrary evidence would have given.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct Overridden {
    /// Its label.
    pub(crate) label: String,
    /// Its reason text.
    pub(crate) reason: Vec<TextPart>,
}

impl DecisionDef {
    /// Every node evaluating the table may evaluate: conditions, reasons and evidence.
    pub(crate) fn evaluated_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
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
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) struct DecisionDef {
    /// Title.
    pub(crate) title: Option<String>,
    /// Rows.
    pub(crate) rows: Vec<RowDef>,
    /// Values the rows read.
    pub(crate) reads: Vec<Read>,
    /// The whole block.
    pub(crate) span: Span,
}
