//! The syntax tree of a rule file. Every node carries the [`Span`] it was parsed from.

pub(crate) use crate::ops::{BinOp, CollectOp, WindowSide};
use crate::source::Span;

/// A name with its span.
#[derive(Clone, Debug)]
pub(crate) struct Ident {
    /// The name.
    pub(crate) name: String,
    /// Where it was written.
    pub(crate) span: Span,
}

/// A string literal, possibly with `{expr}` interpolations (reason texts).
#[derive(Clone, Debug)]
pub(crate) struct Template {
    /// Literal text and interpolated expressions, in order.
    pub(crate) parts: Vec<TemplatePart>,
    /// The whole literal, quotes included.
    pub(crate) span: Span,
}

impl Template {
    /// The text when the literal has no interpolation.
    pub(crate) fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [TemplatePart::Text(t)] => Some(t),
            _ => None,
        }
    }
}

/// A piece of a [`Template`].
#[derive(Clone, Debug)]
pub(crate) enum TemplatePart {
    /// Literal text.
    Text(String),
    /// `{expr}`: an evidence value shown in the reason.
    Expr(Expr),
}

/// One parsed rule file.
#[derive(Clone, Debug, Default)]
pub(crate) struct File {
    /// Top-level items, in source order.
    pub(crate) items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug)]
pub(crate) enum Item {
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
    /// `profile { … }`: what the engine needs to know of the rule set's domain.
    Profile(Profile),
    /// `hypotheses name "title" { … }`: competing explanations of a case, weighed side by side.
    Hypotheses(Hypotheses),
}

/// `hypotheses name "title" { about …; groups …; each …; one …; criterion … }`.
#[derive(Clone, Debug)]
pub(crate) struct Hypotheses {
    /// The block's name.
    pub(crate) name: Ident,
    /// Human title (the question the hypotheses answer).
    pub(crate) title: Option<Template>,
    /// `about "…"`: the reasoning and its sources.
    pub(crate) about: Option<Template>,
    /// `groups EXPR [for x in LIST [where COND]]`: where the case names candidate groups. A
    /// line with `for` is lowered as a `distinct` over the list, whose projected values are
    /// the groups.
    pub(crate) groups: Vec<Expr>,
    /// `each NAME "title"` and `one NAME "title"`: the kinds of hypothesis, in column order.
    pub(crate) kinds: Vec<HypothesisKind>,
    /// Evidence rows, each read once per hypothesis.
    pub(crate) criteria: Vec<Criterion>,
    /// `conflict lr N`: how strongly one known row must favour a rival over the leader for the
    /// ranking to be in conflict (default 10).
    pub(crate) conflict: Option<Expr>,
    /// The whole block.
    pub(crate) span: Span,
}

/// `each NAME "title"` (one hypothesis per group) or `one NAME "title"` (a single one).
#[derive(Clone, Debug)]
pub(crate) struct HypothesisKind {
    /// Its name, which `hypothesis.kind` compares with.
    pub(crate) name: Ident,
    /// True for `each`: one hypothesis per candidate group.
    pub(crate) per_group: bool,
    /// What the hypothesis says (may interpolate `{hypothesis.group}`).
    pub(crate) title: Template,
}

/// `profile { title "…" subject … date … }`.
#[derive(Clone, Debug)]
pub(crate) struct Profile {
    /// Its entries, in order.
    pub(crate) entries: Vec<ProfileEntry>,
    /// The `profile` keyword.
    pub(crate) span: Span,
}

/// One line of a profile.
#[derive(Clone, Debug)]
pub(crate) enum ProfileEntry {
    /// `title "Claim assessment"`: the title of reports.
    Title(Template),
    /// `subject claim "claim of responsibility"`: the record a judgement is about.
    Subject(CasePath, Template),
    /// `start incident.started_at "the attack began"`: the first moment of a case.
    Start(CasePath, Template),
    /// `date posts[] by at`, `date incident.facts.* by incident.facts_public_at.*`.
    Date(CasePath, CasePath),
    /// `probability credibility source channel`.
    Probability(Ident, Option<Ident>),
    /// `category link { "directed" => agree strongly … }`.
    Category(Ident, Vec<StanceRow>),
    /// `actor claim.claimant "terrorist"`.
    Actor(CasePath, Option<Template>),
    /// `channel claim.channel`.
    Channel(CasePath),
    /// `baseline "name" "file.cred" [binary]`.
    Baseline(Template, Template, Option<Ident>),
}

/// A path into a case as a profile writes it: keys, `[]` for the items of a list, `*` for
/// every field of an object.
#[derive(Clone, Debug)]
pub(crate) struct CasePath {
    /// Its steps.
    pub(crate) steps: Vec<PathStep>,
    /// Where it was written.
    pub(crate) span: Span,
}

/// A step of a [`CasePath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathStep {
    /// An object field.
    Key(String),
    /// Each item of a list (`[]`).
    Items,
    /// Each field of an object (`*`).
    Any,
}

/// `"label" => agree strongly`: what a category's label says of the claim.
#[derive(Clone, Debug)]
pub(crate) struct StanceRow {
    /// The band label.
    pub(crate) label: Template,
    /// The stance, as written.
    pub(crate) stance: Vec<Ident>,
}

/// Rule-set metadata.
#[derive(Clone, Debug)]
pub(crate) struct Ruleset {
    /// The rule-set id.
    pub(crate) id: Ident,
    /// `key "value"` lines, in order.
    pub(crate) entries: Vec<(Ident, Template)>,
}

/// `const` or `let` binding.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    /// The bound name.
    pub(crate) name: Ident,
    /// Optional `"description"` between the name and `=`, shown in traces.
    pub(crate) description: Option<Template>,
    /// Its definition.
    pub(crate) value: Expr,
}

/// How a score combines its criteria.
#[derive(Clone, Debug)]
pub(crate) enum Mode {
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
pub(crate) struct Score {
    /// The score's name.
    pub(crate) name: Ident,
    /// Human title.
    pub(crate) title: Option<Template>,
    /// Additive or evidence.
    pub(crate) mode: Mode,
    /// Weighted criteria in order.
    pub(crate) criteria: Vec<Criterion>,
    /// Bands naming ranges of the score.
    pub(crate) bands: Option<Decision>,
}

/// A weighted criterion: the first outcome whose guard holds gives the contribution.
#[derive(Clone, Debug)]
pub(crate) struct Criterion {
    /// The criterion's name.
    pub(crate) name: Ident,
    /// Human title.
    pub(crate) title: Option<Template>,
    /// `about "…"`: the reasoning and its sources.
    pub(crate) about: Option<Template>,
    /// Outcomes in order.
    pub(crate) outcomes: Vec<Outcome>,
    /// What to do when the evidence is unknown.
    pub(crate) unknown: Option<UnknownArm>,
    /// The whole criterion.
    pub(crate) span: Span,
}

/// When an outcome applies.
#[derive(Clone, Debug)]
pub(crate) enum Guard {
    /// `when cond`
    When(Expr),
    /// `else`
    Else(Span),
}

/// `when cond => weight "reason"`
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    /// The condition.
    pub(crate) guard: Guard,
    /// What it contributes.
    pub(crate) weight: Weight,
    /// Why, with evidence values interpolated.
    pub(crate) reason: Option<Template>,
    /// `refine when …` lines under it: secondary facts that adjust it when known.
    pub(crate) refinements: Vec<Refinement>,
    /// The whole line.
    pub(crate) span: Span,
}

/// `refine when cond => weight "reason"`: under a row, the first refinement whose condition is
/// true replaces the row's weight and reason; one whose condition is unknown leaves them.
#[derive(Clone, Debug)]
pub(crate) struct Refinement {
    /// The secondary fact.
    pub(crate) guard: Expr,
    /// What the row contributes when it holds.
    pub(crate) weight: Weight,
    /// Why.
    pub(crate) reason: Option<Template>,
    /// The whole line.
    pub(crate) span: Span,
}

/// `unknown => skip "…"` or `unknown => weight "…"`
#[derive(Clone, Debug)]
pub(crate) struct UnknownArm {
    /// `None` for `skip`: the criterion is left out and coverage drops.
    pub(crate) weight: Option<Weight>,
    /// Why.
    pub(crate) reason: Option<Template>,
}

/// Points (additive mode) or a likelihood ratio (evidence mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WeightUnit {
    /// Plain points.
    Points,
    /// `lr N`: a likelihood ratio.
    Ratio,
}

/// The shape of a contribution.
#[derive(Clone, Debug)]
pub(crate) enum WeightShape {
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
pub(crate) struct Weight {
    /// Points or ratio.
    pub(crate) unit: WeightUnit,
    /// Fixed, per-unit or ramp.
    pub(crate) shape: WeightShape,
    /// The whole weight.
    pub(crate) span: Span,
}

/// A first-match table: score bands or the verdict.
#[derive(Clone, Debug)]
pub(crate) struct Decision {
    /// Human title.
    pub(crate) title: Option<Template>,
    /// Rows in order.
    pub(crate) rows: Vec<DecisionRow>,
    /// A row failed to parse (reported): what it would have said is unknown.
    pub(crate) incomplete: bool,
    /// The whole block.
    pub(crate) span: Span,
}

/// One row of a [`Decision`].
#[derive(Clone, Debug)]
pub(crate) struct DecisionRow {
    /// When the row applies.
    pub(crate) test: RowTest,
    /// The label it gives.
    pub(crate) label: Template,
    /// Why.
    pub(crate) reason: Option<Template>,
    /// `unless cond => "label" "reason"`: evidence that defeats the row, and what it gives then.
    pub(crate) defeater: Option<Defeater>,
    /// The whole row.
    pub(crate) span: Span,
}

/// The `unless` part of a decision row: when its condition holds too, the row is defeated;
/// with a label it gives that label instead (the judgement is then in conflict), without one it
/// does not apply.
#[derive(Clone, Debug)]
pub(crate) struct Defeater {
    /// The evidence that defeats the row.
    pub(crate) cond: Expr,
    /// The label then, and why.
    pub(crate) outcome: Option<(Template, Option<Template>)>,
    /// From `unless` to the end.
    pub(crate) span: Span,
}

/// The test of a decision row.
#[derive(Clone, Debug)]
pub(crate) enum RowTest {
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
pub(crate) struct MatchField {
    /// Field name, read under both objects.
    pub(crate) field: Ident,
    /// `exact`, `nocase`, `fuzzy`, `within` or `overlap`.
    pub(crate) matcher: Ident,
    /// The matcher's threshold or tolerance.
    pub(crate) argument: Option<Expr>,
}

/// An expression.
#[derive(Clone, Debug)]
pub(crate) struct Expr {
    /// What kind of expression.
    pub(crate) kind: ExprKind,
    /// Its source range.
    pub(crate) span: Span,
}

/// Expression kinds.
#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
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
    /// A definition's value that did not parse (already reported): it checks as an error, so
    /// uses of the name add no diagnostics of their own.
    Invalid,
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
