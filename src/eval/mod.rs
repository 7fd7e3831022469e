//! Evaluation: a program over a case gives scores, bands, a verdict, and the records a trace
//! shows: each criterion's outcome, the evidence it read and its state, what its unknowns could
//! still change, each window's counted and excluded items, each detail match's fields. Always
//! terminates: every loop runs over a finite list of the case, within the work budget.

pub(crate) mod hypotheses;
pub(crate) mod interval;
pub(crate) mod matchers;
mod probe;
mod ranges;
mod result;
pub(crate) mod value;
mod what_if;

pub(crate) use probe::Probe;
pub(crate) use result::{
    Alternative, CriterionResult, DecisionResult, MatchResult, RangeTest, RangeTestKind,
    ScoreResult, Slice, Window,
};
pub use result::{Bounds, Evaluation, EvidenceItem, EvidenceState, Handling, Mark, Outcome};
pub(crate) use what_if::WhatIf;

use std::collections::HashSet;

use crate::case::{Case, ListData, NO_SYMBOL, Slot};
use crate::ops::{BinOp, CollectOp, WindowSide};
use crate::program::{
    CriterionDef, DecisionDef, HypothesisField, Node, NodeId, Points, Program, Read, RowDef,
    RowTestDef, ScoreDef, ScoreMode, ScoreProp, TextPart, WeightDef, per_units, ramp_position,
};
use crate::ratio::Ratio;
use interval::Interval;
use matchers::compare;
use value::{Value, and, binary, not, or, tri};

/// Why a case could not be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The case needs more evaluation steps than the work budget allows.
    OverBudget {
        /// The budget, in steps.
        budget: u64,
    },
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::OverBudget { budget } => write!(
                f,
                "scoring this case needs more than {budget} evaluation steps, the work budget (its lists are too long for the rules; `--max-work` raises the budget)"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

/// Scores a case, within the program's work budget.
pub fn evaluate<'a>(program: &'a Program, case: &'a Case) -> Result<Evaluation<'a>, EvalError> {
    let mut ev = Evaluator::new(program, case);
    // An evaluation records a few dozen reads: room for them up front, not grown a few at a
    // time (the what-ifs and probes that also use an evaluator record next to nothing).
    ev.evidence.reserve(16);
    for score in &program.scores {
        let result = ev.score(score);
        ev.scores.push(result);
    }
    let verdict = program.verdict.as_ref().map(|v| ev.decision(v, None));
    if ev.exhausted {
        return Err(EvalError::OverBudget {
            budget: program.limits.max_work,
        });
    }
    let case_id = EvidenceItem {
        value: Value::of_slot(&case.slots[program.case_id as usize]),
        state: slot_state(&case.slots[program.case_id as usize], EvidenceState::Known),
    };
    Ok(Evaluation {
        program,
        case,
        case_id,
        scores: ev.scores,
        verdict,
        lets: ev.lets,
        let_evidence: ev.let_evidence,
        collections: ev.collections,
        windows: ev.windows,
        matches: ev.matches,
        evidence: ev.evidence,
        values: ev.values,
        alternatives: ev.alternatives,
        range_tests: ev.range_tests,
    })
}

impl<'a> Evaluation<'a> {
    /// Asks which rows the bands and the verdict would choose under other score totals.
    pub(crate) fn what_if(&self) -> WhatIf<'_, 'a> {
        WhatIf::new(self)
    }
}

/// What a slot says of a value: missing, null, or as computed.
fn slot_state(slot: &Slot, otherwise: EvidenceState) -> EvidenceState {
    match slot {
        Slot::Missing => EvidenceState::Missing,
        Slot::Null => EvidenceState::Null,
        _ => otherwise,
    }
}

struct Evaluator<'a> {
    program: &'a Program,
    case: &'a Case,
    lets: Vec<Option<Value<'a>>>,
    let_evidence: Vec<Option<Slice>>,
    collections: Vec<Option<Value<'a>>>,
    windows: Vec<Option<Window<'a>>>,
    matches: Vec<Option<MatchResult<'a>>>,
    /// The items bound by enclosing collections: (list, index).
    items: Vec<(&'a ListData, usize)>,
    /// The hypothesis being weighed: its group (unknown for one without) and kind.
    hypothesis: Option<(Value<'a>, &'a str)>,
    scores: Vec<ScoreResult>,
    evidence: Vec<EvidenceItem<'a>>,
    /// Reads being gathered, innermost last (see [`Evaluator::reads`]).
    pending: Vec<EvidenceItem<'a>>,
    values: Vec<Value<'a>>,
    alternatives: Vec<Alternative>,
    range_tests: Vec<RangeTest<'a>>,
    /// Steps spent on work that grows with the case: list items, scans and comparisons.
    work: u64,
    /// The work budget ran out: loops stop, and the case is reported as over budget.
    exhausted: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator with nothing computed yet.
    fn new(program: &'a Program, case: &'a Case) -> Evaluator<'a> {
        Evaluator {
            program,
            case,
            lets: vec![None; program.lets.len()],
            let_evidence: vec![None; program.lets.len()],
            collections: vec![None; program.collections.len()],
            windows: vec![None; program.collections.len()],
            matches: vec![None; program.matches.len()],
            items: Vec::new(),
            hypothesis: None,
            scores: Vec::with_capacity(program.scores.len()),
            evidence: Vec::new(),
            pending: Vec::new(),
            values: Vec::new(),
            alternatives: Vec::new(),
            range_tests: Vec::new(),
            work: 0,
            exhausted: false,
        }
    }

    /// Charges `steps` against the work budget; false once it has run out.
    fn charge(&mut self, steps: u64) -> bool {
        self.work = self.work.saturating_add(steps);
        if self.work > self.program.limits.max_work {
            self.exhausted = true;
        }
        !self.exhausted
    }

    /// Scores one criterion set: its criteria, its possible range, its band.
    fn score(&mut self, def: &'a ScoreDef) -> ScoreResult {
        let base = match def.mode {
            ScoreMode::Additive => Points(0),
            ScoreMode::Evidence { prior } => Points::from_f64((prior / (1.0 - prior)).ln()),
        };
        let criteria: Vec<CriterionResult> =
            def.criteria.iter().map(|c| self.criterion(c)).collect();
        let total = base + criteria.iter().map(|c| c.contribution).sum();
        let odds = match def.mode {
            ScoreMode::Evidence { prior } => exact_odds(prior, def, &criteria),
            ScoreMode::Additive => None,
        };
        let possible = criteria
            .iter()
            .fold(Bounds::exactly(base), |acc, c| acc.plus(c.possible));
        let known = criteria.iter().filter(|c| !c.outcome.is_unknown()).count();
        let mut result = ScoreResult {
            base,
            total,
            possible,
            probability: odds
                .map(Ratio::probability)
                .or_else(|| probability(def.mode, total)),
            odds,
            criteria,
            band: None,
            settled: true,
            known,
        };
        // Bands may read this score's value, range and coverage (its band is not yet known).
        if let Some(bands) = &def.bands {
            let index = self.scores.len();
            self.scores.push(result);
            let exact = ScoreTotal { units: total, odds };
            let band = self.decision(bands, Some(exact));
            // An end of the range is decided exactly only when it is the total itself; near a
            // threshold, the rounding of fixed point leaves the other ends undecided.
            let tolerance = def.criteria.len() as i64 + 2;
            // A band reached because evidence defeated an override is in conflict: never
            // settled.
            let settled = band.undecided.is_empty()
                && bands.rows[band.row as usize].conflict.is_none()
                && [possible.min, possible.max].into_iter().all(|end| {
                    let end = if end == total {
                        Some(exact)
                    } else {
                        let near = bands.rows.iter().any(|row| {
                            matches!(row.test, RowTestDef::Threshold { at, .. }
                                if (end.0 - at.0).abs() <= tolerance)
                        });
                        (!near).then_some(ScoreTotal {
                            units: end,
                            odds: None,
                        })
                    };
                    end.is_some_and(|end| {
                        // The bands may read the score's own value: read the end's.
                        let own = &mut self.scores[index];
                        let actual = (own.total, own.odds, own.probability);
                        own.total = end.units;
                        own.odds = end.odds;
                        own.probability = end
                            .odds
                            .map(Ratio::probability)
                            .or_else(|| probability(def.mode, end.units));
                        let row = self.row_at(bands, end);
                        let own = &mut self.scores[index];
                        (own.total, own.odds, own.probability) = actual;
                        // The same band, by whichever row.
                        row.is_some_and(|r| {
                            bands.rows[r as usize].label == bands.rows[band.row as usize].label
                        })
                    })
                });
            result = self.scores.swap_remove(index);
            result.band = Some(band);
            result.settled = settled;
        }
        result
    }

    /// Whether a row of a table applies: a threshold row by the score's total, compared
    /// exactly when both the total's and the threshold's odds are exact.
    fn applies(&mut self, test: &RowTestDef, total: Option<ScoreTotal>) -> Option<bool> {
        match test {
            RowTestDef::Threshold { .. } => Some(total.unwrap_or_default().reaches(test)),
            RowTestDef::When(node) => self.eval(*node).truth(),
            RowTestDef::Else => Some(true),
        }
    }

    /// The rows of a table that could apply: each whose condition is unknown, and the first
    /// that holds.
    fn options(&mut self, def: &'a DecisionDef, total: Option<ScoreTotal>) -> Vec<u32> {
        let mut out = Vec::new();
        for (index, row) in def.rows.iter().enumerate() {
            match self.applies(&row.test, total) {
                Some(false) => {}
                Some(true) => {
                    out.push(index as u32);
                    break;
                }
                None => out.push(index as u32),
            }
        }
        out
    }

    /// The band row a total would give, other rows' conditions as they are (`None` when an
    /// unknown condition comes first).
    fn row_at(&mut self, bands: &'a DecisionDef, total: ScoreTotal) -> Option<u32> {
        for (index, row) in bands.rows.iter().enumerate() {
            match self.applies(&row.test, Some(total)) {
                Some(true) => return Some(index as u32),
                Some(false) => {}
                None => return None,
            }
        }
        None
    }

    /// Decides one criterion: the first row whose condition holds, adjusted by the first of its
    /// refinements that holds; records what unknown evidence could still change.
    fn criterion(&mut self, def: &'a CriterionDef) -> CriterionResult {
        let alternatives_start = self.alternatives.len();
        let mut outcome = Outcome::NoOutcome;
        let mut contribution = Points(0);
        let mut possible = Bounds::default();
        let mut input = None;
        for (index, row) in def.outcomes.iter().enumerate() {
            let holds = match row.guard {
                None => Some(true),
                Some(guard) => self.eval(guard).truth(),
            };
            match holds {
                Some(false) => continue,
                Some(true) => {
                    let applied = self.refined(row, index as u32, alternatives_start);
                    outcome = applied.outcome;
                    contribution = applied.contribution;
                    possible = applied.possible;
                    input = applied.input;
                }
                None => {
                    outcome = Outcome::Unknown {
                        row: index as u32,
                        handling: Handling::Skipped,
                    };
                    possible = self.still_possible(def, index);
                }
            }
            break;
        }
        if matches!(outcome, Outcome::NoOutcome) {
            possible = Bounds::exactly(Points(0));
        }
        let reason_parts: &'a [TextPart] = match outcome {
            Outcome::Applied { row, refinement } => {
                let row = &def.outcomes[row as usize];
                match refinement {
                    Some(r) => &row.refinements[r as usize].reason,
                    None => &row.reason,
                }
            }
            Outcome::Unknown { row, .. } => {
                if let Some(default) = def.unknown.default {
                    outcome = Outcome::Unknown {
                        row,
                        handling: Handling::Defaulted,
                    };
                    contribution = default.units;
                }
                &def.unknown.reason
            }
            Outcome::NoOutcome => &[],
        };
        let reason = self.text(reason_parts);
        let evidence = self.reads(&def.reads);
        let range_tests = self.range_tests(def, outcome, evidence);
        CriterionResult {
            outcome,
            contribution,
            possible,
            input,
            evidence,
            reason,
            alternatives: Slice::after(alternatives_start, &self.alternatives),
            range_tests,
        }
    }

    /// A row whose condition held, with its refinements: the first that holds applies; those
    /// whose condition is unknown are recorded as alternatives.
    fn refined(
        &mut self,
        row: &'a crate::program::OutcomeDef,
        index: u32,
        alternatives_start: usize,
    ) -> Applied {
        for (r, refinement) in row.refinements.iter().enumerate() {
            match self.eval(refinement.guard).truth() {
                Some(false) => {}
                Some(true) => {
                    let mut applied = self.weighed(&refinement.weight, index, Some(r as u32));
                    applied.possible = self.with_alternatives(applied.possible, alternatives_start);
                    return applied;
                }
                None => {
                    let contribution = self.weight_bounds(&refinement.weight);
                    self.alternatives.push(Alternative {
                        row: index,
                        refinement: Some(r as u32),
                        contribution,
                    });
                }
            }
        }
        let mut applied = self.weighed(&row.weight, index, None);
        applied.possible = self.with_alternatives(applied.possible, alternatives_start);
        applied
    }

    /// `bounds` widened by the alternatives recorded for the current criterion (from `start`).
    fn with_alternatives(&self, bounds: Bounds, start: usize) -> Bounds {
        self.alternatives[start..]
            .iter()
            .fold(bounds, |acc, a| acc.union(a.contribution))
    }

    /// A weight that applies, as an outcome; an unknown weight input makes the row unknown.
    fn weighed(&mut self, weight: &WeightDef, row: u32, refinement: Option<u32>) -> Applied {
        match self.weight(weight) {
            Some(w) => Applied {
                outcome: Outcome::Applied { row, refinement },
                contribution: w.points,
                possible: w.possible,
                input: w.input,
            },
            None => Applied {
                outcome: Outcome::Unknown {
                    row,
                    handling: Handling::Skipped,
                },
                contribution: Points(0),
                possible: self.weight_bounds(weight),
                input: None,
            },
        }
    }

    /// The outcomes a criterion could reach from row `from`, whose condition is unknown: that
    /// row (and its refinements), then each later row whose condition is not known to be false,
    /// up to the first that holds. Each is recorded as an alternative.
    fn still_possible(&mut self, def: &'a CriterionDef, from: usize) -> Bounds {
        let mut bounds: Option<Bounds> = None;
        let mut reached_end = true;
        for (index, row) in def.outcomes.iter().enumerate().skip(from) {
            let holds = match (index == from, row.guard) {
                (true, _) => None,
                (false, None) => Some(true),
                (false, Some(guard)) => self.eval(guard).truth(),
            };
            if holds == Some(false) {
                continue;
            }
            for contribution in std::iter::once((None, self.weight_bounds(&row.weight))).chain(
                row.refinements
                    .iter()
                    .enumerate()
                    .map(|(r, refinement)| (Some(r as u32), self.weight_bounds(&refinement.weight)))
                    .collect::<Vec<_>>(),
            ) {
                let (refinement, amount) = contribution;
                self.alternatives.push(Alternative {
                    row: index as u32,
                    refinement,
                    contribution: amount,
                });
                bounds = Some(bounds.map_or(amount, |b| b.union(amount)));
            }
            if holds == Some(true) {
                reached_end = false;
                break;
            }
        }
        let nothing = Bounds::exactly(Points(0));
        match (bounds, reached_end) {
            (Some(b), true) => b.union(nothing),
            (Some(b), false) => b,
            (None, _) => nothing,
        }
    }

    /// The contributions a weight can give whatever its input turns out to be.
    fn weight_bounds(&mut self, weight: &WeightDef) -> Bounds {
        if let Some(w) = self.weight(weight) {
            return w.possible;
        }
        match weight {
            WeightDef::Fixed(amount) => Bounds::exactly(amount.units),
            WeightDef::Per { amount, max, .. } => {
                let per = amount.units.0;
                let most = max.map_or(Points(Points::LIMIT.saturating_mul(per.signum())), |m| {
                    Points::from_units(per as f64 * m.max(0.0))
                });
                Bounds::exactly(Points(0)).union(Bounds::exactly(most))
            }
            WeightDef::Ramp { y, .. } => {
                Bounds::exactly(y[0].units).union(Bounds::exactly(y[1].units))
            }
        }
    }

    /// A weight's amount, and the count or input it used; `None` when that input is unknown.
    /// A weight's amount, its possible range, and the count or input it used; `None` when
    /// that input is unknown. An input known only as a range gives the amount nearest to zero
    /// (what the evidence supports for certain), and the range of amounts as possible.
    fn weight(&mut self, weight: &WeightDef) -> Option<Weighed> {
        let input = match weight {
            WeightDef::Fixed(amount) => {
                return Some(Weighed {
                    points: amount.units,
                    possible: Bounds::exactly(amount.units),
                    input: None,
                });
            }
            WeightDef::Per { count, .. } => self.eval(*count).as_range()?,
            WeightDef::Ramp { input, .. } => self.eval(*input).as_range()?,
        };
        let amount = |n: f64| -> Points {
            match weight {
                WeightDef::Per { amount, max, .. } => {
                    Points::from_units(amount.units.0 as f64 * per_units(n, *max))
                }
                WeightDef::Ramp { x, y, .. } => {
                    let t = ramp_position(n, *x);
                    let (y0, y1) = (y[0].units.0 as f64, y[1].units.0 as f64);
                    Points::from_units(y0 + t * (y1 - y0))
                }
                WeightDef::Fixed(amount) => amount.units,
            }
        };
        let (low, high) = (amount(input.lo), amount(input.hi));
        let possible = Bounds::exactly(low).union(Bounds::exactly(high));
        let points = if low.0.abs() <= high.0.abs() {
            low
        } else {
            high
        };
        Some(Weighed {
            points,
            possible,
            input: input.is_point().then_some(input.lo),
        })
    }

    /// Evaluates a reason's interpolated values into the value store.
    fn text(&mut self, parts: &'a [TextPart]) -> Slice {
        let start = self.values.len();
        for part in parts {
            if let TextPart::Value(node) = part {
                let value = self.eval(*node);
                self.values.push(value);
            }
        }
        Slice::after(start, &self.values)
    }

    /// Evaluates reads into the evidence store, each with its state. A read of a definition
    /// records the definition's own reads the first time it is evaluated; the values are
    /// gathered on a stack first so that those never land inside this slice.
    fn reads(&mut self, reads: &'a [Read]) -> Slice {
        let mark = self.pending.len();
        for read in reads {
            let item = self.read(read);
            self.pending.push(item);
        }
        let start = self.evidence.len();
        self.evidence.extend(self.pending.drain(mark..));
        Slice::after(start, &self.evidence)
    }

    fn read(&mut self, read: &Read) -> EvidenceItem<'a> {
        let value = self.eval(read.node);
        let computed = if value.is_unknown() {
            EvidenceState::Unknown
        } else {
            EvidenceState::Known
        };
        let state = match read.slot {
            Some(slot) => slot_state(&self.case.slots[slot as usize], computed),
            None => computed,
        };
        EvidenceItem { value, state }
    }

    /// First row that applies; rows whose condition is unknown are noted and passed over.
    fn decision(&mut self, def: &'a DecisionDef, total: Option<ScoreTotal>) -> DecisionResult {
        let (chosen, undecided) = self.choose(def, total);
        let evidence = self.reads(&def.reads);
        let reason = match def.rows.get(chosen) {
            Some(row) => self.text(&row.reason),
            None => Slice::default(),
        };
        DecisionResult {
            row: chosen as u32,
            undecided,
            evidence,
            reason,
        }
    }

    /// The row of a table that applies, and the rows before it whose condition is unknown.
    fn choose(&mut self, def: &'a DecisionDef, total: Option<ScoreTotal>) -> (usize, Vec<u32>) {
        let mut undecided = Vec::new();
        let mut chosen = def.rows.len().saturating_sub(1);
        for (index, row) in def.rows.iter().enumerate() {
            match self.applies(&row.test, total) {
                Some(true) => {
                    chosen = index;
                    break;
                }
                Some(false) => {}
                None => {
                    undecided.push(index as u32);
                    // `when C => "a" unless D` with C true and D not yet known: the row
                    // applies unless D turns out true, so it is shown, and left open.
                    if self.holds_unless_unknown(row) {
                        chosen = index;
                        break;
                    }
                }
            }
        }
        (chosen, undecided)
    }

    /// Whether a row written `when C => "a" unless D` holds but for its defeater, which is
    /// unknown (its test, `C and not D`, being unknown).
    fn holds_unless_unknown(&mut self, row: &'a RowDef) -> bool {
        match row.unless {
            Some(unless) if row.conflict.is_none() => {
                self.eval(unless.condition).truth() == Some(true)
            }
            _ => false,
        }
    }

    fn eval(&mut self, id: NodeId) -> Value<'a> {
        let program = self.program;
        match &program.nodes[id as usize] {
            Node::Lit(lit) => Value::of_lit(lit),
            Node::Slot(slot) => Value::of_slot(&self.case.slots[*slot as usize]),
            Node::ItemSlot { depth, slot } => Value::of_slot(self.item(*depth, *slot)),
            Node::Let(l) => self.let_value(*l),
            Node::Not(a) => not(self.eval(*a)),
            Node::Neg(a) => value::negate(self.eval(*a)),
            Node::Binary(BinOp::And, a, b) => {
                let left = self.eval(*a);
                if left.truth() == Some(false) {
                    return left;
                }
                and(left, self.eval(*b))
            }
            Node::Binary(BinOp::Or, a, b) => {
                let left = self.eval(*a);
                if left.truth() == Some(true) {
                    return left;
                }
                or(left, self.eval(*b))
            }
            Node::Binary(BinOp::Otherwise, a, b) => match self.eval(*a) {
                Value::Unknown => self.eval(*b),
                known => known,
            },
            Node::Binary(op, a, b) => {
                let left = self.eval(*a);
                let right = self.eval(*b);
                let scanned = match op {
                    BinOp::Contains => left,
                    BinOp::In => right,
                    _ => Value::Unknown,
                };
                if let Value::List(list) = scanned
                    && !self.charge(list.len() as u64)
                {
                    return Value::Unknown;
                }
                binary(*op, left, right)
            }
            Node::Within {
                value,
                length,
                side,
                anchor,
            } => match (self.eval(*value), self.eval(*length), self.eval(*anchor)) {
                (Value::Time(t), Value::Dur(d), Value::Time(at)) => {
                    Value::Bool(within(t, d, *side, at))
                }
                (t, d, at) => value::within_range(t, d, *side, at),
            },
            Node::WithinItem {
                depth,
                slot,
                length,
                side,
                anchor,
            } => match (self.item(*depth, *slot), self.operand(*anchor)) {
                (Slot::Time(t), Value::Time(at)) => Value::Bool(within(*t, *length, *side, at)),
                (item, at) => {
                    value::within_range(Value::of_slot(item), Value::Dur(*length), *side, at)
                }
            },
            Node::CompareItem {
                op,
                depth,
                slot,
                rhs,
            } => {
                let left = Value::of_slot(self.item(*depth, *slot));
                binary(*op, left, self.operand(*rhs))
            }
            Node::Collect(c) => self.collection(*c),
            Node::Known(a) => Value::Bool(!self.eval(*a).is_unknown()),
            Node::CountTrue(parts) => {
                let (mut trues, mut known) = (0, 0);
                for part in parts.iter() {
                    if let Some(b) = self.eval(*part).truth() {
                        known += 1;
                        trues += usize::from(b);
                    }
                }
                if known == 0 {
                    Value::Unknown
                } else {
                    Value::Num(trues as f64)
                }
            }
            Node::Abs(a) => value::absolute(self.eval(*a)),
            Node::Match(m) => {
                self.detail_match(*m);
                Value::Match(*m)
            }
            Node::MatchField { id, field } => {
                self.detail_match(*id);
                let result = self.matches[*id as usize].as_ref();
                tri(result.and_then(|r| r.fields[*field as usize].matched))
            }
            Node::MatchSummary { id, what } => {
                self.detail_match(*id);
                self.matches[*id as usize]
                    .as_ref()
                    .map_or(Value::Unknown, |r| r.summary(*what))
            }
            Node::Score { id, prop } => self.score_value(*id as usize, *prop),
            Node::Hypothesis(field) => match (self.hypothesis, field) {
                (None, _) => Value::Unknown,
                (Some((group, _)), HypothesisField::Group) => group,
                (Some((_, kind)), HypothesisField::Kind) => Value::Str(kind),
            },
        }
    }

    /// The value of an operand of a fused node: literals and case values are read directly,
    /// sparing a call into [`Self::eval`] for every item of a collection.
    fn operand(&mut self, id: NodeId) -> Value<'a> {
        match &self.program.nodes[id as usize] {
            Node::Lit(lit) => Value::of_lit(lit),
            Node::Slot(slot) => Value::of_slot(&self.case.slots[*slot as usize]),
            _ => self.eval(id),
        }
    }

    /// A slot of the item bound at `depth`.
    fn item(&self, depth: u8, slot: u32) -> &'a Slot {
        let (list, index) = self.items[depth as usize];
        &list.slots[index * list.stride as usize + slot as usize]
    }

    /// The symbol of an interned string that a `distinct` projects straight from its item.
    fn symbol(&self, projection: Option<NodeId>) -> Option<u32> {
        let Node::ItemSlot { depth, slot } = self.program.nodes[projection? as usize] else {
            return None;
        };
        match self.item(depth, slot) {
            Slot::Str(_, symbol) if *symbol != NO_SYMBOL => Some(*symbol),
            _ => None,
        }
    }

    fn let_value(&mut self, id: u32) -> Value<'a> {
        if let Some(value) = self.lets[id as usize] {
            return value;
        }
        let def = &self.program.lets[id as usize];
        let value = self.eval(def.node);
        self.lets[id as usize] = Some(value);
        // What the definition was computed from, for the trace.
        let evidence = self.reads(&def.reads);
        self.let_evidence[id as usize] = Some(evidence);
        value
    }

    fn score_value(&self, index: usize, prop: ScoreProp) -> Value<'a> {
        let (Some(result), Some(def)) = (self.scores.get(index), self.program.scores.get(index))
        else {
            return Value::Unknown;
        };
        let value =
            |total: Points| Value::Num(probability(def.mode, total).unwrap_or(total.as_f64()));
        match prop {
            ScoreProp::Value => Value::Num(result.probability.unwrap_or(result.total.as_f64())),
            ScoreProp::Min => value(result.possible.min),
            ScoreProp::Max => value(result.possible.max),
            ScoreProp::Settled => Value::Bool(result.settled),
            ScoreProp::Coverage => Value::Num(result.coverage()),
            ScoreProp::Band => match (&result.band, &def.bands) {
                (Some(band), Some(bands)) => Value::Str(&bands.rows[band.row as usize].label),
                _ => Value::Unknown,
            },
        }
    }

    fn detail_match(&mut self, id: u32) {
        if self.matches[id as usize].is_some() {
            return;
        }
        let def = &self.program.matches[id as usize];
        let mut result = MatchResult {
            fields: Vec::with_capacity(def.fields.len()),
            sides: Vec::with_capacity(def.fields.len()),
        };
        for field in &def.fields {
            let claimed = self.read(&field.claimed);
            let confirmed = self.read(&field.confirmed);
            let (outcome, steps) = compare(field.matcher, claimed.value, confirmed.value);
            self.charge(steps);
            result.fields.push(outcome);
            result.sides.push((claimed, confirmed));
        }
        self.matches[id as usize] = Some(result);
    }

    /// Runs a collection over its list. Top-level collections are memoised and mark each item.
    fn collection(&mut self, id: u32) -> Value<'a> {
        let def = &self.program.collections[id as usize];
        if def.traced
            && let Some(value) = self.collections[id as usize]
        {
            return value;
        }
        let Value::List(list) = self.eval(def.list) else {
            if def.traced {
                self.collections[id as usize] = Some(Value::Unknown);
            }
            return Value::Unknown;
        };
        if self.exhausted {
            return Value::Unknown;
        }
        let len = list.len();
        let mut marks = if def.traced {
            Vec::with_capacity(len)
        } else {
            Vec::new()
        };
        let mut acc = Accumulator {
            count: 0,
            seen: HashSet::default(),
            sum: Interval::point(0.0),
            extreme: None,
        };
        let mut seen_symbols: Vec<u64> = if def.op == CollectOp::Distinct {
            vec![0; (self.case.symbols as usize).div_ceil(64)]
        } else {
            Vec::new()
        };
        let (mut any_unknown, mut any_false) = (false, false);
        self.items.push((list, 0));
        let depth = self.items.len() - 1;
        for index in 0..len {
            if !self.charge(def.item_steps) {
                break;
            }
            self.items[depth].1 = index;
            let passes = match def.filter {
                Some(filter) => self.eval(filter).truth(),
                None => Some(true),
            };
            let mark = match passes {
                None => {
                    any_unknown = true;
                    Mark::Unknown
                }
                Some(false) => {
                    any_false = true;
                    Mark::Excluded
                }
                Some(true) => match def.op {
                    CollectOp::Count | CollectOp::Any | CollectOp::All => {
                        acc.count += 1;
                        Mark::Counted
                    }
                    CollectOp::Distinct if let Some(symbol) = self.symbol(def.projection) => {
                        let (word, bit) = (symbol as usize / 64, 1u64 << (symbol % 64));
                        if seen_symbols[word] & bit == 0 {
                            seen_symbols[word] |= bit;
                            acc.count += 1;
                            Mark::Counted
                        } else {
                            Mark::Duplicate
                        }
                    }
                    CollectOp::Distinct | CollectOp::Sum | CollectOp::Min | CollectOp::Max => {
                        let value = def.projection.map_or(Value::Unknown, |p| self.eval(p));
                        acc.add(def.op, value)
                    }
                },
            };
            if def.traced {
                marks.push(mark);
            }
        }
        self.items.pop();
        let result = match def.op {
            CollectOp::Count
            | CollectOp::Distinct
            | CollectOp::Sum
            | CollectOp::Min
            | CollectOp::Max => acc.value(def.op),
            CollectOp::Any if acc.count > 0 => Value::Bool(true),
            CollectOp::All if any_false => Value::Bool(false),
            CollectOp::Any | CollectOp::All if any_unknown => Value::Unknown,
            CollectOp::Any => Value::Bool(false),
            CollectOp::All => Value::Bool(true),
        };
        if def.traced {
            self.collections[id as usize] = Some(result);
            self.windows[id as usize] = Some(Window { list, marks });
        }
        result
    }
}

impl<'a> Accumulator<'a> {
    /// Adds one projected item to a `distinct`, `sum`, `min` or `max` collection. A value known
    /// only as a range widens a sum, min or max to a range; it is not one value to count as
    /// distinct.
    fn add(&mut self, op: CollectOp, value: Value<'a>) -> Mark {
        let acc = self;
        match op {
            CollectOp::Distinct => match Key::of(value) {
                Some(key) if acc.seen.insert(key) => {
                    acc.count += 1;
                    Mark::Counted
                }
                Some(_) => Mark::Duplicate,
                None => Mark::Unknown,
            },
            CollectOp::Sum => match value {
                Value::Num(_) | Value::NumRange(_) => {
                    acc.sum = acc
                        .sum
                        .add(value.as_range().unwrap_or(Interval::point(0.0)));
                    Mark::Counted
                }
                _ => Mark::Unknown,
            },
            _ => {
                let Some(item) = value::measure(value) else {
                    return Mark::Unknown;
                };
                acc.extreme = match acc.extreme {
                    None => Some(item),
                    Some((kind, current)) if kind == item.0 => Some((
                        kind,
                        if op == CollectOp::Min {
                            current.min(item.1)
                        } else {
                            current.max(item.1)
                        },
                    )),
                    Some(_) => return Mark::Unknown,
                };
                Mark::Counted
            }
        }
    }

    /// The collection's value once every item is added.
    fn value(self, op: CollectOp) -> Value<'a> {
        match op {
            CollectOp::Sum => value::number(self.sum),
            CollectOp::Min | CollectOp::Max => {
                self.extreme.map_or(Value::Unknown, |(kind, range)| {
                    value::of_measure(kind, range)
                })
            }
            _ => Value::Num(self.count as f64),
        }
    }
}

/// What a collection has gathered so far: items counted, distinct keys, a sum, an extreme.
struct Accumulator<'a> {
    count: usize,
    /// Values already counted by a `distinct` (foldhash: only membership is asked).
    seen: HashSet<Key<'a>, foldhash::fast::RandomState>,
    sum: Interval,
    extreme: Option<(value::Measure, Interval)>,
}

/// A weight's amount, the amounts it could be, and the count or input it used.
struct Weighed {
    points: Points,
    possible: Bounds,
    input: Option<f64>,
}

/// A decided row: its outcome, contribution, possible range and weight input.
struct Applied {
    outcome: Outcome,
    contribution: Points,
    possible: Bounds,
    input: Option<f64>,
}

/// A score's total as a band compares it: fixed point, and its exact odds when known.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScoreTotal {
    units: Points,
    odds: Option<Ratio>,
}

impl ScoreTotal {
    /// A total, with its exact odds when every weight of an evidence score is an exact ratio.
    pub(crate) fn new(units: Points, odds: Option<Ratio>) -> ScoreTotal {
        ScoreTotal { units, odds }
    }

    /// Whether the total reaches a threshold row (false for other rows): compared exactly when
    /// both the total's and the threshold's odds are exact, in fixed point otherwise.
    pub(crate) fn reaches(&self, test: &RowTestDef) -> bool {
        let RowTestDef::Threshold {
            strict, at, odds, ..
        } = test
        else {
            return false;
        };
        let order = match (self.odds, odds) {
            (Some(total), Some(threshold)) => total.compare(*threshold),
            _ => self.units.cmp(at),
        };
        if *strict {
            order.is_gt()
        } else {
            order.is_ge()
        }
    }
}

/// The exact odds of an evidence score's total: the prior's odds times each criterion's
/// likelihood ratio as written, or `None` when one is not a ratio that can be held exactly (a
/// ramp between its ends, a fractional count, a product too large).
fn exact_odds(prior: f64, def: &ScoreDef, criteria: &[CriterionResult]) -> Option<Ratio> {
    let odds = Ratio::odds(prior)?;
    exact_product(&def.criteria, criteria)?.times(odds)
}

/// The product of the criteria's likelihood ratios as written, when each can be held exactly.
pub(crate) fn exact_product(defs: &[CriterionDef], results: &[CriterionResult]) -> Option<Ratio> {
    defs.iter()
        .zip(results)
        .try_fold(Ratio::ONE, |odds, (def, result)| {
            odds.times(exact_factor(def, result)?)
        })
}

/// The likelihood ratio a criterion gave, exactly as written (1 when it was skipped).
pub(crate) fn exact_factor(criterion: &CriterionDef, result: &CriterionResult) -> Option<Ratio> {
    match result.outcome {
        Outcome::Applied { row, refinement } => {
            let row = &criterion.outcomes[row as usize];
            let weight = match refinement {
                Some(r) => &row.refinements[r as usize].weight,
                None => &row.weight,
            };
            weight_ratio(weight, result.input)
        }
        Outcome::Unknown {
            handling: Handling::Defaulted,
            ..
        } => criterion.unknown.default?.ratio(),
        Outcome::Unknown { .. } | Outcome::NoOutcome => Some(Ratio::ONE),
    }
}

/// The exact likelihood ratio a weight gave for the input it read.
fn weight_ratio(weight: &WeightDef, input: Option<f64>) -> Option<Ratio> {
    match weight {
        WeightDef::Fixed(amount) => amount.ratio(),
        WeightDef::Per { amount, max, .. } => {
            let units = per_units(input?, *max);
            (units.fract() == 0.0 && units <= f64::from(u32::MAX))
                .then(|| amount.ratio()?.power(units as u32))
                .flatten()
        }
        WeightDef::Ramp { x, y, .. } => match ramp_position(input?, *x) {
            0.0 => y[0].ratio(),
            1.0 => y[1].ratio(),
            _ => None,
        },
    }
}

/// The probability of an evidence score's total.
pub(crate) fn probability(mode: ScoreMode, total: Points) -> Option<f64> {
    match mode {
        ScoreMode::Evidence { .. } => Some(1.0 / (1.0 + (-total.as_f64()).exp())),
        ScoreMode::Additive => None,
    }
}

/// Whether time `t` lies in the window of length `d` on `side` of `at`.
fn within(t: i64, d: i64, side: WindowSide, at: i64) -> bool {
    match side {
        WindowSide::After => t >= at && t <= at.saturating_add(d),
        WindowSide::Before => t <= at && t >= at.saturating_sub(d),
        WindowSide::Around => t.abs_diff(at) <= d.unsigned_abs(),
    }
}

/// A hashable form of a known scalar, for `distinct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Bool(bool),
    Num(u64),
    Str(&'a str),
    Time(i64),
}

impl<'a> Key<'a> {
    fn of(value: Value<'a>) -> Option<Key<'a>> {
        Some(match value {
            Value::Bool(b) => Key::Bool(b),
            Value::Num(n) => Key::Num(if n == 0.0 { 0 } else { n.to_bits() }),
            Value::Str(s) => Key::Str(s),
            Value::Time(t) | Value::Dur(t) => Key::Time(t),
            // A value known only as a range is not one value to count as distinct.
            Value::Unknown
            | Value::NumRange(_)
            | Value::TimeRange(_)
            | Value::DurRange(_)
            | Value::List(_)
            | Value::Match(_) => return None,
        })
    }
}
