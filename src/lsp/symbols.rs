//! What the names in the syntax trees of a rule set refer to: the definitions (constants,
//! definitions, scores, criteria), every reference to a constant, definition or score, and every
//! case path with the lists its item variables range over. Names resolve as the checker resolves
//! them: an item variable first, then a constant, definition or score, else a case path.

use std::collections::HashMap;

use crate::source::{FileId, Span};
use crate::syntax::ast::{
    Criterion, Decision, Expr, ExprKind, File, Guard, Ident, Item, Mode, RowTest, Template,
    TemplatePart, Weight, WeightShape,
};

/// What a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefinitionKind {
    /// `const`.
    Const,
    /// `let`.
    Let,
    /// `score`.
    Score,
    /// A criterion of a score.
    Criterion,
}

/// A named definition.
#[derive(Debug, Clone)]
pub(crate) struct Definition<'f> {
    /// What it is.
    pub(crate) kind: DefinitionKind,
    /// Its name where it is defined.
    pub(crate) name: &'f Ident,
    /// The item it defines.
    pub(crate) item: Defined<'f>,
}

/// The syntax of a definition, for hover.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Defined<'f> {
    /// A `const` or `let`: its description and value.
    Binding {
        /// `"…"` after the name.
        description: Option<&'f Template>,
        /// The value.
        value: &'f Expr,
    },
    /// A score.
    Score(&'f crate::syntax::ast::Score),
    /// A criterion and its score's name.
    Criterion(&'f Criterion, &'f Ident),
}

/// A case path as written, and the lists its item variable ranges over (outermost first), each
/// a path relative to the items of the one before.
#[derive(Debug, Clone)]
pub(crate) struct CasePath<'f> {
    /// The lists, when the path starts with an item variable.
    pub(crate) lists: Vec<Vec<&'f str>>,
    /// The segments after the item variable (or the whole path).
    pub(crate) segments: &'f [Ident],
}

/// Everything named in a rule set.
#[derive(Debug, Default)]
pub(crate) struct Symbols<'f> {
    /// Definitions, in load order.
    pub(crate) definitions: Vec<Definition<'f>>,
    /// References: where, and the definition referred to.
    pub(crate) references: Vec<(Span, usize)>,
    /// Case paths read.
    pub(crate) paths: Vec<CasePath<'f>>,
    /// `hypothesis.group` and `hypothesis.kind` inside a hypotheses block: the whole path.
    pub(crate) hypothesis_fields: Vec<&'f [Ident]>,
}

/// What is at a place in a file.
#[derive(Debug)]
pub(crate) enum Found<'s, 'f> {
    /// A definition's name, or a reference to it: the definition's index.
    Definition(usize),
    /// A segment of a case path: the path and the segment's index.
    CasePath(&'s CasePath<'f>, usize),
    /// `hypothesis.FIELD` inside a hypotheses block: the path as written.
    Hypothesis(&'f [Ident]),
}

impl<'f> Symbols<'f> {
    /// The symbols of `files`.
    pub(crate) fn of(files: &'f [(FileId, File)]) -> Symbols<'f> {
        let mut symbols = Symbols::default();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (_, file) in files {
            for item in &file.items {
                let (kind, name, defined) = match item {
                    Item::Const(b) | Item::Let(b) => (
                        if matches!(item, Item::Const(_)) {
                            DefinitionKind::Const
                        } else {
                            DefinitionKind::Let
                        },
                        &b.name,
                        Defined::Binding {
                            description: b.description.as_ref(),
                            value: &b.value,
                        },
                    ),
                    Item::Score(s) => (DefinitionKind::Score, &s.name, Defined::Score(s)),
                    _ => continue,
                };
                names
                    .entry(name.name.as_str())
                    .or_insert(symbols.definitions.len());
                symbols.definitions.push(Definition {
                    kind,
                    name,
                    item: defined,
                });
                if let Item::Score(score) = item {
                    for criterion in &score.criteria {
                        symbols.definitions.push(Definition {
                            kind: DefinitionKind::Criterion,
                            name: &criterion.name,
                            item: Defined::Criterion(criterion, &score.name),
                        });
                    }
                }
            }
        }
        let mut walker = Walker {
            names: &names,
            scope: Vec::new(),
            weighing: false,
            out: &mut symbols,
        };
        for (_, file) in files {
            for item in &file.items {
                walker.item(item);
            }
        }
        symbols
    }

    /// What is at `offset` in `file`.
    pub(crate) fn at(&self, file: FileId, offset: u32) -> Option<Found<'_, 'f>> {
        let contains = |span: Span| span.file == file && span.start <= offset && offset <= span.end;
        if let Some(index) = self.definitions.iter().position(|d| contains(d.name.span)) {
            return Some(Found::Definition(index));
        }
        if let Some((_, index)) = self.references.iter().find(|(span, _)| contains(*span)) {
            return Some(Found::Definition(*index));
        }
        if let Some(path) = self
            .hypothesis_fields
            .iter()
            .find(|path| path.iter().any(|s| contains(s.span)))
        {
            return Some(Found::Hypothesis(path));
        }
        self.paths.iter().find_map(|path| {
            let segment = path.segments.iter().position(|s| contains(s.span))?;
            Some(Found::CasePath(path, segment))
        })
    }

    /// Where definition `index` is referred to.
    pub(crate) fn references_to(&self, index: usize) -> impl Iterator<Item = Span> + '_ {
        self.references
            .iter()
            .filter(move |(_, i)| *i == index)
            .map(|(span, _)| *span)
    }
}

/// Walks expressions, resolving each path's first name.
struct Walker<'w, 'f> {
    names: &'w HashMap<&'f str, usize>,
    /// Item variables in scope: name, and the lists it ranges over.
    scope: Vec<(&'f str, Vec<Vec<&'f str>>)>,
    /// Inside a hypotheses block's rows, where `hypothesis` names the hypothesis weighed.
    weighing: bool,
    out: &'w mut Symbols<'f>,
}

impl<'f> Walker<'_, 'f> {
    fn item(&mut self, item: &'f Item) {
        match item {
            Item::Const(b) | Item::Let(b) => self.expr(&b.value),
            Item::Score(score) => {
                if let Mode::Evidence { prior } = &score.mode {
                    self.expr(prior);
                }
                for criterion in &score.criteria {
                    self.criterion(criterion);
                }
                if let Some(bands) = &score.bands {
                    self.decision(bands);
                }
            }
            Item::Verdict(verdict) => self.decision(verdict),
            Item::Hypotheses(block) => {
                for groups in &block.groups {
                    self.expr(groups);
                }
                self.weighing = true;
                for criterion in &block.criteria {
                    self.criterion(criterion);
                }
                self.weighing = false;
            }
            Item::Ruleset(_) | Item::Include(_) | Item::Profile(_) => {}
        }
    }

    fn criterion(&mut self, criterion: &'f Criterion) {
        for outcome in &criterion.outcomes {
            if let Guard::When(condition) = &outcome.guard {
                self.expr(condition);
            }
            self.weight(&outcome.weight);
            self.template(outcome.reason.as_ref());
            for refinement in &outcome.refinements {
                self.expr(&refinement.guard);
                self.weight(&refinement.weight);
                self.template(refinement.reason.as_ref());
            }
        }
        if let Some(unknown) = &criterion.unknown {
            if let Some(weight) = &unknown.weight {
                self.weight(weight);
            }
            self.template(unknown.reason.as_ref());
        }
    }

    fn decision(&mut self, decision: &'f Decision) {
        for row in &decision.rows {
            match &row.test {
                RowTest::Threshold { value, .. } => self.expr(value),
                RowTest::When(condition) => self.expr(condition),
                RowTest::Else => {}
            }
            self.template(row.reason.as_ref());
        }
    }

    fn weight(&mut self, weight: &'f Weight) {
        match &weight.shape {
            WeightShape::Fixed(amount) => self.expr(amount),
            WeightShape::Per { amount, count, max } => {
                self.expr(amount);
                self.expr(count);
                if let Some(max) = max {
                    self.expr(max);
                }
            }
            WeightShape::Ramp { input, points } => {
                self.expr(input);
                for (x, y) in points {
                    self.expr(x);
                    self.expr(y);
                }
            }
        }
    }

    fn template(&mut self, template: Option<&'f Template>) {
        for part in template.into_iter().flat_map(|t| &t.parts) {
            if let TemplatePart::Expr(e) = part {
                self.expr(e);
            }
        }
    }

    /// Recursion follows the expression's nesting, which the parser bounds.
    fn expr(&mut self, e: &'f Expr) {
        match &e.kind {
            ExprKind::Path(segments) => self.path(segments),
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { left, right, .. } => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::Within {
                value,
                length,
                anchor,
                ..
            } => {
                self.expr(value);
                self.expr(length);
                self.expr(anchor);
            }
            ExprKind::Collect {
                projection,
                binder,
                list,
                filter,
                ..
            } => {
                self.expr(list);
                let lists = match &list.kind {
                    ExprKind::Path(segments) => self.lists_of(segments),
                    _ => None,
                };
                self.scope
                    .push((binder.name.as_str(), lists.unwrap_or_default()));
                for part in projection.iter().chain(filter) {
                    self.expr(part);
                }
                self.scope.pop();
            }
            ExprKind::Call { args, .. } => {
                for arg in args {
                    self.expr(arg);
                }
            }
            ExprKind::Match {
                claimed,
                confirmed,
                fields,
            } => {
                self.expr(claimed);
                self.expr(confirmed);
                for field in fields {
                    if let Some(argument) = &field.argument {
                        self.expr(argument);
                    }
                }
            }
            ExprKind::Number(_)
            | ExprKind::Invalid
            | ExprKind::Percent(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration(_)
            | ExprKind::Timestamp(_) => {}
        }
    }

    fn path(&mut self, segments: &'f [Ident]) {
        let Some(head) = segments.first() else {
            return;
        };
        if let Some((_, lists)) = self.scope.iter().rev().find(|(n, _)| *n == head.name) {
            let path = CasePath {
                lists: lists.clone(),
                segments: &segments[1..],
            };
            self.out.paths.push(path);
        } else if self.weighing && head.name == "hypothesis" {
            self.out.hypothesis_fields.push(segments);
        } else if let Some(&index) = self.names.get(head.name.as_str()) {
            self.out.references.push((head.span, index));
        } else {
            self.out.paths.push(CasePath {
                lists: Vec::new(),
                segments,
            });
        }
    }

    /// The lists an item of `segments` ranges over, when it is a case path.
    fn lists_of(&self, segments: &'f [Ident]) -> Option<Vec<Vec<&'f str>>> {
        let head = segments.first()?;
        let names = |s: &'f [Ident]| s.iter().map(|i| i.name.as_str()).collect::<Vec<_>>();
        if let Some((_, lists)) = self.scope.iter().rev().find(|(n, _)| *n == head.name) {
            let mut lists = lists.clone();
            lists.push(names(&segments[1..]));
            return Some(lists);
        }
        if self.names.contains_key(head.name.as_str()) {
            return None;
        }
        Some(vec![names(segments)])
    }
}
