//! Evaluation: a program over a case gives scores, bands, a verdict, and everything a trace
//! shows: each criterion's outcome and evidence, each window's counted and excluded items, each
//! detail match's fields. Always terminates: every loop runs over a finite list of the case.

pub mod matchers;
mod result;
pub mod value;

pub use result::{
    CriterionResult, DecisionResult, Evaluation, Mark, MatchResult, ScoreResult, Status,
};

use std::collections::HashSet;

use crate::case::{Case, ListData, NO_SYMBOL, Slot};
use crate::program::{
    DecisionDef, Node, NodeId, Points, Program, RowTestDef, ScoreMode, ScoreProp, TextPart,
    WeightDef,
};
use crate::syntax::ast::{BinOp, CollectOp, WindowSide};
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
    let mut ev = Evaluator {
        program,
        case,
        lets: vec![None; program.lets.len()],
        collections: vec![None; program.collections.len()],
        windows: vec![None; program.collections.len()],
        matches: vec![None; program.matches.len()],
        items: Vec::new(),
        scores: Vec::with_capacity(program.scores.len()),
        work: 0,
        exhausted: false,
    };
    for score in &program.scores {
        ev.score(score);
    }
    let verdict = program.verdict.as_ref().map(|v| ev.decision(v, None));
    if ev.exhausted {
        return Err(EvalError::OverBudget {
            budget: program.limits.max_work,
        });
    }
    Ok(Evaluation {
        program,
        case,
        scores: ev.scores,
        verdict,
        lets: ev.lets,
        collections: ev.collections,
        windows: ev.windows,
        matches: ev.matches,
    })
}

struct Evaluator<'a> {
    program: &'a Program,
    case: &'a Case,
    lets: Vec<Option<Value<'a>>>,
    collections: Vec<Option<Value<'a>>>,
    windows: Vec<Option<Vec<Mark>>>,
    matches: Vec<Option<MatchResult<'a>>>,
    /// The items bound by enclosing collections: (list, index).
    items: Vec<(&'a ListData, usize)>,
    scores: Vec<ScoreResult<'a>>,
    /// Steps spent on work that grows with the case: list items, scans and comparisons.
    work: u64,
    /// The work budget ran out: loops stop, and the case is reported as over budget.
    exhausted: bool,
}

impl<'a> Evaluator<'a> {
    /// Charges `steps` against the work budget; false once it has run out.
    fn charge(&mut self, steps: u64) -> bool {
        self.work = self.work.saturating_add(steps);
        if self.work > self.program.limits.max_work {
            self.exhausted = true;
        }
        !self.exhausted
    }

    /// Scores one criterion set and appends the result to `self.scores`.
    fn score(&mut self, def: &'a crate::program::ScoreDef) {
        let base = match def.mode {
            ScoreMode::Additive => Points(0),
            ScoreMode::Evidence { prior } => Points::from_f64((prior / (1.0 - prior)).ln()),
        };
        let criteria: Vec<CriterionResult<'a>> =
            def.criteria.iter().map(|c| self.criterion(c)).collect();
        let total = base + criteria.iter().map(|c| c.contribution).sum();
        let known = criteria
            .iter()
            .filter(|c| !matches!(c.status, Status::Unknown { .. }))
            .count();
        let probability = match def.mode {
            ScoreMode::Evidence { .. } => Some(1.0 / (1.0 + (-total.as_f64()).exp())),
            ScoreMode::Additive => None,
        };
        self.scores.push(ScoreResult {
            base,
            total,
            probability,
            criteria,
            band: None,
            known,
        });
        // Bands may read this score's value and coverage (its own band is not yet known).
        if let Some(bands) = &def.bands {
            let band = self.decision(bands, Some(total));
            if let Some(result) = self.scores.last_mut() {
                result.band = Some(band);
            }
        }
    }

    fn criterion(&mut self, def: &'a crate::program::CriterionDef) -> CriterionResult<'a> {
        let mut status = Status::NoOutcome;
        let mut contribution = Points(0);
        let mut input = None;
        for (index, outcome) in def.outcomes.iter().enumerate() {
            let holds = match outcome.guard {
                None => Some(true),
                Some(guard) => self.eval(guard).truth(),
            };
            match holds {
                Some(true) => {
                    match self.weight(&outcome.weight) {
                        Some((points, used)) => {
                            status = Status::Applied(index);
                            contribution = points;
                            input = used;
                        }
                        None => {
                            status = Status::Unknown {
                                defaulted: false,
                                at: index,
                            }
                        }
                    }
                    break;
                }
                Some(false) => continue,
                None => {
                    status = Status::Unknown {
                        defaulted: false,
                        at: index,
                    };
                    break;
                }
            }
        }
        let reason_parts: &'a [TextPart] = match status {
            Status::Applied(i) => &def.outcomes[i].reason,
            Status::Unknown { at, .. } => {
                if let Some(default) = def.unknown.default {
                    status = Status::Unknown {
                        defaulted: true,
                        at,
                    };
                    contribution = default;
                }
                &def.unknown.reason
            }
            Status::NoOutcome => &[],
        };
        let reason = self.text(reason_parts);
        let evidence = def.reads.iter().map(|r| self.eval(r.node)).collect();
        CriterionResult {
            status,
            contribution,
            input,
            evidence,
            reason,
        }
    }

    /// A weight's amount, and the count or input it used; `None` when that input is unknown.
    fn weight(&mut self, weight: &WeightDef) -> Option<(Points, Option<f64>)> {
        match weight {
            WeightDef::Fixed(points) => Some((*points, None)),
            WeightDef::Per { amount, count, max } => {
                let n = self.eval(*count).as_number()?;
                let used = max.map_or(n, |m| n.min(m)).max(0.0);
                Some((Points::from_units(amount.0 as f64 * used), Some(n)))
            }
            WeightDef::Ramp { input, x, y } => {
                let v = self.eval(*input).as_number()?;
                let t = ((v - x[0]) / (x[1] - x[0])).clamp(0.0, 1.0);
                let amount = y[0].0 as f64 + t * (y[1].0 as f64 - y[0].0 as f64);
                Some((Points::from_units(amount), Some(v)))
            }
        }
    }

    fn text(&mut self, parts: &'a [TextPart]) -> Vec<Value<'a>> {
        parts
            .iter()
            .filter_map(|p| match p {
                TextPart::Value(node) => Some(self.eval(*node)),
                TextPart::Text(_) => None,
            })
            .collect()
    }

    /// First row that applies; rows whose condition is unknown are noted and passed over.
    fn decision(&mut self, def: &'a DecisionDef, total: Option<Points>) -> DecisionResult<'a> {
        let mut undecided = Vec::new();
        let mut chosen = def.rows.len().saturating_sub(1);
        for (index, row) in def.rows.iter().enumerate() {
            let applies = match &row.test {
                RowTestDef::Threshold { strict, at, .. } => {
                    let total = total.unwrap_or_default();
                    Some(if *strict { total > *at } else { total >= *at })
                }
                RowTestDef::When(node) => self.eval(*node).truth(),
                RowTestDef::Else => Some(true),
            };
            match applies {
                Some(true) => {
                    chosen = index;
                    break;
                }
                Some(false) => {}
                None => undecided.push(index),
            }
        }
        let evidence = def.reads.iter().map(|r| self.eval(r.node)).collect();
        let reason = match def.rows.get(chosen) {
            Some(row) => self.text(&row.reason),
            None => Vec::new(),
        };
        DecisionResult {
            row: chosen,
            undecided,
            evidence,
            reason,
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
            Node::Neg(a) => match self.eval(*a) {
                Value::Num(n) => Value::Num(-n),
                Value::Dur(d) => Value::Dur(d.saturating_neg()),
                _ => Value::Unknown,
            },
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
                _ => Value::Unknown,
            },
            Node::WithinItem {
                depth,
                slot,
                length,
                side,
                anchor,
            } => match (self.item(*depth, *slot), self.operand(*anchor)) {
                (Slot::Time(t), Value::Time(at)) => Value::Bool(within(*t, *length, *side, at)),
                _ => Value::Unknown,
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
            Node::Abs(a) => match self.eval(*a) {
                Value::Num(n) => Value::Num(n.abs()),
                Value::Dur(d) => Value::Dur(d.saturating_abs()),
                _ => Value::Unknown,
            },
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
        let node = self.program.lets[id as usize].node;
        let value = self.eval(node);
        self.lets[id as usize] = Some(value);
        value
    }

    fn score_value(&self, index: usize, prop: ScoreProp) -> Value<'a> {
        let (Some(result), Some(def)) = (self.scores.get(index), self.program.scores.get(index))
        else {
            return Value::Unknown;
        };
        match prop {
            ScoreProp::Value => Value::Num(result.probability.unwrap_or(result.total.as_f64())),
            ScoreProp::Coverage => Value::Num(result.coverage()),
            ScoreProp::Band => match (&result.band, &def.bands) {
                (Some(band), Some(bands)) => Value::Str(&bands.rows[band.row].label),
                _ => Value::Unknown,
            },
        }
    }

    fn detail_match(&mut self, id: u32) {
        if self.matches[id as usize].is_some() {
            return;
        }
        let def = &self.program.matches[id as usize];
        let mut result = MatchResult::default();
        for field in &def.fields {
            let claimed = self.eval(field.claimed);
            let confirmed = self.eval(field.confirmed);
            let (outcome, steps) = compare(field.matcher, claimed, confirmed);
            self.charge(steps);
            result.fields.push(outcome);
            result.values.push((claimed, confirmed));
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
        let mut seen: HashSet<Key<'a>> = HashSet::new();
        let mut seen_symbols: Vec<u64> = if def.op == CollectOp::Distinct {
            vec![0; (self.case.symbols as usize).div_ceil(64)]
        } else {
            Vec::new()
        };
        let (mut count, mut sum) = (0usize, 0.0);
        let mut extreme: Option<Value<'a>> = None;
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
                        count += 1;
                        Mark::Counted
                    }
                    CollectOp::Distinct if let Some(symbol) = self.symbol(def.projection) => {
                        let (word, bit) = (symbol as usize / 64, 1u64 << (symbol % 64));
                        if seen_symbols[word] & bit == 0 {
                            seen_symbols[word] |= bit;
                            count += 1;
                            Mark::Counted
                        } else {
                            Mark::Duplicate
                        }
                    }
                    CollectOp::Distinct | CollectOp::Sum | CollectOp::Min | CollectOp::Max => {
                        let value = def.projection.map_or(Value::Unknown, |p| self.eval(p));
                        self.project(def.op, value, &mut seen, &mut count, &mut sum, &mut extreme)
                    }
                },
            };
            if def.traced {
                marks.push(mark);
            }
        }
        self.items.pop();
        let result = match def.op {
            CollectOp::Count | CollectOp::Distinct => Value::Num(count as f64),
            CollectOp::Sum => Value::Num(sum),
            CollectOp::Min | CollectOp::Max => extreme.unwrap_or(Value::Unknown),
            CollectOp::Any if count > 0 => Value::Bool(true),
            CollectOp::All if any_false => Value::Bool(false),
            CollectOp::Any | CollectOp::All if any_unknown => Value::Unknown,
            CollectOp::Any => Value::Bool(false),
            CollectOp::All => Value::Bool(true),
        };
        if def.traced {
            self.collections[id as usize] = Some(result);
            self.windows[id as usize] = Some(marks);
        }
        result
    }

    fn project(
        &mut self,
        op: CollectOp,
        value: Value<'a>,
        seen: &mut HashSet<Key<'a>>,
        count: &mut usize,
        sum: &mut f64,
        extreme: &mut Option<Value<'a>>,
    ) -> Mark {
        let Some(key) = Key::of(value) else {
            return Mark::Unknown;
        };
        match op {
            CollectOp::Distinct => {
                if seen.insert(key) {
                    *count += 1;
                    Mark::Counted
                } else {
                    Mark::Duplicate
                }
            }
            CollectOp::Sum => match value {
                Value::Num(n) => {
                    *sum += n;
                    Mark::Counted
                }
                _ => Mark::Unknown,
            },
            _ => {
                let better = match *extreme {
                    None => true,
                    Some(current) => {
                        let wanted = if op == CollectOp::Min {
                            BinOp::Lt
                        } else {
                            BinOp::Gt
                        };
                        binary(wanted, value, current).truth() == Some(true)
                    }
                };
                if better {
                    *extreme = Some(value);
                }
                Mark::Counted
            }
        }
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
            Value::Unknown | Value::List(_) | Value::Match(_) => return None,
        })
    }
}
