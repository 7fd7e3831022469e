//! Competing hypotheses: every evidence row read once per hypothesis, the hypotheses'
//! probabilities made coherent (they sum to one), and whether the leader is settled.
//!
//! Hypotheses start level (equal priors); a row's likelihood ratios only matter relative to one
//! another across its cells, so a row equal in every column is non-diagnostic: it changes no
//! probability. The leader is **settled** only when it is likelier than all the other
//! hypotheses together, no value of the unknown evidence could reorder the top (a bound: rows are treated as independent, so the bound can be wider than
//! what is reachable, never narrower) and no known row favours a rival over the leader by the
//! block's conflict ratio or more.

use super::result::{CriterionResult, Slice};
use super::value::Value;
use super::{EvalError, Evaluator, EvidenceItem};
use crate::case::Case;
use std::cmp::Ordering;

use crate::program::{HypothesesDef, Node, NodeId, Points, Program};
use crate::ratio::Ratio;

/// Most candidate groups a case may name; those beyond are left out and counted.
pub(crate) const MAX_GROUPS: usize = 16;

/// A case's hypotheses weighed side by side: the matrix of cells and the ranking.
#[derive(Debug)]
pub(crate) struct Hypotheses<'a> {
    /// The program weighed.
    pub(crate) program: &'a Program,
    /// Its `hypotheses` block.
    pub(crate) def: &'a HypothesesDef,
    /// Candidate groups named by the case, in the order first named.
    pub(crate) groups: Vec<&'a str>,
    /// Groups named beyond [`MAX_GROUPS`], left out.
    pub(crate) left_out: usize,
    /// The hypotheses, in column order.
    pub(crate) columns: Vec<Column<'a>>,
    /// Cell of column `h` and row `c`: `cells[h * rows + c]`.
    pub(crate) cells: Vec<CriterionResult>,
    /// Evidence values, referred to by slices.
    pub(crate) evidence: Vec<EvidenceItem<'a>>,
    /// Values interpolated into reasons and titles, referred to by slices.
    pub(crate) values: Vec<Value<'a>>,
    /// The ranking and whether it is settled.
    pub(crate) ranking: Ranking,
}

/// One hypothesis.
#[derive(Debug, Clone)]
pub(crate) struct Column<'a> {
    /// Its kind (index into the block's kinds).
    pub(crate) kind: u32,
    /// Its group, for a per-group kind.
    pub(crate) group: Option<&'a str>,
    /// Values interpolated into its title.
    pub(crate) title: Slice,
    /// Σ of its cells' log-odds.
    pub(crate) total: Points,
    /// The product of its cells' ratios as written, when each can be held exactly: the
    /// ranking compares these, so that it never depends on how numbers are represented.
    pub(crate) odds: Option<Ratio>,
    /// Its probability among all hypotheses.
    pub(crate) probability: f64,
}

/// Which hypothesis leads, and what could change that.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranking {
    /// The leading column; `None` when two or more tie at the top.
    pub(crate) leader: Option<usize>,
    /// The leader is likelier than all the other hypotheses together.
    pub(crate) majority: bool,
    /// The leader holds a majority, stays the leader whatever the unknown evidence is, and no
    /// known row favours a rival over it by the conflict ratio or more.
    pub(crate) settled: bool,
    /// Rivals that unknown evidence could bring level with or past the leader.
    pub(crate) threats: Vec<Threat>,
    /// Known rows that favour a rival over the leader by the conflict ratio or more.
    pub(crate) conflicts: Vec<Conflict>,
}

/// A rival that could overtake the leader, and the rows whose unknown evidence could do it.
#[derive(Debug, Clone)]
pub(crate) struct Threat {
    /// The rival's column.
    pub(crate) rival: usize,
    /// The rows (fewest first, largest swing first) whose unknowns, turning out for the rival
    /// and against the leader, would bring it level or past.
    pub(crate) rows: Vec<usize>,
}

/// A known row favouring a rival over the leader by the conflict ratio or more.
#[derive(Debug, Clone)]
pub(crate) struct Conflict {
    /// The row.
    pub(crate) row: usize,
    /// The rival it favours.
    pub(crate) rival: usize,
    /// By how much, in log-odds.
    pub(crate) by: Points,
}

impl<'a> Hypotheses<'a> {
    /// Number of evidence rows.
    pub(crate) fn rows(&self) -> usize {
        self.def.criteria.len()
    }

    /// The cell of column `column` and row `row`.
    pub(crate) fn cell(&self, column: usize, row: usize) -> &CriterionResult {
        &self.cells[column * self.rows() + row]
    }

    /// True when a row gives the same contribution, and could give the same, in every column:
    /// it cannot move any probability.
    pub(crate) fn non_diagnostic(&self, row: usize) -> bool {
        let first = self.cell(0, row);
        (1..self.columns.len()).all(|h| {
            let cell = self.cell(h, row);
            cell.contribution == first.contribution && cell.possible == first.possible
        })
    }
}

/// Weighs the case's hypotheses, when the rule set declares a `hypotheses` block.
pub(crate) fn weigh<'a>(
    program: &'a Program,
    case: &'a Case,
) -> Option<Result<Hypotheses<'a>, EvalError>> {
    let def = program.hypotheses.as_ref()?;
    let mut ev = Evaluator::new(program, case);
    let (groups, left_out) = ev.candidate_groups(def);
    // Each group's hypotheses together, groups in the order first named; then the hypotheses
    // without a group.
    let kinds = || def.kinds.iter().enumerate().map(|(k, def)| (k as u32, def));
    let columns: Vec<(u32, Option<&'a str>)> = groups
        .iter()
        .flat_map(|group| {
            kinds()
                .filter(|(_, k)| k.per_group)
                .map(move |(kind, _)| (kind, Some(*group)))
        })
        .chain(
            kinds()
                .filter(|(_, k)| !k.per_group)
                .map(|(kind, _)| (kind, None)),
        )
        .collect();
    let mut cells = Vec::with_capacity(columns.len() * def.criteria.len());
    let mut weighed = Vec::with_capacity(columns.len());
    for (kind, group) in columns {
        let kind_def = &def.kinds[kind as usize];
        ev.hypothesis = Some((group.map_or(Value::Unknown, Value::Str), &kind_def.name));
        let title = ev.text(&kind_def.title);
        let first = cells.len();
        for criterion in &def.criteria {
            ev.charge(1);
            cells.push(ev.criterion(criterion));
        }
        let own = &cells[first..];
        weighed.push(Column {
            kind,
            group,
            title,
            total: own.iter().map(|c| c.contribution).sum(),
            odds: super::exact_product(&def.criteria, own),
            probability: 0.0,
        });
    }
    ev.hypothesis = None;
    if ev.exhausted {
        return Some(Err(EvalError::OverBudget {
            budget: program.limits.max_work,
        }));
    }
    coherent(&mut weighed);
    let mut out = Hypotheses {
        program,
        def,
        groups,
        left_out,
        columns: weighed,
        cells,
        evidence: ev.evidence,
        values: ev.values,
        ranking: Ranking::default(),
    };
    out.ranking = rank(&out);
    Some(Ok(out))
}

/// Sets each column's probability: its odds over the sum of all (equal priors): the exact
/// odds when every column has them, otherwise from the log-odds, computed from the largest
/// total down so that no term overflows.
fn coherent(columns: &mut [Column<'_>]) {
    let Some(top) = columns.iter().map(|c| c.total).max() else {
        return;
    };
    let exact: Option<Vec<f64>> = columns.iter().map(|c| c.odds.map(Ratio::value)).collect();
    let weights: Vec<f64> = exact.unwrap_or_else(|| {
        columns
            .iter()
            .map(|c| (c.total - top).as_f64().exp())
            .collect()
    });
    let sum: f64 = weights.iter().sum();
    for (column, weight) in columns.iter_mut().zip(weights) {
        column.probability = weight / sum;
    }
}

/// How two columns compare: exactly when both have exact odds; otherwise by their log-odds,
/// level when they are within the rounding of fixed point (`tolerance` units).
fn compare(a: &Column<'_>, b: &Column<'_>, tolerance: i64) -> Ordering {
    match (a.odds, b.odds) {
        (Some(x), Some(y)) => x.compare(y),
        _ if (a.total - b.total).0.abs() <= tolerance => Ordering::Equal,
        _ => a.total.cmp(&b.total),
    }
}

/// The leader, whether it is settled, and what could change it.
fn rank(h: &Hypotheses<'_>) -> Ranking {
    // Each row's contribution is rounded to a unit of fixed point, at most half a unit off.
    let tolerance = h.rows() as i64 + 2;
    let exact: Option<Vec<Ratio>> = h.columns.iter().map(|c| c.odds).collect();
    // Likeliest first, by a total order (sorting needs one): the exact odds when every
    // column has them, otherwise the log-odds.
    let mut order: Vec<usize> = (0..h.columns.len()).collect();
    match &exact {
        Some(odds) => order.sort_by(|a, b| odds[*b].compare(odds[*a])),
        None => order.sort_by_key(|c| std::cmp::Reverse(h.columns[*c].total)),
    }
    let leader = match order.as_slice() {
        [] => None,
        [only] => Some(*only),
        [first, second, ..] => compare(&h.columns[*first], &h.columns[*second], tolerance)
            .is_gt()
            .then_some(*first),
    };
    let Some(leader) = leader else {
        return Ranking::default();
    };
    let mut threats = Vec::new();
    let mut conflicts = Vec::new();
    for rival in order.iter().copied().filter(|r| *r != leader) {
        let margin = h.columns[leader].total - h.columns[rival].total;
        // The most the unknowns could take from the margin, row by row; a row that does not
        // read the hypothesis moves every column alike.
        let mut swings: Vec<(Points, usize)> = (0..h.rows())
            .filter(|row| h.def.reads_hypothesis[*row])
            .map(|row| {
                let (l, r) = (h.cell(leader, row), h.cell(rival, row));
                let swing = (r.possible.max - r.contribution) + (l.contribution - l.possible.min);
                (swing, row)
            })
            .filter(|(swing, _)| swing.0 > 0)
            .collect();
        // Within the rounding of fixed point, a rival counts as able to draw level.
        let reach: Points = swings.iter().map(|(s, _)| *s).sum::<Points>() + Points(tolerance);
        if reach >= margin {
            swings.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut taken = Points(0);
            let mut rows = Vec::new();
            for (swing, row) in swings {
                rows.push(row);
                taken = taken + swing;
                if taken + Points(tolerance) >= margin {
                    break;
                }
            }
            threats.push(Threat { rival, rows });
        }
        for row in 0..h.rows() {
            let (l, r) = (h.cell(leader, row), h.cell(rival, row));
            if l.outcome.is_unknown() || r.outcome.is_unknown() {
                continue;
            }
            let by = r.contribution - l.contribution;
            let criterion = &h.def.criteria[row];
            // Exactly, when both ratios are held exactly; otherwise within rounding.
            let exact = (|| {
                let favour =
                    super::exact_factor(criterion, r)?.over(super::exact_factor(criterion, l)?)?;
                Some(
                    favour
                        .compare(Ratio::of_decimal(h.def.conflict_shown)?)
                        .is_ge(),
                )
            })();
            if exact.unwrap_or(by + Points(tolerance) >= h.def.conflict) {
                conflicts.push(Conflict { row, rival, by });
            }
        }
    }
    conflicts.sort_by(|a, b| b.by.cmp(&a.by).then(a.row.cmp(&b.row)));
    // Likelier than all the others together: exactly, when every column's odds are exact and
    // their sum can be held.
    let others = exact.as_ref().map(|odds| {
        let mut rest = odds
            .iter()
            .enumerate()
            .filter(|(c, _)| *c != leader)
            .map(|(_, o)| *o);
        let first = rest.next();
        first.map(|first| rest.try_fold(first, Ratio::plus))
    });
    let majority = match (h.columns[leader].odds, others) {
        // The leader is the only hypothesis.
        (_, Some(None)) => true,
        (Some(odds), Some(Some(Some(others)))) => odds.compare(others).is_gt(),
        _ => h.columns[leader].probability > 0.5,
    };
    Ranking {
        leader: Some(leader),
        majority,
        settled: majority && threats.is_empty() && conflicts.is_empty(),
        threats,
        conflicts,
    }
}

impl<'a> Evaluator<'a> {
    /// The groups the case names, trimmed, each once in the order first named, at most
    /// [`MAX_GROUPS`]; and how many more were left out.
    fn candidate_groups(&mut self, def: &'a HypothesesDef) -> (Vec<&'a str>, usize) {
        let mut named: Vec<&'a str> = Vec::new();
        for &source in &def.groups {
            self.named_groups(source, &mut named);
        }
        let mut groups: Vec<&'a str> = Vec::new();
        let mut left_out = 0;
        for name in named {
            if name.trim().is_empty() || groups.iter().any(|g| g.trim() == name.trim()) {
                continue;
            }
            if groups.len() == MAX_GROUPS {
                left_out += 1;
            } else {
                groups.push(name);
            }
        }
        (groups, left_out)
    }

    /// The strings a `groups` line gives: its value, or each projected value of its list.
    fn named_groups(&mut self, source: NodeId, out: &mut Vec<&'a str>) {
        let program = self.program;
        let Node::Collect(c) = program.nodes[source as usize] else {
            if let Value::Str(s) = self.eval(source) {
                out.push(s);
            }
            return;
        };
        let def = &program.collections[c as usize];
        let Value::List(list) = self.eval(def.list) else {
            return;
        };
        self.items.push((list, 0));
        let depth = self.items.len() - 1;
        for index in 0..list.len() {
            if !self.charge(def.item_steps) {
                break;
            }
            self.items[depth].1 = index;
            let passes = def
                .filter
                .is_none_or(|f| self.eval(f).truth() == Some(true));
            if let (true, Some(projection)) = (passes, def.projection)
                && let Value::Str(s) = self.eval(projection)
            {
                out.push(s);
            }
        }
        self.items.pop();
    }
}
