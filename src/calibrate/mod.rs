//! Calibration: how often rules reach the verdict investigators later reached on a labelled
//! corpus, and how well their probability is calibrated. Pure figures over per-case results;
//! reading the corpus and scoring it is the command line's job (`credence calibrate`).

use serde::Serialize;

use crate::profile::Category;

/// The confidences a label may state.
pub(crate) const CONFIDENCES: [&str; 3] = ["high", "medium", "low"];

/// The credible-or-not question for a category label, by what the rule set's profile says it
/// says of the claim: `None` for a neutral label (contested, say) or one outside the category.
pub fn credible(category: &Category, label: &str) -> Option<bool> {
    category
        .stance(label)
        .and_then(crate::profile::Stance::credible)
}

/// One case's verdict from the rules, beside the label.
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    /// The category the rules reached (their category score's band).
    pub link: String,
    /// The rules' probability that the claim is genuine, when they have a probability score.
    pub probability: Option<f64>,
    /// True when the rules called their verdict settled: no unknown or conflicting evidence
    /// could change it.
    pub settled: bool,
}

/// Agreement on one question: cases agreed, cases compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// Cases where the rules reached the label.
    pub agreed: usize,
    /// Cases compared.
    pub cases: usize,
}

impl Agreement {
    /// The share agreed, 0 to 1 (1 when nothing was compared).
    pub fn share(self) -> f64 {
        if self.cases == 0 {
            1.0
        } else {
            self.agreed as f64 / self.cases as f64
        }
    }
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge of the predicted probability, inclusive.
    pub from: f64,
    /// Upper edge, exclusive (inclusive for the last bin).
    pub to: f64,
    /// Cases in the bin.
    pub cases: usize,
    /// Their mean predicted probability.
    pub mean_predicted: Option<f64>,
    /// The share of them investigators found credible.
    pub observed: Option<f64>,
}

/// Every figure for one set of verdicts against the labels.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Credible or not, cases with a neutral label (contested, say) apart.
    pub binary: Agreement,
    /// The category (five-way for the shipped pack's link).
    pub five_way: Agreement,
    /// Counts by label (rows) and verdict (columns), in the category's order; a last column
    /// counts verdicts outside the category.
    pub confusion: Vec<Vec<usize>>,
    /// Mean squared error of the probability against credible (1) or not (0).
    pub brier: Option<f64>,
    /// Mean negative log-likelihood of the same (probabilities clamped to 10⁻⁶ from 0 and 1).
    pub log_loss: Option<f64>,
    /// Predicted probability in five bins against the observed share credible.
    pub reliability: Vec<Bin>,
    /// Verdicts the rules called settled whose link differs from the label: the promise a
    /// settled verdict makes, broken.
    pub settled_wrong: usize,
    /// Verdicts the rules called settled.
    pub settled: usize,
}

/// The figures for `verdicts` against `labels` (case by case, same order), in `category`.
pub fn figures(category: &Category, labels: &[&str], verdicts: &[&Judged]) -> Figures {
    let mut binary = Agreement::default();
    let mut five_way = Agreement::default();
    let order: Vec<&str> = category.labels().collect();
    let mut confusion = vec![vec![0usize; order.len() + 1]; order.len()];
    let mut scored: Vec<(f64, bool)> = Vec::new();
    let (mut settled, mut settled_wrong) = (0, 0);
    for (label, verdict) in labels.iter().zip(verdicts) {
        five_way.cases += 1;
        five_way.agreed += usize::from(*label == verdict.link);
        settled += usize::from(verdict.settled);
        settled_wrong += usize::from(verdict.settled && *label != verdict.link);
        if let Some(row) = order.iter().position(|l| l == label) {
            let column = order
                .iter()
                .position(|l| *l == verdict.link)
                .unwrap_or(order.len());
            confusion[row][column] += 1;
        }
        if let Some(truth) = credible(category, label) {
            binary.cases += 1;
            binary.agreed += usize::from(credible(category, &verdict.link) == Some(truth));
            if let Some(p) = verdict.probability {
                scored.push((p, truth));
            }
        }
    }
    let (brier, log_loss) = if scored.is_empty() {
        (None, None)
    } else {
        let n = scored.len() as f64;
        let y = |truth: bool| if truth { 1.0 } else { 0.0 };
        let brier = scored.iter().map(|(p, t)| (p - y(*t)).powi(2)).sum::<f64>() / n;
        let log_loss = scored
            .iter()
            .map(|(p, t)| {
                let p = p.clamp(1e-6, 1.0 - 1e-6);
                -(y(*t) * p.ln() + (1.0 - y(*t)) * (1.0 - p).ln())
            })
            .sum::<f64>()
            / n;
        (Some(brier), Some(log_loss))
    };
    Figures {
        binary,
        five_way,
        confusion,
        brier,
        log_loss,
        reliability: reliability(&scored),
        settled_wrong,
        settled,
    }
}

/// Agreement in each of `k` folds of the cases (case `i` of the order given is in fold
/// `i mod k`): the rules are not refitted, so the spread shows how much the figures rest on
/// a few cases.
pub fn folds(category: &Category, labels: &[&str], verdicts: &[&Judged], k: usize) -> Vec<Figures> {
    (0..k.max(1))
        .map(|fold| {
            let (l, v): (Vec<&str>, Vec<&Judged>) = labels
                .iter()
                .zip(verdicts)
                .enumerate()
                .filter(|(i, _)| i % k.max(1) == fold)
                .map(|(_, (l, v))| (*l, *v))
                .unzip();
            figures(category, &l, &v)
        })
        .collect()
}

/// Five bins of predicted probability (0-20 %, …, 80-100 %).
fn reliability(scored: &[(f64, bool)]) -> Vec<Bin> {
    (0..5)
        .map(|i| {
            let (from, to) = (i as f64 / 5.0, (i + 1) as f64 / 5.0);
            let inside: Vec<&(f64, bool)> = scored
                .iter()
                .filter(|(p, _)| *p >= from && (*p < to || (i == 4 && *p <= to)))
                .collect();
            let n = inside.len();
            let mean = |f: &dyn Fn(&(f64, bool)) -> f64| {
                (n > 0).then(|| inside.iter().map(|x| f(x)).sum::<f64>() / n as f64)
            };
            Bin {
                from,
                to,
                cases: n,
                mean_predicted: mean(&|(p, _)| *p),
                observed: mean(&|(_, t)| if *t { 1.0 } else { 0.0 }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped pack's category, as its profile declares it.
    fn links() -> Category {
        use crate::profile::Stance;
        Category {
            score: 0,
            stances: vec![
                ("directed".into(), Stance::AgreeStrongly),
                ("inspired".into(), Stance::Agree),
                ("unsubstantiated".into(), Stance::Disagree),
                ("false".into(), Stance::DisagreeStrongly),
                ("contested".into(), Stance::Neutral),
            ],
        }
    }

    fn judged(link: &str, p: f64) -> Judged {
        Judged {
            link: link.into(),
            probability: Some(p),
            settled: true,
        }
    }

    #[test]
    fn agreement_confusion_and_scores() {
        let labels = [
            "directed",
            "inspired",
            "false",
            "contested",
            "unsubstantiated",
        ];
        let verdicts = [
            judged("directed", 0.9),
            judged("unsubstantiated", 0.6),
            judged("false", 0.1),
            judged("directed", 0.8),
            judged("inspired", 0.3),
        ];
        let refs: Vec<&Judged> = verdicts.iter().collect();
        let f = figures(&links(), &labels, &refs);
        assert_eq!(
            f.five_way,
            Agreement {
                agreed: 2,
                cases: 5
            }
        );
        assert_eq!(
            f.binary,
            Agreement {
                agreed: 2,
                cases: 4
            },
            "contested apart; inspired↔unsubstantiated miss both ways"
        );
        assert_eq!(f.confusion[0][0], 1);
        assert_eq!(f.confusion[1][2], 1);
        assert_eq!(f.confusion[4][0], 1, "contested judged directed");
        // Brier over the four binary cases: (0.1² + 0.4² + 0.1² + 0.3²) / 4.
        let brier = f.brier.expect("brier");
        assert!(
            (brier - (0.01 + 0.16 + 0.01 + 0.09) / 4.0).abs() < 1e-12,
            "{brier}"
        );
        let expected_loss = -((0.9f64).ln() + (0.6f64).ln() + (0.9f64).ln() + (0.7f64).ln()) / 4.0;
        assert!((f.log_loss.expect("log loss") - expected_loss).abs() < 1e-12);
        let counts: Vec<usize> = f.reliability.iter().map(|b| b.cases).collect();
        assert_eq!(counts, [1, 1, 0, 1, 1], "0.1 | 0.3 | - | 0.6 | 0.9");
        assert_eq!(f.reliability[4].observed, Some(1.0));
        assert_eq!(
            (f.settled, f.settled_wrong),
            (5, 3),
            "every verdict settled, 3 wrong"
        );
        let per_fold: Vec<usize> = folds(&links(), &labels, &refs, 2)
            .iter()
            .map(|f| f.five_way.cases)
            .collect();
        assert_eq!(per_fold, [3, 2]);
    }

    #[test]
    fn an_unknown_verdict_counts_as_a_miss() {
        let labels = ["directed"];
        let verdict = Judged {
            link: "undetermined".into(),
            probability: None,
            settled: false,
        };
        let f = figures(&links(), &labels, &[&verdict]);
        assert_eq!(
            f.binary,
            Agreement {
                agreed: 0,
                cases: 1
            }
        );
        assert_eq!(f.confusion[0][5], 1);
        assert_eq!(f.brier, None);
    }
}
