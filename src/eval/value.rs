//! Runtime values and the three-valued logic over them.

use super::interval::Interval;
use crate::case::{ListData, Slot};
use crate::ops::{BinOp, WindowSide};
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
    /// A number known only to lie in a range.
    NumRange(Interval),
    /// A timestamp known only to lie in a range (milliseconds since the epoch).
    TimeRange(Interval),
    /// A duration known only to lie in a range (milliseconds).
    DurRange(Interval),
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
            Slot::NumRange(r) => Value::NumRange(*r),
            Slot::TimeRange(r) => Value::TimeRange(*r),
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

    /// The range a number or duration lies in (a one-value range when it is exact).
    pub fn as_range(self) -> Option<Interval> {
        match self {
            Value::Num(n) => Some(Interval::point(n)),
            Value::Dur(d) => Some(Interval::point(d as f64)),
            Value::NumRange(r) | Value::DurRange(r) => Some(r),
            _ => None,
        }
    }

    /// True for a value known only to lie in a range.
    pub fn is_range(self) -> bool {
        matches!(
            self,
            Value::NumRange(_) | Value::TimeRange(_) | Value::DurRange(_)
        )
    }
}

/// What a number, timestamp or duration is, for interval arithmetic.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    Num,
    Time,
    Dur,
}

/// A number, timestamp or duration as a measure and a range.
pub(crate) fn measure(v: Value<'_>) -> Option<(Measure, Interval)> {
    Some(match v {
        Value::Num(n) => (Measure::Num, Interval::point(n)),
        Value::Time(t) => (Measure::Time, Interval::point(t as f64)),
        Value::Dur(d) => (Measure::Dur, Interval::point(d as f64)),
        Value::NumRange(r) => (Measure::Num, r),
        Value::TimeRange(r) => (Measure::Time, r),
        Value::DurRange(r) => (Measure::Dur, r),
        _ => return None,
    })
}

/// A number: exact when the range holds one value, a range otherwise.
pub(crate) fn number<'a>(r: Interval) -> Value<'a> {
    of_measure(Measure::Num, r)
}

/// A measure's value: exact when the range holds one value, a range otherwise.
pub(crate) fn of_measure<'a>(m: Measure, r: Interval) -> Value<'a> {
    let whole = |x: f64| x.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64;
    match (m, r.is_point()) {
        (Measure::Num, true) => Value::Num(r.lo),
        (Measure::Time, true) => Value::Time(whole(r.lo)),
        (Measure::Dur, true) => Value::Dur(whole(r.lo)),
        (Measure::Num, false) => Value::NumRange(r),
        (Measure::Time, false) => Value::TimeRange(r),
        (Measure::Dur, false) => Value::DurRange(r),
    }
}

/// A binary operator with a range operand: comparisons true, false or unknown over every
/// possible value, arithmetic over interval rules.
fn ranged<'a>(op: BinOp, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    let (Some((ma, ra)), Some((mb, rb))) = (measure(a), measure(b)) else {
        return match op {
            BinOp::Eq | BinOp::Ne => Value::Bool(op == BinOp::Ne),
            _ => Value::Unknown,
        };
    };
    use Measure::{Dur, Num, Time};
    let compare = |truth: Option<bool>| {
        if ma == mb { tri(truth) } else { Value::Unknown }
    };
    match op {
        BinOp::Lt => compare(ra.lt(rb)),
        BinOp::Le => compare(ra.le(rb)),
        BinOp::Gt => compare(rb.lt(ra)),
        BinOp::Ge => compare(rb.le(ra)),
        BinOp::Eq => compare(ra.eq(rb)),
        BinOp::Ne => compare(ra.eq(rb).map(|e| !e)),
        BinOp::Add => match (ma, mb) {
            (Num, Num) | (Dur, Dur) => of_measure(ma, ra.add(rb)),
            (Time, Dur) | (Dur, Time) => of_measure(Time, ra.add(rb)),
            _ => Value::Unknown,
        },
        BinOp::Sub => match (ma, mb) {
            (Num, Num) | (Dur, Dur) => of_measure(ma, ra.sub(rb)),
            (Time, Time) => of_measure(Dur, ra.sub(rb)),
            (Time, Dur) => of_measure(Time, ra.sub(rb)),
            _ => Value::Unknown,
        },
        BinOp::Mul => match (ma, mb) {
            (Num, Num) => of_measure(Num, ra.mul(rb)),
            (Dur, Num) | (Num, Dur) => of_measure(Dur, ra.mul(rb)),
            _ => Value::Unknown,
        },
        BinOp::Div => match (ma, mb) {
            (Num, Num) | (Dur, Dur) => ra.div(rb).map_or(Value::Unknown, |r| of_measure(Num, r)),
            (Dur, Num) => ra.div(rb).map_or(Value::Unknown, |r| of_measure(Dur, r)),
            _ => Value::Unknown,
        },
        BinOp::Contains | BinOp::In | BinOp::And | BinOp::Or | BinOp::Otherwise => Value::Unknown,
    }
}

/// `-v` of a number or duration, exact or a range.
pub(crate) fn negate(v: Value<'_>) -> Value<'_> {
    match v {
        Value::Num(n) => Value::Num(-n),
        Value::Dur(d) => Value::Dur(d.saturating_neg()),
        Value::NumRange(r) => Value::NumRange(r.neg()),
        Value::DurRange(r) => Value::DurRange(r.neg()),
        _ => Value::Unknown,
    }
}

/// `abs(v)` of a number or duration, exact or a range.
pub(crate) fn absolute(v: Value<'_>) -> Value<'_> {
    match v {
        Value::Num(n) => Value::Num(n.abs()),
        Value::Dur(d) => Value::Dur(d.saturating_abs()),
        Value::NumRange(r) => of_measure(Measure::Num, r.abs()),
        Value::DurRange(r) => of_measure(Measure::Dur, r.abs()),
        _ => Value::Unknown,
    }
}

/// Whether time `t` lies in the window of length `d` on `side` of `at`, any of them ranges:
/// true when it does for every possible value, false when for none, unknown otherwise.
pub(crate) fn within_range(
    t: Value<'_>,
    d: Value<'_>,
    side: WindowSide,
    at: Value<'_>,
) -> Value<'static> {
    let (Some((Measure::Time, t)), Some((Measure::Dur, d)), Some((Measure::Time, at))) =
        (measure(t), measure(d), measure(at))
    else {
        return Value::Unknown;
    };
    let (from, to) = match side {
        WindowSide::After => (at, at.add(d)),
        WindowSide::Before => (at.sub(d), at),
        WindowSide::Around => (at.sub(d), at.add(d)),
    };
    let inside = match (from.le(t), t.le(to)) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    };
    tri(inside)
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

/// Equality, three-valued when a side is a range.
pub(crate) fn equal_tri(a: Value<'_>, b: Value<'_>) -> Option<bool> {
    if a.is_range() || b.is_range() {
        ranged(BinOp::Eq, a, b).truth()
    } else {
        Some(equal(a, b))
    }
}

/// Kleene "some is true": true if one is, else unknown if one is, else false.
fn tri_any(truths: impl Iterator<Item = Option<bool>>) -> Value<'static> {
    let mut unknown = false;
    for truth in truths {
        match truth {
            Some(true) => return Value::Bool(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
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
    if a.is_range() || b.is_range() {
        return match op {
            BinOp::Contains => tri_any(items(a).map(|item| equal_tri(item, b))),
            BinOp::In => tri_any(items(b).map(|item| equal_tri(item, a))),
            _ => ranged(op, a, b),
        };
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

    fn range(lo: f64, hi: f64) -> Interval {
        Interval::new(lo, hi).expect("range")
    }

    #[test]
    fn comparisons_of_ranges_are_three_valued() {
        let hour = 3_600_000.0;
        let delay = Value::DurRange(range(hour, 7.0 * hour));
        let twelve = Value::Dur(12 * 3_600_000);
        let six = Value::Dur(6 * 3_600_000);
        assert_eq!(binary(BinOp::Le, delay, twelve), T, "1h–7h <= 12h");
        assert_eq!(binary(BinOp::Le, delay, six), U, "1h–7h <= 6h");
        assert_eq!(binary(BinOp::Gt, delay, twelve), F);
        assert_eq!(binary(BinOp::Ge, six, delay), U);
        let fighters = Value::NumRange(range(2.0, f64::INFINITY));
        assert_eq!(
            binary(BinOp::Eq, fighters, Value::Num(1.0)),
            F,
            "'fighters' for one attacker"
        );
        assert_eq!(binary(BinOp::Ne, fighters, Value::Num(1.0)), T);
        assert_eq!(binary(BinOp::Eq, fighters, Value::Num(3.0)), U);
    }

    #[test]
    fn time_arithmetic_on_ranges() {
        let start = Value::TimeRange(range(1000.0, 5000.0));
        let claim = Value::Time(10_000);
        assert_eq!(
            binary(BinOp::Sub, claim, start),
            Value::DurRange(range(5000.0, 9000.0))
        );
        assert_eq!(
            binary(BinOp::Sub, claim, Value::Time(4000)),
            Value::Dur(6000)
        );
        assert_eq!(
            binary(BinOp::Add, start, Value::Dur(1000)),
            Value::TimeRange(range(2000.0, 6000.0))
        );
        assert_eq!(
            negate(Value::DurRange(range(1.0, 2.0))),
            Value::DurRange(range(-2.0, -1.0))
        );
        assert_eq!(
            binary(
                BinOp::Div,
                Value::Num(1.0),
                Value::NumRange(range(-1.0, 1.0))
            ),
            U,
            "the divisor could be zero"
        );
    }

    #[test]
    fn windows_over_ranges() {
        let at = Value::Time(10_000);
        let day = Value::Dur(1000);
        let inside = Value::TimeRange(range(10_100.0, 10_900.0));
        let straddling = Value::TimeRange(range(9_900.0, 10_500.0));
        let outside = Value::TimeRange(range(12_000.0, 13_000.0));
        assert_eq!(within_range(inside, day, WindowSide::After, at), T);
        assert_eq!(within_range(straddling, day, WindowSide::After, at), U);
        assert_eq!(within_range(outside, day, WindowSide::After, at), F);
        assert_eq!(within_range(straddling, day, WindowSide::Around, at), T);
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
