//! Independent evaluation of single values, for checking what a trace shows
//! (`trace::audit`): each value is computed by a fresh evaluator that shares nothing with the
//! evaluation that produced the trace, so a record filed under the wrong read, row or window
//! cannot agree with it by accident.

use super::matchers::{FieldOutcome, compare};
use super::result::{EvidenceItem, Mark, ScoreResult};
use super::value::Value;
use super::{EvalError, Evaluator, evaluate};
use crate::case::Case;
use crate::program::{NodeId, Program, Read, RowTestDef};

/// Evaluates single values of a program over a case, each from scratch.
pub(crate) struct Probe<'a> {
    program: &'a Program,
    case: &'a Case,
    /// The scores, for conditions that read them (verdict rows, bands reading other scores).
    scores: Vec<ScoreResult>,
}

impl<'a> Probe<'a> {
    /// A probe over `case`; scores are evaluated once, for conditions that read them.
    pub(crate) fn new(program: &'a Program, case: &'a Case) -> Result<Probe<'a>, EvalError> {
        let scores = evaluate(program, case)?.scores;
        Ok(Probe {
            program,
            case,
            scores,
        })
    }

    fn fresh(&self) -> Evaluator<'a> {
        let mut ev = Evaluator::new(self.program, self.case);
        ev.scores.clone_from(&self.scores);
        ev
    }

    /// A value read as evidence, with its state.
    pub(crate) fn read(&self, read: &Read) -> EvidenceItem<'a> {
        self.fresh().read(read)
    }

    /// The value of a node.
    pub(crate) fn value(&self, node: NodeId) -> Value<'a> {
        self.fresh().eval(node)
    }

    /// Whether a row of a table applies, thresholds left out (`None` for them).
    pub(crate) fn condition(&self, test: &RowTestDef) -> Option<Option<bool>> {
        match test {
            RowTestDef::Threshold { .. } => None,
            RowTestDef::When(node) => Some(self.value(*node).truth()),
            RowTestDef::Else => Some(Some(true)),
        }
    }

    /// How a top-level collection treats each item of its list.
    pub(crate) fn marks(&self, collection: u32) -> Option<Vec<Mark>> {
        let mut ev = self.fresh();
        ev.collection(collection);
        ev.windows
            .get_mut(collection as usize)?
            .take()
            .map(|w| w.marks)
    }

    /// One field of a detail match: both sides read afresh and compared.
    pub(crate) fn field(
        &self,
        id: u32,
        field: usize,
    ) -> Option<(EvidenceItem<'a>, EvidenceItem<'a>, FieldOutcome)> {
        let def = self.program.matches.get(id as usize)?.fields.get(field)?;
        let claimed = self.read(&def.claimed);
        let confirmed = self.read(&def.confirmed);
        let (outcome, _) = compare(def.matcher, claimed.value, confirmed.value);
        Some((claimed, confirmed, outcome))
    }
}
