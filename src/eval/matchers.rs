//! Field matchers of detail matches: claimed value against confirmed value.

use super::value::{Value, equal, items};
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
                x.chars()
                    .flat_map(char::to_lowercase)
                    .eq(y.chars().flat_map(char::to_lowercase))
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

/// Same set of values (a scalar is a one-item set).
fn set_equality(
    claimed: Value<'_>,
    confirmed: Value<'_>,
    fold_case: bool,
    meter: &mut Meter,
) -> FieldOutcome {
    let mut all_in = |xs: Value<'_>, ys: Value<'_>| {
        items(xs).all(|x| items(ys).any(|y| same(x, y, fold_case, meter)))
    };
    let matched = all_in(claimed, confirmed) && all_in(confirmed, claimed);
    FieldOutcome {
        matched: Some(matched),
        similarity: Some(if matched {
            1.0
        } else {
            jaccard_with(claimed, confirmed, fold_case, meter)
        }),
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
    strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase())
}

/// |claimed − confirmed| within a tolerance computed from the confirmed value.
fn numeric(
    claimed: Value<'_>,
    confirmed: Value<'_>,
    tolerance: impl Fn(f64) -> f64,
) -> FieldOutcome {
    match (claimed.as_number(), confirmed.as_number()) {
        (Some(c), Some(f)) => {
            let difference = (c - f).abs();
            FieldOutcome {
                matched: Some(difference <= tolerance(f) + f64::EPSILON),
                similarity: Some(1.0 - (difference / f.abs().max(1.0)).min(1.0)),
            }
        }
        _ => UNKNOWN,
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
}
