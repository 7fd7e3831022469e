//! The summary a reviewer reads first: the verdict and whether it is settled, each score with
//! its strongest criteria for and against, how far each is from its neighbouring bands, and
//! which unknown evidence, once known, could change a band or the verdict.
//!
//! "Could change" is computed from each criterion's possible outcomes, one criterion at a time
//! for the listed changes, and over every combination of the scores' possible ranges for
//! whether the verdict is settled. Criteria are treated as independent, so a range can be wider
//! than the evidence allows when two criteria read the same unknown (a documented bound).

use serde::Serialize;

use super::Trace;
use super::model::{AlternativeView, CriterionView, DecisionView, ScoreView};
use crate::eval::{Bounds, Outcome, WhatIf};
use crate::program::{Points, RowTestDef, ScoreMode, WeightDef};

/// Most combinations of score totals tried to decide whether the verdict is settled.
const MAX_SCENARIOS: usize = 256;

/// Criteria listed for and against a score.
const STRONGEST: usize = 3;

/// The summary of a trace.
pub struct Summary<'t, 'a> {
    /// The verdict, and what it could become.
    pub verdict: Option<VerdictSummary<'t, 'a>>,
    /// Each score.
    pub scores: Vec<ScoreSummary<'t, 'a>>,
    /// Unknown evidence that, once known, would change a band or the verdict; verdict changes
    /// first.
    pub changes: Vec<Change<'t, 'a>>,
}

/// The verdict and the labels it could take.
pub struct VerdictSummary<'t, 'a> {
    /// The verdict.
    pub view: DecisionView<'t, 'a>,
    /// Every label it could take once the unknown evidence is known, its own first.
    pub possible: Vec<&'a str>,
    /// The scores read by its row and the rows before it (which had to fail), in order.
    pub decided_by: Vec<ScoreView<'t, 'a>>,
    /// Conflicts behind it: its own row's, and those of the bands of the scores it read.
    pub conflicts: Vec<Conflict<'t, 'a>>,
}

impl VerdictSummary<'_, '_> {
    /// True when neither unknown evidence nor conflicting evidence could change it.
    pub fn settled(&self) -> bool {
        self.possible.len() == 1 && self.conflicts.is_empty()
    }
}

/// An override that contrary evidence defeated, where it was, and the strongest evidence on
/// the side that defeated it.
pub struct Conflict<'t, 'a> {
    /// The score whose bands hold the override (none for a verdict row).
    pub score: Option<ScoreView<'t, 'a>>,
    /// The override and what defeated it.
    pub view: super::model::ConflictView<'a>,
    /// The score's strongest criteria for its band, when it is a score's.
    pub strongest_for: Vec<CriterionView<'t, 'a>>,
}

/// One score, summarised.
pub struct ScoreSummary<'t, 'a> {
    /// The score.
    pub view: ScoreView<'t, 'a>,
    /// Its largest positive contributions, largest first.
    pub strongest_for: Vec<CriterionView<'t, 'a>>,
    /// Its largest negative contributions, largest first.
    pub strongest_against: Vec<CriterionView<'t, 'a>>,
    /// How far it is from its neighbouring bands.
    pub margins: Vec<Margin<'t, 'a>>,
}

/// Whether a score's band is settled, with its possible range: `settled`, `settled: 90.4% to
/// 92.2%`, `open: 5.4% to 85.1%`, `open: the evidence conflicts` (a band set by an `unless`
/// row over contrary evidence), or `open: a band condition is unknown`.
pub fn state_note(view: ScoreView<'_, '_>) -> String {
    let range = view.possible();
    let mode = view.mode();
    let span = || {
        format!(
            "{} to {}",
            super::format::score_number(mode, range.min),
            super::format::score_number(mode, range.max)
        )
    };
    let conflict = view.band().and_then(|b| b.conflict()).is_some();
    match (view.settled(), range.is_exact(), conflict) {
        (true, true, _) => "settled".into(),
        (true, false, _) => format!("settled: {}", span()),
        (false, true, true) => "open: the evidence conflicts".into(),
        (false, false, true) => format!("open: the evidence conflicts; {}", span()),
        (false, true, false) => "open: a band condition is unknown".into(),
        (false, false, false) => format!("open: {}", span()),
    }
}

/// What decided the verdict, in words: one line per score its row read, with the score's band
/// and its strongest criteria each way. A band reached by its total names the points
/// (`Decided by link: 55 points, band directed; for: exclusive_media +25, acting_in_name +15;
/// against: none`); a band set by a `when` row names the rule and what the points alone gave
/// (`Decided by link: band inspired by the rule "…", over its 55 points (alone: directed); …`).
pub fn decided_by_lines(summary: &Summary<'_, '_>) -> Vec<String> {
    let Some(verdict) = &summary.verdict else {
        return Vec::new();
    };
    verdict
        .decided_by
        .iter()
        .filter_map(|score| {
            summary
                .scores
                .iter()
                .find(|s| s.view.index() == score.index())
        })
        .map(|s| {
            let view = s.view;
            let points = super::format::score_value(view.mode(), view.value());
            let decided = match view.band() {
                Some(band) if band.by_rule() => {
                    let rule = band.reason().unwrap_or_else(|| band.test());
                    let alone = view
                        .band_by_points()
                        .filter(|label| *label != band.label())
                        .map(|label| format!(" (alone: {label})"))
                        .unwrap_or_default();
                    format!(
                        "band {} by the rule \"{rule}\", over its {points}{alone}",
                        band.label()
                    )
                }
                Some(band) => format!("{points}, band {}", band.label()),
                None => points,
            };
            format!(
                "Decided by {}: {decided}; for: {}; against: {}",
                view.name(),
                criteria_list(&s.strongest_for),
                criteria_list(&s.strongest_against)
            )
        })
        .collect()
}

/// Criteria with their amounts (`exclusive_media +25, acting_in_name +15`), or `none`.
fn criteria_list(criteria: &[CriterionView<'_, '_>]) -> String {
    if criteria.is_empty() {
        return "none".to_string();
    }
    let mut out = String::with_capacity(24 * criteria.len());
    for (i, c) in criteria.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(c.name());
        out.push(' ');
        out.push_str(&c.amount());
    }
    out
}

/// The conflicts behind a verdict, in words, the strongest line on each side: `Conflicting
/// evidence on link: "An authority attributed …" would make it "false", but evidence ties the
/// claimant to the attack (link_evidence); for link: exclusive_media +25` (a definition without
/// a description is named: "but `link_evidence` holds; …"). The criteria listed are the score's
/// strongest for its points, not necessarily what the defeating condition read.
pub fn conflict_lines(verdict: &VerdictSummary<'_, '_>) -> Vec<String> {
    verdict
        .conflicts
        .iter()
        .map(|c| {
            let place = c
                .score
                .map_or_else(|| "the verdict".to_string(), |s| s.name().to_string());
            let against = c
                .view
                .overridden_reason
                .as_deref()
                .unwrap_or(c.view.overridden);
            let defeater = match c.view.defeater_description {
                Some(words) => format!("{words} ({})", c.view.defeater),
                None => format!("`{}` holds", c.view.defeater),
            };
            let strongest = if c.strongest_for.is_empty() {
                String::new()
            } else {
                format!("; for {place}: {}", criteria_list(&c.strongest_for))
            };
            format!(
                "Conflicting evidence on {place}: \"{against}\" would make it \"{}\", but {defeater}{strongest}",
                c.view.overridden_label
            )
        })
        .collect()
}

/// Up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Towards a higher band.
    Up,
    /// Towards a lower band.
    Down,
}

/// The distance from a score to a neighbouring band, in the reader's unit (probability or
/// points).
pub struct Margin<'t, 'a> {
    /// Which way.
    pub direction: Direction,
    /// The neighbouring band.
    pub band: &'a str,
    /// The threshold, as written.
    pub threshold: String,
    /// How far: probability (0–1) or points.
    pub distance: f64,
    /// True when the score must pass the threshold, not just reach it.
    pub strictly: bool,
    /// Evidence that accumulates (counts, and inputs of ramps) and how much of it would cross.
    pub growth: Vec<Growth<'t, 'a>>,
}

impl Margin<'_, '_> {
    /// The margin in words: "12.2 percentage points above plausible (below 80.0%)", "25 points
    /// short of directed (>= 40; nonpublic_details at 3 would reach it)".
    pub fn describe(&self, mode: ScoreMode) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(96);
        let at = self
            .threshold
            .trim_start_matches(">= ")
            .trim_start_matches("> ");
        // Leaving a `>=` band means falling below its threshold; a `>` band, reaching it. At a
        // `>=` threshold: any loss crosses it.
        let on_the_threshold =
            self.direction == Direction::Down && self.strictly && self.distance == 0.0;
        if on_the_threshold {
            let _ = write!(
                out,
                "on the threshold: any less makes it {} (below {at}",
                self.band
            );
        } else {
            match mode {
                ScoreMode::Evidence { .. } => {
                    let _ = write!(out, "{:.1} percentage points", self.distance * 100.0);
                }
                ScoreMode::Additive if self.distance == 1.0 => out.push_str("1 point"),
                ScoreMode::Additive => {
                    super::format::write_number(&mut out, self.distance);
                    out.push_str(" points");
                }
            }
            let (side, place) = match (self.direction, self.strictly) {
                (Direction::Up, true) => (" short of ", "above"),
                (Direction::Up, false) => (" short of ", "at"),
                (Direction::Down, true) => (" above ", "below"),
                (Direction::Down, false) => (" above ", "at or below"),
            };
            let _ = write!(out, "{side}{} ({place} {at}", self.band);
        }
        for (i, g) in self.growth.iter().enumerate() {
            out.push_str(if i == 0 { "; " } else { " or " });
            out.push_str(g.criterion.name());
            out.push_str(" at ");
            super::format::write_number(&mut out, g.to);
        }
        if !self.growth.is_empty() {
            out.push_str(" would cross");
        }
        out.push(')');
        out
    }
}

/// More of a counted kind of evidence that would move a score across a threshold.
pub struct Growth<'t, 'a> {
    /// The criterion whose weight grows with the count.
    pub criterion: CriterionView<'t, 'a>,
    /// The count or input it would need.
    pub to: f64,
}

/// An unknown that, once known, would change a band or the verdict.
pub struct Change<'t, 'a> {
    /// The score it moves (none for a verdict row).
    pub score: Option<ScoreView<'t, 'a>>,
    /// What would have to turn out true.
    pub cause: Cause<'t, 'a>,
    /// The score's total then, when a criterion moves it.
    pub total: Option<Points>,
    /// The score's band then, when it changes.
    pub band: Option<&'a str>,
    /// The verdict then, when it changes.
    pub verdict: Option<&'a str>,
}

impl Change<'_, '_> {
    /// The contribution the criterion would make instead, in the score's unit (`×4`, `+60`).
    pub fn amount(&self) -> Option<String> {
        match (&self.cause, self.score) {
            (Cause::Criterion { alternative, .. }, Some(score)) => {
                let b = alternative.contribution();
                let mode = score.mode();
                Some(if b.is_exact() {
                    super::format::amount(mode, b.min)
                } else {
                    format!(
                        "{} to {}",
                        super::format::amount(mode, b.min),
                        super::format::amount(mode, b.max)
                    )
                })
            }
            _ => None,
        }
    }

    /// What would follow, in words: `credibility 6.7%, band unlikely; verdict "claim not credible"`.
    pub fn effect(&self) -> String {
        let mut parts = Vec::new();
        if let Some(score) = self.score {
            let mut part = score.name().to_string();
            if let Some(total) = self.total {
                part.push(' ');
                part.push_str(&super::format::score_number(score.mode(), total));
            }
            if let Some(band) = self.band {
                part.push_str(&format!(", band {band}"));
            }
            parts.push(part);
        }
        if let Some(verdict) = self.verdict {
            parts.push(format!("verdict \"{verdict}\""));
        }
        parts.join("; ")
    }
}

/// What would have to turn out true for a [`Change`].
pub enum Cause<'t, 'a> {
    /// A criterion whose evidence (or a refinement's) is unknown reaching another outcome.
    Criterion {
        /// The criterion.
        criterion: CriterionView<'t, 'a>,
        /// The outcome it would reach.
        alternative: AlternativeView<'t, 'a>,
    },
    /// A band or verdict row whose condition is unknown holding.
    Row {
        /// The condition, as written.
        condition: &'a str,
    },
}

impl<'a> Cause<'_, 'a> {
    /// The condition that would have to hold, as written; `None` for an `else` row, which
    /// applies when none of the conditions above it hold.
    pub fn condition(&self) -> Option<&'a str> {
        match self {
            Cause::Criterion { alternative, .. } if alternative.otherwise() => None,
            Cause::Criterion { alternative, .. } => Some(alternative.condition()),
            Cause::Row { condition } => Some(condition),
        }
    }

    /// Where it is: `score.criterion`, or the table.
    pub fn place(&self, score: Option<ScoreView<'_, '_>>) -> String {
        match (self, score) {
            (Cause::Criterion { criterion, .. }, Some(s)) => {
                format!("{}.{}", s.name(), criterion.name())
            }
            (Cause::Criterion { criterion, .. }, None) => criterion.name().to_string(),
            (Cause::Row { .. }, Some(s)) => format!("{}.bands", s.name()),
            (Cause::Row { .. }, None) => "verdict".to_string(),
        }
    }
}

impl<'t, 'a> Summary<'t, 'a> {
    /// Summarises a trace.
    pub fn of(trace: &'t Trace<'a>) -> Summary<'t, 'a> {
        let scores: Vec<ScoreView<'t, 'a>> = trace.scores().collect();
        let mut what_if = trace.evaluation().what_if();
        let verdict = trace.verdict().map(|view| {
            // The row that applied, and every row before it (which had to fail), decide.
            let mut read: Vec<u32> = Vec::new();
            for row in &view.def.rows[..=view.row() as usize] {
                for id in &row.scores_read {
                    if !read.contains(id) {
                        read.push(*id);
                    }
                }
            }
            let decided_by: Vec<ScoreView<'t, 'a>> = read
                .into_iter()
                .filter_map(|id| scores.get(id as usize).copied())
                .collect();
            let mut conflicts: Vec<Conflict<'t, 'a>> = view
                .conflict()
                .map(|view| Conflict {
                    score: None,
                    view,
                    strongest_for: Vec::new(),
                })
                .into_iter()
                .collect();
            for score in &decided_by {
                if let Some(conflict) = score.band().and_then(|b| b.conflict()) {
                    conflicts.push(Conflict {
                        score: Some(*score),
                        view: conflict,
                        strongest_for: strongest(*score).0,
                    });
                }
            }
            VerdictSummary {
                view,
                possible: possible_verdicts(&mut what_if, &scores, view),
                decided_by,
                conflicts,
            }
        });
        let changes = changes(trace, &scores, &mut what_if);
        Summary {
            verdict,
            scores: scores
                .iter()
                .map(|s| score_summary(*s, &mut what_if))
                .collect(),
            changes,
        }
    }
}

fn score_summary<'t, 'a>(
    view: ScoreView<'t, 'a>,
    what_if: &mut WhatIf<'_, 'a>,
) -> ScoreSummary<'t, 'a> {
    let (strongest_for, strongest_against) = strongest(view);
    ScoreSummary {
        view,
        strongest_for,
        strongest_against,
        margins: margins(view, what_if),
    }
}

/// The criteria that added most to a score, and those that took most from it.
type Strongest<'t, 'a> = (Vec<CriterionView<'t, 'a>>, Vec<CriterionView<'t, 'a>>);

/// A score's strongest criteria for and against it, strongest first.
fn strongest<'t, 'a>(view: ScoreView<'t, 'a>) -> Strongest<'t, 'a> {
    let mut ranked: Vec<CriterionView<'t, 'a>> = view
        .criteria()
        .filter(|c| c.contribution() != Points(0))
        .collect();
    ranked.sort_by_key(|c| std::cmp::Reverse(c.contribution().0.abs()));
    let strongest_for = ranked
        .iter()
        .filter(|c| c.contribution() > Points(0))
        .take(STRONGEST)
        .copied()
        .collect();
    let strongest_against = ranked
        .iter()
        .filter(|c| c.contribution() < Points(0))
        .take(STRONGEST)
        .copied()
        .collect();
    (strongest_for, strongest_against)
}

/// The distance to the threshold rows just above and below the score's band.
fn margins<'t, 'a>(view: ScoreView<'t, 'a>, what_if: &mut WhatIf<'_, 'a>) -> Vec<Margin<'t, 'a>> {
    let (Some(bands), Some(band)) = (view.def.bands.as_ref(), view.band()) else {
        return Vec::new();
    };
    let rows = &bands.rows;
    let row = band.row() as usize;
    let written = |test: &RowTestDef| match (test, view.mode()) {
        (RowTestDef::Threshold { shown, .. }, ScoreMode::Evidence { .. }) => {
            super::format::percent(*shown)
        }
        (RowTestDef::Threshold { shown, .. }, ScoreMode::Additive) => super::format::number(*shown),
        _ => String::new(),
    };
    let mut out = Vec::new();
    let above = rows[..row]
        .iter()
        .rev()
        .find(|r| matches!(r.test, RowTestDef::Threshold { .. }));
    let growth = |needed: i64| -> Vec<Growth<'t, 'a>> {
        view.criteria()
            .filter_map(|criterion| {
                growth_needed(criterion, needed).map(|to| Growth { criterion, to })
            })
            .collect()
    };
    // The distance to a threshold, in the reader's unit: from the threshold as written.
    let distance = |shown: f64| (shown - view.value()).abs();
    // The band a total would give: a `when` row reading the score itself (a cap) can keep a
    // threshold from being a margin at all.
    let mut totals: Vec<Points> = view.ev.scores.iter().map(|s| s.total).collect();
    let mut band_at = |total: Points| {
        totals[view.index()] = total;
        what_if
            .band(view.index(), &totals)
            .map(|r| rows[r as usize].label.as_str())
    };
    if let Some(above) = above
        && let RowTestDef::Threshold {
            strict, at, shown, ..
        } = above.test
        && at >= view.total()
        && band_at(Points(at.0 + i64::from(strict))) == Some(above.label.as_str())
    {
        let needed =
            at.0.saturating_sub(view.total().0)
                .saturating_add(i64::from(strict));
        out.push(Margin {
            direction: Direction::Up,
            band: &above.label,
            threshold: written(&above.test),
            distance: distance(shown),
            strictly: strict,
            growth: growth(needed),
        });
    }
    if let RowTestDef::Threshold {
        strict, at, shown, ..
    } = rows[row].test
        && let Some(below) = rows[row + 1..]
            .iter()
            .find(|r| !matches!(r.test, RowTestDef::When(_)))
        && band_at(Points(at.0 - i64::from(!strict))) == Some(below.label.as_str())
    {
        let needed = view
            .total()
            .0
            .saturating_sub(at.0)
            .saturating_add(i64::from(!strict))
            .saturating_neg();
        out.push(Margin {
            direction: Direction::Down,
            band: &below.label,
            threshold: written(&rows[row].test),
            distance: distance(shown),
            strictly: !strict,
            growth: growth(needed),
        });
    }
    out
}

/// Every verdict label the scores' possible ranges allow.
fn possible_verdicts<'a>(
    what_if: &mut WhatIf<'_, 'a>,
    scores: &[ScoreView<'_, 'a>],
    verdict: DecisionView<'_, 'a>,
) -> Vec<&'a str> {
    let representatives: Vec<Vec<Points>> =
        scores.iter().map(|s| representative_totals(*s)).collect();
    let combinations: usize = representatives
        .iter()
        .map(Vec::len)
        .fold(1usize, |acc, n| acc.saturating_mul(n));
    let current: Vec<Points> = scores.iter().map(|s| s.total()).collect();
    let mut scenarios: Vec<Vec<Points>> = Vec::new();
    if combinations <= MAX_SCENARIOS {
        let mut scenario = current.clone();
        cross(&representatives, 0, &mut scenario, &mut scenarios);
    } else {
        // Too many to try together: each score over its range, the others as they are.
        for (index, totals) in representatives.iter().enumerate() {
            for total in totals {
                let mut scenario = current.clone();
                scenario[index] = *total;
                scenarios.push(scenario);
            }
        }
    }
    let mut labels = vec![verdict.label()];
    for scenario in scenarios {
        let options: Vec<Vec<Option<u32>>> = (0..scores.len())
            .map(|index| {
                let rows = what_if.band_options(index, &scenario);
                if rows.is_empty() {
                    vec![None]
                } else {
                    rows.into_iter().map(Some).collect()
                }
            })
            .collect();
        let mut combinations = Vec::new();
        cross(
            &options,
            0,
            &mut vec![None; options.len()],
            &mut combinations,
        );
        for bands in combinations.into_iter().take(MAX_SCENARIOS) {
            for row in what_if.verdict_options(&scenario, &bands) {
                let label = verdict.def.rows[row as usize].label.as_str();
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
        }
    }
    labels
}

fn cross<T: Copy>(options: &[Vec<T>], at: usize, scenario: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
    if at == options.len() {
        out.push(scenario.clone());
        return;
    }
    for total in &options[at] {
        scenario[at] = *total;
        cross(options, at + 1, scenario, out);
    }
}

/// Totals standing for every band a score could reach: its range's ends and each threshold
/// inside the range (at it, and just below it).
fn representative_totals(view: ScoreView<'_, '_>) -> Vec<Points> {
    let Bounds { min, max } = view.possible();
    let mut totals = vec![min, max];
    for row in view.def.bands.iter().flat_map(|b| &b.rows) {
        if let RowTestDef::Threshold { at, .. } = row.test
            && min < at
            && at <= max
        {
            totals.extend([at, Points(at.0 - 1), Points(at.0 + 1)]);
        }
    }
    totals.sort();
    totals.dedup();
    totals
}

/// Each unknown tried one at a time: criteria's possible outcomes, and band and verdict rows
/// whose condition is unknown; those that would change a band or the verdict.
fn changes<'t, 'a>(
    trace: &'t Trace<'a>,
    scores: &[ScoreView<'t, 'a>],
    what_if: &mut WhatIf<'_, 'a>,
) -> Vec<Change<'t, 'a>> {
    let program = trace.program();
    let current: Vec<Points> = scores.iter().map(|s| s.total()).collect();
    let now = what_if.decide(&current);
    let verdict_label = |row: Option<u32>| {
        row.and_then(|row| {
            program
                .verdict
                .as_ref()
                .map(|v| v.rows[row as usize].label.as_str())
        })
    };
    let mut out = Vec::new();
    for score in scores {
        let band_label = |row: Option<u32>| {
            row.and_then(|row| {
                score
                    .def
                    .bands
                    .as_ref()
                    .map(|b| b.rows[row as usize].label.as_str())
            })
        };
        for criterion in score.criteria() {
            for alternative in criterion.alternatives() {
                let bounds = alternative.contribution();
                let ends = if bounds.is_exact() {
                    vec![bounds.min]
                } else {
                    vec![bounds.min, bounds.max]
                };
                for end in ends {
                    let total = score.total() - criterion.contribution() + end;
                    let mut totals = current.clone();
                    totals[score.index] = total;
                    let then = what_if.decide(&totals);
                    // A change of band or verdict, not of the row that gives it.
                    let band = Some(band_label(then.bands[score.index]))
                        .filter(|label| *label != band_label(now.bands[score.index]))
                        .flatten();
                    let verdict = Some(verdict_label(then.verdict))
                        .filter(|label| *label != verdict_label(now.verdict))
                        .flatten();
                    if band.is_some() || verdict.is_some() {
                        out.push(Change {
                            score: Some(*score),
                            cause: Cause::Criterion {
                                criterion,
                                alternative,
                            },
                            total: Some(total),
                            band,
                            verdict,
                        });
                        break;
                    }
                }
            }
        }
        // A band row whose condition is unknown could apply instead.
        if let Some(band) = score.band() {
            for row in band.result.undecided.clone() {
                let mut bands = now.bands.clone();
                bands[score.index] = Some(row);
                let verdict = what_if.verdict_options(&current, &bands).last().copied();
                out.push(Change {
                    score: Some(*score),
                    cause: Cause::Row {
                        condition: band_condition(band.def, row, program),
                    },
                    total: None,
                    band: band_label(Some(row)),
                    verdict: (verdict != now.verdict)
                        .then(|| verdict_label(verdict))
                        .flatten(),
                });
            }
        }
    }
    if let Some(verdict) = trace.verdict() {
        for row in verdict.result.undecided.clone() {
            out.push(Change {
                score: None,
                cause: Cause::Row {
                    condition: band_condition(verdict.def, row, program),
                },
                total: None,
                band: None,
                verdict: verdict_label(Some(row)),
            });
        }
    }
    out.sort_by_key(|c| (c.verdict.is_none(), c.band.is_none()));
    out
}

fn band_condition<'a>(
    def: &'a crate::program::DecisionDef,
    row: u32,
    program: &'a crate::program::Program,
) -> &'a str {
    match &def.rows[row as usize].test {
        RowTestDef::When(node) => program.expression(*node),
        RowTestDef::Threshold { .. } | RowTestDef::Else => "",
    }
}

/// For a known criterion whose weight grows with a count or input (`per`, `ramp`): the input
/// it would take to move the score by `needed` (in units; negative for a drop), when more
/// evidence of that kind could still arrive.
fn growth_needed(criterion: CriterionView<'_, '_>, needed: i64) -> Option<f64> {
    let Outcome::Applied {
        row,
        refinement: None,
    } = criterion.outcome()
    else {
        return None;
    };
    let used = criterion.input()?;
    match &criterion.def.outcomes[row as usize].weight {
        WeightDef::Per { amount, max, .. }
            if amount.units.0 != 0 && needed.signum() == amount.units.0.signum() =>
        {
            let more = (needed as f64 / amount.units.0 as f64).ceil();
            let target = used + more;
            max.is_none_or(|m| target <= m).then_some(target)
        }
        WeightDef::Ramp { x, y, .. } if y[0].units != y[1].units => {
            let target = criterion.contribution().0.saturating_add(needed);
            let (y0, y1) = (y[0].units.0, y[1].units.0);
            if !(y0.min(y1)..=y0.max(y1)).contains(&target) {
                return None;
            }
            let t = (target - y0) as f64 / (y1 - y0) as f64;
            let at = (x[0] + t * (x[1] - x[0])).ceil();
            (at > used).then_some(at)
        }
        _ => None,
    }
}

/// What a judgement as of a moment left out, in words (case paths unescaped: renderers make
/// the whole note safe).
pub fn as_of_note(as_of: &super::AsOf) -> String {
    let groups = as_of.grouped();
    if groups.is_empty() {
        return "everything in the case was known by then".into();
    }
    let items: Vec<String> = groups
        .iter()
        .map(|g| {
            let when = if g.first_known == g.last_known {
                format!("known {}", super::format::timestamp(g.first_known))
            } else {
                format!(
                    "known {} to {}",
                    super::format::timestamp(g.first_known),
                    super::format::timestamp(g.last_known)
                )
            };
            match g.items {
                Some(n) => format!(
                    "{} ({n} item{}, {when})",
                    g.path,
                    if n == 1 { "" } else { "s" }
                ),
                None => format!("{} ({when})", g.path),
            }
        })
        .collect();
    format!(
        "judged on what was known then; not yet known: {}",
        items.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way a margin reads: up or down, reaching or passing the threshold, on it, one
    /// point or several, in points or percentage points.
    #[test]
    fn margins_read_as_written() {
        let margin = |direction, strictly, distance| Margin {
            direction,
            band: "plausible",
            threshold: ">= 40".to_string(),
            distance,
            strictly,
            growth: Vec::new(),
        };
        let points = ScoreMode::Additive;
        let cases = [
            (
                margin(Direction::Up, false, 5.0),
                "5 points short of plausible (at 40)",
            ),
            (
                margin(Direction::Up, true, 1.0),
                "1 point short of plausible (above 40)",
            ),
            (
                margin(Direction::Down, false, 2.5),
                "2.5 points above plausible (at or below 40)",
            ),
            (
                margin(Direction::Down, true, 3.0),
                "3 points above plausible (below 40)",
            ),
            (
                margin(Direction::Down, true, 0.0),
                "on the threshold: any less makes it plausible (below 40)",
            ),
        ];
        for (margin, text) in cases {
            assert_eq!(margin.describe(points), text);
        }
        let evidence = ScoreMode::Evidence { prior: 0.5 };
        assert_eq!(
            margin(Direction::Up, false, 0.1234).describe(evidence),
            "12.3 percentage points short of plausible (at 40)"
        );
    }
}
