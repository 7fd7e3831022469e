//! Which end of a range decided: for a criterion that read a value known only as a range, the
//! comparisons in the conditions of the rows it went through, with both operands and their
//! outcome. Runs only when such a value was read, so exact evidence costs nothing here.

use super::result::{RangeTest, RangeTestKind, Slice};
use super::value::{binary, within_range};
use super::{Evaluator, Outcome};
use crate::ops::BinOp;
use crate::program::{CriterionDef, Node, NodeId};

impl<'a> Evaluator<'a> {
    /// Records the range comparisons of the rows `def` went through to reach `outcome`, when
    /// its evidence (`evidence`) holds a range.
    pub(super) fn range_tests(
        &mut self,
        def: &'a CriterionDef,
        outcome: Outcome,
        evidence: Slice,
    ) -> Slice {
        let start = self.range_tests.len();
        if !evidence
            .of(&self.evidence)
            .iter()
            .any(|e| e.value.is_range())
        {
            return Slice::after(start, &self.range_tests);
        }
        let (last, refinement) = match outcome {
            Outcome::Applied { row, refinement } => (row as usize, refinement),
            Outcome::Unknown { row, .. } => (row as usize, None),
            Outcome::NoOutcome => (def.outcomes.len().saturating_sub(1), None),
        };
        let mut seen = Vec::new();
        for (index, row) in def.outcomes.iter().enumerate().take(last + 1) {
            if let Some(guard) = row.guard {
                self.explain(guard, index as u32, &mut seen);
            }
        }
        if let Some(r) = refinement {
            let row = &def.outcomes[last];
            for refinement in row.refinements.iter().take(r as usize + 1) {
                self.explain(refinement.guard, last as u32, &mut seen);
            }
        }
        Slice::after(start, &self.range_tests)
    }

    /// Walks a condition through `not`, `and`, `or` and definitions to its comparisons, and
    /// records those with a range operand. Each node is visited once.
    fn explain(&mut self, id: NodeId, row: u32, seen: &mut Vec<NodeId>) {
        if seen.contains(&id) {
            return;
        }
        seen.push(id);
        let program = self.program;
        match &program.nodes[id as usize] {
            Node::Not(a) => self.explain(*a, row, seen),
            Node::Let(l) => self.explain(program.lets[*l as usize].node, row, seen),
            Node::Binary(BinOp::And | BinOp::Or | BinOp::Otherwise, a, b) => {
                self.explain(*a, row, seen);
                self.explain(*b, row, seen);
            }
            Node::Binary(
                op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne),
                a,
                b,
            ) => {
                let (left, right) = (self.eval(*a), self.eval(*b));
                if left.is_range() || right.is_range() {
                    let holds = binary(*op, left, right).truth();
                    self.range_tests.push(RangeTest {
                        row,
                        node: id,
                        test: RangeTestKind::Compare(*op),
                        operands: [*a, *b],
                        left,
                        right,
                        holds,
                    });
                }
            }
            Node::Within {
                value,
                length,
                side,
                anchor,
            } => {
                let (left, length_value, right) =
                    (self.eval(*value), self.eval(*length), self.eval(*anchor));
                if left.is_range() || right.is_range() || length_value.is_range() {
                    let holds = within_range(left, length_value, *side, right).truth();
                    self.range_tests.push(RangeTest {
                        row,
                        node: id,
                        test: RangeTestKind::Within {
                            side: *side,
                            length: length_value,
                        },
                        operands: [*value, *anchor],
                        left,
                        right,
                        holds,
                    });
                }
            }
            _ => {}
        }
    }
}
