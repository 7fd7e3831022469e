//! W005: a band named with an ICD 203 word of estimative probability (`likely`, `very
//! unlikely`, …) for other probabilities than the word means, or for a score that is not a
//! probability. Traces show each probability with its ICD 203 word beside its band, so such a
//! band would make one word mean two things on one page.

use crate::diagnostic::{Code, Diagnostic};
use crate::program::{Program, RowTestDef, ScoreMode};
use crate::trace::format::{Estimative, percent};

/// One warning per band whose label is an ICD 203 word used for other probabilities.
pub(super) fn warn(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for score in &program.scores {
        let Some(bands) = &score.bands else { continue };
        // The probabilities each row's band covers: from its threshold up to the one above.
        let mut above = 1.0;
        for row in &bands.rows {
            let from = match row.test {
                RowTestDef::Threshold { shown, .. } => shown,
                RowTestDef::Else => 0.0,
                RowTestDef::When(_) => continue,
            };
            let covers = (from, above);
            above = from;
            let Some(word) = Estimative::ALL
                .into_iter()
                .find(|w| w.word().eq_ignore_ascii_case(row.label.trim()))
            else {
                continue;
            };
            let (low, high) = word.range();
            let problem = match score.mode {
                ScoreMode::Additive => format!(
                    "`{}` is an ICD 203 word for a probability ({} to {}), but `{}` is in points",
                    row.label,
                    percent(low),
                    percent(high),
                    score.name
                ),
                ScoreMode::Evidence { .. } if covers.0 + 1e-9 >= low && covers.1 <= high + 1e-9 => {
                    continue;
                }
                ScoreMode::Evidence { .. } => format!(
                    "band `{}` covers {} to {}, but ICD 203's `{}` means {} to {}",
                    row.label,
                    percent(covers.0),
                    percent(covers.1),
                    word.word(),
                    percent(low),
                    percent(high)
                ),
            };
            out.push(
                Diagnostic::new(Code::EstimativeWord, row.span, problem)
                    .label("one word, two meanings beside the probability's own ICD 203 word")
                    .help("name the band with a word that is not an ICD 203 probability word (such as `credible`, `plausible`, `doubtful`), or give it the word's own range"),
            );
        }
    }
    out
}
