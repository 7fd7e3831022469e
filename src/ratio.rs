//! Exact ratios for evidence scores. A likelihood ratio, a prior or a band threshold is written
//! as a decimal (`lr 1.5`, `prior 40%`, `>= 80%`); its log-odds are kept in fixed point for
//! sums, but fixed point rounds, so `prior 40%` with `lr 2` and `lr 3` would land a hair below
//! `>= 80%` although the odds are exactly 4. Decisions at a threshold compare these exact
//! ratios instead, so that a judgement never depends on how numbers are represented.

use std::cmp::Ordering;

/// A positive rational number in lowest terms.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    num: u128,
    den: u128,
}

impl Ratio {
    /// One: the neutral factor.
    pub(crate) const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// The value of a positive number as the decimal that writes it (its shortest round-trip
    /// form, which is what the rule author wrote): `1.5` is 3/2, `0.05` is 1/20. `None` for
    /// zero, negative or non-finite numbers, and for decimals too long to hold exactly.
    pub(crate) fn of_decimal(x: f64) -> Option<Ratio> {
        if !(x.is_finite() && x > 0.0) {
            return None;
        }
        let text = x.to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = whole.len() + fraction.len();
        if digits > 38 {
            return None;
        }
        let mut num: u128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            num = num * 10 + u128::from(b.checked_sub(b'0')?);
        }
        let den = 10u128.checked_pow(fraction.len() as u32)?;
        Ratio::new(num, den)
    }

    /// The odds `p / (1 - p)` of a probability written as a decimal (`0.4` gives 2/3).
    pub(crate) fn odds(p: f64) -> Option<Ratio> {
        let p = Ratio::of_decimal(p)?;
        // p = n/d < 1, so the odds are n / (d - n).
        Ratio::new(p.num, p.den.checked_sub(p.num)?)
    }

    fn new(num: u128, den: u128) -> Option<Ratio> {
        if num == 0 || den == 0 {
            return None;
        }
        let g = gcd(num, den);
        Some(Ratio {
            num: num / g,
            den: den / g,
        })
    }

    /// The product, when it can be held exactly.
    pub(crate) fn times(self, other: Ratio) -> Option<Ratio> {
        // Cross-reduce first so that products stay as small as the result.
        let (a, d) = reduce(self.num, other.den);
        let (c, b) = reduce(other.num, self.den);
        Ratio::new(a.checked_mul(c)?, b.checked_mul(d)?)
    }

    /// The `n`th power, when it can be held exactly.
    pub(crate) fn power(self, n: u32) -> Option<Ratio> {
        Ratio::new(self.num.checked_pow(n)?, self.den.checked_pow(n)?)
    }

    /// The probability of these odds, `odds / (1 + odds)`.
    pub(crate) fn probability(self) -> f64 {
        let (num, den) = (self.num as f64, self.den as f64);
        num / (num + den)
    }

    /// The sum, when it can be held exactly.
    pub(crate) fn plus(self, other: Ratio) -> Option<Ratio> {
        let g = gcd(self.den, other.den);
        let (b, d) = (self.den / g, other.den / g);
        let num = self
            .num
            .checked_mul(d)?
            .checked_add(other.num.checked_mul(b)?)?;
        Ratio::new(num, self.den.checked_mul(d)?)
    }

    /// The value as a float.
    pub(crate) fn value(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The quotient, when it can be held exactly.
    pub(crate) fn over(self, other: Ratio) -> Option<Ratio> {
        self.times(Ratio::new(other.den, other.num)?)
    }

    /// Compares two ratios exactly.
    pub(crate) fn compare(self, other: Ratio) -> Ordering {
        wide_mul(self.num, other.den).cmp(&wide_mul(other.num, self.den))
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn reduce(a: u128, b: u128) -> (u128, u128) {
    let g = gcd(a, b).max(1);
    (a / g, b / g)
}

/// The full 256-bit product of two 128-bit numbers, as (high, low) halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const HALF: u32 = 64;
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> HALF, a & MASK);
    let (b_hi, b_lo) = (b >> HALF, b & MASK);
    let low = a_lo * b_lo;
    let middle_a = a_hi * b_lo;
    let middle_b = a_lo * b_hi;
    let high = a_hi * b_hi;
    let (middle, carry) = middle_a.overflowing_add(middle_b);
    let (low, carry_low) = low.overflowing_add(middle << HALF);
    let high = high + (middle >> HALF) + (u128::from(carry) << HALF) + u128::from(carry_low);
    (high, low)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(num: u128, den: u128) -> Ratio {
        Ratio::new(num, den).unwrap_or(Ratio::ONE)
    }

    #[test]
    fn decimals_are_read_as_written() {
        assert_eq!(Ratio::of_decimal(1.5), Some(r(3, 2)));
        assert_eq!(Ratio::of_decimal(0.05), Some(r(1, 20)));
        assert_eq!(Ratio::of_decimal(2.0), Some(r(2, 1)));
        assert_eq!(Ratio::of_decimal(0.000001), Some(r(1, 1_000_000)));
        assert_eq!(Ratio::of_decimal(0.0), None);
        assert_eq!(Ratio::of_decimal(-1.0), None);
        assert_eq!(Ratio::of_decimal(f64::NAN), None);
    }

    #[test]
    fn forty_percent_times_two_times_three_is_exactly_eighty_percent() {
        let odds = Ratio::odds(0.4).and_then(|o| o.times(r(2, 1))?.times(r(3, 1)));
        let threshold = Ratio::odds(0.8);
        assert_eq!(odds, threshold);
        assert_eq!(
            odds.zip(threshold).map(|(a, b)| a.compare(b)),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn comparison_is_exact_beyond_128_bits() {
        let big = r(u128::MAX, 1);
        let bigger = r(u128::MAX, u128::MAX - 1);
        assert_eq!(big.compare(bigger), Ordering::Greater);
        assert_eq!(bigger.compare(big), Ordering::Less);
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
    }

    #[test]
    fn sums_and_quotients_are_exact() {
        // 1/3 + 1/6 = 1/2, exactly (in floats, 0.3333… + 0.1666… is not 0.5).
        assert_eq!(r(1, 3).plus(r(1, 6)), Some(r(1, 2)));
        assert_eq!(r(3, 2).plus(r(1, 2)), Some(r(2, 1)));
        assert_eq!(r(3, 1).over(r(3, 5)), Some(r(5, 1)));
        assert_eq!(r(u128::MAX, 1).plus(r(1, 1)), None);
    }

    #[test]
    fn products_that_cannot_be_held_say_so() {
        assert_eq!(r(u128::MAX, 1).times(r(2, 1)), None);
        assert_eq!(r(3, 2).power(200), None);
        assert_eq!(r(1, 4).power(2), Some(r(1, 16)));
    }
}
