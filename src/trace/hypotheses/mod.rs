//! Competing hypotheses as a reviewer reads them: the matrix of evidence rows against
//! hypothesis columns, each hypothesis's probability (they sum to one), the leader, and what
//! could change it. [`Matrix`] is the one model every format writes: JSON (serde), text,
//! Markdown and HTML ([`render`]), a CSV matrix and an ACH file ([`export`]).

pub mod export;
pub mod render;

use serde::Serialize;

use super::format;
use super::model::render_text;
use crate::eval::hypotheses::{Hypotheses, Ranking};
use crate::eval::{EvidenceState, Outcome};
use crate::program::{Node, Points};

/// The matrix of a case's competing hypotheses.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The block's name.
    pub name: String,
    /// The question the hypotheses answer.
    pub title: Option<String>,
    /// The candidate groups the case names, first named first.
    pub groups: Vec<String>,
    /// Groups named beyond the limit, left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub groups_left_out: usize,
    /// The hypotheses, in column order.
    pub hypotheses: Vec<Hypothesis>,
    /// The evidence rows.
    pub rows: Vec<Row>,
    /// The leading hypothesis's id; none when two tie at the top.
    pub leader: Option<String>,
    /// The leader stays the leader whatever the unknown evidence turns out to be, and no known
    /// row favours a rival over it by the conflict ratio.
    pub settled: bool,
    /// The judgement in one sentence.
    pub summary: String,
    /// What unknown evidence could change the leader, and to what.
    pub changes: Vec<Change>,
    /// Known rows that favour a rival over the leader by the conflict ratio or more, each row
    /// once with the rival it favours most.
    pub conflicts: Vec<Conflict>,
    /// The conflict ratio.
    pub conflict_ratio: f64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One hypothesis (a column).
#[derive(Debug, Clone, Serialize)]
pub struct Hypothesis {
    /// `H1`, `H2`, … in column order.
    pub id: String,
    /// Its kind, as the rules name it.
    pub kind: String,
    /// Its group, for a per-group kind.
    pub group: Option<String>,
    /// What it says.
    pub title: String,
    /// Σ of its cells' log-odds.
    pub log_odds: f64,
    /// Its probability among all the hypotheses.
    pub probability: f64,
    /// The probability as printed: the printed values add up to exactly 100%.
    pub shown: String,
    /// The ICD 203 word of its probability.
    pub estimative: &'static str,
}

/// One evidence row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The criterion's name.
    pub criterion: String,
    /// Its title.
    pub title: String,
    /// False when the row is the same under every hypothesis, so it moves no probability.
    pub diagnostic: bool,
    /// Where the criterion is, as `file:line`.
    pub rule: String,
    /// One cell per hypothesis, in column order.
    pub cells: Vec<Cell>,
}

/// One cell: how the evidence of a row weighs under one hypothesis.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The hypothesis's id.
    pub hypothesis: String,
    /// `applied`, `unknown` or `no_outcome`.
    pub state: &'static str,
    /// Its likelihood ratio (1 for a skipped unknown).
    pub ratio: f64,
    /// The ratio as printed: `×3`.
    pub shown: String,
    /// Why, with its values written in.
    pub reason: Option<String>,
    /// Where the row that applied is, as `file:line`.
    pub rule: String,
    /// The evidence it read that is unknown.
    pub unknown: Vec<String>,
    /// The ratios it could take once its unknown evidence is known, when not only this one.
    pub could_be: Option<[f64; 2]>,
}

/// A rival that unknown evidence could bring level with or past the leader.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The rival's id.
    pub rival: String,
    /// The rows whose unknown evidence would have to turn out for it.
    pub criteria: Vec<String>,
    /// That unknown evidence.
    pub unknown: Vec<String>,
    /// In words.
    pub sentence: String,
}

/// A known row favouring a rival over the leader by the conflict ratio or more.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// The row's criterion.
    pub criterion: String,
    /// The rival's id.
    pub rival: String,
    /// How strongly it favours the rival over the leader.
    pub ratio: f64,
    /// In words.
    pub sentence: String,
}

/// Why a rule set cannot weigh competing hypotheses: it declares no `hypotheses` block.
pub(crate) fn undeclared(program: &crate::program::Program) -> String {
    format!(
        "the rule set `{}` declares no `hypotheses` block to weigh (docs/LANGUAGE.md, \"Competing hypotheses\")",
        program.meta().id
    )
}

/// The ratio a log-odds contribution is, as traces print ratios (four significant digits).
fn ratio(points: Points) -> f64 {
    format::significant(points.as_f64().exp(), 4)
}

impl Matrix {
    /// The matrix of weighed hypotheses.
    pub(crate) fn new(h: &Hypotheses<'_>) -> Matrix {
        let program = h.program;
        let def = h.def;
        let id = |column: usize| format!("H{}", column + 1);
        let shown = printed_percentages(
            &h.columns
                .iter()
                .map(|c| c.probability)
                .collect::<Vec<f64>>(),
        );
        let hypotheses: Vec<Hypothesis> = h
            .columns
            .iter()
            .zip(shown)
            .enumerate()
            .map(|(i, (column, shown))| {
                let kind = &def.kinds[column.kind as usize];
                Hypothesis {
                    id: id(i),
                    kind: kind.name.clone(),
                    group: column.group.map(|g| format::clean(g).into_owned()),
                    title: render_text(&kind.title, column.title.of(&h.values))
                        .unwrap_or_else(|| kind.name.clone()),
                    log_odds: column.total.as_f64(),
                    probability: column.probability,
                    shown,
                    estimative: format::estimative(column.probability),
                }
            })
            .collect();
        let rows: Vec<Row> = def
            .criteria
            .iter()
            .enumerate()
            .map(|(r, criterion)| Row {
                criterion: criterion.name.clone(),
                title: criterion
                    .title
                    .clone()
                    .unwrap_or_else(|| criterion.name.clone()),
                diagnostic: !h.non_diagnostic(r),
                rule: program.sources.line_ref(criterion.span),
                cells: (0..h.columns.len()).map(|c| cell(h, c, r, id(c))).collect(),
            })
            .collect();
        let mut matrix = Matrix {
            name: def.name.clone(),
            title: def.title.clone(),
            groups: h
                .groups
                .iter()
                .map(|g| format::clean(g).into_owned())
                .collect(),
            groups_left_out: h.left_out,
            hypotheses,
            rows,
            leader: h.ranking.leader.map(id),
            settled: h.ranking.settled,
            summary: String::new(),
            changes: Vec::new(),
            conflicts: Vec::new(),
            conflict_ratio: def.conflict_shown,
        };
        matrix.explain(&h.ranking);
        matrix
    }

    /// The hypothesis with id `id`.
    fn hypothesis(&self, id: &str) -> Option<&Hypothesis> {
        self.hypotheses.iter().find(|h| h.id == id)
    }

    /// Fills in the changes, conflicts and summary sentence from the ranking.
    fn explain(&mut self, ranking: &Ranking) {
        let name = |m: &Matrix, column: usize| {
            let h = &m.hypotheses[column];
            format!("{} ({})", h.id, h.title)
        };
        for threat in &ranking.threats {
            let rival = name(self, threat.rival);
            let criteria: Vec<String> = threat
                .rows
                .iter()
                .map(|r| self.rows[*r].criterion.clone())
                .collect();
            let titles: Vec<String> = threat
                .rows
                .iter()
                .map(|r| self.rows[*r].title.clone())
                .collect();
            let mut unknown: Vec<String> = Vec::new();
            for r in &threat.rows {
                let leader = ranking.leader.unwrap_or_default();
                for column in [leader, threat.rival] {
                    for path in &self.rows[*r].cells[column].unknown {
                        if !unknown.contains(path) {
                            unknown.push(path.clone());
                        }
                    }
                }
            }
            let unknown_text = if unknown.is_empty() {
                String::new()
            } else {
                format!(" (unknown: {})", unknown.join(", "))
            };
            self.changes.push(Change {
                rival: self.hypotheses[threat.rival].id.clone(),
                sentence: format!(
                    "{rival} could lead if {} turned out for it{unknown_text}",
                    and_list(&titles)
                ),
                criteria,
                unknown,
            });
        }
        let leader = ranking.leader.unwrap_or_default();
        for conflict in &ranking.conflicts {
            let row = &self.rows[conflict.row];
            // The evidence in words: the cell of the two that weighs it (not ×1).
            let (rival_cell, leader_cell) = (&row.cells[conflict.rival], &row.cells[leader]);
            let cell = if rival_cell.ratio == 1.0 {
                leader_cell
            } else {
                rival_cell
            };
            let ratio = ratio(conflict.by);
            // Several rivals favoured by one row: the strongest is named, the others counted.
            let others = ranking
                .conflicts
                .iter()
                .filter(|c| c.row == conflict.row && c.rival != conflict.rival)
                .count();
            if self.conflicts.iter().any(|c| c.criterion == row.criterion) {
                continue;
            }
            let more = match others {
                0 => String::new(),
                1 => " (and 1 other hypothesis)".into(),
                n => format!(" (and {n} other hypotheses)"),
            };
            self.conflicts.push(Conflict {
                criterion: row.criterion.clone(),
                rival: self.hypotheses[conflict.rival].id.clone(),
                ratio,
                sentence: format!(
                    "{} favours {}{more} over the leader {}{}",
                    row.title,
                    name(self, conflict.rival),
                    format::ratio(ratio),
                    cell.reason
                        .as_ref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
            });
        }
        self.summary = self.summary_sentence(ranking);
    }

    fn summary_sentence(&self, ranking: &Ranking) -> String {
        if self.hypotheses.is_empty() {
            return "No hypothesis to weigh: the case names no candidate group, and every hypothesis declared is one per group.".into();
        }
        let Some(leader) = self.leader.as_deref().and_then(|id| self.hypothesis(id)) else {
            let top = self
                .hypotheses
                .iter()
                .map(|h| h.log_odds)
                .fold(f64::MIN, f64::max);
            let level: Vec<String> = self
                .hypotheses
                .iter()
                .filter(|h| h.log_odds == top)
                .map(|h| format!("{} ({})", h.id, h.title))
                .collect();
            return format!(
                "Open: no hypothesis leads; {} are level at the top.",
                and_list(&level)
            );
        };
        let leads = format!(
            "{} ({}) leads at {} ({})",
            leader.id, leader.title, leader.shown, leader.estimative
        );
        if ranking.settled {
            return format!(
                "Settled: {leads}, likelier than all the others together; no unknown evidence could reorder the top, and no known evidence favours a rival {} or more.",
                format::ratio(self.conflict_ratio)
            );
        }
        let mut reasons: Vec<String> = Vec::new();
        if !ranking.majority {
            reasons.push(format!(
                "it holds no majority (the others together: {})",
                percent_rest(&self.hypotheses, leader)
            ));
        }
        if let Some(change) = self.changes.first() {
            reasons.push(change.sentence.clone());
        }
        if self.changes.len() > 1 {
            reasons.push(format!(
                "{} other hypothes{} could too",
                self.changes.len() - 1,
                if self.changes.len() == 2 { "is" } else { "es" }
            ));
        }
        if let Some(conflict) = self.conflicts.first() {
            reasons.push(format!("the evidence conflicts: {}", conflict.sentence));
        }
        format!("Open: {leads}, but {}.", reasons.join("; "))
    }
}

/// The cell of column `column`, row `row`.
fn cell(h: &Hypotheses<'_>, column: usize, row: usize, hypothesis: String) -> Cell {
    let def = &h.def.criteria[row];
    let result = h.cell(column, row);
    let program = h.program;
    let (state, parts, span): (&'static str, &[crate::program::TextPart], _) = match result.outcome
    {
        Outcome::Applied { row, refinement } => {
            let applied = &def.outcomes[row as usize];
            match refinement {
                Some(r) => {
                    let r = &applied.refinements[r as usize];
                    ("applied", &r.reason, r.span)
                }
                None => ("applied", &applied.reason, applied.span),
            }
        }
        Outcome::Unknown { .. } => ("unknown", &def.unknown.reason, def.span),
        Outcome::NoOutcome => ("no_outcome", &[], def.span),
    };
    // Unknown evidence matters to a cell only when it leaves the cell open: the row it stopped
    // at, or a refinement that could still apply. The hypothesis itself is not evidence: a
    // hypothesis without a group is not unknown.
    let open = result.outcome.is_unknown() || !result.possible.is_exact();
    // A value known only as a range leaves a comparison open too: it is listed with its range.
    let unknown = def
        .reads
        .iter()
        .zip(result.evidence.of(&h.evidence))
        .filter(|(read, _)| {
            open && !matches!(program.nodes[read.node as usize], Node::Hypothesis(_))
        })
        .filter_map(|(read, item)| match item.state {
            EvidenceState::Known if item.value.is_range() => Some(format!(
                "{} (known only as {})",
                read.label,
                format::text(item.value)
            )),
            EvidenceState::Known => None,
            _ => Some(read.label.clone()),
        })
        .collect();
    let ratio_of = ratio(result.contribution);
    Cell {
        hypothesis,
        state,
        ratio: ratio_of,
        shown: format::ratio(ratio_of),
        reason: render_text(parts, result.reason.of(&h.values)),
        rule: program.sources.line_ref(span),
        unknown,
        could_be: (!result.possible.is_exact())
            .then(|| [ratio(result.possible.min), ratio(result.possible.max)]),
    }
}

/// What the hypotheses other than `leader` add up to, as printed.
fn percent_rest(hypotheses: &[Hypothesis], leader: &Hypothesis) -> String {
    let rest: f64 = hypotheses
        .iter()
        .filter(|h| h.id != leader.id)
        .map(|h| h.shown.trim_end_matches('%').parse::<f64>().unwrap_or(0.0))
        .sum();
    let decimals = leader.shown.split_once('.').map_or(0, |(_, d)| d.len() - 1);
    format!("{rest:.decimals$}%")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Probabilities as percentages that add up to exactly 100 as printed (largest remainders get
/// the last digit), each with as few decimals (one to four) as keep every printed value on the
/// same side of every ICD 203 boundary as the probability itself.
pub(crate) fn printed_percentages(probabilities: &[f64]) -> Vec<String> {
    for decimals in 1..=4u32 {
        let scale = 10f64.powi(decimals as i32 + 2);
        let total = scale as i64;
        let exact: Vec<f64> = probabilities.iter().map(|p| p * scale).collect();
        let mut units: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
        let mut order: Vec<usize> = (0..exact.len()).collect();
        order.sort_by(|a, b| {
            let (ra, rb) = (exact[*a] - exact[*a].floor(), exact[*b] - exact[*b].floor());
            rb.total_cmp(&ra).then(a.cmp(b))
        });
        let missing = total - units.iter().sum::<i64>();
        for i in order.iter().take(missing.max(0) as usize) {
            units[*i] += 1;
        }
        let faithful = probabilities
            .iter()
            .zip(&units)
            .all(|(p, u)| format::Estimative::of(*u as f64 / scale) == format::Estimative::of(*p));
        if faithful || decimals == 4 {
            let unit = 10f64.powi(decimals as i32);
            return units
                .iter()
                .map(|u| format!("{:.*}%", decimals as usize, *u as f64 / unit))
                .collect();
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::printed_percentages;

    #[test]
    fn printed_percentages_add_up_to_100() {
        let thirds = printed_percentages(&[1.0 / 3.0; 3]);
        assert_eq!(thirds, ["33.4%", "33.3%", "33.3%"]);
        let sum: f64 = printed_percentages(&[0.1234, 0.5678, 0.3088])
            .iter()
            .map(|s| s.trim_end_matches('%').parse::<f64>().unwrap())
            .sum();
        assert!((sum - 100.0).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn printed_percentages_never_cross_a_word_boundary() {
        // 79.996% would print as 80.0%, the lower edge of "very likely".
        let shown = printed_percentages(&[0.79996, 0.20004]);
        assert_eq!(shown, ["79.996%", "20.004%"]);
    }
}
