//! W004: a band row that decides by a condition alone (`when rival_established => "false"`)
//! overrides whatever the score's criteria add up to. Where the criteria can add up to a band
//! the override hides, one fact can decide against several strong ones: the row should say
//! what evidence defeats it (`unless … => "contested"`), or the fact should be weighed in a
//! criterion.

use crate::diagnostic::{Code, Diagnostic};
use crate::program::{CriterionDef, Points, Program, RowTestDef, ScoreDef, ScoreMode, WeightDef};

/// One warning per undefended override row that hides a band the criteria can reach.
pub(super) fn warn(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for score in &program.scores {
        let Some(bands) = &score.bands else { continue };
        let most = most_total(score);
        let shown = |at: Points| match score.mode {
            ScoreMode::Evidence { .. } => {
                crate::trace::format::percent(1.0 / (1.0 + (-at.as_f64()).exp()))
            }
            ScoreMode::Additive => crate::trace::format::number(at.as_f64()),
        };
        for (index, row) in bands.rows.iter().enumerate() {
            let RowTestDef::When(condition) = row.test else {
                continue;
            };
            // A row that says what defeats it is defended.
            if row.unless.is_some() {
                continue;
            }
            let hidden = bands.rows[index + 1..].iter().find(|later| {
                matches!(later.test, RowTestDef::Threshold { at, .. } if most.is_none_or(|m| m >= at))
                    && later.label != row.label
            });
            let Some(hidden) = hidden else { continue };
            let RowTestDef::Threshold { at, .. } = hidden.test else {
                continue;
            };
            let reach = match most {
                Some(most) => format!("can reach {}", shown(most)),
                None => "have no upper bound".to_string(),
            };
            out.push(
                Diagnostic::new(
                    Code::UndefendedOverride,
                    row.span,
                    format!(
                        "this row makes `{}` \"{}\" whatever its criteria add up to",
                        score.name, row.label
                    ),
                )
                .label(format!(
                    "the criteria {reach}, past `>= {}` (\"{}\")",
                    shown(at),
                    hidden.label
                ))
                .help(format!(
                    "say what evidence defeats it: `when {} => \"{}\" unless <condition> => \"…\"`; or weigh the fact in a criterion",
                    program.expression(condition),
                    row.label
                )),
            );
        }
    }
    out
}

/// The highest total a score's criteria can add up to (`None`: no bound, a `per` weight
/// without `max`).
fn most_total(score: &ScoreDef) -> Option<Points> {
    let base = match score.mode {
        ScoreMode::Evidence { prior } => Points::from_f64((prior / (1.0 - prior)).ln()),
        ScoreMode::Additive => Points(0),
    };
    score
        .criteria
        .iter()
        .try_fold(base, |sum, c| Some(sum + most_contribution(c)?))
}

/// The most one criterion can contribute: its largest weight, or nothing.
fn most_contribution(criterion: &CriterionDef) -> Option<Points> {
    let weights = criterion
        .outcomes
        .iter()
        .flat_map(|o| std::iter::once(&o.weight).chain(o.refinements.iter().map(|r| &r.weight)));
    let mut most = criterion.unknown.default.map_or(Points(0), |d| d.units);
    for weight in weights {
        let amount = match weight {
            WeightDef::Fixed(amount) => amount.units,
            WeightDef::Per { amount, max, .. } if amount.units.0 > 0 => {
                Points::from_units(amount.units.0 as f64 * (*max)?)
            }
            WeightDef::Per { .. } => Points(0),
            WeightDef::Ramp { y, .. } => y[0].units.max(y[1].units),
        };
        most = most.max(amount);
    }
    Some(most)
}
