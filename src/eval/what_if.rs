//! What-ifs for the summary: which rows the bands and the verdict would choose had the scores
//! totalled otherwise. One evaluator is resumed from the evaluation and asked every question:
//! the definitions, collections and matches it computed are reused (no definition can read a
//! score, so none depends on the totals asked about), and the scores are reset before each
//! question. Rows are chosen as in evaluation, rows whose condition is unknown passed over;
//! nothing a question reads is recorded.

use super::{DecisionResult, Evaluation, Evaluator, ScoreTotal, probability};
use crate::program::Points;
use crate::ratio::Ratio;

/// Which row each band and the verdict would choose under other totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decided {
    /// Per score: its band row, when it has bands.
    pub(crate) bands: Vec<Option<u32>>,
    /// The verdict row, when there is a verdict.
    pub(crate) verdict: Option<u32>,
}

/// An evaluation resumed to answer what-ifs (see the module's documentation).
pub(crate) struct WhatIf<'e, 'a> {
    evaluation: &'e Evaluation<'a>,
    ev: Evaluator<'a>,
}

impl<'e, 'a> WhatIf<'e, 'a> {
    pub(super) fn new(evaluation: &'e Evaluation<'a>) -> WhatIf<'e, 'a> {
        let mut ev = Evaluator::new(evaluation.program, evaluation.case);
        ev.lets.clone_from(&evaluation.lets);
        ev.let_evidence.clone_from(&evaluation.let_evidence);
        ev.collections.clone_from(&evaluation.collections);
        ev.matches.clone_from(&evaluation.matches);
        ev.scores.clone_from(&evaluation.scores);
        WhatIf { evaluation, ev }
    }

    /// The scores at `totals` (one per score), their bands as evaluated; the work budget and
    /// the records of the previous question cleared.
    fn reset(&mut self, totals: &[Points]) {
        let ev = &mut self.ev;
        ev.work = 0;
        ev.exhausted = false;
        ev.evidence.clear();
        ev.pending.clear();
        ev.values.clear();
        ev.alternatives.clear();
        ev.range_tests.clear();
        let program = self.evaluation.program;
        let originals = self.evaluation.scores.iter().zip(&program.scores);
        for ((score, (original, def)), total) in ev.scores.iter_mut().zip(originals).zip(totals) {
            score.total = *total;
            score.odds = original.odds.filter(|_| original.total == *total);
            score.probability = score
                .odds
                .map(Ratio::probability)
                .or_else(|| probability(def.mode, *total));
            set_row(&mut score.band, original.band.as_ref().map(|b| b.row));
        }
    }

    /// The bands and verdict had the scores totalled `totals`, everything else as it is.
    pub(crate) fn decide(&mut self, totals: &[Points]) -> Decided {
        self.reset(totals);
        self.decide_bands(totals);
        let ev = &mut self.ev;
        let verdict = ev
            .program
            .verdict
            .as_ref()
            .map(|v| ev.choose(v, None).0 as u32);
        Decided {
            bands: ev
                .scores
                .iter()
                .map(|s| s.band.as_ref().map(|b| b.row))
                .collect(),
            verdict,
        }
    }

    /// The band row of score `score` had the scores totalled `totals`: its band in
    /// [`Self::decide`]'s answer, without deciding the bands after it or the verdict.
    pub(crate) fn band(&mut self, score: usize, totals: &[Points]) -> Option<u32> {
        self.reset(totals);
        // Bands are decided in order, so those after `score` cannot change its own.
        self.decide_bands(totals.get(..=score)?);
        self.ev.scores.get(score)?.band.as_ref().map(|b| b.row)
    }

    /// Decides the bands of the first `totals.len()` scores in order, each reading the bands
    /// before it as decided.
    fn decide_bands(&mut self, totals: &[Points]) {
        let ev = &mut self.ev;
        for (index, (def, total)) in ev.program.scores.iter().zip(totals).enumerate() {
            let total = ScoreTotal {
                units: *total,
                odds: ev.scores[index].odds,
            };
            let row = def
                .bands
                .as_ref()
                .map(|bands| ev.choose(bands, Some(total)).0 as u32);
            set_row(&mut ev.scores[index].band, row);
        }
    }

    /// Every band row a score could take at `totals`: each row whose condition is unknown,
    /// and the first that holds (earlier scores' bands as [`Self::decide`] gives them).
    pub(crate) fn band_options(&mut self, score: usize, totals: &[Points]) -> Vec<u32> {
        self.reset(totals);
        // A score's bands can read no later score (the checker allows their own and earlier
        // ones), so the bands after it are left undecided.
        self.decide_bands(totals.get(..=score).unwrap_or(totals));
        let ev = &mut self.ev;
        let Some(bands) = ev.program.scores.get(score).and_then(|s| s.bands.as_ref()) else {
            return Vec::new();
        };
        let total = totals.get(score).map(|units| ScoreTotal {
            units: *units,
            odds: ev.scores[score].odds,
        });
        ev.options(bands, total)
    }

    /// Every verdict row that could apply with these totals and band rows: each whose
    /// condition is unknown, and the first that holds.
    pub(crate) fn verdict_options(&mut self, totals: &[Points], bands: &[Option<u32>]) -> Vec<u32> {
        self.reset(totals);
        for (score, row) in self.ev.scores.iter_mut().zip(bands) {
            set_row(&mut score.band, *row);
        }
        let ev = &mut self.ev;
        match &ev.program.verdict {
            Some(verdict) => ev.options(verdict, None),
            None => Vec::new(),
        }
    }
}

/// A band as the what-ifs keep it: its row alone (all that a condition reading it sees).
fn set_row(band: &mut Option<DecisionResult>, row: Option<u32>) {
    *band = row.map(|row| DecisionResult {
        row,
        undecided: Vec::new(),
        evidence: Default::default(),
        reason: Default::default(),
    });
}

#[cfg(test)]
mod tests {
    use super::{ScoreTotal, WhatIf};
    use crate::program::Points;

    /// A score's band alone is the band the full question gives, and its options are those
    /// asked with every band decided, whatever the totals: with a band row reading an earlier
    /// score's band, one whose condition is unknown, and thresholds.
    #[test]
    fn one_band_is_the_band_of_the_whole_decision() {
        let rules = r#"
ruleset what_if_bands { version "1" }
score first "First" {
  additive
  criterion channel "Channel" {
    when claim.channel_class == "official_agency" => 10 "Official"
    else => 0 "Other"
  }
  bands {
    >= 10 => "high"
    else => "low"
  }
}
score second "Second" {
  additive
  criterion channel "Channel" {
    when claim.channel_class == "supporter" => 5 "Supporter"
    else => 1 "Other"
  }
  bands {
    when first.band == "high" => "boosted"
    when claim.medium == "video" => "shown"
    >= 5 => "some"
    else => "none"
  }
}
verdict "Verdict" {
  when second.band == "boosted" => "boosted" "Boosted"
  else => "plain" "Plain"
}
"#;
        let program = crate::compile_str("what_if.cred", rules, &crate::Options::default())
            .expect("the rules check")
            .program;
        let case = program
            .load(br#"{"claim": {"channel_class": "supporter"}}"#)
            .expect("the case loads");
        let evaluation = crate::evaluate(&program, &case).expect("within budget");
        let mut what_if = evaluation.what_if();
        /// Band options as they were asked before: every band decided first.
        fn options_deciding_all(
            what_if: &mut WhatIf<'_, '_>,
            score: usize,
            totals: &[Points],
        ) -> Vec<u32> {
            what_if.reset(totals);
            what_if.decide_bands(totals);
            let ev = &mut what_if.ev;
            let bands = ev.program.scores[score].bands.as_ref().expect("bands");
            let total = ScoreTotal {
                units: totals[score],
                odds: ev.scores[score].odds,
            };
            ev.options(bands, Some(total))
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut open = 0;
        for first in -2..=12 {
            for second in -2..=22 {
                let totals = [
                    Points::from_f64(first.into()),
                    Points::from_f64(second.into()),
                ];
                let decided = what_if.decide(&totals);
                for score in 0..totals.len() {
                    assert_eq!(
                        what_if.band(score, &totals),
                        decided.bands[score],
                        "score {score} at {first}, {second}"
                    );
                    let options = what_if.band_options(score, &totals);
                    assert_eq!(
                        options,
                        options_deciding_all(&mut what_if, score, &totals),
                        "options of score {score} at {first}, {second}"
                    );
                    open += usize::from(options.len() > 1);
                }
                seen.insert(decided.bands);
            }
        }
        // Every row of both bands was reached.
        let rows = |score: usize| {
            seen.iter()
                .filter_map(|bands| bands[score])
                .collect::<std::collections::BTreeSet<u32>>()
        };
        assert_eq!(rows(0).len(), 2);
        assert_eq!(rows(1).len(), 3);
        assert!(open > 0, "no band had a row whose condition is unknown");
    }
}
