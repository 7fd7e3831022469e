//! The evidence a criterion or table reads: case paths, definitions, collections, scores.

use crate::program::{Node, NodeId, Read, ScoreProp};

use super::Checker;

impl Checker<'_> {
    /// The evidence reads of some nodes: case paths, lets, top-level collections, scores.
    pub(super) fn reads(&self, roots: &[NodeId]) -> Vec<Read> {
        let mut out: Vec<Read> = Vec::new();
        let mut stack: Vec<NodeId> = roots.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let label = match &self.nodes[id as usize] {
                Node::Slot(slot) => Some(self.layout.path(0, *slot).to_string()),
                Node::Let(l) => Some(self.let_defs[*l as usize].name.clone()),
                Node::Collect(c) => {
                    let def = &self.collections[*c as usize];
                    let mut children: Vec<NodeId> = def.filter.into_iter().collect();
                    children.extend(def.projection);
                    for child in children.into_iter().rev() {
                        stack.push(child);
                    }
                    Some(crate::program::one_line(self.sources.snippet(def.span)))
                }
                Node::MatchField { id: m, .. }
                | Node::MatchSummary { id: m, .. }
                | Node::Match(m) => {
                    if let Some((def, reference)) = self
                        .match_let
                        .get(*m as usize)
                        .and_then(|(l, node)| Some((self.let_defs.get(*l as usize)?, *node)))
                        && !out.iter().any(|r| r.label == def.name)
                    {
                        out.push(Read {
                            label: def.name.clone(),
                            node: reference,
                            slot: None,
                        });
                    }
                    None
                }
                Node::Score { id: s, prop } => {
                    let name = self
                        .score_names
                        .get_index(*s as usize)
                        .map(|(n, _)| n.clone())
                        .unwrap_or_default();
                    Some(match prop {
                        ScoreProp::Value => name,
                        ScoreProp::Band => format!("{name}.band"),
                        ScoreProp::Coverage => format!("{name}.coverage"),
                        ScoreProp::Min => format!("{name}.min"),
                        ScoreProp::Max => format!("{name}.max"),
                        ScoreProp::Settled => format!("{name}.settled"),
                    })
                }
                Node::Not(a) | Node::Neg(a) | Node::Known(a) | Node::Abs(a) => {
                    stack.push(*a);
                    None
                }
                Node::Binary(_, a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                    None
                }
                Node::WithinItem { anchor, .. } => {
                    stack.push(*anchor);
                    None
                }
                Node::CompareItem { rhs, .. } => {
                    stack.push(*rhs);
                    None
                }
                Node::Within {
                    value,
                    length,
                    anchor,
                    ..
                } => {
                    stack.push(*anchor);
                    stack.push(*length);
                    stack.push(*value);
                    None
                }
                Node::CountTrue(parts) => {
                    stack.extend(parts.iter().rev());
                    None
                }
                Node::Hypothesis(field) => crate::program::HYPOTHESIS_FIELDS
                    .iter()
                    .find(|(_, f)| f == field)
                    .map(|(name, _)| format!("hypothesis.{name}")),
                Node::Lit(_) | Node::ItemSlot { .. } => None,
            };
            if let Some(label) = label {
                let is_collection = matches!(self.nodes[id as usize], Node::Collect(c) if !self.collections[c as usize].traced);
                if !is_collection && !out.iter().any(|r| r.label == label) {
                    let slot = match self.nodes[id as usize] {
                        Node::Slot(slot) => Some(slot),
                        _ => None,
                    };
                    out.push(Read {
                        label,
                        node: id,
                        slot,
                    });
                }
            }
        }
        out
    }
}
