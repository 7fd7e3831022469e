//! Margins: how far a score is from its neighbouring bands, and which single changes of one
//! criterion would be enough to cross ("a confirmed non-public detail would make it likely").

use super::format;
use super::report::{Margin, Way};
use crate::eval::{ScoreResult, Status};
use crate::program::{CriterionDef, Points, Program, RowTestDef, ScoreDef, ScoreMode, WeightDef};

/// The margins of a score to the bands above and below its own.
pub fn margins(program: &Program, def: &ScoreDef, result: &ScoreResult<'_>) -> Vec<Margin> {
    let (Some(bands), Some(band)) = (&def.bands, &result.band) else {
        return Vec::new();
    };
    let rows = &bands.rows;
    if matches!(rows[band.row].test, RowTestDef::When(_)) {
        return Vec::new();
    }
    let shown = |row: &crate::program::RowDef| match (&row.test, def.mode) {
        (RowTestDef::Threshold { strict, shown, .. }, mode) => {
            let value = match mode {
                ScoreMode::Evidence { .. } => format::percent(*shown),
                ScoreMode::Additive => format::number(*shown),
            };
            format!("{} {value}", if *strict { ">" } else { ">=" })
        }
        _ => String::new(),
    };
    let mut out = Vec::new();
    let above = rows[..band.row]
        .iter()
        .rev()
        .find(|r| matches!(r.test, RowTestDef::Threshold { .. }));
    if let Some(row) = above
        && let RowTestDef::Threshold { strict, at, .. } = row.test
    {
        let distance = at.0.saturating_sub(result.total.0);
        if distance >= 0 {
            out.push(Margin {
                direction: "up",
                band: row.label.clone(),
                threshold: shown(row),
                needed: Points(distance).as_f64(),
                strictly_more: strict,
                ways: ways(
                    program,
                    def,
                    result,
                    distance.saturating_add(i64::from(strict)),
                ),
            });
        }
    }
    if let RowTestDef::Threshold { strict, at, .. } = rows[band.row].test {
        let below = rows[band.row + 1..]
            .iter()
            .find(|r| !matches!(r.test, RowTestDef::When(_)));
        if let Some(row) = below {
            let distance = result.total.0.saturating_sub(at.0);
            out.push(Margin {
                direction: "down",
                band: row.label.clone(),
                threshold: shown(&rows[band.row])
                    .replace(">=", "below")
                    .replace('>', "at or below"),
                needed: Points(distance).as_f64(),
                strictly_more: !strict,
                ways: ways(
                    program,
                    def,
                    result,
                    distance.saturating_add(i64::from(!strict)).saturating_neg(),
                ),
            });
        }
    }
    out
}

/// For each criterion, the smallest single change that moves the score by at least `needed`
/// (in fixed-point units; negative for a drop).
fn ways(program: &Program, def: &ScoreDef, result: &ScoreResult<'_>, needed: i64) -> Vec<Way> {
    let mut out = Vec::new();
    for (criterion, r) in def.criteria.iter().zip(&result.criteria) {
        let current = r.contribution.0;
        let enough = |delta: i64| {
            if needed > 0 {
                delta >= needed
            } else {
                delta <= needed
            }
        };
        let unknown = matches!(r.status, Status::Unknown { .. });
        let prefix = if unknown { "if known: " } else { "" };
        let mut best: Option<(i64, String)> = None;
        let mut consider = |delta: i64, change: String| {
            if enough(delta) && best.as_ref().is_none_or(|(d, _)| delta.abs() < d.abs()) {
                best = Some((delta, change));
            }
        };
        for (index, outcome) in criterion.outcomes.iter().enumerate() {
            let applied = r.status == Status::Applied(index);
            match (&outcome.weight, applied) {
                (WeightDef::Fixed(p), false) => consider(
                    p.0.saturating_sub(current),
                    format!("{prefix}{}", condition(program, criterion, index)),
                ),
                (WeightDef::Per { amount, count, max }, true) if amount.0 != 0 => {
                    let per = amount.0;
                    let units = (needed as f64 / per as f64).ceil();
                    let used = r.input.unwrap_or(0.0);
                    let target = used + units;
                    let fits = target >= 0.0 && max.is_none_or(|m| target <= m);
                    if fits && units != 0.0 {
                        let (n, word) = if units > 0.0 {
                            (units, "more")
                        } else {
                            (-units, "fewer")
                        };
                        consider(
                            (per as f64 * units) as i64,
                            format!(
                                "{} {word} of `{}` (each {})",
                                format::number(n),
                                program.text(*count),
                                Points(per)
                            ),
                        );
                    }
                }
                (WeightDef::Ramp { input, x, y }, true) => {
                    let target = current.saturating_add(needed);
                    let (lo, hi) = (y[0].0.min(y[1].0), y[0].0.max(y[1].0));
                    if (lo..=hi).contains(&target) && y[0] != y[1] {
                        let t = (target as f64 - y[0].0 as f64) / (y[1].0 as f64 - y[0].0 as f64);
                        let at = x[0] + t * (x[1] - x[0]);
                        consider(
                            needed,
                            format!(
                                "`{}` at {}",
                                program.text(*input),
                                format::number(at.ceil())
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
        if let Some((delta, change)) = best {
            out.push(Way {
                criterion: criterion.name.clone(),
                change,
                delta: Points(delta).as_f64(),
            });
        }
    }
    out
}

fn condition(program: &Program, criterion: &CriterionDef, index: usize) -> String {
    match criterion.outcomes[index].guard {
        Some(guard) => format!("`{}`", program.text(guard)),
        None => "none of its conditions holding".to_string(),
    }
}
