//! Static bounds of a lowered program: how deep evaluation can recurse (through definitions
//! too), and what evaluating a case costs, as a polynomial in the length of the case's lists.
//!
//! INVARIANT: the node arena is topologically ordered (every node's operands, definitions,
//! collections and matches have smaller ids), so one forward pass computes both.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::limits::{MAX_COLLECTION_NESTING, MAX_DEPTH, NOMINAL_ITEMS};
use crate::ops::BinOp;
use crate::program::{CollectionDef, Costs, LetDef, MatchDef, Node, NodeId, Program};

const DEGREES: usize = MAX_COLLECTION_NESTING + 2;

/// Evaluation steps as a polynomial in `n`, the number of items per list: `coefficients[k]`
/// steps per `n^k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub(crate) struct Cost {
    /// Steps per power of `n`, constant term first.
    pub(crate) coefficients: [u64; DEGREES],
}

impl Cost {
    /// A constant number of steps.
    pub(crate) fn constant(steps: u64) -> Cost {
        let mut coefficients = [0; DEGREES];
        coefficients[0] = steps;
        Cost { coefficients }
    }

    /// The sum of two costs.
    pub(crate) fn plus(self, other: Cost) -> Cost {
        let mut out = self;
        for (a, b) in out.coefficients.iter_mut().zip(other.coefficients) {
            *a = a.saturating_add(b);
        }
        out
    }

    /// The cost of doing this once per item of a list (`n` times).
    pub(crate) fn per_item(self) -> Cost {
        let mut out = Cost::default();
        for k in 0..DEGREES - 1 {
            out.coefficients[k + 1] = self.coefficients[k];
        }
        out.coefficients[DEGREES - 1] =
            out.coefficients[DEGREES - 1].saturating_add(self.coefficients[DEGREES - 1]);
        out
    }

    /// The cost of doing this `times` times.
    pub(crate) fn times(self, times: u64) -> Cost {
        let mut out = self;
        for c in &mut out.coefficients {
            *c = c.saturating_mul(times);
        }
        out
    }

    /// Steps for lists of `n` items.
    pub(crate) fn at(self, n: u64) -> u64 {
        let mut total: u64 = 0;
        let mut power: u64 = 1;
        for c in self.coefficients {
            total = total.saturating_add(c.saturating_mul(power));
            power = power.saturating_mul(n);
        }
        total
    }

    /// Steps for lists of [`NOMINAL_ITEMS`] items.
    pub(crate) fn nominal(self) -> u64 {
        self.at(NOMINAL_ITEMS)
    }
}

impl fmt::Display for Cost {
    /// `4 + 12n + 3n²`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const POWERS: [&str; DEGREES] = ["", "n", "n²", "n³", "n⁴", "n⁵"];
        let terms: Vec<String> = self
            .coefficients
            .iter()
            .zip(POWERS)
            .filter(|(c, _)| **c > 0)
            .map(|(c, p)| match (c, p) {
                (_, "") => c.to_string(),
                (1, p) => p.to_string(),
                (c, p) => format!("{c}{p}"),
            })
            .collect();
        if terms.is_empty() {
            f.write_str("0")
        } else {
            f.write_str(&terms.join(" + "))
        }
    }
}

/// Depth and cost of every node.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Analysis {
    /// Longest chain of nested evaluations below each node (definitions included).
    pub(crate) depth: Vec<usize>,
    /// Cost of evaluating each node once, not counting memoised definitions, top-level
    /// collections and matches, which are charged once per case in [`Analysis::shared`].
    pub(crate) cost: Vec<Cost>,
    /// Per definition, traced collection (`None` for one evaluated in place) and match: the
    /// cost of computing it once.
    pub(crate) let_cost: Vec<Cost>,
    pub(crate) collection_cost: Vec<Option<Cost>>,
    pub(crate) match_cost: Vec<Cost>,
}

/// Computes depth and cost over the arena.
pub(crate) fn analyse(
    nodes: &[Node],
    lets: &[LetDef],
    collections: &[CollectionDef],
    matches: &[MatchDef],
) -> Analysis {
    let mut depth = vec![0usize; nodes.len()];
    let mut cost = vec![Cost::default(); nodes.len()];
    let one = Cost::constant(1);
    for (id, node) in nodes.iter().enumerate() {
        let d = |n: NodeId| depth[n as usize];
        let c = |n: NodeId| cost[n as usize];
        let (below, steps) = match node {
            Node::Lit(_)
            | Node::Slot(_)
            | Node::ItemSlot { .. }
            | Node::Score { .. }
            | Node::Hypothesis(_) => (0, one),
            Node::Let(l) => (d(lets[*l as usize].node), one),
            Node::Not(a) | Node::Neg(a) | Node::Known(a) | Node::Abs(a) => (d(*a), one.plus(c(*a))),
            Node::Binary(op, a, b) => {
                let scan = if matches!(op, BinOp::Contains | BinOp::In) {
                    Cost::constant(1).per_item()
                } else {
                    Cost::default()
                };
                (d(*a).max(d(*b)), one.plus(c(*a)).plus(c(*b)).plus(scan))
            }
            Node::Within {
                value,
                length,
                anchor,
                ..
            } => (
                d(*value).max(d(*length)).max(d(*anchor)),
                one.plus(c(*value)).plus(c(*length)).plus(c(*anchor)),
            ),
            Node::WithinItem { anchor, .. } => (d(*anchor), one.plus(c(*anchor))),
            Node::CompareItem { rhs, .. } => (d(*rhs), one.plus(c(*rhs))),
            Node::CountTrue(parts) => (
                parts.iter().map(|p| d(*p)).max().unwrap_or(0),
                parts.iter().fold(one, |acc, p| acc.plus(c(*p))),
            ),
            Node::Collect(i) => {
                let def = &collections[*i as usize];
                let inner = [Some(def.list), def.filter, def.projection];
                let below = inner.iter().flatten().map(|n| d(*n)).max().unwrap_or(0);
                let body = collection_cost(def, &cost);
                (below, if def.traced { one } else { body })
            }
            Node::Match(m) | Node::MatchField { id: m, .. } | Node::MatchSummary { id: m, .. } => {
                let below = matches[*m as usize]
                    .fields
                    .iter()
                    .map(|f| d(f.claimed.node).max(d(f.confirmed.node)))
                    .max()
                    .unwrap_or(0);
                (below, one)
            }
        };
        depth[id] = below + 1;
        cost[id] = steps;
    }
    let let_cost = lets.iter().map(|def| cost[def.node as usize]).collect();
    let collection_cost = collections
        .iter()
        .map(|def| def.traced.then(|| collection_cost(def, &cost)))
        .collect();
    let match_cost = matches
        .iter()
        .map(|def| {
            def.fields.iter().fold(Cost::default(), |acc, f| {
                // Each pair of claimed and confirmed items is compared.
                acc.plus(cost[f.claimed.node as usize])
                    .plus(cost[f.confirmed.node as usize])
                    .plus(Cost::constant(1).per_item().per_item())
            })
        })
        .collect();
    Analysis {
        depth,
        cost,
        let_cost,
        collection_cost,
        match_cost,
    }
}

/// Evaluating the list, then the filter and projection once per item.
fn collection_cost(def: &CollectionDef, cost: &[Cost]) -> Cost {
    let per_item = [def.filter, def.projection]
        .into_iter()
        .flatten()
        .fold(Cost::constant(1), |acc, n| acc.plus(cost[n as usize]));
    cost[def.list as usize].plus(per_item.per_item())
}

/// The steps one item of a collection costs, not counting nested collections (which charge
/// their own items when they run): what evaluation charges per item against its work budget.
pub(crate) fn item_steps(def: &CollectionDef, cost: &[Cost]) -> u64 {
    [def.filter, def.projection]
        .into_iter()
        .flatten()
        .fold(1u64, |acc, n| {
            acc.saturating_add(cost[n as usize].coefficients[0])
        })
}

/// Bounds a compiled program: rejects evaluation nesting deeper than [`MAX_DEPTH`] and an
/// estimated cost over the budget, and records per-item steps and the cost table.
pub(crate) fn bound(program: &mut Program) -> Vec<Diagnostic> {
    let analysis = analyse(
        &program.nodes,
        &program.lets,
        &program.collections,
        &program.matches,
    );
    let mut diagnostics = Vec::new();
    if let Some(deepest) = analysis.depth.iter().position(|d| *d > MAX_DEPTH) {
        diagnostics.push(
            Diagnostic::new(
                Code::TooDeep,
                program.spans[deepest],
                format!("evaluating this nests deeper than {MAX_DEPTH} levels"),
            )
            .label("counting the definitions it uses, and theirs")
            .help("compute it in fewer steps: long chains of definitions that each use the previous one cannot be evaluated within the stack"),
        );
        return diagnostics;
    }
    for def in &mut program.collections {
        def.item_steps = item_steps(def, &analysis.cost);
    }
    let mut visits = Visits::new(program);
    let criteria: Vec<Vec<Cost>> = program
        .scores
        .iter()
        .map(|score| {
            score
                .criteria
                .iter()
                .map(|c| reachable_cost(program, &analysis, &mut visits, c.evaluated_nodes()))
                .collect()
        })
        .collect();
    let roots = program
        .scores
        .iter()
        .flat_map(|s| {
            s.criteria
                .iter()
                .flat_map(|c| c.evaluated_nodes())
                .chain(s.bands.iter().flat_map(|b| b.evaluated_nodes()))
        })
        .chain(program.verdict.iter().flat_map(|v| v.evaluated_nodes()));
    let scores_cost = reachable_cost(program, &analysis, &mut visits, roots);
    let mut total = scores_cost;
    // The block's own cost and what it is made of, to point at it when it is the costliest.
    let mut weighing: Option<(Cost, u64)> = None;
    // Competing hypotheses are weighed apart from the scores, in an evaluation of their own:
    // the groups once, definitions once (remembered across hypotheses), and every row once per
    // hypothesis, at most this many.
    if let Some(h) = &program.hypotheses {
        let per_group = h.kinds.iter().filter(|k| k.per_group).count() as u64;
        let columns = crate::eval::hypotheses::MAX_GROUPS as u64 * per_group
            + (h.kinds.len() as u64 - per_group);
        let rows = || {
            h.criteria
                .iter()
                .flat_map(|c| c.evaluated_nodes())
                .chain(
                    h.kinds
                        .iter()
                        .flat_map(|k| crate::program::text_values(&k.title)),
                )
                .chain(h.groups.iter().copied())
        };
        let mut visits = Visits::new(program);
        let first = reachable_cost(program, &analysis, &mut visits, rows());
        visits.next_walk_keeping_shared();
        let again = reachable_cost(program, &analysis, &mut visits, rows());
        let block = first.plus(again.times(columns.saturating_sub(1)));
        total = total.plus(block);
        weighing = Some((block, columns));
    }
    let budget = program.limits.max_cost;
    if total.nominal() > budget {
        let costliest = program
            .scores
            .iter()
            .zip(&criteria)
            .flat_map(|(s, costs)| s.criteria.iter().zip(costs).map(move |(c, k)| (s, c, *k)))
            .max_by_key(|(_, _, k)| k.nominal());
        // Point at the costliest top-level collection, where the nesting is, when there is one.
        let collection = analysis
            .collection_cost
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i, k)))
            .max_by_key(|(_, k)| k.nominal())
            .map(|(i, k)| (program.collections[i].span, k));
        let (span, detail) = match (collection, costliest) {
            (Some((span, k)), Some((s, c, _))) => (
                span,
                format!(
                    "{k} steps for lists of n items, read by criterion `{}.{}`",
                    s.name, c.name
                ),
            ),
            (None, Some((s, c, k))) => (
                c.span,
                format!(
                    "the costliest criterion is `{}.{}`: {k} steps for lists of n items",
                    s.name, c.name
                ),
            ),
            (_, None) => (crate::source::Span::default(), String::new()),
        };
        let nested = "avoid collections nested over the same list (each level multiplies the work by the list's length), or raise the budget with `--max-cost`";
        let (span, detail, help) = match (weighing, &program.hypotheses) {
            (Some((block, columns)), Some(h)) if block.nominal() > scores_cost.nominal() => (
                h.span,
                format!(
                    "{} steps: {} rows weighed for each of up to {columns} hypotheses ({} groups for each `each` kind)",
                    block.nominal(),
                    h.criteria.len(),
                    crate::eval::hypotheses::MAX_GROUPS
                ),
                "every row is weighed once per hypothesis: declare fewer kinds of hypothesis or rows, make rows cheaper, or raise the budget with `--max-cost`",
            ),
            _ => (span, detail, nested),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::TooCostly,
                span,
                format!(
                    "the rules are estimated at {} steps per case with {NOMINAL_ITEMS}-item lists, over the budget of {}",
                    total.nominal(),
                    budget
                ),
            )
            .label(detail)
            .help(help),
        );
    }
    program.costs = Costs {
        criteria,
        hypotheses: weighing.map(|(block, _)| block),
        total,
    };
    diagnostics
}

/// What one walk over the program has visited, kept across walks: a mark is the number of the
/// walk that set it, so a new walk starts with nothing visited without clearing anything (the
/// cost of a criterion is then proportional to what it reads, not to the size of the rules).
#[derive(serde::Serialize, serde::Deserialize)]
struct Visits {
    walk: u32,
    nodes: Vec<u32>,
    lets: Vec<u32>,
    collections: Vec<u32>,
    matches: Vec<u32>,
}

impl Visits {
    fn new(program: &Program) -> Visits {
        Visits {
            walk: 0,
            nodes: vec![0; program.nodes.len()],
            lets: vec![0; program.lets.len()],
            collections: vec![0; program.collections.len()],
            matches: vec![0; program.matches.len()],
        }
    }

    /// Makes the next walk treat the definitions, shared collections and matches this walk
    /// visited as computed already (they are remembered), while it counts every node again.
    fn next_walk_keeping_shared(&mut self) {
        let (this, next) = (self.walk, self.walk + 1);
        for marks in [&mut self.lets, &mut self.collections, &mut self.matches] {
            for mark in marks.iter_mut().filter(|m| **m == this) {
                *mark = next;
            }
        }
    }
}

/// Marks `marks[index]` as visited by `walk`; true the first time.
fn first_visit(marks: &mut [u32], index: u32, walk: u32) -> bool {
    std::mem::replace(&mut marks[index as usize], walk) != walk
}

/// The cost of evaluating `roots` once with everything they read, each shared definition,
/// collection and match counted once.
fn reachable_cost(
    program: &Program,
    analysis: &Analysis,
    visits: &mut Visits,
    roots: impl Iterator<Item = NodeId>,
) -> Cost {
    visits.walk += 1;
    let walk = visits.walk;
    let mut total = Cost::default();
    let mut stack: Vec<NodeId> = Vec::new();
    for root in roots {
        total = total.plus(analysis.cost[root as usize]);
        stack.push(root);
    }
    while let Some(id) = stack.pop() {
        if !first_visit(&mut visits.nodes, id, walk) {
            continue;
        }
        let node = &program.nodes[id as usize];
        match node {
            Node::Let(l) => {
                if first_visit(&mut visits.lets, *l, walk) {
                    total = total.plus(analysis.let_cost[*l as usize]);
                    stack.push(program.lets[*l as usize].node);
                }
            }
            Node::Collect(c) => {
                let def = &program.collections[*c as usize];
                let shared = analysis.collection_cost[*c as usize];
                // A traced collection is computed once per case; another is evaluated in place.
                if shared.is_none() || first_visit(&mut visits.collections, *c, walk) {
                    total = total.plus(shared.unwrap_or_default());
                    stack.extend(
                        [Some(def.list), def.filter, def.projection]
                            .into_iter()
                            .flatten(),
                    );
                }
            }
            Node::Match(m) | Node::MatchField { id: m, .. } | Node::MatchSummary { id: m, .. } => {
                if first_visit(&mut visits.matches, *m, walk) {
                    total = total.plus(analysis.match_cost[*m as usize]);
                    for f in &program.matches[*m as usize].fields {
                        stack.extend([f.claimed.node, f.confirmed.node]);
                    }
                }
            }
            _ => stack.extend(node.operands()),
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::Cost;

    #[test]
    fn costs_are_polynomials_in_list_length() {
        let body = Cost::constant(3);
        let nested = body.per_item().per_item().plus(Cost::constant(2));
        assert_eq!(nested.to_string(), "2 + 3n²");
        assert_eq!(nested.at(10), 302);
        assert_eq!(Cost::constant(1).per_item().to_string(), "n");
        let mut deep = Cost::constant(u64::MAX);
        for _ in 0..10 {
            deep = deep.per_item();
        }
        assert_eq!(deep.at(2), u64::MAX, "saturates instead of overflowing");
    }
}
