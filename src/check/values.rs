//! Values checked against what they meet: a string literal against the values the case schema
//! allows at the path it is compared with, and a plain number against a fraction (a coverage,
//! a probability, a match ratio) it would never reach because `50` was meant as `50%`.

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::program::{Lit, MatchSummary, Node, NodeId, ScoreProp};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind};

use super::{Checker, quoted_list};

/// The strings the case schema allows for a value.
pub(super) struct Allowed {
    /// The strings.
    pub(super) values: Vec<String>,
    /// For each item of a list, rather than the value itself.
    pub(super) of_items: bool,
}

/// How many definitions deep a value is followed to the path it reads.
const FOLLOWED_DEFINITIONS: usize = 16;

impl Checker<'_> {
    /// `value == "text"`, `value != "text"`, `list contains "text"`, `"text" in list`: when
    /// the schema lists the strings `value` (or each item of `list`) may be, `text` must be one.
    pub(super) fn check_allowed_value(&mut self, value: NodeId, literal: NodeId, span: Span) {
        let Node::Lit(Lit::Str(text)) = &self.nodes[literal as usize] else {
            return;
        };
        let text = text.clone();
        if self.check_hypothesis_kind(value, &text, span) {
            return;
        }
        let text = &text;
        let Some(slot) = self.read_slot(value) else {
            return;
        };
        let Some(allowed) = self.allowed.get(&slot) else {
            return;
        };
        let values = &allowed.values;
        if values.iter().any(|a| a.as_str() == &**text) {
            return;
        }
        let path = self.layout.path(slot.0, slot.1).to_string();
        let close = closest(text, values.iter().map(String::as_str));
        let help = match close {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the schema allows {}", quoted_list(values)),
        };
        let what = if allowed.of_items {
            format!("no item of `{path}` is ever `{text}`")
        } else {
            format!("`{path}` is never `{text}`")
        };
        let diagnostic = Diagnostic::new(
            Code::UnknownValue,
            span,
            format!("{what}: the case schema does not allow it"),
        )
        .label("not one of its values")
        .help(help)
        .suggest_if(span, close.map(|c| format!("\"{c}\"")));
        self.error(diagnostic);
    }

    /// `coverage < 50`: a fraction compared with a plain number between 1 and 100, which it
    /// never reaches; the number was meant as a percentage.
    pub(super) fn check_fraction_scale(&mut self, value: NodeId, number: &Expr) {
        let ExprKind::Number(n) = number.kind else {
            return;
        };
        if !(n > 1.0 && n <= 100.0) {
            return;
        }
        let Some(what) = self.fraction(value, FOLLOWED_DEFINITIONS) else {
            return;
        };
        let written = self.sources.snippet(number.span).to_string();
        self.error(
            Diagnostic::new(
                Code::OutOfRange,
                number.span,
                format!("{what} is between 0 and 1 (0% to 100%), never near {written}"),
            )
            .label(format!("meant `{written}%`?"))
            .help(format!("write `{written}%`"))
            .patch(number.span, format!("{written}%")),
        );
    }

    /// What a fraction-valued node is ("a coverage", "a probability", "a match ratio").
    fn fraction(&self, node: NodeId, depth: usize) -> Option<&'static str> {
        match &self.nodes[node as usize] {
            Node::Score { prop, .. } if *prop == ScoreProp::Coverage => Some("a coverage"),
            Node::Score { id, prop } => {
                let (_, declared) = self.score_names.get_index(*id as usize)?;
                let evidence = declared.evidence;
                let probability =
                    matches!(prop, ScoreProp::Value | ScoreProp::Min | ScoreProp::Max);
                (evidence && probability).then_some("an evidence score's probability")
            }
            Node::MatchSummary {
                what: MatchSummary::Ratio,
                ..
            } => Some("a match ratio"),
            Node::Let(id) if depth > 0 => {
                let def = self.let_defs.get(*id as usize)?;
                self.fraction(def.node, depth - 1)
            }
            _ => None,
        }
    }

    /// The case value a node reads (through definitions), as (record, slot).
    fn read_slot(&self, node: NodeId) -> Option<(u32, u32)> {
        let mut node = node;
        for _ in 0..FOLLOWED_DEFINITIONS {
            if let Some(slot) = self.node_slot[node as usize] {
                return Some(slot);
            }
            match &self.nodes[node as usize] {
                Node::Let(id) => node = self.let_defs.get(*id as usize)?.node,
                _ => return None,
            }
        }
        None
    }
}
