//! Collections (`count`, `distinct`, …) and detail matches with their matchers.

use crate::case::layout::Kind;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::limits::MAX_COLLECTION_NESTING;
use crate::ops::{self, BinOp, MATCHERS, MatcherKind};
use crate::program::{CollectionDef, MatchDef, MatchFieldDef, Matcher, Node, NodeId, Read};
use crate::source::Span;
use crate::syntax::ast::{CollectOp, Expr, ExprKind, Ident, MatchField};

use super::fold::fold_num;
use super::quoted_list;
use super::types::Ty;
use super::{Binder, Checker};

impl Checker<'_> {
    pub(super) fn collect(
        &mut self,
        op: CollectOp,
        projection: Option<&Expr>,
        binder: &Ident,
        list: &Expr,
        filter: Option<&Expr>,
        span: Span,
    ) -> (NodeId, Ty) {
        let (list_node, list_ty) = self.expr(list);
        let record = match (list_ty, self.node_slot[list_node as usize]) {
            (Ty::List(Some(r)), Some((rec, slot))) => {
                // The list's type may come from the first pass: its items' schema still has
                // to be known for the paths read from them.
                self.attach_item_schema(rec, slot, r);
                Some(r)
            }
            (Ty::List(Some(r)), None) => Some(r),
            (Ty::Any | Ty::List(None), Some((rec, slot))) => {
                match self.layout.list_record(rec, slot) {
                    Ok(r) => {
                        self.attach_item_schema(rec, slot, r);
                        Some(r)
                    }
                    Err(conflict) => {
                        self.conflict(conflict, rec, slot, list.span);
                        None
                    }
                }
            }
            (Ty::Error, _) => None,
            (other, _) => {
                self.error(
                    Diagnostic::new(
                        Code::ItemMisuse,
                        list.span,
                        format!(
                            "`{}` needs a list of the case, but this is {}",
                            op.name(),
                            other.describe()
                        ),
                    )
                    .label("not a list")
                    .help("iterate a list field of the case, such as `posts`"),
                );
                None
            }
        };
        let Some(record) = record else {
            return self.error_node(span);
        };
        if self.binders.len() >= MAX_COLLECTION_NESTING {
            self.error(
                Diagnostic::new(
                    Code::TooDeep,
                    span,
                    format!("collections nest deeper than {MAX_COLLECTION_NESTING} levels"),
                )
                .label("one collection too many inside the others")
                .help("each nested collection multiplies the work by its list's length; compute inner counts in separate definitions"),
            );
            return self.error_node(span);
        }
        let depth = self.binders.len() as u8;
        self.binders.push(Binder {
            name: binder.name.clone(),
            record,
        });
        let filter = filter.map(|f| self.expect_type(f, Ty::Bool, "a `where` filter"));
        let time_slot = filter.and_then(|f| self.window_slot(f, depth, record));
        let (projection, result) = match op {
            CollectOp::Count => (None, Ty::Num),
            CollectOp::Any | CollectOp::All => (None, Ty::Bool),
            CollectOp::Distinct => {
                let node = projection.map(|p| self.expr(p).0);
                // Strings counted by `distinct` are interned when the case is read, so the
                // count needs no hashing.
                if let Some((rec, slot)) = node.and_then(|n| self.node_slot[n as usize]) {
                    self.layout.intern(rec, slot);
                }
                (node, Ty::Num)
            }
            CollectOp::Sum => (
                projection.map(|p| self.expect_type(p, Ty::Num, "the value summed")),
                Ty::Num,
            ),
            CollectOp::Min | CollectOp::Max => match projection {
                Some(p) => {
                    let (node, ty) = self.expr(p);
                    // An untyped field stays untyped: numbers, timestamps and durations all order.
                    let ty = match ty {
                        Ty::Any | Ty::Num | Ty::Time | Ty::Dur | Ty::Error => ty,
                        other => {
                            self.mismatch(
                                p.span,
                                format!(
                                    "`{}` needs numbers, timestamps or durations, not {}",
                                    op.name(),
                                    other.describe()
                                ),
                                "pick a numeric or time field",
                            );
                            Ty::Error
                        }
                    };
                    (Some(node), ty)
                }
                None => (None, Ty::Error),
            },
        };
        self.binders.pop();
        let id = self.collections.len() as u32;
        self.collections.push(CollectionDef {
            op,
            list: list_node,
            projection,
            filter,
            // Collections in a `hypotheses` block may read the hypothesis: evaluated in place
            // for each one, never remembered for the case.
            traced: self.binders.is_empty() && self.hypothesis_kinds.is_none(),
            item_steps: 0,
            time_slot,
            span,
        });
        (self.push(Node::Collect(id), span), result)
    }

    /// The time field of the item at `depth` that a filter windows on or compares, if any.
    fn window_slot(&self, filter: NodeId, depth: u8, record: u32) -> Option<u32> {
        let mut stack = vec![filter];
        while let Some(id) = stack.pop() {
            match &self.nodes[id as usize] {
                Node::WithinItem { depth: d, slot, .. } if *d == depth => return Some(*slot),
                Node::CompareItem { depth: d, slot, .. }
                    if *d == depth && self.layout.kind(record, *slot) == Kind::Time =>
                {
                    return Some(*slot);
                }
                Node::Binary(BinOp::And | BinOp::Or, a, b) => stack.extend([*b, *a]),
                Node::Not(a) => stack.push(*a),
                _ => {}
            }
        }
        None
    }

    pub(super) fn detail_match(
        &mut self,
        claimed: &Expr,
        confirmed: &Expr,
        fields: &[MatchField],
        span: Span,
    ) -> (NodeId, Ty) {
        let mut defs = Vec::new();
        for field in fields {
            // A bad matcher is reported; a stand-in keeps the field, so that reading it does
            // not fail as well.
            let matcher = self.matcher(field).unwrap_or(Matcher::Exact);
            let side = |this: &mut Self, base: &Expr| -> Read {
                match &base.kind {
                    ExprKind::Path(segments) => {
                        let mut full = segments.clone();
                        full.push(field.field.clone());
                        let label = full
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(".");
                        let node = this.path(&full, field.field.span).0;
                        let slot = match this.nodes[node as usize] {
                            Node::Slot(slot) => Some(slot),
                            _ => None,
                        };
                        Read { label, node, slot }
                    }
                    _ => {
                        this.error(
                            Diagnostic::new(
                                Code::ItemMisuse,
                                base.span,
                                "a detail match compares two objects of the case",
                            )
                            .label("not a case path")
                            .help("write `match claim.details with event.facts { … }`"),
                        );
                        Read {
                            label: String::new(),
                            node: this.error_node(base.span).0,
                            slot: None,
                        }
                    }
                }
            };
            let claimed = side(self, claimed);
            let confirmed = side(self, confirmed);
            defs.push(MatchFieldDef {
                name: field.field.name.clone(),
                matcher_text: crate::trace::format::matcher(matcher),
                matcher,
                claimed,
                confirmed,
            });
        }
        let id = self.matches.len() as u32;
        self.matches.push(MatchDef { fields: defs });
        (self.push(Node::Match(id), span), Ty::Match(id))
    }

    pub(super) fn matcher(&mut self, field: &MatchField) -> Option<Matcher> {
        let name = field.matcher.name.as_str();
        let Some(info) = ops::matcher(name) else {
            let names: Vec<&str> = MATCHERS.iter().map(|m| m.name).collect();
            let close = closest(name, names.iter().copied());
            let help = match close.and_then(ops::matcher) {
                Some(m) => format!(
                    "did you mean `{}`? (`{}`: {})",
                    m.name, m.example, m.matches_when
                ),
                None => format!("the matchers are {}", quoted_list(&names)),
            };
            self.error(
                Diagnostic::new(
                    Code::UnknownMatcher,
                    field.matcher.span,
                    format!("unknown matcher `{name}`"),
                )
                .label("not a matcher")
                .help(help)
                .suggest_if(field.matcher.span, close),
            );
            return None;
        };
        let argument = field.argument.as_ref();
        let fraction = |this: &mut Self, e: &Expr| -> Option<f64> {
            let (node, _) = this.expr(e);
            let value = fold_num(&this.nodes, node);
            match value {
                Some(v) if (0.0..=1.0).contains(&v) => Some(v),
                _ => {
                    // `fuzzy 85`: a percentage without its `%`.
                    let percent = match e.kind {
                        ExprKind::Number(n) if n > 1.0 && n <= 100.0 => {
                            Some(format!("{}%", this.sources.snippet(e.span)))
                        }
                        _ => None,
                    };
                    let help = match &percent {
                        Some(p) => format!("write `{p}`"),
                        None => {
                            "write a percentage such as `85%` or a fraction such as `0.85`".into()
                        }
                    };
                    this.error(
                        Diagnostic::new(
                            Code::OutOfRange,
                            e.span,
                            "a similarity threshold must be between 0 and 1",
                        )
                        .label("not a fraction")
                        .help(help)
                        .patch_if(e.span, percent),
                    );
                    None
                }
            }
        };
        let matcher = match (info.kind, argument) {
            (MatcherKind::Exact, None) => Matcher::Exact,
            (MatcherKind::Nocase, None) => Matcher::Nocase,
            (MatcherKind::Overlap, None) => Matcher::Overlap(None),
            (MatcherKind::Overlap, Some(arg)) => Matcher::Overlap(Some(fraction(self, arg)?)),
            (MatcherKind::Fuzzy, Some(arg)) => Matcher::Fuzzy(fraction(self, arg)?),
            (MatcherKind::Within, Some(arg)) => {
                let percent = matches!(arg.kind, ExprKind::Percent(_));
                let (node, _) = self.expr(arg);
                let Some(value) = fold_num(&self.nodes, node).filter(|v| *v >= 0.0) else {
                    self.error(
                        Diagnostic::new(
                            Code::NotConstant,
                            arg.span,
                            "a tolerance must be a constant number",
                        )
                        .label("not a constant")
                        .help("write an amount such as `2` or a percentage such as `20%`"),
                    );
                    return None;
                };
                if percent {
                    Matcher::WithinPercent(value)
                } else {
                    Matcher::Within(value)
                }
            }
            (MatcherKind::Fuzzy | MatcherKind::Within, None) => {
                self.error(
                    Diagnostic::new(
                        Code::UnknownMatcher,
                        field.matcher.span,
                        format!("`{name}` needs an argument"),
                    )
                    .label("missing threshold")
                    .help(format!("write `{}`", info.example)),
                );
                return None;
            }
            (MatcherKind::Exact | MatcherKind::Nocase, Some(arg)) => {
                self.error(
                    Diagnostic::new(
                        Code::UnknownMatcher,
                        arg.span,
                        format!("`{name}` takes no argument"),
                    )
                    .label("unexpected argument")
                    .help("use `fuzzy 85%` for approximate matching"),
                );
                return None;
            }
        };
        Some(matcher)
    }
}
