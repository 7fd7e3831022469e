//! Uncertain values: a number, timestamp or duration known only to lie in a closed range
//! (`{"min": 20, "max": 30}`, `{"min": 2}`, `{"earliest": …, "latest": …}`).
//!
//! Comparisons of ranges are three-valued: true when every possible value satisfies them, false
//! when none does, unknown otherwise. Arithmetic follows interval rules (the range of every
//! possible result). Each comparison is judged on its own: two comparisons reading the same
//! range are not correlated, so `x > 1 and x < 3` on `x` in 0–4 is unknown even where one
//! value could satisfy both. Bounds are f64 (timestamps and durations in milliseconds, exact up
//! to 2^53); an open end is ±∞.

/// A closed range of numbers, lo ≤ hi.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Smallest possible value (−∞ when unbounded).
    pub lo: f64,
    /// Largest possible value (+∞ when unbounded).
    pub hi: f64,
}

impl Interval {
    /// One exact value.
    pub(crate) fn point(x: f64) -> Interval {
        Interval { lo: x, hi: x }
    }

    /// The range from `lo` to `hi`, when it is one (not NaN, lo ≤ hi, not both infinite on
    /// the same side).
    pub(crate) fn new(lo: f64, hi: f64) -> Option<Interval> {
        let valid = !lo.is_nan()
            && !hi.is_nan()
            && lo <= hi
            && lo != f64::INFINITY
            && hi != f64::NEG_INFINITY;
        valid.then_some(Interval { lo, hi })
    }

    /// True when only one value is possible.
    pub(crate) fn is_point(self) -> bool {
        self.lo == self.hi
    }

    pub(crate) fn add(self, o: Interval) -> Interval {
        Interval {
            lo: self.lo + o.lo,
            hi: self.hi + o.hi,
        }
    }

    pub(crate) fn sub(self, o: Interval) -> Interval {
        Interval {
            lo: self.lo - o.hi,
            hi: self.hi - o.lo,
        }
    }

    pub(crate) fn neg(self) -> Interval {
        Interval {
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    pub(crate) fn abs(self) -> Interval {
        if self.lo >= 0.0 {
            self
        } else if self.hi <= 0.0 {
            self.neg()
        } else {
            Interval {
                lo: 0.0,
                hi: (-self.lo).max(self.hi),
            }
        }
    }

    pub(crate) fn mul(self, o: Interval) -> Interval {
        // 0 × ∞ is 0 here: an unbounded count times nothing is nothing.
        let product = |a: f64, b: f64| if a == 0.0 || b == 0.0 { 0.0 } else { a * b };
        let corners = [
            product(self.lo, o.lo),
            product(self.lo, o.hi),
            product(self.hi, o.lo),
            product(self.hi, o.hi),
        ];
        Interval {
            lo: corners.iter().copied().fold(f64::INFINITY, f64::min),
            hi: corners.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// `None` when the divisor could be zero.
    pub(crate) fn div(self, o: Interval) -> Option<Interval> {
        if o.lo <= 0.0 && o.hi >= 0.0 {
            return None;
        }
        Some(self.mul(Interval {
            lo: 1.0 / o.hi,
            hi: 1.0 / o.lo,
        }))
    }

    /// Every value below every value of `o`: `Some(true)`; none: `Some(false)`.
    pub(crate) fn lt(self, o: Interval) -> Option<bool> {
        if self.hi < o.lo {
            Some(true)
        } else if self.lo >= o.hi {
            Some(false)
        } else {
            None
        }
    }

    /// Every value at most every value of `o`: `Some(true)`; none: `Some(false)`.
    pub(crate) fn le(self, o: Interval) -> Option<bool> {
        if self.hi <= o.lo {
            Some(true)
        } else if self.lo > o.hi {
            Some(false)
        } else {
            None
        }
    }

    /// Equal for certain (both one and the same value), unequal for certain (disjoint).
    pub(crate) fn eq(self, o: Interval) -> Option<bool> {
        if self.is_point() && o.is_point() {
            Some(self.lo == o.lo)
        } else if self.hi < o.lo || o.hi < self.lo {
            Some(false)
        } else {
            None
        }
    }

    /// The range of the smaller of two values.
    pub(crate) fn min(self, o: Interval) -> Interval {
        Interval {
            lo: self.lo.min(o.lo),
            hi: self.hi.min(o.hi),
        }
    }

    /// The range of the larger of two values.
    pub(crate) fn max(self, o: Interval) -> Interval {
        Interval {
            lo: self.lo.max(o.lo),
            hi: self.hi.max(o.hi),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Interval;

    fn r(lo: f64, hi: f64) -> Interval {
        Interval::new(lo, hi).expect("a range")
    }

    #[test]
    fn comparisons_are_true_false_or_unknown() {
        // (a, b, a < b, a <= b, a == b)
        let table = [
            (
                r(1.0, 2.0),
                r(3.0, 4.0),
                Some(true),
                Some(true),
                Some(false),
            ),
            (r(1.0, 3.0), r(3.0, 4.0), None, Some(true), None),
            (r(1.0, 3.5), r(3.0, 4.0), None, None, None),
            (
                r(5.0, 6.0),
                r(3.0, 4.0),
                Some(false),
                Some(false),
                Some(false),
            ),
            (r(4.0, 6.0), r(3.0, 4.0), Some(false), None, None),
            (
                r(3.0, 3.0),
                r(3.0, 3.0),
                Some(false),
                Some(true),
                Some(true),
            ),
            (
                r(3.0, 3.0),
                r(4.0, 4.0),
                Some(true),
                Some(true),
                Some(false),
            ),
        ];
        for (a, b, lt, le, eq) in table {
            assert_eq!(a.lt(b), lt, "{a:?} < {b:?}");
            assert_eq!(a.le(b), le, "{a:?} <= {b:?}");
            assert_eq!(a.eq(b), eq, "{a:?} == {b:?}");
            assert_eq!(b.eq(a), eq, "symmetric ==");
        }
    }

    #[test]
    fn bounds_at_the_edges() {
        let one_to_seven = r(1.0, 7.0);
        assert_eq!(one_to_seven.le(Interval::point(12.0)), Some(true));
        assert_eq!(
            one_to_seven.le(Interval::point(7.0)),
            Some(true),
            "the upper end itself"
        );
        assert_eq!(
            one_to_seven.lt(Interval::point(7.0)),
            None,
            "7 itself is possible"
        );
        assert_eq!(one_to_seven.le(Interval::point(6.0)), None);
        assert_eq!(one_to_seven.le(Interval::point(0.5)), Some(false));
        assert_eq!(one_to_seven.lt(Interval::point(1.0)), Some(false));
    }

    #[test]
    fn open_ends() {
        let at_least_two = r(2.0, f64::INFINITY);
        assert_eq!(
            at_least_two.eq(Interval::point(1.0)),
            Some(false),
            "'fighters' for one"
        );
        assert_eq!(at_least_two.le(Interval::point(100.0)), None);
        assert_eq!(at_least_two.lt(Interval::point(2.0)), Some(false));
        assert!(Interval::new(f64::INFINITY, f64::INFINITY).is_none());
        assert!(Interval::new(3.0, 2.0).is_none());
        assert!(Interval::new(f64::NAN, 2.0).is_none());
    }

    #[test]
    fn arithmetic_gives_the_range_of_every_result() {
        let (a, b) = (r(1.0, 3.0), r(10.0, 20.0));
        assert_eq!(b.sub(a), r(7.0, 19.0), "difference of intervals");
        assert_eq!(a.add(b), r(11.0, 23.0));
        assert_eq!(a.neg(), r(-3.0, -1.0));
        assert_eq!(r(-2.0, 3.0).abs(), r(0.0, 3.0));
        assert_eq!(r(-2.0, 3.0).mul(r(-1.0, 4.0)), r(-8.0, 12.0));
        assert_eq!(b.div(r(2.0, 5.0)), Some(r(2.0, 10.0)));
        assert_eq!(b.div(r(-1.0, 1.0)), None, "the divisor could be zero");
        assert_eq!(r(0.0, 0.0).mul(r(2.0, f64::INFINITY)), r(0.0, 0.0));
    }
}
