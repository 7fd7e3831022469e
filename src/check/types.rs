//! Static types of expressions and the typing rules of operators.

use crate::case::layout::Kind;
use crate::ops::BinOp;

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// true / false / unknown
    Bool,
    /// A number.
    Num,
    /// A string.
    Str,
    /// A timestamp.
    Time,
    /// A duration.
    Dur,
    /// A list (with the item record, when iterated).
    List(Option<u32>),
    /// A detail match.
    Match(u32),
    /// A case value whose type the rules do not fix.
    Any,
    /// Already reported: suppresses follow-on errors.
    Error,
}

impl Ty {
    /// How users call the type.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Ty::Bool => "a condition",
            Ty::Num => "a number",
            Ty::Str => "a string",
            Ty::Time => "a timestamp",
            Ty::Dur => "a duration",
            Ty::List(_) => "a list",
            Ty::Match(_) => "a detail match",
            Ty::Any => "a case value",
            Ty::Error => "an invalid value",
        }
    }

    /// The type a loaded slot of this kind has.
    pub(crate) fn of_kind(kind: Kind) -> Ty {
        match kind {
            Kind::Any => Ty::Any,
            Kind::Bool => Ty::Bool,
            Kind::Num => Ty::Num,
            Kind::Str => Ty::Str,
            Kind::Time => Ty::Time,
            Kind::List(r) => Ty::List(Some(r)),
        }
    }

    /// The kind a slot must be loaded as to have this type (durations cannot be loaded).
    pub(crate) fn kind(self) -> Option<Kind> {
        match self {
            Ty::Bool => Some(Kind::Bool),
            Ty::Num => Some(Kind::Num),
            Ty::Str => Some(Kind::Str),
            Ty::Time => Some(Kind::Time),
            _ => None,
        }
    }
}

/// The result type of an arithmetic operator, with the types it wants untyped operands to have.
/// Two untyped operands stay untyped (their other uses decide; the operation is checked when
/// the case is read). `None` when the operand types do not combine.
pub(crate) fn arithmetic(op: BinOp, left: Ty, right: Ty) -> Option<(Ty, Ty, Ty)> {
    use Ty::*;
    let (l, r) = match (left, right) {
        (Any, Any) => return Some((Any, Any, Any)),
        (Any, Time) | (Any, Dur) if op == BinOp::Sub => (Time, right),
        (Any, Time) => (Dur, Time),
        (Any, Dur) => (if op == BinOp::Add { Time } else { Num }, Dur),
        (Time, Any) if op == BinOp::Add => (Time, Dur),
        (Time, Any) => (Time, Time),
        (Dur, Any) if matches!(op, BinOp::Add) => (Dur, Time),
        (Dur, Any) if matches!(op, BinOp::Sub) => (Dur, Dur),
        (Dur, Any) => (Dur, Num),
        (Any, x) => (x, x),
        (x, Any) => (x, x),
        pair => pair,
    };
    let result = match (op, l, r) {
        (_, Num, Num) => Num,
        (BinOp::Add, Time, Dur) | (BinOp::Add, Dur, Time) => Time,
        (BinOp::Sub, Time, Dur) => Time,
        (BinOp::Sub, Time, Time) => Dur,
        (BinOp::Add | BinOp::Sub, Dur, Dur) => Dur,
        (BinOp::Mul, Dur, Num) | (BinOp::Mul, Num, Dur) | (BinOp::Div, Dur, Num) => Dur,
        (BinOp::Div, Dur, Dur) => Num,
        _ => return None,
    };
    Some((result, l, r))
}

/// True when values of the type can be ordered with `<`.
pub(crate) fn orderable(ty: Ty) -> bool {
    matches!(ty, Ty::Num | Ty::Time | Ty::Dur | Ty::Any)
}
