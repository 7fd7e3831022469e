//! Runtime values and the three-valued logic over them.

use crate::case::{ListData, Slot};
use crate::ops::BinOp;
use crate::program::Lit;

/// A value during evaluation; `Unknown` is missing evidence, never false.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Missing, null, or computed from something unknown.
    Unknown,
    /// true / false
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(&'a str),
    /// Milliseconds since the epoch.
    Time(i64),
    /// Milliseconds.
    Dur(i64),
    /// A list from the case.
    List(&'a ListData),
    /// A detail match (by id).
    Match(u32),
}

impl<'a> Value<'a> {
    /// The value of a loaded slot.
    pub(crate) fn of_slot(slot: &'a Slot) -> Value<'a> {
        match slot {
            Slot::Missing | Slot::Null => Value::Unknown,
            Slot::Bool(b) => Value::Bool(*b),
            Slot::Num(n) => Value::Num(*n),
            Slot::Str(s, _) => Value::Str(s),
            Slot::Time(t) => Value::Time(*t),
            Slot::List(l) => Value::List(l),
        }
    }

    /// The value of a literal.
    pub(crate) fn of_lit(lit: &'a Lit) -> Value<'a> {
        match lit {
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Num(n) => Value::Num(*n),
            Lit::Str(s) => Value::Str(s),
            Lit::Time(t) => Value::Time(*t),
            Lit::Dur(d) => Value::Dur(*d),
        }
    }

    /// The truth value: `Some(true)`, `Some(false)`, or `None` for unknown (or not a condition).
    pub fn truth(self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// True when unknown.
    pub fn is_unknown(self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// The value as a number (durations in milliseconds), for ramps and counts.
    pub fn as_number(self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(n),
            Value::Dur(d) => Some(d as f64),
            _ => None,
        }
    }
}

/// A condition from an optional truth value.
pub(crate) fn tri<'a>(truth: Option<bool>) -> Value<'a> {
    truth.map_or(Value::Unknown, Value::Bool)
}

/// Kleene `not`.
pub(crate) fn not(v: Value<'_>) -> Value<'_> {
    tri(v.truth().map(|b| !b))
}

/// Kleene `and`: false wins over unknown.
pub(crate) fn and<'a>(a: Value<'a>, b: Value<'a>) -> Value<'a> {
    match (a.truth(), b.truth()) {
        (Some(false), _) | (_, Some(false)) => Value::Bool(false),
        (Some(true), Some(true)) => Value::Bool(true),
        _ => Value::Unknown,
    }
}

/// Kleene `or`: true wins over unknown.
pub(crate) fn or<'a>(a: Value<'a>, b: Value<'a>) -> Value<'a> {
    match (a.truth(), b.truth()) {
        (Some(true), _) | (_, Some(true)) => Value::Bool(true),
        (Some(false), Some(false)) => Value::Bool(false),
        _ => Value::Unknown,
    }
}

/// Equality of two known values; values of different kinds are never equal.
pub(crate) fn equal(a: Value<'_>, b: Value<'_>) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Time(x), Value::Time(y)) | (Value::Dur(x), Value::Dur(y)) => x == y,
        (Value::List(x), Value::List(y)) => x == y,
        _ => false,
    }
}

fn ordering(a: Value<'_>, b: Value<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(&y),
        (Value::Time(x), Value::Time(y)) | (Value::Dur(x), Value::Dur(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// Items of a list value (a scalar counts as a one-item list).
pub(crate) fn items<'a>(v: Value<'a>) -> impl Iterator<Item = Value<'a>> {
    let (list, single) = match v {
        Value::List(l) => (Some(l), None),
        Value::Unknown => (None, None),
        other => (None, Some(other)),
    };
    list.into_iter()
        .flat_map(|l| {
            l.slots
                .iter()
                .step_by(l.stride.max(1) as usize)
                .map(Value::of_slot)
        })
        .chain(single)
}

/// A binary operator other than `and`, `or` and `??` on two evaluated operands.
pub(crate) fn binary<'a>(op: BinOp, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    if a.is_unknown() || b.is_unknown() {
        return Value::Unknown;
    }
    use Value::{Dur, Num, Time};
    match op {
        BinOp::Eq => Value::Bool(equal(a, b)),
        BinOp::Ne => Value::Bool(!equal(a, b)),
        BinOp::Lt => tri(ordering(a, b).map(|o| o.is_lt())),
        BinOp::Le => tri(ordering(a, b).map(|o| o.is_le())),
        BinOp::Gt => tri(ordering(a, b).map(|o| o.is_gt())),
        BinOp::Ge => tri(ordering(a, b).map(|o| o.is_ge())),
        BinOp::Contains => Value::Bool(items(a).any(|item| equal(item, b))),
        BinOp::In => Value::Bool(items(b).any(|item| equal(item, a))),
        BinOp::Add => match (a, b) {
            (Num(x), Num(y)) => Num(x + y),
            (Time(t), Dur(d)) | (Dur(d), Time(t)) => Time(t.saturating_add(d)),
            (Dur(x), Dur(y)) => Dur(x.saturating_add(y)),
            _ => Value::Unknown,
        },
        BinOp::Sub => match (a, b) {
            (Num(x), Num(y)) => Num(x - y),
            (Time(x), Time(y)) => Dur(x.saturating_sub(y)),
            (Time(t), Dur(d)) => Time(t.saturating_sub(d)),
            (Dur(x), Dur(y)) => Dur(x.saturating_sub(y)),
            _ => Value::Unknown,
        },
        BinOp::Mul => match (a, b) {
            (Num(x), Num(y)) => Num(x * y),
            (Dur(d), Num(n)) | (Num(n), Dur(d)) => Dur((d as f64 * n) as i64),
            _ => Value::Unknown,
        },
        BinOp::Div => match (a, b) {
            _ if b.as_number() == Some(0.0) => Value::Unknown,
            (Num(x), Num(y)) => Num(x / y),
            (Dur(d), Num(n)) => Dur((d as f64 / n) as i64),
            (Dur(x), Dur(y)) => Num(x as f64 / y as f64),
            _ => Value::Unknown,
        },
        BinOp::And | BinOp::Or | BinOp::Otherwise => Value::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Value<'static> = Value::Bool(true);
    const F: Value<'static> = Value::Bool(false);
    const U: Value<'static> = Value::Unknown;

    #[test]
    fn kleene_and_or_not_truth_tables() {
        // (a, b, a and b, a or b)
        let table = [
            (T, T, T, T),
            (T, F, F, T),
            (T, U, U, T),
            (F, F, F, F),
            (F, U, F, U),
            (U, U, U, U),
        ];
        for (a, b, want_and, want_or) in table {
            assert_eq!(and(a, b), want_and, "{a:?} and {b:?}");
            assert_eq!(and(b, a), want_and, "{b:?} and {a:?}");
            assert_eq!(or(a, b), want_or, "{a:?} or {b:?}");
            assert_eq!(or(b, a), want_or, "{b:?} or {a:?}");
        }
        assert_eq!(not(T), F);
        assert_eq!(not(F), T);
        assert_eq!(not(U), U);
    }

    #[test]
    fn unknown_propagates_through_comparisons_and_arithmetic() {
        for op in [
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
        ] {
            assert_eq!(binary(op, U, Value::Num(1.0)), U, "{op:?}");
            assert_eq!(binary(op, Value::Num(1.0), U), U, "{op:?}");
        }
    }

    #[test]
    fn time_arithmetic() {
        let start = Value::Time(1_521_796_200_000); // 2018-03-23T09:10:00Z
        let claim = Value::Time(1_521_820_800_000); // 2018-03-23T16:00:00Z
        let delay = binary(BinOp::Sub, claim, start);
        assert_eq!(delay, Value::Dur(6 * 3_600_000 + 50 * 60_000));
        assert_eq!(binary(BinOp::Add, start, delay), claim);
        assert_eq!(binary(BinOp::Sub, claim, delay), start);
        assert_eq!(binary(BinOp::Lt, delay, Value::Dur(6 * 3_600_000)), F);
        assert_eq!(
            binary(BinOp::Div, delay, Value::Dur(60_000)),
            Value::Num(410.0)
        );
        assert_eq!(
            binary(BinOp::Mul, Value::Dur(1_000), Value::Num(3.0)),
            Value::Dur(3_000)
        );
        assert_eq!(
            binary(BinOp::Div, Value::Dur(1_000), Value::Num(0.0)),
            U,
            "division by zero is unknown"
        );
    }

    #[test]
    fn values_of_different_kinds_are_never_equal() {
        assert_eq!(binary(BinOp::Eq, Value::Str("1"), Value::Num(1.0)), F);
        assert_eq!(binary(BinOp::Ne, Value::Str("1"), Value::Num(1.0)), T);
        assert_eq!(
            binary(BinOp::Lt, Value::Str("a"), Value::Num(1.0)),
            U,
            "no order across kinds"
        );
    }
}
