//! Checking items: rule-set metadata, scores with their criteria and weights, bands, verdict.

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::ops::BinOp;
use crate::program::{
    Amount, CriterionDef, DecisionDef, Metadata, Node, NodeId, OutcomeDef, Overridden, Points,
    RefinementDef, RowDef, RowTestDef, ScoreDef, ScoreMode, TextPart, UnknownPolicy, Unless,
    WeightDef, text_values,
};
use crate::ratio::Ratio;
use crate::source::Span;
use crate::syntax::ast::{
    Criterion, Decision, ExprKind, Guard, Item, Mode, RowTest, Score, Template, TemplatePart,
    Weight, WeightShape, WeightUnit,
};

use super::fold::fold_num;
use super::quoted_list;
use super::types::Ty;
use super::{Checker, ScoreAccess};

const METADATA_KEYS: &[&str] = &["version", "description", "reference", "schema"];

/// Weights beyond these are mistakes, and would overflow the fixed-point sums.
const MAX_POINTS: f64 = 1_000_000.0;
const MIN_RATIO: f64 = 0.000_001;
const MAX_RATIO: f64 = 1_000_000.0;

impl<'a> Checker<'a> {
    /// Reads the `ruleset` header; exactly one is required.
    pub(super) fn metadata(&mut self, items: &[&'a Item]) -> Metadata {
        let mut meta = Metadata::default();
        let mut first: Option<Span> = None;
        for item in items {
            let Item::Ruleset(ruleset) = item else {
                continue;
            };
            if let Some(first) = first {
                let help = self.two_files(first, ruleset.id.span).unwrap_or_else(|| {
                    "keep the header in the main file; included files hold definitions only"
                        .to_string()
                });
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        ruleset.id.span,
                        "a rule set has one `ruleset` header",
                    )
                    .label("second header")
                    .note(first, "first header")
                    .help(help),
                );
                continue;
            }
            first = Some(ruleset.id.span);
            meta.id = ruleset.id.name.clone();
            for (key, value) in &ruleset.entries {
                let text = value.plain().unwrap_or_default().to_string();
                match key.name.as_str() {
                    "version" => meta.version = text,
                    "description" => meta.description = text,
                    "reference" => meta.references.push(text),
                    // Read before checking starts (see `declared_schema`).
                    "schema" => {}
                    other => {
                        let close = closest(other, METADATA_KEYS.iter().copied());
                        self.error(
                            Diagnostic::new(
                                Code::UnknownMetadata,
                                key.span,
                                format!("unknown metadata key `{other}`"),
                            )
                            .label("not a metadata key")
                            .did_you_mean(key.span, close, || {
                                format!("the keys are {}", quoted_list(METADATA_KEYS))
                            }),
                        );
                    }
                }
            }
        }
        if first.is_none() {
            let span = Span::default();
            self.error(
                Diagnostic::new(
                    Code::MissingItem,
                    span,
                    "the rule set has no `ruleset` header",
                )
                .label("expected `ruleset id { version \"…\" }` in the main file")
                .help("start the main file with `ruleset my_rules { version \"1.0\" }`"),
            );
        }
        meta
    }

    /// Lowers every score (in order) and the verdict.
    pub(super) fn scores_and_verdict(
        &mut self,
        items: &[&'a Item],
    ) -> (Vec<ScoreDef>, Option<DecisionDef>) {
        let mut scores = Vec::new();
        let mut verdict: Option<DecisionDef> = None;
        for item in items {
            match item {
                Item::Score(score)
                    if self
                        .score_names
                        .get(&score.name.name)
                        .is_some_and(|declared| declared.index == scores.len()) =>
                {
                    let def = self.score(score, scores.len());
                    scores.push(def);
                }
                Item::Verdict(decision) => {
                    if let Some(previous) = &verdict {
                        let help = self
                            .two_files(previous.span, decision.span)
                            .unwrap_or_else(|| "merge the rows into one table".to_string());
                        self.error(
                            Diagnostic::new(
                                Code::Duplicate,
                                decision.span,
                                "a rule set has one `verdict`",
                            )
                            .label("second verdict")
                            .note(previous.span, "first verdict")
                            .help(help),
                        );
                        continue;
                    }
                    self.score_access = ScoreAccess::All;
                    verdict = Some(self.decision(decision, None));
                    self.score_access = ScoreAccess::None;
                }
                _ => {}
            }
        }
        if scores.is_empty() && !self.diags.iter().any(|d| d.code == Code::MissingItem) {
            self.error(
                Diagnostic::new(
                    Code::MissingItem,
                    Span::default(),
                    "the rule set has no `score`",
                )
                .label("expected at least one score")
                .help("add `score name { criterion … }`"),
            );
        }
        (scores, verdict)
    }

    fn score(&mut self, score: &Score, index: usize) -> ScoreDef {
        let mode = match &score.mode {
            Mode::Additive => ScoreMode::Additive,
            Mode::Evidence { prior } => {
                let (node, _) = self.expr(prior);
                match fold_num(&self.nodes, node).filter(|p| *p > 0.0 && *p < 1.0) {
                    Some(p) => ScoreMode::Evidence { prior: p },
                    None => {
                        self.error(
                            Diagnostic::new(
                                Code::OutOfRange,
                                prior.span,
                                "a prior must be a probability strictly between 0% and 100%",
                            )
                            .label("not a usable prior")
                            .help("write the base rate as a percentage, such as `prior 30%`"),
                        );
                        ScoreMode::Evidence { prior: 0.5 }
                    }
                }
            }
        };
        let mut seen: Vec<(String, Span)> = Vec::new();
        let mut criteria = Vec::new();
        for criterion in &score.criteria {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == criterion.name.name) {
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        criterion.name.span,
                        format!(
                            "criterion `{}` appears twice in `{}`",
                            criterion.name.name, score.name.name
                        ),
                    )
                    .label("second criterion with this name")
                    .note(*first, "first one")
                    .help("rename one; trace lines are keyed by criterion name"),
                );
                continue;
            }
            seen.push((criterion.name.name.clone(), criterion.name.span));
            criteria.push(self.criterion(criterion, mode));
        }
        let bands = score.bands.as_ref().map(|b| {
            self.score_access = ScoreAccess::Before(index + 1);
            let def = self.decision(b, Some(mode));
            self.score_access = ScoreAccess::None;
            def
        });
        ScoreDef {
            name: score.name.name.clone(),
            title: plain(score.title.as_ref()),
            mode,
            criteria,
            bands,
        }
    }

    pub(super) fn criterion(&mut self, criterion: &Criterion, mode: ScoreMode) -> CriterionDef {
        let mut outcomes = Vec::new();
        let mut roots: Vec<NodeId> = Vec::new();
        let mut else_seen: Option<Span> = None;
        for outcome in &criterion.outcomes {
            if let Some(else_span) = else_seen {
                self.error(
                    Diagnostic::new(
                        Code::MisplacedItem,
                        outcome.span,
                        "this outcome can never apply",
                    )
                    .label("after `else`")
                    .note(else_span, "`else` applies to everything left")
                    .help("move `else` to the end of the criterion"),
                );
            }
            let guard = match &outcome.guard {
                Guard::When(cond) => Some(self.expect_type(cond, Ty::Bool, "a `when` condition")),
                Guard::Else(span) => {
                    else_seen = Some(*span);
                    None
                }
            };
            let weight = self.weight(&outcome.weight, mode);
            let reason = self.text(outcome.reason.as_ref());
            roots.extend(guard);
            roots.extend(weight.input());
            roots.extend(text_values(&reason));
            let mut refinements = Vec::new();
            for refinement in &outcome.refinements {
                let guard = self.expect_type(&refinement.guard, Ty::Bool, "a `refine` condition");
                let weight = self.weight(&refinement.weight, mode);
                let reason = self.text(refinement.reason.as_ref());
                roots.push(guard);
                roots.extend(weight.input());
                roots.extend(text_values(&reason));
                refinements.push(RefinementDef {
                    guard,
                    weight,
                    reason,
                    span: refinement.span,
                });
            }
            outcomes.push(OutcomeDef {
                guard,
                weight,
                reason,
                refinements,
                span: outcome.span,
            });
        }
        let unknown = match &criterion.unknown {
            None => UnknownPolicy {
                default: None,
                reason: Vec::new(),
            },
            Some(arm) => {
                let default = arm
                    .weight
                    .as_ref()
                    .and_then(|w| match self.weight(w, mode) {
                        WeightDef::Fixed(amount) => Some(amount),
                        _ => {
                            self.error(
                                Diagnostic::new(
                                    Code::NotConstant,
                                    w.span,
                                    "the default for unknown evidence must be a fixed amount",
                                )
                                .label("depends on evidence that is unknown")
                                .help("write a fixed weight such as `0` or `lr 1`, or `skip`"),
                            );
                            None
                        }
                    });
                let reason = self.text(arm.reason.as_ref());
                roots.extend(text_values(&reason));
                UnknownPolicy { default, reason }
            }
        };
        CriterionDef {
            name: criterion.name.name.clone(),
            title: plain(criterion.title.as_ref()),
            about: plain(criterion.about.as_ref()),
            outcomes,
            unknown,
            reads: self.reads(&roots),
            span: criterion.span,
        }
    }

    /// Lowers a weight into the score's unit: points, or log-odds for `lr` in evidence scores.
    fn weight(&mut self, weight: &Weight, mode: ScoreMode) -> WeightDef {
        let evidence = matches!(mode, ScoreMode::Evidence { .. });
        match (weight.unit, evidence) {
            (WeightUnit::Points, true) => self.error(
                Diagnostic::new(Code::WeightKind, weight.span, "an evidence score weighs outcomes by likelihood ratio")
                    .label("plain points")
                    .help("write `lr 3` for evidence three times likelier if the claim is true, `lr 0.5` for half as likely"),
            ),
            (WeightUnit::Ratio, false) => self.error(
                Diagnostic::new(Code::WeightKind, weight.span, "an additive score weighs outcomes in points")
                    .label("a likelihood ratio")
                    .help("write points such as `+10`, or make the score `evidence prior 30%` to use ratios"),
            ),
            _ => {}
        }
        let amount = |this: &mut Self, e: &crate::syntax::ast::Expr| -> Amount {
            let zero = Amount {
                units: Points(0),
                written: if evidence { 1.0 } else { 0.0 },
            };
            let (node, _) = this.expr(e);
            match fold_num(&this.nodes, node) {
                Some(v) if evidence && v > 0.0 && !(MIN_RATIO..=MAX_RATIO).contains(&v) => {
                    this.error(
                        Diagnostic::new(Code::OutOfRange, e.span, "a likelihood ratio must be between 0.000001 and 1000000")
                            .label("too extreme to be evidence")
                            .help("even decisive evidence is rarely worth a ratio beyond 1000; `lr 0.01` is strong evidence against"),
                    );
                    zero
                }
                Some(v) if !evidence && v.abs() > MAX_POINTS => {
                    this.error(
                        Diagnostic::new(
                            Code::OutOfRange,
                            e.span,
                            "a weight must be between -1000000 and 1000000 points",
                        )
                        .label("too large")
                        .help("scale the score's weights and bands down together"),
                    );
                    zero
                }
                Some(v) if evidence && v <= 0.0 => {
                    this.error(
                        Diagnostic::new(Code::OutOfRange, e.span, "a likelihood ratio must be greater than 0")
                            .label("not a ratio")
                            .help("ratios above 1 support the claim, below 1 count against it; `lr 1` is neutral"),
                    );
                    zero
                }
                Some(v) if evidence => Amount {
                    units: Points::from_f64(v.ln()),
                    written: v,
                },
                Some(v) => Amount {
                    units: Points::from_f64(v),
                    written: v,
                },
                None => {
                    this.error(
                        Diagnostic::new(Code::NotConstant, e.span, "a weight must be a constant")
                            .label("depends on the case")
                            .help("use `amount per count` or `ramp(value, x0 => y0, x1 => y1)` for weights that grow with evidence"),
                    );
                    zero
                }
            }
        };
        match &weight.shape {
            WeightShape::Fixed(e) => WeightDef::Fixed(amount(self, e)),
            WeightShape::Per {
                amount: a,
                count,
                max,
            } => {
                let amount = amount(self, a);
                let count = self.expect_type(count, Ty::Num, "the count of a `per` weight");
                let max = max.as_ref().and_then(|m| {
                    let (node, _) = self.expr(m);
                    let value = fold_num(&self.nodes, node);
                    if value.is_none() {
                        self.error(
                            Diagnostic::new(
                                Code::NotConstant,
                                m.span,
                                "a `max` must be a constant",
                            )
                            .label("not a constant")
                            .help("write a number such as `max 3`"),
                        );
                    }
                    value
                });
                WeightDef::Per { amount, count, max }
            }
            WeightShape::Ramp { input, points } => {
                let (input_node, input_ty) = self.expr(input);
                let mut x = [0.0; 2];
                let mut y = [Amount {
                    units: Points(0),
                    written: 0.0,
                }; 2];
                for (i, (px, py)) in points.iter().enumerate() {
                    let (xn, xt) = self.expr(px);
                    if input_ty != Ty::Any && input_ty != Ty::Error && xt != input_ty {
                        self.error(
                            Diagnostic::new(Code::TypeMismatch, px.span, format!("a ramp over {} needs points of the same type", input_ty.describe()))
                                .label(format!("this is {}", xt.describe()))
                                .help("write the ramp's x values in the input's unit, such as `6h` for a duration"),
                        );
                    }
                    x[i] = fold_num(&self.nodes, xn).unwrap_or(0.0);
                    y[i] = amount(self, py);
                }
                if input_ty == Ty::Any {
                    let kind_ty = match points[0].0.kind {
                        ExprKind::Duration(_) => Ty::Dur,
                        _ => Ty::Num,
                    };
                    self.demand(input_node, kind_ty, input.span);
                }
                if x[0] >= x[1] {
                    self.error(
                        Diagnostic::new(
                            Code::OutOfRange,
                            weight.span,
                            "a ramp's first x must be smaller than its second",
                        )
                        .label("x values out of order")
                        .help("write `ramp(value, low => y0, high => y1)`"),
                    );
                }
                WeightDef::Ramp {
                    input: input_node,
                    x,
                    y,
                }
            }
        }
    }

    /// Bands (`mode` given) or the verdict (`mode` is `None`).
    fn decision(&mut self, decision: &Decision, mode: Option<ScoreMode>) -> DecisionDef {
        let mut rows = Vec::new();
        let mut roots = Vec::new();
        let mut previous: Option<(f64, Span)> = None;
        let what = if mode.is_some() { "bands" } else { "a verdict" };
        for row in &decision.rows {
            let test = match (&row.test, mode) {
                (RowTest::Threshold { strict, value }, Some(mode)) => {
                    let (node, _) = self.expr(value);
                    let shown = fold_num(&self.nodes, node).unwrap_or(0.0);
                    let (at, odds) = match mode {
                        ScoreMode::Evidence { .. } => {
                            if !(shown > 0.0 && shown < 1.0) {
                                self.error(
                                    Diagnostic::new(Code::OutOfRange, value.span, "an evidence score's bands are probabilities between 0% and 100%")
                                        .label("not a probability")
                                        .help("write a percentage such as `>= 80%`"),
                                );
                            }
                            (
                                Points::from_f64((shown / (1.0 - shown)).ln()),
                                Ratio::odds(shown),
                            )
                        }
                        ScoreMode::Additive => (Points::from_f64(shown), None),
                    };
                    if let Some((before, before_span)) = previous
                        && shown > before
                    {
                        self.error(
                            Diagnostic::new(
                                Code::BadBands,
                                value.span,
                                "bands must go from the highest threshold to the lowest",
                            )
                            .label("higher than the band above")
                            .note(before_span, "the band above")
                            .help("reorder the bands; the first that the score reaches applies"),
                        );
                    }
                    previous = Some((shown, value.span));
                    RowTestDef::Threshold {
                        strict: *strict,
                        at,
                        odds,
                        shown,
                    }
                }
                (RowTest::Threshold { value, .. }, None) => {
                    self.error(
                        Diagnostic::new(Code::BadBands, value.span, "a verdict row tests conditions, not thresholds")
                            .label("threshold in a verdict")
                            .help("write `when score.band == \"high\" => \"…\"`, or put thresholds in the score's bands"),
                    );
                    RowTestDef::Else
                }
                (RowTest::When(cond), _) => {
                    let node = self.expect_type(cond, Ty::Bool, "a row condition");
                    roots.push(node);
                    RowTestDef::When(node)
                }
                (RowTest::Else, _) => RowTestDef::Else,
            };
            let reason = self.text(row.reason.as_ref());
            roots.extend(text_values(&reason));
            let label = self.plain_label(&row.label);
            let mut unless = None;
            let mut test = test;
            if let Some(defeater) = &row.defeater {
                match test {
                    RowTestDef::When(condition) => {
                        let defeat =
                            self.expect_type(&defeater.cond, Ty::Bool, "an `unless` condition");
                        roots.push(defeat);
                        unless = Some(Unless {
                            condition,
                            defeater: defeat,
                        });
                        match &defeater.outcome {
                            // Defeated, the row gives another label: a conflict row first.
                            Some((defeated_label, defeated_reason)) => {
                                let both = self.push(
                                    Node::Binary(BinOp::And, condition, defeat),
                                    defeater.span,
                                );
                                let defeated = self.text(defeated_reason.as_ref());
                                roots.extend(text_values(&defeated));
                                rows.push(RowDef {
                                    test: RowTestDef::When(both),
                                    label: self.plain_label(defeated_label),
                                    reason: defeated,
                                    unless,
                                    conflict: Some(Overridden {
                                        label: label.clone(),
                                        reason: reason.clone(),
                                    }),
                                    scores_read: Vec::new(),
                                    span: defeater.span,
                                });
                            }
                            // Defeated, the row does not apply.
                            None => {
                                let not = self.push(Node::Not(defeat), defeater.span);
                                let both =
                                    self.push(Node::Binary(BinOp::And, condition, not), row.span);
                                test = RowTestDef::When(both);
                            }
                        }
                    }
                    _ => self.error(
                        Diagnostic::new(
                            Code::BadBands,
                            defeater.span,
                            "only a `when` row can be defeated",
                        )
                        .label("`unless` after a threshold or `else`")
                        .help("a threshold row is reached by weighing the criteria; put the evidence in a criterion, or make the override a `when` row"),
                    ),
                }
            }
            rows.push(RowDef {
                test,
                label,
                reason,
                unless,
                conflict: None,
                scores_read: Vec::new(),
                span: row.span,
            });
        }
        if !decision.incomplete && !matches!(rows.last().map(|r| &r.test), Some(RowTestDef::Else)) {
            self.error(
                Diagnostic::new(
                    Code::BadBands,
                    decision.span,
                    format!("{what} must end with an `else` row"),
                )
                .label("no `else` row")
                .help("add `else => \"label\"` so every case gets a label"),
            );
        }
        DecisionDef {
            title: plain(decision.title.as_ref()),
            rows,
            reads: self.reads(&roots),
            span: decision.span,
        }
    }

    /// A row's label, which cannot interpolate values.
    fn plain_label(&mut self, label: &Template) -> String {
        match label.plain() {
            Some(label) => label.to_string(),
            None => {
                self.error(
                    Diagnostic::new(
                        Code::MisplacedItem,
                        label.span,
                        "a label cannot interpolate values",
                    )
                    .label("interpolation in a label")
                    .help("put evidence values in the reason text after the label"),
                );
                String::new()
            }
        }
    }

    /// Lowers a reason text.
    pub(super) fn text(&mut self, template: Option<&Template>) -> Vec<TextPart> {
        let Some(template) = template else {
            return Vec::new();
        };
        template
            .parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(t) => TextPart::Text(t.clone()),
                TemplatePart::Expr(e) => TextPart::Value(self.expr(e).0),
            })
            .collect()
    }
}

fn plain(template: Option<&Template>) -> Option<String> {
    template.and_then(|t| t.plain().map(str::to_string))
}
