//! Lowering expressions: names and paths to slots, operators type-checked, untyped case paths
//! given the type their use demands.

use crate::case::layout::{Conflict, Kind};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::program::{
    CollectionDef, LetDef, Lit, MatchDef, MatchFieldDef, MatchSummary, Matcher, Node, NodeId, Read,
    ScoreProp,
};
use crate::source::Span;
use crate::syntax::ast::{BinOp, CollectOp, Expr, ExprKind, Ident, MatchField};

use super::fold::fold_num;
use super::types::{Ty, arithmetic, orderable};
use super::{Binder, Checker, LetState, ScoreAccess};

const MATCH_SUMMARIES: &[(&str, MatchSummary)] = &[
    ("matched", MatchSummary::Matched),
    ("mismatched", MatchSummary::Mismatched),
    ("known", MatchSummary::Known),
    ("unknown", MatchSummary::Unknown),
    ("ratio", MatchSummary::Ratio),
];

const FUNCTIONS: &[&str] = &[
    "known",
    "count_true",
    "abs",
    "count",
    "distinct",
    "sum",
    "min",
    "max",
    "any",
    "all",
];

impl Checker<'_> {
    pub(super) fn push(&mut self, node: Node, span: Span) -> NodeId {
        self.nodes.push(node);
        self.spans.push(span);
        self.node_slot.push(None);
        (self.nodes.len() - 1) as NodeId
    }

    fn push_slot(&mut self, node: Node, span: Span, record: u32, slot: u32) -> NodeId {
        let id = self.push(node, span);
        self.node_slot[id as usize] = Some((record, slot));
        id
    }

    fn error_node(&mut self, span: Span) -> (NodeId, Ty) {
        (self.push(Node::Lit(Lit::Bool(false)), span), Ty::Error)
    }

    /// Lowers `e`, requiring type `want` (untyped case paths take it on).
    pub(super) fn expect_type(&mut self, e: &Expr, want: Ty, role: &str) -> NodeId {
        let (id, have) = self.expr(e);
        if !self.coerce(id, have, want, e.span) {
            self.error(
                Diagnostic::error(
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
    fn coerce(&mut self, id: NodeId, have: Ty, want: Ty, span: Span) -> bool {
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
                    Diagnostic::error(Code::TypeMismatch, span, "a case value cannot be a duration")
                        .label("this reads a case value")
                        .help("durations come from subtracting timestamps, for example `claim.published_at - incident.started_at`"),
                );
            }
            return;
        };
        if let Err(conflict) = self.layout.demand(record, slot, kind) {
            self.conflict(conflict, record, slot, span);
        }
    }

    fn conflict(&mut self, conflict: Conflict, record: u32, slot: u32, span: Span) {
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
            Diagnostic::error(Code::TypeMismatch, span, message)
                .label("conflicting use")
                .help("a case field has one type; convert or compare it the same way everywhere"),
        );
    }

    /// Lowers an expression and returns its node and type.
    pub(super) fn expr(&mut self, e: &Expr) -> (NodeId, Ty) {
        let let_top = std::mem::replace(&mut self.let_top, false);
        let span = e.span;
        match &e.kind {
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
                        Diagnostic::error(Code::MisplacedItem, span, "a detail match must be the whole value of a `let`")
                            .label("used inside another expression")
                            .help("write `let details = match … with … { … }` and read `details.field` or `details.matched`"),
                    );
                    return self.error_node(span);
                }
                self.detail_match(claimed, confirmed, fields, span)
            }
        }
    }

    fn mismatch(&mut self, span: Span, message: String, help: &str) {
        self.error(
            Diagnostic::error(Code::TypeMismatch, span, message)
                .label("wrong type")
                .help(help.to_string()),
        );
    }

    fn binary(
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
    fn unify(&mut self, l: NodeId, lt: Ty, r: NodeId, rt: Ty, op_span: Span, what: &str) -> Ty {
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
    fn check_band_label(&mut self, band: NodeId, label: NodeId, label_span: Span) {
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
        let Some((name, (_, labels, _))) = self.score_names.get_index(*id as usize) else {
            return;
        };
        if labels.iter().any(|l| l.as_str() == &**text) {
            return;
        }
        let help = did_you_mean(text, labels.iter().map(String::as_str))
            .unwrap_or_else(|| format!("the bands of `{name}` are {}", quoted_list(labels)));
        let message = format!("`{name}` has no band `{text}`");
        self.error(
            Diagnostic::error(Code::UnknownBand, label_span, message)
                .label("not a band of this score")
                .help(help),
        );
    }

    fn call(&mut self, function: &Ident, args: &[Expr], span: Span) -> (NodeId, Ty) {
        let arity = |this: &mut Self, n: usize| {
            if args.len() != n {
                this.error(
                    Diagnostic::error(
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
                let help = did_you_mean(other, FUNCTIONS.iter().copied())
                    .unwrap_or_else(|| format!("the functions are {}", quoted_list(FUNCTIONS)));
                self.error(
                    Diagnostic::error(
                        Code::UnknownName,
                        function.span,
                        format!("unknown function `{other}`"),
                    )
                    .label("not a function")
                    .help(help),
                );
                self.error_node(span)
            }
        }
    }

    fn collect(
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
            (Ty::List(Some(r)), _) => Some(r),
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
                    Diagnostic::error(
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
        let depth = self.binders.len() as u8;
        self.binders.push(Binder {
            name: binder.name.clone(),
            record,
        });
        self.collect_depth += 1;
        let filter = filter.map(|f| self.expect_type(f, Ty::Bool, "a `where` filter"));
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
        self.collect_depth -= 1;
        self.binders.pop();
        let id = self.collections.len() as u32;
        self.collections.push(CollectionDef {
            op,
            list: list_node,
            depth,
            projection,
            filter,
            traced: self.collect_depth == 0,
            span,
        });
        (self.push(Node::Collect(id), span), result)
    }

    fn attach_item_schema(&mut self, record: u32, slot: u32, items: u32) {
        let Some(schema) = self.schema else { return };
        if self.record_schema.contains_key(&items) {
            return;
        }
        let path = self.layout.path(record, slot).to_string();
        let segments: Vec<&str> = path
            .rsplit("[].")
            .next()
            .unwrap_or(&path)
            .split('.')
            .collect();
        let parent = self.record_schema.get(&record).cloned();
        if let Ok((_, node)) = schema.lookup(parent.as_ref(), &segments)
            && let Some(item) = schema.items(&node)
        {
            self.record_schema.insert(items, item);
        }
    }

    fn detail_match(
        &mut self,
        claimed: &Expr,
        confirmed: &Expr,
        fields: &[MatchField],
        span: Span,
    ) -> (NodeId, Ty) {
        let mut defs = Vec::new();
        for field in fields {
            let Some(matcher) = self.matcher(field) else {
                continue;
            };
            let side = |this: &mut Self, base: &Expr| -> NodeId {
                match &base.kind {
                    ExprKind::Path(segments) => {
                        let mut full = segments.clone();
                        full.push(field.field.clone());
                        this.path(&full, field.field.span).0
                    }
                    _ => {
                        this.error(
                            Diagnostic::error(
                                Code::ItemMisuse,
                                base.span,
                                "a detail match compares two objects of the case",
                            )
                            .label("not a case path")
                            .help("write `match claim.details with incident.facts { … }`"),
                        );
                        this.error_node(base.span).0
                    }
                }
            };
            let claimed = side(self, claimed);
            let confirmed = side(self, confirmed);
            defs.push(MatchFieldDef {
                name: field.field.name.clone(),
                matcher,
                claimed,
                confirmed,
            });
        }
        let id = self.matches.len() as u32;
        self.matches.push(MatchDef { fields: defs });
        (self.push(Node::Match(id), span), Ty::Match(id))
    }

    fn matcher(&mut self, field: &MatchField) -> Option<Matcher> {
        const MATCHERS: &[&str] = &["exact", "nocase", "fuzzy", "within", "overlap"];
        let name = field.matcher.name.as_str();
        let argument = field.argument.as_ref();
        let fraction = |this: &mut Self, e: &Expr| -> Option<f64> {
            let (node, _) = this.expr(e);
            let value = fold_num(&this.nodes, node);
            match value {
                Some(v) if (0.0..=1.0).contains(&v) => Some(v),
                _ => {
                    this.error(
                        Diagnostic::error(
                            Code::OutOfRange,
                            e.span,
                            "a similarity threshold must be between 0 and 1",
                        )
                        .label("not a fraction")
                        .help("write a percentage such as `85%` or a fraction such as `0.85`"),
                    );
                    None
                }
            }
        };
        let matcher = match (name, argument) {
            ("exact", None) => Matcher::Exact,
            ("nocase", None) => Matcher::Nocase,
            ("fuzzy", Some(arg)) => Matcher::Fuzzy(fraction(self, arg)?),
            ("overlap", None) => Matcher::Overlap(None),
            ("overlap", Some(arg)) => Matcher::Overlap(Some(fraction(self, arg)?)),
            ("within", Some(arg)) => {
                let percent = matches!(arg.kind, ExprKind::Percent(_));
                let (node, _) = self.expr(arg);
                let Some(value) = fold_num(&self.nodes, node).filter(|v| *v >= 0.0) else {
                    self.error(
                        Diagnostic::error(
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
            ("fuzzy" | "within", None) => {
                self.error(
                    Diagnostic::error(
                        Code::UnknownMatcher,
                        field.matcher.span,
                        format!("`{name}` needs an argument"),
                    )
                    .label("missing threshold")
                    .help(if name == "fuzzy" {
                        "write `fuzzy 85%`"
                    } else {
                        "write `within 2` or `within 20%`"
                    }),
                );
                return None;
            }
            ("exact" | "nocase", Some(arg)) => {
                self.error(
                    Diagnostic::error(
                        Code::UnknownMatcher,
                        arg.span,
                        format!("`{name}` takes no argument"),
                    )
                    .label("unexpected argument")
                    .help("use `fuzzy 85%` for approximate matching"),
                );
                return None;
            }
            _ => {
                let help = did_you_mean(name, MATCHERS.iter().copied())
                    .unwrap_or_else(|| format!("the matchers are {}", quoted_list(MATCHERS)));
                self.error(
                    Diagnostic::error(
                        Code::UnknownMatcher,
                        field.matcher.span,
                        format!("unknown matcher `{name}`"),
                    )
                    .label("not a matcher")
                    .help(help),
                );
                return None;
            }
        };
        Some(matcher)
    }

    /// Resolves `a.b.c`: an item variable, a constant, a let, a score, or a case path.
    pub(super) fn path(&mut self, segments: &[Ident], span: Span) -> (NodeId, Ty) {
        let head = &segments[0];
        let rest = &segments[1..];
        if let Some(depth) = self.binders.iter().rposition(|b| b.name == head.name) {
            let record = self.binders[depth].record;
            return self.case_path(record, rest, span, Some((depth as u8, head)));
        }
        if self.consts.contains_key(&head.name) {
            if let Some(extra) = rest.first() {
                return self.no_fields(head, extra);
            }
            return self.const_ref(head);
        }
        if let Some(&index) = self.let_index.get(&head.name) {
            return self.let_ref(index, head, rest, span);
        }
        if let Some(&(index, _, _)) = self.score_names.get(&head.name) {
            return self.score_ref(index, head, rest, span);
        }
        if self.schema.is_none() {
            let names: Vec<&str> = self
                .consts
                .keys()
                .chain(self.let_index.keys())
                .map(String::as_str)
                .chain(self.binders.iter().map(|b| b.name.as_str()))
                .collect();
            if let Some(close) = names
                .iter()
                .copied()
                .filter(|n| strsim::jaro_winkler(&head.name, n) >= 0.9)
                .max_by(|a, b| {
                    strsim::jaro_winkler(&head.name, a)
                        .total_cmp(&strsim::jaro_winkler(&head.name, b))
                })
            {
                self.error(
                    Diagnostic::error(
                        Code::UnknownName,
                        head.span,
                        format!("unknown name `{}`", head.name),
                    )
                    .label("not defined")
                    .help(format!("did you mean `{close}`?")),
                );
                return self.error_node(span);
            }
        }
        self.case_path(0, segments, span, None)
    }

    fn no_fields(&mut self, head: &Ident, extra: &Ident) -> (NodeId, Ty) {
        self.error(
            Diagnostic::error(
                Code::UnknownField,
                extra.span,
                format!("`{}` has no fields", head.name),
            )
            .label("no such field")
            .help(format!(
                "`{}` is a single value; remove `.{}`",
                head.name, extra.name
            )),
        );
        self.error_node(head.span.to(extra.span))
    }

    fn const_ref(&mut self, head: &Ident) -> (NodeId, Ty) {
        let Some(entry) = self.consts.get_mut(&head.name) else {
            return self.error_node(head.span);
        };
        entry.used = true;
        if let Some(value) = entry.value {
            return value;
        }
        if entry.visiting {
            return self.cycle(head);
        }
        entry.visiting = true;
        let binding = entry.binding;
        let (node, ty) = self.expr(&binding.value);
        let value = match super::fold::fold(&self.nodes, node) {
            Some(lit) => {
                let id = self.push(Node::Lit(lit), binding.value.span);
                (id, ty)
            }
            None => {
                if ty != Ty::Error {
                    self.error(
                        Diagnostic::error(
                            Code::NotConstant,
                            binding.value.span,
                            format!(
                                "constant `{}` must not depend on the case",
                                binding.name.name
                            ),
                        )
                        .label("reads case data or definitions")
                        .help("use `let` for values computed from the case"),
                    );
                }
                self.error_node(binding.value.span)
            }
        };
        if let Some(entry) = self.consts.get_mut(&head.name) {
            entry.value = Some(value);
            entry.visiting = false;
        }
        value
    }

    fn cycle(&mut self, head: &Ident) -> (NodeId, Ty) {
        self.error(
            Diagnostic::error(
                Code::DefinitionCycle,
                head.span,
                format!("`{}` is defined in terms of itself", head.name),
            )
            .label("refers back to the definition being computed")
            .help("break the cycle: a definition can only use definitions that do not use it"),
        );
        self.error_node(head.span)
    }

    fn let_ref(&mut self, index: usize, head: &Ident, rest: &[Ident], span: Span) -> (NodeId, Ty) {
        self.lets[index].used = true;
        let (id, ty) = match self.lets[index].state {
            LetState::Done { id, ty } => (id, ty),
            LetState::Visiting => return self.cycle(head),
            LetState::Pending => match self.lower_let(index) {
                Some(done) => done,
                None => return self.error_node(span),
            },
        };
        match (ty, rest) {
            (_, []) => (self.push(Node::Let(id), span), ty),
            (Ty::Match(m), [field]) => {
                if let Some(&(_, what)) = MATCH_SUMMARIES.iter().find(|(n, _)| *n == field.name) {
                    return (self.push(Node::MatchSummary { id: m, what }, span), Ty::Num);
                }
                let fields = &self.matches[m as usize].fields;
                match fields.iter().position(|f| f.name == field.name) {
                    Some(f) => (
                        self.push(
                            Node::MatchField {
                                id: m,
                                field: f as u32,
                            },
                            span,
                        ),
                        Ty::Bool,
                    ),
                    None => {
                        let names: Vec<&str> = fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .chain(MATCH_SUMMARIES.iter().map(|s| s.0))
                            .collect();
                        let help =
                            did_you_mean(&field.name, names.iter().copied()).unwrap_or_else(|| {
                                format!("the match compares {}", quoted_list(&names))
                            });
                        self.error(
                            Diagnostic::error(
                                Code::UnknownField,
                                field.span,
                                format!("the match `{}` has no field `{}`", head.name, field.name),
                            )
                            .label("not compared by this match")
                            .help(help),
                        );
                        self.error_node(span)
                    }
                }
            }
            (_, [extra, ..]) => self.no_fields(head, extra),
        }
    }

    /// Lowers the `let` at `index`; `None` when it could not be lowered.
    pub(super) fn lower_let(&mut self, index: usize) -> Option<(u32, Ty)> {
        self.lets[index].state = LetState::Visiting;
        let binding = self.lets[index].binding;
        let saved = (
            std::mem::take(&mut self.binders),
            self.score_access,
            self.collect_depth,
        );
        self.score_access = ScoreAccess::None;
        self.collect_depth = 0;
        self.let_top = true;
        let (node, ty) = self.expr(&binding.value);
        self.let_top = false;
        (self.binders, self.score_access, self.collect_depth) = saved;
        let id = self.let_defs.len() as u32;
        if let Ty::Match(m) = ty {
            if self.match_let.len() <= m as usize {
                self.match_let.resize(m as usize + 1, id);
            }
            self.match_let[m as usize] = id;
        }
        // A match shows its field table instead of inputs.
        let reads = if matches!(ty, Ty::Match(_)) {
            Vec::new()
        } else {
            self.reads(&[node])
        };
        self.let_defs.push(LetDef {
            name: binding.name.name.clone(),
            description: binding
                .description
                .as_ref()
                .and_then(|d| d.plain().map(str::to_string)),
            node,
            reads,
        });
        self.lets[index].state = LetState::Done { id, ty };
        Some((id, ty))
    }

    fn score_ref(
        &mut self,
        index: usize,
        head: &Ident,
        rest: &[Ident],
        span: Span,
    ) -> (NodeId, Ty) {
        let allowed = match self.score_access {
            ScoreAccess::None => false,
            ScoreAccess::Before(limit) => index < limit,
            ScoreAccess::All => true,
        };
        if !allowed {
            self.error(
                Diagnostic::error(
                    Code::MisplacedItem,
                    head.span,
                    format!("score `{}` cannot be read here", head.name),
                )
                .label("score reference")
                .help(
                    "scores can be read in the verdict, and in their own or a later score's bands",
                ),
            );
            return self.error_node(span);
        }
        let (prop, ty) = match rest {
            [] => (ScoreProp::Value, Ty::Num),
            [p] if p.name == "band" => (ScoreProp::Band, Ty::Str),
            [p] if p.name == "coverage" => (ScoreProp::Coverage, Ty::Num),
            [p, ..] => {
                let help = did_you_mean(&p.name, ["band", "coverage"])
                    .unwrap_or_else(|| "read `.band` or `.coverage`".into());
                self.error(
                    Diagnostic::error(
                        Code::UnknownField,
                        p.span,
                        format!("a score has no `{}`", p.name),
                    )
                    .label("unknown score property")
                    .help(help),
                );
                return self.error_node(span);
            }
        };
        (
            self.push(
                Node::Score {
                    id: index as u32,
                    prop,
                },
                span,
            ),
            ty,
        )
    }

    /// A case path under `record` (the root, or a list item bound to `item`).
    fn case_path(
        &mut self,
        record: u32,
        segments: &[Ident],
        span: Span,
        item: Option<(u8, &Ident)>,
    ) -> (NodeId, Ty) {
        let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        let schema_kind = match self.schema_check(record, segments, item.map(|i| i.1)) {
            Ok(kind) => kind,
            Err(()) => return self.error_node(span),
        };
        let slot = if names.is_empty() {
            self.layout.whole(record)
        } else {
            self.layout.slot(record, &names)
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(_) => {
                let shown = item
                    .map(|i| i.1.name.as_str())
                    .into_iter()
                    .chain(names.iter().copied())
                    .collect::<Vec<_>>()
                    .join(".");
                self.error(
                    Diagnostic::error(
                        Code::ItemMisuse,
                        span,
                        format!("`{shown}` is read both as an object and as a value"),
                    )
                    .label("conflicting use")
                    .help("read the fields of an object, or the whole value, but not both"),
                );
                return self.error_node(span);
            }
        };
        if let Some(kind) = schema_kind
            && self.layout.kind(record, slot) == Kind::Any
            && kind != Kind::Any
        {
            let _ = self.layout.demand(record, slot, kind);
        }
        let node = match item {
            Some((depth, _)) => Node::ItemSlot { depth, slot },
            None => Node::Slot(slot),
        };
        let ty = Ty::of_kind(self.layout.kind(record, slot));
        (self.push_slot(node, span, record, slot), ty)
    }

    /// Checks a path against the schema, returning the kind it declares.
    fn schema_check(
        &mut self,
        record: u32,
        segments: &[Ident],
        item: Option<&Ident>,
    ) -> Result<Option<Kind>, ()> {
        let Some(schema) = self.schema else {
            return Ok(None);
        };
        if segments.is_empty() {
            return Ok(None);
        }
        let base = if record == 0 {
            None
        } else {
            match self.record_schema.get(&record) {
                Some(node) => Some(node.clone()),
                None => return Ok(None),
            }
        };
        let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        match schema.lookup(base.as_ref(), &names) {
            Ok((kind, _)) => Ok(Some(kind)),
            Err(err) => {
                let bad = &segments[err.segment];
                let parent: Vec<&str> = item
                    .map(|i| i.name.as_str())
                    .into_iter()
                    .chain(names[..err.segment].iter().copied())
                    .collect();
                let within = if parent.is_empty() {
                    "the case".to_string()
                } else {
                    format!("`{}`", parent.join("."))
                };
                let help = if err.through_list {
                    format!(
                        "{within} is a list; read its items with a collection such as `count(x in {} where …)`",
                        parent.join(".")
                    )
                } else {
                    did_you_mean(&bad.name, err.candidates.iter().map(String::as_str))
                        .unwrap_or_else(|| format!("{within} has {}", quoted_list(&err.candidates)))
                };
                self.error(
                    Diagnostic::error(
                        Code::UnknownField,
                        bad.span,
                        format!("{within} has no field `{}` in the case schema", bad.name),
                    )
                    .label("not in the schema")
                    .help(help),
                );
                Err(())
            }
        }
    }

    /// The evidence reads of some nodes: case paths, lets, top-level collections, scores.
    pub(super) fn reads(&self, roots: &[NodeId]) -> Vec<Read> {
        let mut out: Vec<Read> = Vec::new();
        let mut stack: Vec<NodeId> = roots.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let label = match &self.nodes[id as usize] {
                Node::Slot(slot) => Some(self.layout.path(0, *slot).to_string()),
                Node::Let(l) => Some(self.let_defs[*l as usize].name.clone()),
                Node::Collect(c) => {
                    let def = &self.collections[*c as usize];
                    let mut children: Vec<NodeId> = def.filter.into_iter().collect();
                    children.extend(def.projection);
                    for child in children.into_iter().rev() {
                        stack.push(child);
                    }
                    Some(self.sources.snippet(def.span).to_string())
                }
                Node::MatchField { id: m, .. }
                | Node::MatchSummary { id: m, .. }
                | Node::Match(m) => {
                    if let Some(def) = self
                        .match_let
                        .get(*m as usize)
                        .and_then(|l| self.let_defs.get(*l as usize))
                        && !out.iter().any(|r| r.label == def.name)
                    {
                        out.push(Read {
                            label: def.name.clone(),
                            node: def.node,
                        });
                    }
                    None
                }
                Node::Score { id: s, prop } => {
                    let name = self
                        .score_names
                        .get_index(*s as usize)
                        .map(|(n, _)| n.clone())
                        .unwrap_or_default();
                    Some(match prop {
                        ScoreProp::Value => name,
                        ScoreProp::Band => format!("{name}.band"),
                        ScoreProp::Coverage => format!("{name}.coverage"),
                    })
                }
                Node::Not(a) | Node::Neg(a) | Node::Known(a) | Node::Abs(a) => {
                    stack.push(*a);
                    None
                }
                Node::Binary(_, a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                    None
                }
                Node::WithinItem { anchor, .. } => {
                    stack.push(*anchor);
                    None
                }
                Node::CompareItem { rhs, .. } => {
                    stack.push(*rhs);
                    None
                }
                Node::Within {
                    value,
                    length,
                    anchor,
                    ..
                } => {
                    stack.push(*anchor);
                    stack.push(*length);
                    stack.push(*value);
                    None
                }
                Node::CountTrue(parts) => {
                    stack.extend(parts.iter().rev());
                    None
                }
                Node::Lit(_) | Node::ItemSlot { .. } => None,
            };
            if let Some(label) = label {
                let is_collection = matches!(self.nodes[id as usize], Node::Collect(c) if !self.collections[c as usize].traced);
                if !is_collection && !out.iter().any(|r| r.label == label) {
                    out.push(Read { label, node: id });
                }
            }
        }
        out
    }
}

/// `a`, `b` and `c` as a quoted list.
pub(super) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
