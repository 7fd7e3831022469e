//! The syntax tree of a rule file. Every node carries the [`Span`] it was parsed from.

pub use crate::ops::{BinOp, CollectOp, WindowSide};
use crate::source::Span;

/// A name with its span.
#[derive(Clone, Debug)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal, possibly with `{expr}` interpolations (reason texts).
#[derive(Clone, Debug)]
pub struct Template {
    /// Literal text and interpolated expressions, in order.
    pub parts: Vec<TemplatePart>,
    /// The whole literal, quotes included.
    pub span: Span,
}

impl Template {
    /// The text when the literal has no interpolation.
    pub fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [TemplatePart::Text(t)] => Some(t),
            _ => None,
        }
    }
}

/// A piece of a [`Template`].
#[derive(Clone, Debug)]
pub enum TemplatePart {
    /// Literal text.
    Text(String),
    /// `{expr}`: an evidence value shown in the reason.
    Expr(Expr),
}

/// One parsed rule file.
#[derive(Clone, Debug, Default)]
pub struct File {
    /// Top-level items, in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug)]
pub enum Item {
    /// `ruleset id { version "…" … }`
    Ruleset(Ruleset),
    /// `include "path.cred"`
    Include(Template),
    /// `const NAME = expr`
    Const(Binding),
    /// `let name = expr`
    Let(Binding),
    /// `score name "title" { … }`
    Score(Score),
    /// `verdict "title" { … }`
    Verdict(Decision),
}

/// Rule-set metadata.
#[derive(Clone, Debug)]
pub struct Ruleset {
    /// The rule-set id.
    pub id: Ident,
    /// `key "value"` lines, in order.
    pub entries: Vec<(Ident, Template)>,
    /// The whole item.
    pub span: Span,
}

/// `const` or `let` binding.
#[derive(Clone, Debug)]
pub struct Binding {
    /// The bound name.
    pub name: Ident,
    /// Optional `"description"` between the name and `=`, shown in traces.
    pub description: Option<Template>,
    /// Its definition.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// How a score combines its criteria.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Points are added.
    Additive,
    /// Likelihood ratios multiply the prior odds (log-odds are added).
    Evidence {
        /// Prior probability.
        prior: Expr,
    },
}

/// `score name "title" { mode …; criterion …; bands { … } }`
#[derive(Clone, Debug)]
pub struct Score {
    /// The score's name.
    pub name: Ident,
    /// Human title.
    pub title: Option<Template>,
    /// Additive or evidence.
    pub mode: Mode,
    /// Where the mode line is (the name when absent).
    pub mode_span: Span,
    /// Weighted criteria in order.
    pub criteria: Vec<Criterion>,
    /// Bands naming ranges of the score.
    pub bands: Option<Decision>,
    /// The whole item.
    pub span: Span,
}

/// A weighted criterion: the first outcome whose guard holds gives the contribution.
#[derive(Clone, Debug)]
pub struct Criterion {
    /// The criterion's name.
    pub name: Ident,
    /// Human title.
    pub title: Option<Template>,
    /// `about "…"`: the reasoning and its sources.
    pub about: Option<Template>,
    /// Outcomes in order.
    pub outcomes: Vec<Outcome>,
    /// What to do when the evidence is unknown.
    pub unknown: Option<UnknownArm>,
    /// The whole criterion.
    pub span: Span,
}

/// When an outcome applies.
#[derive(Clone, Debug)]
pub enum Guard {
    /// `when cond`
    When(Expr),
    /// `else`
    Else(Span),
}

/// `when cond => weight "reason"`
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The condition.
    pub guard: Guard,
    /// What it contributes.
    pub weight: Weight,
    /// Why, with evidence values interpolated.
    pub reason: Option<Template>,
    /// `refine when …` lines under it: secondary facts that adjust it when known.
    pub refinements: Vec<Refinement>,
    /// The whole line.
    pub span: Span,
}

/// `refine when cond => weight "reason"`: under a row, the first refinement whose condition is
/// true replaces the row's weight and reason; one whose condition is unknown leaves them.
#[derive(Clone, Debug)]
pub struct Refinement {
    /// The secondary fact.
    pub guard: Expr,
    /// What the row contributes when it holds.
    pub weight: Weight,
    /// Why.
    pub reason: Option<Template>,
    /// The whole line.
    pub span: Span,
}

/// `unknown => skip "…"` or `unknown => weight "…"`
#[derive(Clone, Debug)]
pub struct UnknownArm {
    /// `None` for `skip`: the criterion is left out and coverage drops.
    pub weight: Option<Weight>,
    /// Why.
    pub reason: Option<Template>,
    /// The whole line.
    pub span: Span,
}

/// Points (additive mode) or a likelihood ratio (evidence mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightUnit {
    /// Plain points.
    Points,
    /// `lr N`: a likelihood ratio.
    Ratio,
}

/// The shape of a contribution.
#[derive(Clone, Debug)]
pub enum WeightShape {
    /// A fixed amount.
    Fixed(Expr),
    /// `amount per count [max cap]`.
    Per {
        /// Contribution per unit.
        amount: Expr,
        /// How many units.
        count: Expr,
        /// Upper bound of the count.
        max: Option<Expr>,
    },
    /// `ramp(input, x0 => y0, x1 => y1)`: linear between two points, flat outside.
    Ramp {
        /// The input value.
        input: Expr,
        /// The two points (x, y).
        points: [(Expr, Expr); 2],
    },
}

/// A contribution with its unit.
#[derive(Clone, Debug)]
pub struct Weight {
    /// Points or ratio.
    pub unit: WeightUnit,
    /// Fixed, per-unit or ramp.
    pub shape: WeightShape,
    /// The whole weight.
    pub span: Span,
}

/// A first-match table: score bands or the verdict.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Human title.
    pub title: Option<Template>,
    /// Rows in order.
    pub rows: Vec<DecisionRow>,
    /// The whole block.
    pub span: Span,
}

/// One row of a [`Decision`].
#[derive(Clone, Debug)]
pub struct DecisionRow {
    /// When the row applies.
    pub test: RowTest,
    /// The label it gives.
    pub label: Template,
    /// Why.
    pub reason: Option<Template>,
    /// The whole row.
    pub span: Span,
}

/// The test of a decision row.
#[derive(Clone, Debug)]
pub enum RowTest {
    /// `>= value` or `> value`: the score is at least / above (bands only).
    Threshold {
        /// Strict (`>`) or not (`>=`).
        strict: bool,
        /// The threshold.
        value: Expr,
    },
    /// `when cond`
    When(Expr),
    /// `else`
    Else,
}

/// One field of a detail match: `field matcher [argument]`.
#[derive(Clone, Debug)]
pub struct MatchField {
    /// Field name, read under both objects.
    pub field: Ident,
    /// `exact`, `nocase`, `fuzzy`, `within` or `overlap`.
    pub matcher: Ident,
    /// The matcher's threshold or tolerance.
    pub argument: Option<Expr>,
}

/// An expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Its source range.
    pub span: Span,
}

/// Expression kinds.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `42`, `2.5`
    Number(f64),
    /// `20%` (stored as 0.2)
    Percent(f64),
    /// `"text"` (no interpolation outside reasons)
    Str(String),
    /// `true` / `false`
    Bool(bool),
    /// `90m`, `6h`, `2d`: milliseconds
    Duration(i64),
    /// `2018-03-23T09:10:00Z`: milliseconds since the epoch
    Timestamp(i64),
    /// `a.b.c`: a name followed by fields
    Path(Vec<Ident>),
    /// `not e`, `-e`
    Unary {
        /// `true` for `not`, `false` for negation.
        not: bool,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `a op b`
    Binary {
        /// Operator.
        op: BinOp,
        /// Its span.
        op_span: Span,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `x within d after t`
    Within {
        /// The time tested.
        value: Box<Expr>,
        /// Window length.
        length: Box<Expr>,
        /// Which side.
        side: WindowSide,
        /// The anchor time.
        anchor: Box<Expr>,
    },
    /// `count(p in posts where cond)`, `distinct(p.account for p in posts where cond)`
    Collect {
        /// Operation.
        op: CollectOp,
        /// The projected value (`distinct`, `sum`, `min`, `max`), or the condition (`any`, `all`).
        projection: Option<Box<Expr>>,
        /// The item variable.
        binder: Ident,
        /// The list.
        list: Box<Expr>,
        /// Optional filter.
        filter: Option<Box<Expr>>,
    },
    /// `name(args)`: `known`, `count_true`, `abs`
    Call {
        /// Function name.
        function: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `match claimed with confirmed { field matcher … }`
    Match {
        /// The claimed object.
        claimed: Box<Expr>,
        /// The confirmed object.
        confirmed: Box<Expr>,
        /// Fields in order.
        fields: Vec<MatchField>,
    },
}
