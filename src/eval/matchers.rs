//! Field matchers of detail matches: claimed value against confirmed value.

use super::value::{Value, equal, equal_tri, items};
use crate::limits::FUZZY_CHARS;
use crate::program::Matcher;

/// One field's outcome: matched or not (`None`: a side is unknown) and how similar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FieldOutcome {
    /// True, false, or unknown when either side is missing, null, or an empty list.
    pub(crate) matched: Option<bool>,
    /// Similarity in 0..1 where the matcher measures one.
    pub(crate) similarity: Option<f64>,
}

const UNKNOWN: FieldOutcome = FieldOutcome {
    matched: None,
    similarity: None,
};

/// Compares a claimed value with a confirmed one; also returns the steps it took, which
/// evaluation charges against the case's work budget.
pub(crate) fn compare(
    matcher: Matcher,
    claimed: Value<'_>,
    confirmed: Value<'_>,
) -> (FieldOutcome, u64) {
    let stated = |v: Value<'_>| !v.is_unknown() && !matches!(v, Value::List(l) if l.is_empty());
    if !stated(claimed) || !stated(confirmed) {
        return (UNKNOWN, 1);
    }
    let mut meter = Meter(1);
    let outcome = match matcher {
        Matcher::Exact => set_equality(claimed, confirmed, false, &mut meter),
        Matcher::Nocase => set_equality(claimed, confirmed, true, &mut meter),
        Matcher::Fuzzy(threshold) => fuzzy(claimed, confirmed, threshold, &mut meter),
        Matcher::Within(tolerance) => numeric(claimed, confirmed, |_| tolerance),
        Matcher::WithinPercent(fraction) => numeric(claimed, confirmed, |c| c.abs() * fraction),
        // Shared items of sets holding a range are not countable.
        Matcher::Overlap(_) if holds_range(claimed) || holds_range(confirmed) => UNKNOWN,
        Matcher::Overlap(threshold) => {
            let j = jaccard_with(claimed, confirmed, true, &mut meter);
            FieldOutcome {
                matched: Some(match threshold {
                    Some(t) => j >= t,
                    None => j > 0.0,
                }),
                similarity: Some(j),
            }
        }
    };
    (outcome, meter.0)
}

/// True when a value, or an item of it, is known only as a range.
fn holds_range(v: Value<'_>) -> bool {
    items(v).any(Value::is_range)
}

/// Steps spent comparing.
struct Meter(u64);

impl Meter {
    fn add(&mut self, steps: usize) {
        self.0 = self.0.saturating_add(steps as u64);
    }
}

/// Equal values; strings optionally ignoring letter case (without allocating).
fn same(a: Value<'_>, b: Value<'_>, fold_case: bool, meter: &mut Meter) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            meter.add(1 + (x.len() + y.len()) / 64);
            if fold_case {
                if x.is_ascii() && y.is_ascii() {
                    x.eq_ignore_ascii_case(y)
                } else {
                    x.chars()
                        .flat_map(char::to_lowercase)
                        .eq(y.chars().flat_map(char::to_lowercase))
                }
            } else {
                x == y
            }
        }
        _ => {
            meter.add(1);
            equal(a, b)
        }
    }
}

/// Equal values, three-valued when either is a range (unknown when they overlap).
fn same_or_unknown(a: Value<'_>, b: Value<'_>, fold_case: bool, meter: &mut Meter) -> Option<bool> {
    if a.is_range() || b.is_range() {
        meter.add(1);
        equal_tri(a, b)
    } else {
        Some(same(a, b, fold_case, meter))
    }
}

/// Every item of `xs` is among `ys`: true, false, or unknown when that hangs on a range.
fn all_among(xs: Value<'_>, ys: Value<'_>, fold_case: bool, meter: &mut Meter) -> Option<bool> {
    let mut all = Some(true);
    for x in items(xs) {
        let mut found = Some(false);
        for y in items(ys) {
            match same_or_unknown(x, y, fold_case, meter) {
                Some(true) => {
                    found = Some(true);
                    break;
                }
                None => found = None,
                Some(false) => {}
            }
        }
        match found {
            Some(false) => return Some(false),
            None => all = None,
            Some(true) => {}
        }
    }
    all
}

/// Same set of values (a scalar is a one-item set); unknown when a range leaves it open.
fn set_equality(
    claimed: Value<'_>,
    confirmed: Value<'_>,
    fold_case: bool,
    meter: &mut Meter,
) -> FieldOutcome {
    // Two single values, the usual claimed detail: one comparison.
    if !matches!(claimed, Value::List(_)) && !matches!(confirmed, Value::List(_)) {
        let matched = same_or_unknown(claimed, confirmed, fold_case, meter);
        return FieldOutcome {
            matched,
            similarity: matched.map(|m| if m { 1.0 } else { 0.0 }),
        };
    }
    let matched = match all_among(claimed, confirmed, fold_case, meter) {
        Some(false) => Some(false),
        first => match (first, all_among(confirmed, claimed, fold_case, meter)) {
            (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
    };
    FieldOutcome {
        matched,
        similarity: match matched {
            Some(true) => Some(1.0),
            Some(false) => Some(jaccard_with(claimed, confirmed, fold_case, meter)),
            None => None,
        },
    }
}

/// Every claimed item has a confirmed item at least `threshold` similar (normalised
/// Levenshtein, case-insensitive); similarity is the weakest claimed item's best. Values
/// longer than [`FUZZY_CHARS`] characters are compared exactly (ignoring case): edit distance
/// is quadratic in length, and such values are not names.
fn fuzzy(
    claimed: Value<'_>,
    confirmed: Value<'_>,
    threshold: f64,
    meter: &mut Meter,
) -> FieldOutcome {
    let mut weakest: Option<f64> = None;
    for c in items(claimed) {
        let Value::Str(c) = c else { continue };
        let mut best: f64 = 0.0;
        for f in items(confirmed) {
            let Value::Str(f) = f else { continue };
            best = best.max(similarity(c, f, meter));
        }
        weakest = Some(weakest.map_or(best, |w: f64| w.min(best)));
    }
    match weakest {
        Some(s) => FieldOutcome {
            matched: Some(s >= threshold),
            similarity: Some(s),
        },
        None => set_equality(claimed, confirmed, true, meter),
    }
}

/// Case-insensitive normalised Levenshtein similarity of two strings.
fn similarity(a: &str, b: &str, meter: &mut Meter) -> f64 {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la > FUZZY_CHARS || lb > FUZZY_CHARS {
        return if same(Value::Str(a), Value::Str(b), true, meter) {
            1.0
        } else {
            0.0
        };
    }
    meter.add(1 + la * lb / 16);
    if a.is_ascii() && b.is_ascii() {
        // Without allocating: lower-case bytes on the stack (at most FUZZY_CHARS of them).
        if a.eq_ignore_ascii_case(b) {
            return 1.0;
        }
        let mut lower = [[0u8; FUZZY_CHARS]; 2];
        for (buffer, text) in lower.iter_mut().zip([a, b]) {
            for (slot, byte) in buffer.iter_mut().zip(text.bytes()) {
                *slot = byte.to_ascii_lowercase();
            }
        }
        // ASCII bytes are always UTF-8.
        if let (Ok(a), Ok(b)) = (
            std::str::from_utf8(&lower[0][..la]),
            std::str::from_utf8(&lower[1][..lb]),
        ) {
            return strsim::normalized_levenshtein(a, b);
        }
    }
    strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase())
}

/// |claimed − confirmed| within a tolerance computed from the confirmed value. With a range on
/// either side: matched when it holds for every possible pair of values, not matched when for
/// none, unknown otherwise. Exact: `f ± tolerance(f)` is piecewise linear in the confirmed
/// value `f`, so its extremes lie at the range's ends or at zero.
fn numeric(
    claimed: Value<'_>,
    confirmed: Value<'_>,
    tolerance: impl Fn(f64) -> f64,
) -> FieldOutcome {
    let (Some(c), Some(f)) = (claimed.as_range(), confirmed.as_range()) else {
        return UNKNOWN;
    };
    if c.is_point() && f.is_point() {
        let (c, f) = (c.lo, f.lo);
        let difference = (c - f).abs();
        return FieldOutcome {
            matched: Some(difference <= tolerance(f) + f64::EPSILON),
            similarity: Some(1.0 - (difference / f.abs().max(1.0)).min(1.0)),
        };
    }
    let zero = (f.lo < 0.0 && f.hi > 0.0).then_some(0.0);
    let candidates = [Some(f.lo), Some(f.hi), zero].into_iter().flatten();
    let (mut low_min, mut low_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut high_min, mut high_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in candidates {
        let (low, high) = (x - tolerance(x), x + tolerance(x));
        if low.is_nan() || high.is_nan() {
            return UNKNOWN;
        }
        (low_min, low_max) = (low_min.min(low), low_max.max(low));
        (high_min, high_max) = (high_min.min(high), high_max.max(high));
    }
    let e = f64::EPSILON;
    let matched = if c.lo >= low_max - e && c.hi <= high_min + e {
        Some(true)
    } else if c.hi < low_min - e || c.lo > high_max + e {
        Some(false)
    } else {
        None
    };
    FieldOutcome {
        matched,
        similarity: None,
    }
}

/// |A ∩ B| / |A ∪ B| of two value sets.
fn jaccard_with<'a>(a: Value<'a>, b: Value<'a>, fold_case: bool, meter: &mut Meter) -> f64 {
    let distinct = |v: Value<'a>, meter: &mut Meter| {
        let mut out: Vec<Value<'a>> = Vec::new();
        for x in items(v) {
            if !out.iter().any(|y| same(x, *y, fold_case, meter)) {
                out.push(x);
            }
        }
        out
    };
    let (xs, ys) = (distinct(a, meter), distinct(b, meter));
    let shared = xs
        .iter()
        .filter(|x| ys.iter().any(|y| same(**x, *y, fold_case, meter)))
        .count();
    let union = xs.len() + ys.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{ListData, Slot};

    fn compare_outcome(matcher: Matcher, claimed: Value<'_>, confirmed: Value<'_>) -> FieldOutcome {
        compare(matcher, claimed, confirmed).0
    }

    #[test]
    fn long_values_are_compared_exactly_in_linear_time() {
        let long_a = "a".repeat(100_000);
        let long_b = format!("{}b", "a".repeat(99_999));
        let (outcome, steps) = compare(
            Matcher::Fuzzy(0.85),
            Value::Str(&long_a),
            Value::Str(&long_b),
        );
        assert_eq!(outcome.matched, Some(false));
        assert!(steps < 100_000, "{steps} steps");
        let (same_text, _) = compare(
            Matcher::Fuzzy(0.85),
            Value::Str(&long_a),
            Value::Str(&long_a.to_uppercase()),
        );
        assert_eq!(same_text.matched, Some(true));
    }

    fn list(items: &[&str]) -> ListData {
        ListData {
            stride: 1,
            slots: items
                .iter()
                .map(|s| Slot::Str((*s).into(), crate::case::NO_SYMBOL))
                .collect(),
        }
    }

    #[test]
    fn a_missing_side_or_an_empty_claim_is_unknown() {
        let empty = list(&[]);
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::Unknown, Value::Num(1.0)).matched,
            None
        );
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::Num(1.0), Value::Unknown).matched,
            None
        );
        assert_eq!(
            compare_outcome(Matcher::Overlap(None), Value::List(&empty), Value::Str("x")).matched,
            None
        );
    }

    #[test]
    fn exact_compares_values_and_sets() {
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::Num(1.0), Value::Num(1.0)).matched,
            Some(true)
        );
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::Num(2.0), Value::Num(1.0)).matched,
            Some(false)
        );
        let (a, b) = (list(&["knife", "handgun"]), list(&["handgun", "knife"]));
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::List(&a), Value::List(&b)).matched,
            Some(true)
        );
        assert_eq!(
            compare_outcome(Matcher::Exact, Value::Str("Knife"), Value::Str("knife")).matched,
            Some(false)
        );
    }

    #[test]
    fn nocase_ignores_letter_case() {
        let got = compare_outcome(
            Matcher::Nocase,
            Value::Str("Belgian"),
            Value::Str("belgian"),
        );
        assert_eq!(got.matched, Some(true));
        assert_eq!(
            compare_outcome(Matcher::Nocase, Value::Str("Belgian"), Value::Str("French")).matched,
            Some(false)
        );
    }

    #[test]
    fn fuzzy_uses_normalised_levenshtein_against_the_threshold() {
        let confirmed = list(&["Redouane Lakdim"]);
        let close = list(&["Radouane Lakdim"]);
        let got = compare_outcome(
            Matcher::Fuzzy(0.85),
            Value::List(&close),
            Value::List(&confirmed),
        );
        assert_eq!(got.matched, Some(true));
        let similarity = got.similarity.unwrap_or_default();
        assert!((similarity - 14.0 / 15.0).abs() < 1e-9, "{similarity}");
        let far = list(&["Abu Umar al-Baljiki"]);
        assert_eq!(
            compare_outcome(
                Matcher::Fuzzy(0.85),
                Value::List(&far),
                Value::List(&confirmed)
            )
            .matched,
            Some(false)
        );
    }

    #[test]
    fn numeric_tolerance_absolute_and_percent() {
        assert_eq!(
            compare_outcome(Matcher::Within(2.0), Value::Num(6.0), Value::Num(4.0)).matched,
            Some(true)
        );
        assert_eq!(
            compare_outcome(Matcher::Within(1.0), Value::Num(6.0), Value::Num(4.0)).matched,
            Some(false)
        );
        assert_eq!(
            compare_outcome(
                Matcher::WithinPercent(0.5),
                Value::Num(6.0),
                Value::Num(4.0)
            )
            .matched,
            Some(true)
        );
        assert_eq!(
            compare_outcome(
                Matcher::WithinPercent(0.25),
                Value::Num(6.0),
                Value::Num(4.0)
            )
            .matched,
            Some(false)
        );
        assert_eq!(
            compare_outcome(Matcher::Within(1.0), Value::Str("6"), Value::Num(6.0)).matched,
            None,
            "not a number"
        );
    }

    #[test]
    fn overlap_is_case_insensitive_jaccard() {
        let (a, b) = (list(&["Knife", "gun"]), list(&["knife", "explosives"]));
        let any = compare_outcome(Matcher::Overlap(None), Value::List(&a), Value::List(&b));
        assert_eq!(any.matched, Some(true));
        assert_eq!(any.similarity, Some(1.0 / 3.0));
        assert_eq!(
            compare_outcome(
                Matcher::Overlap(Some(0.5)),
                Value::List(&a),
                Value::List(&b)
            )
            .matched,
            Some(false)
        );
        let disjoint = list(&["truck"]);
        assert_eq!(
            compare_outcome(
                Matcher::Overlap(None),
                Value::List(&disjoint),
                Value::List(&b)
            )
            .matched,
            Some(false)
        );
    }

    #[test]
    fn ranges_match_for_certain_or_stay_unknown() {
        use crate::eval::interval::Interval;
        let range = |lo, hi| Value::NumRange(Interval::new(lo, hi).expect("a range"));
        let fighters = range(2.0, f64::INFINITY);
        let outcome = |m, a, b| compare_outcome(m, a, b).matched;
        assert_eq!(
            outcome(Matcher::Exact, fighters, Value::Num(1.0)),
            Some(false),
            "'fighters' claimed, one attacker confirmed"
        );
        assert_eq!(outcome(Matcher::Exact, fighters, Value::Num(3.0)), None);
        assert_eq!(
            outcome(Matcher::Exact, Value::Num(3.0), range(3.0, 4.0)),
            None
        );
        // Toll claimed 20–30, confirmed 22: within 10 for every possible value.
        assert_eq!(
            outcome(Matcher::Within(10.0), range(20.0, 30.0), Value::Num(22.0)),
            Some(true)
        );
        assert_eq!(
            outcome(Matcher::Within(5.0), range(20.0, 30.0), Value::Num(22.0)),
            None
        );
        assert_eq!(
            outcome(Matcher::Within(1.0), range(20.0, 30.0), Value::Num(40.0)),
            Some(false)
        );
        // 25 % of a confirmed 100–120 is 25–30: a claim of 70 is off by 30–50.
        assert_eq!(
            outcome(
                Matcher::WithinPercent(0.25),
                Value::Num(70.0),
                range(100.0, 120.0)
            ),
            Some(false)
        );
        assert_eq!(
            outcome(
                Matcher::WithinPercent(0.25),
                Value::Num(110.0),
                range(100.0, 120.0)
            ),
            Some(true)
        );
        assert_eq!(
            outcome(
                Matcher::WithinPercent(0.25),
                Value::Num(80.0),
                range(100.0, 120.0)
            ),
            None,
            "off by 20–40 against a tolerance of 25–30"
        );
        assert_eq!(
            outcome(Matcher::Overlap(None), fighters, Value::Num(1.0)),
            None
        );
    }
}
