//! Resolving names: item variables, constants, definitions, scores, and case paths (checked
//! against the schema when there is one).

use crate::case::layout::Kind;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::program::{LetDef, MatchSummary, Node, NodeId, ScoreProp};
use crate::schema::SchemaNode;
use crate::source::Span;
use crate::syntax::ast::Ident;

use super::quoted_list;
use super::types::Ty;
use super::{Checker, LetState, ScoreAccess};

const MATCH_SUMMARIES: &[(&str, MatchSummary)] = &[
    ("matched", MatchSummary::Matched),
    ("mismatched", MatchSummary::Mismatched),
    ("known", MatchSummary::Known),
    ("unknown", MatchSummary::Unknown),
    ("ratio", MatchSummary::Ratio),
];

/// The binder (item variable) closest to `name`, if close enough to be a misspelling.
fn did_you_mean_name<'n>(name: &str, binders: impl Iterator<Item = &'n str>) -> Option<String> {
    binders
        .map(|b| (strsim::jaro_winkler(name, b), b))
        .filter(|(score, b)| *score >= 0.9 && *b != name)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, b)| b.to_string())
}

impl Checker<'_> {
    /// Resolves `a.b.c`: an item variable, a constant, a let, a score, or a case path.
    pub(super) fn path(&mut self, segments: &[Ident], span: Span) -> (NodeId, Ty) {
        let head = &segments[0];
        let rest = &segments[1..];
        if head.name == super::hypotheses::HYPOTHESIS && self.hypothesis_kinds.is_some() {
            return self.hypothesis_ref(head, rest);
        }
        if let Some(depth) = self.binders.iter().rposition(|b| b.name == head.name) {
            let record = self.binders[depth].record;
            return self.case_path(record, rest, span, Some((depth as u8, head)));
        }
        if self.consts.contains_key(&head.name) {
            if let Some(extra) = rest.first() {
                return self.no_fields(head, extra);
            }
            return self.const_ref(head);
        }
        if let Some(&index) = self.let_index.get(&head.name) {
            return self.let_ref(index, head, rest, span);
        }
        if let Some(index) = self.score_names.get(&head.name).map(|s| s.index) {
            return self.score_ref(index, head, rest, span);
        }
        // A name close to a definition is a misspelt definition, unless the schema has a case
        // field of that name.
        let case_field = self
            .schema
            .is_some_and(|s| s.lookup(None, &[head.name.as_str()]).is_ok());
        if !case_field {
            let close = self.near_definition(&head.name).or_else(|| {
                let binders = self.binders.iter().map(|b| b.name.as_str());
                did_you_mean_name(&head.name, binders)
            });
            if let Some(close) = close {
                self.error(
                    Diagnostic::new(
                        Code::UnknownName,
                        head.span,
                        format!("unknown name `{}`", head.name),
                    )
                    .label("not defined")
                    .did_you_mean(head.span, Some(&close), String::new),
                );
                return self.error_node(span);
            }
        }
        self.case_path(0, segments, span, None)
    }

    /// The definition a name not defined is one edit away from, remembered per name: every
    /// case path's root asks, and a rule set reads a few roots many times.
    fn near_definition(&mut self, name: &str) -> Option<String> {
        if let Some(known) = self.near_definitions.get(name) {
            return known.clone();
        }
        let close = self.name_index.closest(name, 0.9).map(str::to_string);
        self.near_definitions
            .insert(name.to_string(), close.clone());
        close
    }

    pub(super) fn no_fields(&mut self, head: &Ident, extra: &Ident) -> (NodeId, Ty) {
        self.error(
            Diagnostic::new(
                Code::UnknownField,
                extra.span,
                format!("`{}` has no fields", head.name),
            )
            .label("no such field")
            .help(format!(
                "`{}` is a single value; remove `.{}`",
                head.name, extra.name
            )),
        );
        self.error_node(head.span.to(extra.span))
    }

    pub(super) fn const_ref(&mut self, head: &Ident) -> (NodeId, Ty) {
        let Some(entry) = self.consts.get_mut(&head.name) else {
            return self.error_node(head.span);
        };
        entry.used = true;
        if let Some(value) = entry.value {
            return value;
        }
        if entry.visiting {
            return self.cycle(head);
        }
        entry.visiting = true;
        let binding = entry.binding;
        let (node, ty) = self.expr(&binding.value);
        let value = match super::fold::fold(&self.nodes, node) {
            Some(lit) => {
                let id = self.push(Node::Lit(lit), binding.value.span);
                (id, ty)
            }
            None => {
                if ty != Ty::Error {
                    self.error(
                        Diagnostic::new(
                            Code::NotConstant,
                            binding.value.span,
                            format!(
                                "constant `{}` must not depend on the case",
                                binding.name.name
                            ),
                        )
                        .label("reads case data or definitions")
                        .help("use `let` for values computed from the case"),
                    );
                }
                self.error_node(binding.value.span)
            }
        };
        if let Some(entry) = self.consts.get_mut(&head.name) {
            entry.value = Some(value);
            entry.visiting = false;
        }
        value
    }

    pub(super) fn cycle(&mut self, head: &Ident) -> (NodeId, Ty) {
        self.error(
            Diagnostic::new(
                Code::DefinitionCycle,
                head.span,
                format!("`{}` is defined in terms of itself", head.name),
            )
            .label("refers back to the definition being computed")
            .help("break the cycle: a definition can only use definitions that do not use it"),
        );
        self.error_node(head.span)
    }

    pub(super) fn let_ref(
        &mut self,
        index: usize,
        head: &Ident,
        rest: &[Ident],
        span: Span,
    ) -> (NodeId, Ty) {
        self.lets[index].used = true;
        let (id, ty) = match self.lets[index].state {
            LetState::Done { id, ty } => (id, ty),
            LetState::Visiting => return self.cycle(head),
            LetState::Pending => match self.lower_let(index) {
                Some(done) => done,
                None => return self.error_node(span),
            },
        };
        match (ty, rest) {
            (_, []) => (self.push(Node::Let(id), span), ty),
            (Ty::Match(m), [field]) => {
                if let Some(&(_, what)) = MATCH_SUMMARIES.iter().find(|(n, _)| *n == field.name) {
                    return (self.push(Node::MatchSummary { id: m, what }, span), Ty::Num);
                }
                let fields = &self.matches[m as usize].fields;
                match fields.iter().position(|f| f.name == field.name) {
                    Some(f) => (
                        self.push(
                            Node::MatchField {
                                id: m,
                                field: f as u32,
                            },
                            span,
                        ),
                        Ty::Bool,
                    ),
                    None => {
                        let names: Vec<&str> = fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .chain(MATCH_SUMMARIES.iter().map(|s| s.0))
                            .collect();
                        let close = closest(&field.name, names.iter().copied());
                        self.error(
                            Diagnostic::new(
                                Code::UnknownField,
                                field.span,
                                format!("the match `{}` has no field `{}`", head.name, field.name),
                            )
                            .label("not compared by this match")
                            .did_you_mean(field.span, close, || {
                                format!("the match compares {}", quoted_list(&names))
                            }),
                        );
                        self.error_node(span)
                    }
                }
            }
            (_, [extra, ..]) => self.no_fields(head, extra),
        }
    }

    /// Lowers the `let` at `index`; `None` when it could not be lowered.
    pub(super) fn lower_let(&mut self, index: usize) -> Option<(u32, Ty)> {
        self.lets[index].state = LetState::Visiting;
        let binding = self.lets[index].binding;
        // A definition is computed once per case: it sees no item variable and no hypothesis.
        let saved = (
            std::mem::take(&mut self.binders),
            self.score_access,
            self.hypothesis_kinds.take(),
        );
        self.score_access = ScoreAccess::None;
        self.let_top = true;
        let (node, ty) = self.expr(&binding.value);
        self.let_top = false;
        (self.binders, self.score_access, self.hypothesis_kinds) = saved;
        let id = self.let_defs.len() as u32;
        if let Ty::Match(m) = ty {
            // Evidence that reads a field of the match shows the match through its definition.
            let reference = self.push(Node::Let(id), binding.name.span);
            if self.match_let.len() <= m as usize {
                self.match_let.resize(m as usize + 1, (id, reference));
            }
            self.match_let[m as usize] = (id, reference);
        }
        // A match shows its field table instead of inputs.
        let reads = if matches!(ty, Ty::Match(_)) {
            Vec::new()
        } else {
            self.reads(&[node])
        };
        self.let_defs.push(LetDef {
            name: binding.name.name.clone(),
            description: binding
                .description
                .as_ref()
                .and_then(|d| d.plain().map(str::to_string)),
            node,
            reads,
        });
        self.lets[index].state = LetState::Done { id, ty };
        Some((id, ty))
    }

    pub(super) fn score_ref(
        &mut self,
        index: usize,
        head: &Ident,
        rest: &[Ident],
        span: Span,
    ) -> (NodeId, Ty) {
        let allowed = match self.score_access {
            ScoreAccess::None => false,
            ScoreAccess::Before(limit) => index < limit,
            ScoreAccess::All => true,
        };
        if !allowed {
            self.error(
                Diagnostic::new(
                    Code::MisplacedItem,
                    head.span,
                    format!("score `{}` cannot be read here", head.name),
                )
                .label("score reference")
                .help(
                    "scores can be read in the verdict, and in their own or a later score's bands",
                ),
            );
            return self.error_node(span);
        }
        let (prop, ty) = match rest {
            [] => (ScoreProp::Value, Ty::Num),
            [p] if p.name == "band" => (ScoreProp::Band, Ty::Str),
            [p] if p.name == "coverage" => (ScoreProp::Coverage, Ty::Num),
            [p] if p.name == "min" => (ScoreProp::Min, Ty::Num),
            [p] if p.name == "max" => (ScoreProp::Max, Ty::Num),
            [p] if p.name == "settled" => {
                if self.score_access == ScoreAccess::Before(index + 1) {
                    self.error(
                        Diagnostic::new(
                            Code::MisplacedItem,
                            p.span,
                            format!("`{}` cannot read its own `settled` in its bands", head.name),
                        )
                        .label("settled depends on the bands being decided")
                        .help(format!(
                            "read `{0}.min` and `{0}.max` here, or `{0}.settled` in a later score's bands or the verdict",
                            head.name
                        )),
                    );
                    return self.error_node(span);
                }
                (ScoreProp::Settled, Ty::Bool)
            }
            [p, ..] => {
                const PROPERTIES: [&str; 5] = ["band", "coverage", "min", "max", "settled"];
                let close = closest(&p.name, PROPERTIES);
                self.error(
                    Diagnostic::new(
                        Code::UnknownField,
                        p.span,
                        format!("a score has no `{}`", p.name),
                    )
                    .label("unknown score property")
                    .did_you_mean(p.span, close, || {
                        format!("read {}", quoted_list(&PROPERTIES))
                    }),
                );
                return self.error_node(span);
            }
        };
        (
            self.push(
                Node::Score {
                    id: index as u32,
                    prop,
                },
                span,
            ),
            ty,
        )
    }

    /// A case path under `record` (the root, or a list item bound to `item`).
    pub(super) fn case_path(
        &mut self,
        record: u32,
        segments: &[Ident],
        span: Span,
        item: Option<(u8, &Ident)>,
    ) -> (NodeId, Ty) {
        self.note_path_use(record, segments);
        let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        let declared = match self.schema_check(record, segments, item.map(|i| i.1)) {
            Ok(declared) => declared,
            Err(()) => return self.error_node(span),
        };
        let slot = if names.is_empty() {
            self.layout.whole(record)
        } else {
            self.layout.slot(record, &names)
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(_) => {
                let shown = item
                    .map(|i| i.1.name.as_str())
                    .into_iter()
                    .chain(names.iter().copied())
                    .collect::<Vec<_>>()
                    .join(".");
                self.error(
                    Diagnostic::new(
                        Code::ItemMisuse,
                        span,
                        format!("`{shown}` is read both as an object and as a value"),
                    )
                    .label("conflicting use")
                    .help("read the fields of an object, or the whole value, but not both"),
                );
                return self.error_node(span);
            }
        };
        if let Some((kind, node)) = declared {
            if self.layout.kind(record, slot) == Kind::Any && kind != Kind::Any {
                let _ = self.layout.demand(record, slot, kind);
            }
            self.remember_allowed(record, slot, &node);
        }
        let node = match item {
            Some((depth, _)) => Node::ItemSlot { depth, slot },
            None => Node::Slot(slot),
        };
        let ty = Ty::of_kind(self.layout.kind(record, slot));
        (self.push_slot(node, span, record, slot), ty)
    }

    /// The strings the schema allows at `node` (or for each item, at a list), for checking the
    /// literals the value is compared with.
    fn remember_allowed(&mut self, record: u32, slot: u32, node: &SchemaNode) {
        let Some(schema) = self.schema else { return };
        let items = schema.items(node);
        let values = match &items {
            Some(items) => schema.enum_strings(items),
            None => schema.enum_strings(node),
        };
        if let Some(values) = values {
            let of_items = items.is_some();
            self.allowed
                .insert((record, slot), super::values::Allowed { values, of_items });
        }
    }

    /// Checks a path against the schema, returning the kind it declares and its schema.
    pub(super) fn schema_check(
        &mut self,
        record: u32,
        segments: &[Ident],
        item: Option<&Ident>,
    ) -> Result<Option<(Kind, SchemaNode)>, ()> {
        let Some(schema) = self.schema else {
            return Ok(None);
        };
        if segments.is_empty() {
            return Ok(None);
        }
        let base = if record == 0 {
            None
        } else {
            match self.record_schema.get(&record) {
                Some(node) => Some(node.clone()),
                None => return Ok(None),
            }
        };
        let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        match schema.lookup(base.as_ref(), &names) {
            Ok(found) => Ok(Some(found)),
            Err(err) => {
                let bad = &segments[err.segment];
                let parent: Vec<&str> = item
                    .map(|i| i.name.as_str())
                    .into_iter()
                    .chain(names[..err.segment].iter().copied())
                    .collect();
                let within = if parent.is_empty() {
                    "the case".to_string()
                } else {
                    format!("`{}`", parent.join("."))
                };
                let diagnostic = Diagnostic::new(
                    Code::UnknownField,
                    bad.span,
                    format!("{within} has no field `{}` in the case schema", bad.name),
                )
                .label("not in the schema");
                let diagnostic = if err.through_list {
                    diagnostic.help(format!(
                        "{within} is a list; read its items with a collection such as `count(x in {} where …)`",
                        parent.join(".")
                    ))
                } else {
                    let close = closest(&bad.name, err.candidates.iter().map(String::as_str));
                    diagnostic.did_you_mean(bad.span, close, || {
                        format!("{within} has {}", quoted_list(&err.candidates))
                    })
                };
                self.error(diagnostic);
                Err(())
            }
        }
    }

    pub(super) fn attach_item_schema(&mut self, record: u32, slot: u32, items: u32) {
        let Some(schema) = self.schema else { return };
        if self.record_schema.contains_key(&items) {
            return;
        }
        let path = self.layout.path(record, slot).to_string();
        let segments: Vec<&str> = path
            .rsplit("[].")
            .next()
            .unwrap_or(&path)
            .split('.')
            .collect();
        let parent = self.record_schema.get(&record).cloned();
        if let Ok((_, node)) = schema.lookup(parent.as_ref(), &segments)
            && let Some(item) = schema.items(&node)
        {
            self.record_schema.insert(items, item);
        }
    }
}
