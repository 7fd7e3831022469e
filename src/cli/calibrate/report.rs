//! The report of `credence calibrate`: the figures per view, and their text, JSON and SVG
//! renderings.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::calibrate::{Agreement, Figures, Judged, credible, figures, folds};
use crate::profile::{Baseline, Category};
use crate::program::Program;
use crate::trace::format;

use super::{Args, Case, Problem, Question, Threshold, Verdict};

/// Figures for one view (full evidence or as of), the rules' and each baseline's.
struct View {
    rules: Figures,
    baselines: Vec<Figures>,
    /// Cases judged in this view.
    cases: usize,
    /// The rules' figures in each fold, when folds were asked for.
    folds: Vec<Figures>,
}

/// Everything `calibrate` reports.
pub(super) struct Report {
    /// The rule set's category: its labels, and what each says of the claim.
    category: Category,
    /// The score whose probability is calibrated, by name.
    probability: String,
    baselines: Vec<Baseline>,
    ruleset: String,
    version: String,
    rules_hash: String,
    as_of_text: String,
    thresholds: Vec<Threshold>,
    cases: Vec<Case>,
    pub(super) problems: Vec<Problem>,
    full: View,
    as_of: View,
}

impl Report {
    pub(super) fn new(
        args: &Args,
        program: &Program,
        cases: Vec<Case>,
        problems: Vec<Problem>,
    ) -> Report {
        let profile = program.profile();
        let category = profile.category().cloned().unwrap_or_default();
        let baselines = profile.baselines().to_vec();
        let labels: Vec<&str> = cases.iter().map(|c| c.link.as_str()).collect();
        let k = args.folds.map_or(0, usize::from);
        let in_folds = |labels: &[&str], verdicts: &[&Judged]| {
            if k == 0 {
                Vec::new()
            } else {
                folds(&category, labels, verdicts, k)
            }
        };
        let full_verdicts: Vec<&Judged> = cases.iter().map(|c| &c.full.judged).collect();
        let full = View {
            rules: figures(&category, &labels, &full_verdicts),
            folds: in_folds(&labels, &full_verdicts),
            baselines: (0..baselines.len())
                .map(|b| {
                    figures(
                        &category,
                        &labels,
                        &cases.iter().map(|c| &c.baselines[b].0).collect::<Vec<_>>(),
                    )
                })
                .collect(),
            cases: cases.len(),
        };
        let early: Vec<&Case> = cases.iter().filter(|c| c.as_of.is_some()).collect();
        let early_labels: Vec<&str> = early.iter().map(|c| c.link.as_str()).collect();
        let early_verdicts: Vec<&Judged> = early
            .iter()
            .filter_map(|c| c.as_of.as_ref().map(|v| &v.judged))
            .collect();
        let as_of = View {
            rules: figures(&category, &early_labels, &early_verdicts),
            folds: in_folds(&early_labels, &early_verdicts),
            baselines: (0..baselines.len())
                .map(|b| {
                    let pairs: Vec<(&str, &Judged)> = early
                        .iter()
                        .filter_map(|c| Some((c.link.as_str(), c.baselines[b].1.as_ref()?)))
                        .collect();
                    let (l, j): (Vec<&str>, Vec<&Judged>) = pairs.into_iter().unzip();
                    figures(&category, &l, &j)
                })
                .collect(),
            cases: early.len(),
        };
        let meta = program.meta();
        Report {
            probability: profile
                .probability_score()
                .map_or(String::new(), |i| program.score_name(i).to_string()),
            category,
            baselines,
            ruleset: meta.id.clone(),
            version: meta.version.clone(),
            rules_hash: meta.content_hash.clone(),
            as_of_text: format!("claim + {}", args.as_of_claim.text),
            thresholds: args.min_agreement.clone(),
            cases,
            problems,
            full,
            as_of,
        }
    }

    /// Thresholds not met, with the agreement reached.
    pub(super) fn failed_thresholds(&self) -> Vec<(Threshold, f64)> {
        self.thresholds
            .iter()
            .filter_map(|t| {
                let view = if t.as_of { &self.as_of } else { &self.full };
                let agreement = match t.question {
                    Question::Binary => view.rules.binary,
                    Question::FiveWay => view.rules.five_way,
                };
                let got = agreement.share();
                (got * 100.0 + 1e-9 < t.percent).then_some((*t, got))
            })
            .collect()
    }

    /// Views with more settled-but-wrong verdicts than `max` allows (`None`: no maximum).
    pub(super) fn settled_wrong_over(&self, max: Option<usize>) -> Vec<(String, usize)> {
        let Some(max) = max else {
            return Vec::new();
        };
        [
            ("on full evidence".to_string(), &self.full),
            (format!("as of {}", self.as_of_text), &self.as_of),
        ]
        .into_iter()
        .filter(|(_, v)| v.rules.settled_wrong > max)
        .map(|(name, v)| (name, v.rules.settled_wrong))
        .collect()
    }

    pub(super) fn text(&self) -> String {
        let mut out = String::new();
        let labels = self
            .category
            .labels()
            .map(|l| {
                let n = self.cases.iter().filter(|c| c.link == l).count();
                format!("{l} {n}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "Calibration of rules {} {} on {} labelled cases ({labels})\n",
            self.ruleset,
            self.version,
            self.cases.len()
        );
        let _ = writeln!(
            out,
            "{:<54} {:>18}   {:>18}",
            "",
            "full evidence",
            format!("as of {}", self.as_of_text)
        );
        let row =
            |out: &mut String, name: &str, full: Option<Agreement>, early: Option<Agreement>| {
                let cell = |a: Option<Agreement>| {
                    a.map_or("-".to_string(), |a| {
                        format!("{}/{} {:>6}", a.agreed, a.cases, format::percent(a.share()))
                    })
                };
                let _ = writeln!(out, "{name:<54} {:>18}   {:>18}", cell(full), cell(early));
            };
        let apart: Vec<&str> = self
            .category
            .labels()
            .filter(|l| credible(&self.category, l).is_none())
            .collect();
        let binary = if apart.is_empty() {
            "binary agreement".to_string()
        } else {
            format!("binary agreement ({} apart)", apart.join(", "))
        };
        let n_way = n_way(self.category.labels().count());
        row(
            &mut out,
            &binary,
            Some(self.full.rules.binary),
            Some(self.as_of.rules.binary),
        );
        row(
            &mut out,
            &format!("{n_way} agreement"),
            Some(self.full.rules.five_way),
            Some(self.as_of.rules.five_way),
        );
        let _ = writeln!(
            out,
            "{:<54} {:>18}   {:>18}",
            "settled verdicts that are wrong (of settled)",
            format!(
                "{} of {}",
                self.full.rules.settled_wrong, self.full.rules.settled
            ),
            format!(
                "{} of {}",
                self.as_of.rules.settled_wrong, self.as_of.rules.settled
            )
        );
        let number = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
        let _ = writeln!(
            out,
            "{:<54} {:>18}   {:>18}",
            "Brier score (lower is better)",
            number(self.full.rules.brier),
            number(self.as_of.rules.brier)
        );
        let _ = writeln!(
            out,
            "{:<54} {:>18}   {:>18}",
            "log loss (lower is better)",
            number(self.full.rules.log_loss),
            number(self.as_of.rules.log_loss)
        );
        if !self.baselines.is_empty() {
            let _ = writeln!(out, "baselines on the same cases:");
        }
        for (b, baseline) in self.baselines.iter().enumerate() {
            let name = &baseline.name;
            row(
                &mut out,
                &format!("  {name}: binary"),
                Some(self.full.baselines[b].binary),
                Some(self.as_of.baselines[b].binary),
            );
            if !baseline.binary_only {
                row(
                    &mut out,
                    &format!("  {name}: {n_way}"),
                    Some(self.full.baselines[b].five_way),
                    Some(self.as_of.baselines[b].five_way),
                );
            }
        }
        if self.as_of.cases < self.cases.len() {
            let _ = writeln!(
                out,
                "({} cases without a claim time are left out of the early view)",
                self.cases.len() - self.as_of.cases
            );
        }
        if !self.full.folds.is_empty() {
            let _ = writeln!(
                out,
                "\nIn {} folds (case i in fold i mod {}; the rules are not refitted):",
                self.full.folds.len(),
                self.full.folds.len()
            );
            let spread = |folds: &[Figures], pick: fn(&Figures) -> Agreement| {
                let shares: Vec<f64> = folds
                    .iter()
                    .map(pick)
                    .filter(|a| a.cases > 0)
                    .map(Agreement::share)
                    .collect();
                if shares.is_empty() {
                    return "-".to_string();
                }
                let low = shares.iter().copied().fold(f64::INFINITY, f64::min);
                let high = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mean = shares.iter().sum::<f64>() / shares.len() as f64;
                format!(
                    "{}-{} (mean {})",
                    format::percent(low),
                    format::percent(high),
                    format::percent(mean)
                )
            };
            for (name, pick) in [
                (
                    "binary agreement",
                    (|f: &Figures| f.binary) as fn(&Figures) -> Agreement,
                ),
                ("category agreement", |f: &Figures| f.five_way),
            ] {
                let name = if name == "category agreement" {
                    format!("{n_way} agreement")
                } else {
                    name.to_string()
                };
                let _ = writeln!(
                    out,
                    "{:<40} {:>28}   {:>28}",
                    format!("  {name}"),
                    spread(&self.full.folds, pick),
                    spread(&self.as_of.folds, pick)
                );
            }
            let wrong = |folds: &[Figures]| {
                folds
                    .iter()
                    .map(|f| f.settled_wrong.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let _ = writeln!(
                out,
                "{:<40} {:>28}   {:>28}",
                "  settled but wrong, per fold",
                wrong(&self.full.folds),
                wrong(&self.as_of.folds)
            );
        }
        for (title, view) in [("full evidence", &self.full), ("as of", &self.as_of)] {
            let title = if title == "as of" {
                format!("as of {}", self.as_of_text)
            } else {
                title.to_string()
            };
            let _ = writeln!(out, "\nConfusion, {title} (rows: label; columns: rules)");
            // Each column as wide as its label and two spaces; the row labels as the longest.
            let columns: Vec<&str> = self.category.labels().chain(["other"]).collect();
            let first = columns.iter().map(|c| c.len()).max().unwrap_or(0) + 1;
            let mut header = format!("  {:<first$}", "");
            for c in &columns {
                header.push_str(&format!("{c:>width$}", width = c.len() + 2));
            }
            let _ = writeln!(out, "{header}");
            for (label, counts) in self.category.labels().zip(&view.rules.confusion) {
                let mut line = format!("  {label:<first$}");
                for (c, n) in columns.iter().zip(counts) {
                    line.push_str(&format!("{n:>width$}", width = c.len() + 2));
                }
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(
                out,
                "\nReliability, {title} (the {} probability)",
                self.probability
            );
            let _ = writeln!(
                out,
                "  {:<11}{:>7}{:>17}{:>20}",
                "predicted", "cases", "mean predicted", "observed credible"
            );
            for bin in &view.rules.reliability {
                let pct = |x: Option<f64>| x.map_or("-".to_string(), format::percent);
                let _ = writeln!(
                    out,
                    "  {:<11}{:>7}{:>17}{:>20}",
                    format!("{:.0}-{:.0}%", bin.from * 100.0, bin.to * 100.0),
                    bin.cases,
                    pct(bin.mean_predicted),
                    pct(bin.observed)
                );
            }
        }
        for (title, early) in [("full evidence", false), ("as of", true)] {
            let misses: Vec<(&Case, &Verdict)> = self
                .cases
                .iter()
                .filter_map(|c| {
                    let v = if early { c.as_of.as_ref()? } else { &c.full };
                    (v.judged.link != c.link).then_some((c, v))
                })
                .collect();
            let title = if early {
                format!("as of {}", self.as_of_text)
            } else {
                title.to_string()
            };
            let _ = writeln!(out, "\nMisses, {title}: {}", misses.len());
            for (case, v) in misses {
                let binary = match (
                    credible(&self.category, &case.link),
                    credible(&self.category, &v.judged.link),
                ) {
                    (Some(a), Some(b)) if a == b => "binary agrees".to_string(),
                    (None, _) => format!("binary: {} apart", case.link),
                    _ => "binary misses too".to_string(),
                };
                let _ = writeln!(
                    out,
                    "  {}: label {} ({} confidence), rules {} ({}); {binary}",
                    format::clean(&case.id),
                    case.link,
                    format::clean(&case.confidence),
                    v.judged.link,
                    if v.judged.settled { "settled" } else { "open" }
                );
                if !v.decided_by.is_empty() {
                    let _ = writeln!(out, "    decided by: {}", v.decided_by.join(", "));
                }
            }
        }
        let _ = writeln!(out, "\nRules hash: {}", self.rules_hash);
        out
    }

    pub(super) fn json(&self) -> Json {
        let agreement =
            |a: Agreement| json!({"agreed": a.agreed, "cases": a.cases, "share": a.share()});
        let figures = |f: &Figures| {
            json!({
                "binary": agreement(f.binary),
                "five_way": agreement(f.five_way),
                "confusion": {
                    "labels": self.category.labels().collect::<Vec<_>>(),
                    "columns": self.category.labels().chain(["other"]).collect::<Vec<_>>(),
                    "counts": f.confusion,
                },
                "brier": f.brier,
                "log_loss": f.log_loss,
                "reliability": f.reliability,
                "settled": f.settled,
                "settled_wrong": f.settled_wrong,
            })
        };
        let view = |v: &View| {
            json!({
                "cases": v.cases,
                "rules": figures(&v.rules),
                "baselines": self.baselines.iter().zip(&v.baselines).map(|(baseline, f)| json!({
                    "name": baseline.name,
                    "binary": agreement(f.binary),
                    "five_way": (!baseline.binary_only).then(|| agreement(f.five_way)),
                })).collect::<Vec<_>>(),
                "folds": (!v.folds.is_empty()).then(|| v.folds.iter().map(|f| json!({
                    "binary": agreement(f.binary),
                    "five_way": agreement(f.five_way),
                    "settled_wrong": f.settled_wrong,
                })).collect::<Vec<_>>()),
            })
        };
        let verdict = |c: &Case, v: &Verdict| {
            json!({
                "link": v.judged.link,
                "probability": v.judged.probability,
                "settled": v.judged.settled,
                "agrees_five_way": v.judged.link == c.link,
                "agrees_binary": credible(&self.category, &c.link)
                    .map(|t| credible(&self.category, &v.judged.link) == Some(t)),
                "decided_by": v.decided_by,
            })
        };
        json!({
            "format_version": crate::trace::json::FORMAT_VERSION,
            "rules": {"ruleset": self.ruleset, "version": self.version, "rules_hash": self.rules_hash},
            "as_of": self.as_of_text,
            "full_evidence": view(&self.full),
            "early": view(&self.as_of),
            "cases": self.cases.iter().map(|c| json!({
                "id": c.id,
                "path": c.path.display().to_string(),
                "label": c.link,
                "confidence": c.confidence,
                "full_evidence": verdict(c, &c.full),
                "early": c.as_of.as_ref().map(|v| verdict(c, v)),
            })).collect::<Vec<_>>(),
            "errors": self.problems.iter().map(|p| json!({"path": p.path.display().to_string(), "message": p.message})).collect::<Vec<_>>(),
            "thresholds": self.thresholds.iter().map(|t| {
                let failed = self.failed_thresholds().iter().any(|(f, _)| f.name() == t.name());
                json!({"agreement": t.name(), "percent": t.percent, "met": !failed})
            }).collect::<Vec<_>>(),
        })
    }

    /// A reliability diagram: mean predicted probability against observed share credible per
    /// bin, full evidence and the early view, with the diagonal of perfect calibration.
    pub(super) fn svg(&self) -> String {
        let (size, pad) = (380.0, 50.0);
        let plot = size - 2.0 * pad;
        let x = |p: f64| pad + p * plot;
        let y = |p: f64| size - pad - p * plot;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\" font-family=\"sans-serif\" font-size=\"11\">\n<title>Reliability of {} {}</title>\n<rect x=\"{pad}\" y=\"{pad}\" width=\"{plot}\" height=\"{plot}\" fill=\"none\" stroke=\"#888\"/>\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n",
            format::html(&self.ruleset),
            format::html(&self.version),
            x(0.0),
            y(0.0),
            x(1.0),
            y(1.0)
        );
        for tick in [0.0, 0.5, 1.0] {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{:.0}%</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{:.0}%</text>",
                x(tick),
                y(0.0) + 14.0,
                tick * 100.0,
                x(0.0) - 4.0,
                y(tick) + 4.0,
                tick * 100.0
            );
        }
        for (view, colour, name) in [
            (&self.full, "#1f5fbf", "full evidence"),
            (&self.as_of, "#d9822b", "as of"),
        ] {
            let points: Vec<(f64, f64, usize)> = view
                .rules
                .reliability
                .iter()
                .filter_map(|b| Some((b.mean_predicted?, b.observed?, b.cases)))
                .collect();
            let path: Vec<String> = points
                .iter()
                .map(|(p, o, _)| format!("{:.1},{:.1}", x(*p), y(*o)))
                .collect();
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\"><title>{name}</title></polyline>",
                path.join(" ")
            );
            for (p, o, n) in points {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{colour}\"><title>{name}: {n} cases</title></circle>",
                    x(p),
                    y(o),
                    3.0 + (n as f64).sqrt()
                );
            }
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">predicted probability</text>\n<text x=\"12\" y=\"{}\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">observed share credible</text>\n<text x=\"{pad}\" y=\"{}\" fill=\"#1f5fbf\">full evidence</text>\n<text x=\"{}\" y=\"{}\" fill=\"#d9822b\">as of {}</text>\n</svg>",
            size / 2.0,
            size - 8.0,
            size / 2.0,
            size / 2.0,
            pad - 10.0,
            pad + 110.0,
            pad - 10.0,
            format::html(&self.as_of_text)
        );
        out
    }
}

/// `five-way` for five categories: the number in words up to ten.
fn n_way(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    match WORDS.get(n) {
        Some(word) => format!("{word}-way"),
        None => format!("{n}-way"),
    }
}
