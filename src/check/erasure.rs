//! W002: a criterion row whose condition joins known primary evidence with a secondary fact, so
//! that an unknown secondary fact makes the row unknown and stops the criterion, although a
//! later row decides on the primary evidence alone.
//!
//! A row can only be unknown through the case paths whose unknown value reaches its result:
//! not those read under `known(…)`, on the left of `??`, in `count_true`, or in the items of a
//! `count`, `sum`, `min`, `max` or `distinct` (items with unknown values are left out of those),
//! nor in a match's counts. Row `i` is flagged when a later row `j` reads some of the same
//! paths (the primary evidence) and not all of them (the rest is secondary).

use indexmap::IndexSet;

use crate::case::layout::Kind;
use crate::diagnostic::{Code, Diagnostic};
use crate::ops::{BinOp, CollectOp};
use crate::program::{CriterionDef, MatchSummary, Node, NodeId, OutcomeDef, Program};
use crate::source::Span;

use super::quoted_list;

/// `a`, `b` or `c`, quoted.
fn either(items: &[&str]) -> String {
    match items {
        [init @ .., last] if !init.is_empty() => {
            let init: Vec<String> = init.iter().map(|s| format!("`{s}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
        _ => quoted_list(items),
    }
}

/// `is` or `are`, for a list of `n` things.
fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

/// One warning per row that erases known evidence when a secondary fact is unknown.
pub(super) fn warn(program: &Program) -> Vec<Diagnostic> {
    let mut paths = UnknownPaths {
        program,
        lets: vec![None; program.lets.len()],
    };
    let mut out = Vec::new();
    for criterion in program.scores.iter().flat_map(|s| &s.criteria) {
        let rows: Vec<Option<IndexSet<String>>> = criterion
            .outcomes
            .iter()
            .map(|row| row.guard.map(|guard| paths.of(guard)))
            .collect();
        for (i, own) in rows.iter().enumerate() {
            let Some(own) = own else { continue };
            // The first later row that reads some of this row's evidence, but not all of it.
            let decider = rows.iter().enumerate().skip(i + 1).find_map(|(j, later)| {
                let later = later.as_ref()?;
                let shared = own.iter().any(|p| later.contains(p));
                let extra: IndexSet<String> = own
                    .iter()
                    .filter(|p| !later.contains(*p))
                    .cloned()
                    .collect();
                (shared && !extra.is_empty()).then_some((j, extra))
            });
            if let Some((j, secondary)) = decider {
                out.push(diagnostic(program, &mut paths, criterion, i, j, &secondary));
            }
        }
    }
    out
}

fn diagnostic(
    program: &Program,
    paths: &mut UnknownPaths<'_>,
    criterion: &CriterionDef,
    row: usize,
    decider: usize,
    secondary: &IndexSet<String>,
) -> Diagnostic {
    let (own, later) = (&criterion.outcomes[row], &criterion.outcomes[decider]);
    let secondary_list: Vec<&str> = secondary.iter().map(String::as_str).collect();
    let guard = own.guard.expect("flagged rows have a condition");
    let later_guard = later.guard.expect("deciding rows have a condition");
    let primary: Vec<String> = paths
        .of(guard)
        .into_iter()
        .filter(|p| !secondary.contains(p))
        .collect();
    let diagnostic = Diagnostic::new(
        Code::SecondaryErasesPrimary,
        own.span,
        format!(
            "in criterion `{}`, an unknown {} makes this row unknown and stops the criterion, discarding known evidence",
            criterion.name,
            either(&secondary_list)
        ),
    )
    .label(format!(
        "unknown whenever {} {} unknown, even when {} {} known",
        either(&secondary_list),
        is_are(1),
        quoted_list(&primary),
        is_are(primary.len())
    ))
    .note(
        later.span,
        format!(
            "this row decides on {} without it, but is not reached",
            quoted_list(&primary)
        ),
    );
    match split(program, paths, guard, secondary) {
        Some((primary_text, secondary_text)) => {
            // When the deciding row's condition is the primary evidence itself, the secondary
            // fact becomes its refinement; otherwise (`when not fast`, say) the primary evidence
            // needs a row of its own, whose weight only the author can give.
            let decides_on_primary = program.text(later_guard) == primary_text;
            let rewrite = (decides_on_primary && own.refinements.is_empty())
                .then(|| rewrite(program, own, later, guard, &secondary_text))
                .flatten();
            let primary_weight = if decides_on_primary {
                weight_text(program, later_guard, later.span)
            } else {
                " => …".to_string()
            };
            let diagnostic = diagnostic.help(format!(
                "decide on the known evidence and let the secondary fact refine it (an unknown refinement keeps the row's weight, and the trace says what it could change):\n    when {primary_text}{primary_weight}\n      refine when {secondary_text}{}",
                weight_text(program, guard, own.span),
            ));
            match rewrite {
                Some(edits) => edits
                    .into_iter()
                    .fold(diagnostic, |d, (span, text)| d.patch(span, text)),
                None => diagnostic,
            }
        }
        None => diagnostic.help(format!(
            "move {} into a `refine when` line under a row that decides on {} alone, or say with `??` what {} absence means",
            quoted_list(&secondary_list),
            quoted_list(&primary),
            if secondary_list.len() == 1 { "its" } else { "their" }
        )),
    }
}

/// The edits that make the rewrite when the deciding row's condition is exactly the flagged
/// row's primary evidence: the flagged row goes, and its secondary fact with its outcome becomes
/// the deciding row's first refinement (first, so that it applies where the row did). `None`
/// when the flagged row shares its lines with other text.
fn rewrite(
    program: &Program,
    own: &OutcomeDef,
    later: &OutcomeDef,
    guard: NodeId,
    secondary_text: &str,
) -> Option<Vec<(Span, String)>> {
    let text = &program.sources.file(own.span.file).text;
    let (start, end) = (own.span.start as usize, own.span.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
    let alone = text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty();
    if !alone {
        return None;
    }
    let later_start = later.span.start as usize;
    let later_line = text[..later_start].rfind('\n').map_or(0, |n| n + 1);
    let indent = &text[later_line..later_start];
    let refinement = format!(
        "\n{indent}  refine when {secondary_text}{}",
        outcome_text(program, guard, own.span)
    );
    let at = later.span.end as usize;
    Some(vec![
        (
            Span::new(own.span.file, line_start, line_end),
            String::new(),
        ),
        (Span::new(later.span.file, at, at), refinement),
    ])
}

/// A condition `a and b and …` split into the conjuncts on primary evidence and those reading
/// secondary facts, as written; `None` unless both are there.
fn split(
    program: &Program,
    paths: &mut UnknownPaths<'_>,
    guard: NodeId,
    secondary: &IndexSet<String>,
) -> Option<(String, String)> {
    let mut conjuncts = Vec::new();
    let mut stack = vec![guard];
    while let Some(node) = stack.pop() {
        match &program.nodes[node as usize] {
            Node::Binary(BinOp::And, a, b) => {
                stack.push(*b);
                stack.push(*a);
            }
            _ => conjuncts.push(node),
        }
    }
    let (mut primary, mut secondary_parts) = (Vec::new(), Vec::new());
    for node in conjuncts {
        let reads_secondary = paths.of(node).iter().any(|p| secondary.contains(p));
        let text = program.text(node);
        if reads_secondary {
            secondary_parts.push(text);
        } else {
            primary.push(text);
        }
    }
    (!primary.is_empty() && !secondary_parts.is_empty())
        .then(|| (primary.join(" and "), secondary_parts.join(" and ")))
}

/// What follows a row's condition: ` => WEIGHT "reason"`.
fn outcome_text(program: &Program, guard: NodeId, row: Span) -> &str {
    let after = Span {
        start: program.spans[guard as usize].end,
        ..row
    };
    program.sources.snippet(after).trim_end()
}

/// A row's ` => WEIGHT`, with `"…"` for its reason.
fn weight_text(program: &Program, guard: NodeId, row: Span) -> String {
    let outcome = outcome_text(program, guard, row);
    match outcome.split_once('"') {
        Some((weight, _)) => format!("{} \"…\"", weight.trim_end()),
        None => outcome.to_string(),
    }
}

/// Whether a condition can be unknown on some case: a case path reaches its result unshielded
/// (not only under `known(…)`, left of `??`, …), or it reads a score, whose band may be open.
pub(crate) fn can_be_unknown(program: &Program, node: NodeId) -> bool {
    let mut paths = UnknownPaths {
        program,
        lets: vec![None; program.lets.len()],
    };
    !paths.of(node).is_empty() || reads_score(program, node)
}

/// Whether an expression reads a score, definitions and collections followed.
fn reads_score(program: &Program, node: NodeId) -> bool {
    let mut seen = vec![false; program.nodes.len()];
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if std::mem::replace(&mut seen[node as usize], true) {
            continue;
        }
        let n = &program.nodes[node as usize];
        match n {
            Node::Score { .. } => return true,
            Node::Let(l) => stack.push(program.lets[*l as usize].node),
            Node::Collect(c) => {
                let def = &program.collections[*c as usize];
                stack.push(def.list);
                stack.extend(def.filter.into_iter().chain(def.projection));
            }
            _ => stack.extend(n.operands()),
        }
    }
    false
}

/// The case paths whose unknown value can make an expression unknown, definitions followed.
struct UnknownPaths<'p> {
    program: &'p Program,
    /// Per definition, once computed.
    lets: Vec<Option<IndexSet<String>>>,
}

impl UnknownPaths<'_> {
    fn of(&mut self, node: NodeId) -> IndexSet<String> {
        let mut out = IndexSet::new();
        self.walk(node, &mut Vec::new(), &mut out);
        out
    }

    /// `items`: the record of the item bound at each comprehension depth.
    fn walk(&mut self, node: NodeId, items: &mut Vec<u32>, out: &mut IndexSet<String>) {
        let program = self.program;
        let layout = &program.layout;
        match &program.nodes[node as usize] {
            Node::Slot(slot) => {
                out.insert(layout.path(0, *slot).to_string());
            }
            Node::ItemSlot { depth, slot }
            | Node::WithinItem { depth, slot, .. }
            | Node::CompareItem { depth, slot, .. } => {
                if let Some(&record) = items.get(*depth as usize) {
                    out.insert(layout.path(record, *slot).to_string());
                }
                for operand in program.nodes[node as usize].operands() {
                    self.walk(operand, items, out);
                }
            }
            Node::Let(l) => {
                let l = *l as usize;
                if self.lets[l].is_none() {
                    let mut own = IndexSet::new();
                    self.walk(program.lets[l].node, &mut Vec::new(), &mut own);
                    self.lets[l] = Some(own);
                }
                out.extend(self.lets[l].iter().flatten().cloned());
            }
            // Never unknown, or unknown only when every part is.
            Node::Known(_) | Node::CountTrue(_) | Node::Lit(_) | Node::Score { .. } => {}
            Node::Match(_) | Node::Hypothesis(_) => {}
            Node::Binary(BinOp::Otherwise, _, fallback) => self.walk(*fallback, items, out),
            // `known(x) and f(x)` is false, not unknown, when `x` is unknown; so is
            // `not known(x) or f(x)` true.
            Node::Binary(op @ (BinOp::And | BinOp::Or), ..) => {
                let mut parts = Vec::new();
                chain(program, node, *op, &mut parts);
                let mut shielded = IndexSet::new();
                let mut reached = IndexSet::new();
                for part in parts {
                    match (op, known_operand(program, part)) {
                        (BinOp::And, Some((x, true))) | (BinOp::Or, Some((x, false))) => {
                            self.walk(x, items, &mut shielded)
                        }
                        _ => self.walk(part, items, &mut reached),
                    }
                }
                out.extend(reached.into_iter().filter(|p| !shielded.contains(p)));
            }
            Node::Collect(c) => {
                let def = &program.collections[*c as usize];
                self.walk(def.list, items, out);
                if matches!(def.op, CollectOp::Any | CollectOp::All)
                    && let Some(record) = list_record(program, def.list, items)
                {
                    items.push(record);
                    for part in def.filter.into_iter().chain(def.projection) {
                        self.walk(part, items, out);
                    }
                    items.pop();
                }
            }
            Node::MatchField { id, field } => {
                let field = &program.matches[*id as usize].fields[*field as usize];
                self.walk(field.claimed.node, items, out);
                self.walk(field.confirmed.node, items, out);
            }
            Node::MatchSummary { id, what } => {
                if *what == MatchSummary::Ratio {
                    for field in &program.matches[*id as usize].fields {
                        self.walk(field.claimed.node, items, out);
                        self.walk(field.confirmed.node, items, out);
                    }
                }
            }
            Node::Not(_) | Node::Neg(_) | Node::Abs(_) | Node::Binary(..) | Node::Within { .. } => {
                for operand in program.nodes[node as usize].operands() {
                    self.walk(operand, items, out);
                }
            }
        }
    }
}

/// The record laying out the items of the list `list` evaluates to.
fn list_record(program: &Program, list: NodeId, items: &[u32]) -> Option<u32> {
    let (record, slot) = match program.nodes[list as usize] {
        Node::Slot(slot) => (0, slot),
        Node::ItemSlot { depth, slot } => (*items.get(depth as usize)?, slot),
        _ => return None,
    };
    match program.layout.records[record as usize].slots[slot as usize].kind {
        Kind::List(items) => Some(items),
        _ => None,
    }
}

/// The operands of a chain of one operator (`a and b and c`), in order.
fn chain(program: &Program, node: NodeId, op: BinOp, out: &mut Vec<NodeId>) {
    match program.nodes[node as usize] {
        Node::Binary(o, a, b) if o == op => {
            chain(program, a, op, out);
            chain(program, b, op, out);
        }
        _ => out.push(node),
    }
}

/// `known(x)` as `(x, true)`, `not known(x)` as `(x, false)`.
fn known_operand(program: &Program, node: NodeId) -> Option<(NodeId, bool)> {
    match program.nodes[node as usize] {
        Node::Known(x) => Some((x, true)),
        Node::Not(inner) => match program.nodes[inner as usize] {
            Node::Known(x) => Some((x, false)),
            _ => None,
        },
        _ => None,
    }
}
