//! Lowering a `hypotheses` block: candidate groups, kinds of hypothesis, and the evidence rows
//! each hypothesis is weighed by. Inside the block, `hypothesis.group` and `hypothesis.kind`
//! name the hypothesis being weighed; everywhere else `hypothesis` is an ordinary name.

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::program::{
    HYPOTHESIS_FIELDS, HypothesesDef, HypothesisKindDef, Node, NodeId, Points, ScoreMode,
};
use crate::source::Span;
use crate::syntax::ast::{ExprKind, Hypotheses, Ident, Item};

use super::Checker;
use super::fold::fold_num;
use super::quoted_list;
use super::types::Ty;

/// The name that refers to the hypothesis being weighed.
pub(super) const HYPOTHESIS: &str = "hypothesis";

/// Default `conflict lr`: one known row favouring a rival over the leader five to one or more
/// ("substantial" evidence on Jeffreys' scale, half-way to "strong") puts the ranking in
/// conflict.
const DEFAULT_CONFLICT: f64 = 5.0;

impl<'a> Checker<'a> {
    /// Lowers the rule set's `hypotheses` block, if it has one (a second is an error).
    pub(super) fn hypotheses(&mut self, items: &[&'a Item]) -> Option<HypothesesDef> {
        let mut blocks = items.iter().filter_map(|item| match item {
            Item::Hypotheses(block) => Some(block),
            _ => None,
        });
        let first = blocks.next()?;
        for extra in blocks {
            let help = self
                .two_files(first.span, extra.span)
                .unwrap_or_else(|| "weigh every hypothesis in one block".to_string());
            self.error(
                Diagnostic::new(
                    Code::Duplicate,
                    extra.name.span,
                    "a rule set has one `hypotheses` block",
                )
                .label("second block")
                .note(first.name.span, "first block")
                .help(help),
            );
        }
        Some(self.lower_hypotheses(first))
    }

    fn lower_hypotheses(&mut self, block: &Hypotheses) -> HypothesesDef {
        let kinds = self.hypothesis_kinds(block);
        let names: Vec<String> = kinds.iter().map(|k| k.name.clone()).collect();
        self.hypothesis_kinds = Some(names);
        let groups = block
            .groups
            .iter()
            .map(|e| match e.kind {
                ExprKind::Collect { .. } => self.expr(e).0,
                _ => self.expect_type(e, Ty::Str, "a group"),
            })
            .collect();
        let kinds = kinds
            .into_iter()
            .zip(&block.kinds)
            .map(|(mut def, kind)| {
                def.title = self.text(Some(&kind.title));
                def
            })
            .collect();
        // Rows weigh by likelihood ratio; hypotheses start level, so no prior is added.
        let mode = ScoreMode::Evidence { prior: 0.5 };
        let mut seen: Vec<&Ident> = Vec::new();
        let mut criteria = Vec::new();
        for criterion in &block.criteria {
            if let Some(first) = seen.iter().find(|n| n.name == criterion.name.name) {
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        criterion.name.span,
                        format!(
                            "criterion `{}` appears twice in `{}`",
                            criterion.name.name, block.name.name
                        ),
                    )
                    .label("second criterion with this name")
                    .note(first.span, "first one")
                    .help("rename one; matrix rows are keyed by criterion name"),
                );
                continue;
            }
            seen.push(&criterion.name);
            criteria.push(self.criterion(criterion, mode));
        }
        let (conflict, conflict_shown) = self.conflict_ratio(block);
        self.hypothesis_kinds = None;
        if block.groups.is_empty() && block.kinds.iter().any(|k| k.per_group) {
            self.error(
                Diagnostic::new(
                    Code::MissingItem,
                    block.name.span,
                    "`each` hypotheses need candidate groups",
                )
                .label("no `groups` line")
                .help("say where the case names groups: `groups claim.claimant`"),
            );
        }
        HypothesesDef {
            name: block.name.name.clone(),
            title: block
                .title
                .as_ref()
                .and_then(|t| t.plain())
                .map(String::from),
            about: block
                .about
                .as_ref()
                .and_then(|t| t.plain())
                .map(String::from),
            groups,
            kinds,
            criteria,
            reads_hypothesis: Vec::new(),
            conflict,
            conflict_shown,
            span: block.name.span,
        }
    }

    /// The kinds of hypothesis, each named once; at least one is required.
    fn hypothesis_kinds(&mut self, block: &Hypotheses) -> Vec<HypothesisKindDef> {
        let mut out: Vec<HypothesisKindDef> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for kind in &block.kinds {
            if let Some(i) = out.iter().position(|k| k.name == kind.name.name) {
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        kind.name.span,
                        format!("hypothesis kind `{}` is declared twice", kind.name.name),
                    )
                    .label("second declaration")
                    .note(spans[i], "first one")
                    .help("give each kind of hypothesis its own name"),
                );
                continue;
            }
            spans.push(kind.name.span);
            out.push(HypothesisKindDef {
                name: kind.name.name.clone(),
                per_group: kind.per_group,
                title: Vec::new(),
            });
        }
        if out.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::MissingItem,
                    block.name.span,
                    "a `hypotheses` block declares its hypotheses",
                )
                .label("no `each` or `one` line")
                .help("add `each responsible \"{hypothesis.group} did it\"` for one hypothesis per group, or `one nobody \"…\"` for a single one"),
            );
        }
        out
    }

    /// `conflict lr N` in log-odds, and as written.
    fn conflict_ratio(&mut self, block: &Hypotheses) -> (Points, f64) {
        let ratio = match &block.conflict {
            None => DEFAULT_CONFLICT,
            Some(e) => {
                let (node, _) = self.expr(e);
                match fold_num(&self.nodes, node) {
                    Some(v) if v > 1.0 && v <= 1e6 => v,
                    _ => {
                        self.error(
                            Diagnostic::new(
                                Code::OutOfRange,
                                e.span,
                                "a conflict ratio is a fixed likelihood ratio above 1",
                            )
                            .label("not a ratio above 1")
                            .help("`conflict lr 10`: a known row favouring a rival ten to one over the leader"),
                        );
                        DEFAULT_CONFLICT
                    }
                }
            }
        };
        (Points::from_f64(ratio.ln()), ratio)
    }

    /// `hypothesis.FIELD` inside a `hypotheses` block.
    pub(super) fn hypothesis_ref(&mut self, head: &Ident, rest: &[Ident]) -> (NodeId, Ty) {
        let names: Vec<&str> = HYPOTHESIS_FIELDS.iter().map(|(n, _)| *n).collect();
        let (field, span) = match rest {
            [field] => (
                HYPOTHESIS_FIELDS
                    .iter()
                    .find(|(n, _)| *n == field.name)
                    .map(|(_, f)| *f),
                field.span,
            ),
            _ => (None, rest.first().map_or(head.span, |f| f.span)),
        };
        match field {
            Some(field) => (
                self.push(Node::Hypothesis(field), head.span.to(span)),
                Ty::Str,
            ),
            None => {
                let written = rest.first().map_or("", |f| f.name.as_str());
                let close = closest(written, names.iter().copied());
                self.error(
                    Diagnostic::new(
                        Code::UnknownField,
                        span,
                        format!("a hypothesis has no field `{written}`"),
                    )
                    .label("not a field of the hypothesis")
                    .did_you_mean(span, close, || {
                        format!("a hypothesis has {}", quoted_list(&names))
                    }),
                );
                self.error_node(head.span.to(span))
            }
        }
    }

    /// `hypothesis.kind == "text"`: `text` must be a kind the block declares. True when `value`
    /// is `hypothesis.kind` (checked here, not against the schema).
    pub(super) fn check_hypothesis_kind(&mut self, value: NodeId, text: &str, span: Span) -> bool {
        if !matches!(
            self.nodes[value as usize],
            Node::Hypothesis(crate::program::HypothesisField::Kind)
        ) {
            return false;
        }
        let Some(kinds) = &self.hypothesis_kinds else {
            return true;
        };
        if kinds.iter().any(|k| k == text) {
            return true;
        }
        let close = closest(text, kinds.iter().map(String::as_str));
        let help = match close {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the block declares {}", quoted_list(kinds)),
        };
        let diagnostic = Diagnostic::new(
            Code::UnknownValue,
            span,
            format!("`hypothesis.kind` is never `{text}`: no hypothesis of that kind is declared"),
        )
        .label("not a declared kind")
        .help(help)
        .suggest_if(span, close.map(|c| format!("\"{c}\"")));
        self.error(diagnostic);
        true
    }
}
