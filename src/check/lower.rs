//! Lowering expressions: operators type-checked, and untyped case paths given the type their
//! use demands. Names and paths are resolved in `paths.rs`; collections and detail matches are
//! lowered in `collect.rs`.

use crate::case::layout::Conflict;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::limits::MAX_DEPTH;
use crate::ops::AGGREGATES;
use crate::program::{Lit, Node, NodeId, ScoreProp};
use crate::source::Span;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident};

use super::Checker;
use super::quoted_list;
use super::types::{Ty, arithmetic, orderable};

/// Functions that are not aggregates.
const FUNCTIONS: &[&str] = &["known", "count_true", "abs"];

impl Checker<'_> {
    pub(super) fn push(&mut self, node: Node, span: Span) -> NodeId {
        self.nodes.push(node);
        self.spans.push(span);
        self.node_slot.push(None);
        (self.nodes.len() - 1) as NodeId
    }

    pub(super) fn push_slot(&mut self, node: Node, span: Span, record: u32, slot: u32) -> NodeId {
        let id = self.push(node, span);
        self.node_slot[id as usize] = Some((record, slot));
        id
    }

    pub(super) fn error_node(&mut self, span: Span) -> (NodeId, Ty) {
        (self.push(Node::Lit(Lit::Bool(false)), span), Ty::Error)
    }

    /// Lowers `e`, requiring type `want` (untyped case paths take it on).
    pub(super) fn expect_type(&mut self, e: &Expr, want: Ty, role: &str) -> NodeId {
        let (id, have) = self.expr(e);
        if !self.coerce(id, have, want, e.span) {
            self.error(
                Diagnostic::new(
                    if want == Ty::Bool {
                        Code::NotBoolean
                    } else {
                        Code::TypeMismatch
                    },
                    e.span,
                    format!(
                        "{role} must be {}, but this is {}",
                        want.describe(),
                        have.describe()
                    ),
                )
                .label(format!("this is {}", have.describe()))
                .help(match (want, have) {
                    (Ty::Bool, Ty::Num) => "compare it, for example `x > 0`".to_string(),
                    (Ty::Bool, Ty::Str) => "compare it, for example `x == \"value\"`".to_string(),
                    (Ty::Num, Ty::Dur) => {
                        "divide by a duration to get a number, for example `delay / 1h`".to_string()
                    }
                    _ => format!("write {} here", want.describe()),
                }),
            );
        }
        id
    }

    /// Makes `have` fit `want`: true when it does (or when an error was already reported).
    pub(super) fn coerce(&mut self, id: NodeId, have: Ty, want: Ty, span: Span) -> bool {
        if have == want || have == Ty::Error || want == Ty::Any || want == Ty::Error {
            return true;
        }
        match (have, want) {
            (Ty::List(_), Ty::List(None)) => true,
            (Ty::Any, _) => {
                self.demand(id, want, span);
                true
            }
            _ => false,
        }
    }

    /// Gives an untyped case path the type its use demands.
    pub(super) fn demand(&mut self, id: NodeId, want: Ty, span: Span) {
        let Some((record, slot)) = self.node_slot[id as usize] else {
            return;
        };
        let Some(kind) = want.kind() else {
            if want == Ty::Dur {
                self.error(
                    Diagnostic::new(Code::TypeMismatch, span, "a case value cannot be a duration")
                        .label("this reads a case value")
                        .help("durations come from subtracting timestamps, for example `claim.published_at - event.started_at`"),
                );
            }
            return;
        };
        if let Err(conflict) = self.layout.demand(record, slot, kind) {
            self.conflict(conflict, record, slot, span);
        }
    }

    pub(super) fn conflict(&mut self, conflict: Conflict, record: u32, slot: u32, span: Span) {
        let path = self.layout.path(record, slot).to_string();
        let message = match conflict {
            Conflict::Kinds(had, wanted) => format!(
                "`{path}` is read as {} here but as {} elsewhere",
                wanted.describe(),
                had.describe()
            ),
            Conflict::ObjectAndValue => {
                format!("`{path}` is read both as an object and as a value")
            }
        };
        self.error(
            Diagnostic::new(Code::TypeMismatch, span, message)
                .label("conflicting use")
                .help("a case field has one type; convert or compare it the same way everywhere"),
        );
    }

    /// Lowers an expression and returns its node and type. Lowering recurses, into the
    /// definitions an expression uses too, so it stops with a diagnostic at [`MAX_DEPTH`].
    pub(super) fn expr(&mut self, e: &Expr) -> (NodeId, Ty) {
        if self.depth >= MAX_DEPTH {
            self.error(
                Diagnostic::new(
                    Code::TooDeep,
                    e.span,
                    format!("evaluating this nests deeper than {MAX_DEPTH} levels"),
                )
                .label("counting the definitions it uses, and theirs")
                .help("split long chains of operators or of definitions that each use the previous one"),
            );
            return self.error_node(e.span);
        }
        self.depth += 1;
        let lowered = self.lower_expr(e);
        self.depth -= 1;
        lowered
    }

    fn lower_expr(&mut self, e: &Expr) -> (NodeId, Ty) {
        let let_top = std::mem::replace(&mut self.let_top, false);
        let span = e.span;
        match &e.kind {
            // Already reported where it failed to parse.
            ExprKind::Invalid => self.error_node(span),
            ExprKind::Number(n) | ExprKind::Percent(n) => {
                (self.push(Node::Lit(Lit::Num(*n)), span), Ty::Num)
            }
            ExprKind::Str(s) => (
                self.push(Node::Lit(Lit::Str(s.as_str().into())), span),
                Ty::Str,
            ),
            ExprKind::Bool(b) => (self.push(Node::Lit(Lit::Bool(*b)), span), Ty::Bool),
            ExprKind::Duration(d) => (self.push(Node::Lit(Lit::Dur(*d)), span), Ty::Dur),
            ExprKind::Timestamp(t) => (self.push(Node::Lit(Lit::Time(*t)), span), Ty::Time),
            ExprKind::Path(segments) => self.path(segments, span),
            ExprKind::Unary { not: true, operand } => {
                let inner = self.expect_type(operand, Ty::Bool, "the operand of `not`");
                (self.push(Node::Not(inner), span), Ty::Bool)
            }
            ExprKind::Unary {
                not: false,
                operand,
            } => {
                let (inner, ty) = self.expr(operand);
                let ty = match ty {
                    Ty::Num | Ty::Dur | Ty::Error => ty,
                    Ty::Any => {
                        self.demand(inner, Ty::Num, operand.span);
                        Ty::Num
                    }
                    other => {
                        self.mismatch(
                            operand.span,
                            format!("cannot negate {}", other.describe()),
                            "negate a number or a duration",
                        );
                        Ty::Error
                    }
                };
                (self.push(Node::Neg(inner), span), ty)
            }
            ExprKind::Binary {
                op,
                op_span,
                left,
                right,
            } => self.binary(*op, *op_span, left, right, span),
            ExprKind::Within {
                value,
                length,
                side,
                anchor,
            } => {
                let value = self.expect_type(value, Ty::Time, "the tested time of `within`");
                let length = self.expect_type(length, Ty::Dur, "the length of a `within` window");
                let anchor = self.expect_type(anchor, Ty::Time, "the anchor of a `within` window");
                let fused = match (
                    &self.nodes[value as usize],
                    super::fold::fold(&self.nodes, length),
                ) {
                    (Node::ItemSlot { depth, slot }, Some(Lit::Dur(length))) => {
                        Some(Node::WithinItem {
                            depth: *depth,
                            slot: *slot,
                            length,
                            side: *side,
                            anchor,
                        })
                    }
                    _ => None,
                };
                let node = fused.unwrap_or(Node::Within {
                    value,
                    length,
                    side: *side,
                    anchor,
                });
                (self.push(node, span), Ty::Bool)
            }
            ExprKind::Collect {
                op,
                projection,
                binder,
                list,
                filter,
            } => self.collect(
                *op,
                projection.as_deref(),
                binder,
                list,
                filter.as_deref(),
                span,
            ),
            ExprKind::Call { function, args } => self.call(function, args, span),
            ExprKind::Match {
                claimed,
                confirmed,
                fields,
            } => {
                if !let_top {
                    self.error(
                        Diagnostic::new(Code::MisplacedItem, span, "a detail match must be the whole value of a `let`")
                            .label("used inside another expression")
                            .help("write `let details = match … with … { … }` and read `details.field` or `details.matched`"),
                    );
                    return self.error_node(span);
                }
                self.detail_match(claimed, confirmed, fields, span)
            }
        }
    }

    pub(super) fn mismatch(&mut self, span: Span, message: String, help: &str) {
        self.error(
            Diagnostic::new(Code::TypeMismatch, span, message)
                .label("wrong type")
                .help(help.to_string()),
        );
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> (NodeId, Ty) {
        match op {
            BinOp::And | BinOp::Or => {
                let l =
                    self.expect_type(left, Ty::Bool, &format!("each side of `{}`", op.symbol()));
                let r =
                    self.expect_type(right, Ty::Bool, &format!("each side of `{}`", op.symbol()));
                (self.push(Node::Binary(op, l, r), span), Ty::Bool)
            }
            BinOp::Otherwise => {
                let (l, lt) = self.expr(left);
                let (r, rt) = self.expr(right);
                let ty = self.unify(l, lt, r, rt, op_span, "`??`");
                (self.push(Node::Binary(op, l, r), span), ty)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (l, lt) = self.expr(left);
                let (r, rt) = self.expr(right);
                self.check_band_label(l, r, right.span);
                self.check_band_label(r, l, left.span);
                self.check_allowed_value(l, r, right.span);
                self.check_allowed_value(r, l, left.span);
                self.check_fraction_scale(l, right);
                self.check_fraction_scale(r, left);
                let ty = self.unify(l, lt, r, rt, op_span, &format!("`{}`", op.symbol()));
                let ordering = !matches!(op, BinOp::Eq | BinOp::Ne);
                if ordering && !orderable(ty) && ty != Ty::Error {
                    self.mismatch(
                        op_span,
                        format!(
                            "`{}` cannot order {}s",
                            op.symbol(),
                            ty.describe()
                                .trim_start_matches("a ")
                                .trim_start_matches("an ")
                        ),
                        "only numbers, timestamps and durations can be ordered",
                    );
                }
                let node = match self.nodes[l as usize] {
                    Node::ItemSlot { depth, slot } => Node::CompareItem {
                        op,
                        depth,
                        slot,
                        rhs: r,
                    },
                    _ => Node::Binary(op, l, r),
                };
                (self.push(node, span), Ty::Bool)
            }
            BinOp::Contains | BinOp::In => {
                let (list_expr, item_expr) = if op == BinOp::Contains {
                    (left, right)
                } else {
                    (right, left)
                };
                let (list, list_ty) = self.expr(list_expr);
                if !matches!(list_ty, Ty::List(_) | Ty::Any | Ty::Error) {
                    self.mismatch(
                        list_expr.span,
                        format!(
                            "`{}` needs a list, but this is {}",
                            op.symbol(),
                            list_ty.describe()
                        ),
                        "use `==` to compare single values",
                    );
                }
                let (item, _) = self.expr(item_expr);
                self.check_allowed_value(list, item, item_expr.span);
                let (l, r) = if op == BinOp::Contains {
                    (list, item)
                } else {
                    (item, list)
                };
                (self.push(Node::Binary(op, l, r), span), Ty::Bool)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (l, lt) = self.expr(left);
                let (r, rt) = self.expr(right);
                if lt == Ty::Error || rt == Ty::Error {
                    return (self.push(Node::Binary(op, l, r), span), Ty::Error);
                }
                match arithmetic(op, lt, rt) {
                    Some((ty, want_l, want_r)) => {
                        if lt == Ty::Any {
                            self.demand(l, want_l, left.span);
                        }
                        if rt == Ty::Any {
                            self.demand(r, want_r, right.span);
                        }
                        (self.push(Node::Binary(op, l, r), span), ty)
                    }
                    None => {
                        let help = match (op, lt, rt) {
                            (BinOp::Add, Ty::Time, Ty::Time) => {
                                "subtract timestamps to get a duration; add a duration to a timestamp"
                            }
                            (_, Ty::Num, Ty::Dur) | (_, Ty::Dur, Ty::Num) => {
                                "write the number as a duration, for example `6h`"
                            }
                            _ => {
                                "arithmetic works on numbers, durations, and timestamps with durations"
                            }
                        };
                        self.mismatch(
                            op_span,
                            format!(
                                "cannot apply `{}` to {} and {}",
                                op.symbol(),
                                lt.describe(),
                                rt.describe()
                            ),
                            help,
                        );
                        (self.push(Node::Binary(op, l, r), span), Ty::Error)
                    }
                }
            }
        }
    }

    /// The common type of two operands that must agree (comparison, `??`).
    pub(super) fn unify(
        &mut self,
        l: NodeId,
        lt: Ty,
        r: NodeId,
        rt: Ty,
        op_span: Span,
        what: &str,
    ) -> Ty {
        match (lt, rt) {
            (Ty::Error, _) | (_, Ty::Error) => Ty::Error,
            (Ty::Any, Ty::Any) => Ty::Any,
            (Ty::Any, other) => {
                self.demand(l, other, op_span);
                other
            }
            (other, Ty::Any) => {
                self.demand(r, other, op_span);
                other
            }
            (a, b) if a == b || (matches!(a, Ty::List(_)) && matches!(b, Ty::List(_))) => a,
            (a, b) => {
                let help = match (a, b) {
                    (Ty::Dur, Ty::Str) | (Ty::Str, Ty::Dur) => {
                        "write the duration as a literal such as `6h`, without quotes"
                    }
                    (Ty::Time, Ty::Str) | (Ty::Str, Ty::Time) => {
                        "write the timestamp without quotes, for example `2018-03-23T09:10:00Z`"
                    }
                    (Ty::Dur, Ty::Num) | (Ty::Num, Ty::Dur) => {
                        "give the number a unit, for example `6h` rather than `6`"
                    }
                    (Ty::Bool, _) | (_, Ty::Bool) => {
                        "a condition is already true or false; use it directly"
                    }
                    _ => "both sides must have the same type",
                };
                self.mismatch(
                    op_span,
                    format!(
                        "{what} cannot compare {} with {}",
                        a.describe(),
                        b.describe()
                    ),
                    help,
                );
                Ty::Error
            }
        }
    }

    /// `score.band == "label"`: the label must be one of the score's bands.
    pub(super) fn check_band_label(&mut self, band: NodeId, label: NodeId, label_span: Span) {
        let (
            Node::Score {
                id,
                prop: ScoreProp::Band,
            },
            Node::Lit(Lit::Str(text)),
        ) = (&self.nodes[band as usize], &self.nodes[label as usize])
        else {
            return;
        };
        let Some((name, declared)) = self.score_names.get_index(*id as usize) else {
            return;
        };
        let labels = &declared.labels;
        if !declared.all_labels_known || labels.iter().any(|l| l.as_str() == &**text) {
            return;
        }
        let close = closest(text, labels.iter().map(String::as_str));
        let help = match close {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the bands of `{name}` are {}", quoted_list(labels)),
        };
        let message = format!("`{name}` has no band `{text}`");
        self.error(
            Diagnostic::new(Code::UnknownBand, label_span, message)
                .label("not a band of this score")
                .help(help)
                // The label is a string literal: the patch keeps its quotes.
                .suggest_if(label_span, close.map(|c| format!("\"{c}\""))),
        );
    }

    pub(super) fn call(&mut self, function: &Ident, args: &[Expr], span: Span) -> (NodeId, Ty) {
        let arity = |this: &mut Self, n: usize| {
            if args.len() != n {
                this.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "`{}` takes {n} argument{}, not {}",
                            function.name,
                            if n == 1 { "" } else { "s" },
                            args.len()
                        ),
                    )
                    .label("wrong number of arguments")
                    .help(format!("write `{}(value)`", function.name)),
                );
                false
            } else {
                true
            }
        };
        match function.name.as_str() {
            "known" => {
                if !arity(self, 1) {
                    return self.error_node(span);
                }
                let (inner, _) = self.expr(&args[0]);
                (self.push(Node::Known(inner), span), Ty::Bool)
            }
            "abs" => {
                if !arity(self, 1) {
                    return self.error_node(span);
                }
                let (inner, ty) = self.expr(&args[0]);
                let ty = if ty == Ty::Any {
                    self.demand(inner, Ty::Num, args[0].span);
                    Ty::Num
                } else {
                    ty
                };
                (self.push(Node::Abs(inner), span), ty)
            }
            "count_true" => {
                let parts: Vec<NodeId> = args
                    .iter()
                    .map(|a| self.expect_type(a, Ty::Bool, "each argument of `count_true`"))
                    .collect();
                (
                    self.push(Node::CountTrue(parts.into_boxed_slice()), span),
                    Ty::Num,
                )
            }
            other => {
                let names: Vec<&str> = FUNCTIONS
                    .iter()
                    .copied()
                    .chain(AGGREGATES.iter().map(|a| a.name))
                    .collect();
                let close = closest(other, names.iter().copied());
                let help = match close {
                    Some(suggestion) => match AGGREGATES.iter().find(|a| a.name == suggestion) {
                        Some(a) => {
                            format!("did you mean `{suggestion}`? (`{}`: {})", a.form, a.gives)
                        }
                        None => format!("did you mean `{suggestion}`?"),
                    },
                    None => format!("the functions are {}", quoted_list(&names)),
                };
                self.error(
                    Diagnostic::new(
                        Code::UnknownName,
                        function.span,
                        format!("unknown function `{other}`"),
                    )
                    .label("not a function")
                    .help(help)
                    .suggest_if(function.span, close),
                );
                self.error_node(span)
            }
        }
    }
}
