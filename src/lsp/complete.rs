//! Completion: case paths from the schema after a `.`, the values the schema allows inside a
//! string compared with a case path (and a score's band labels), definitions, functions and the
//! keywords that fit where the cursor is.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};

use super::position::LineIndex;
use super::symbols::{Defined, DefinitionKind, Symbols};
use crate::ops::AGGREGATES;
use crate::schema::{Schema, SchemaNode};
use crate::syntax::ast::ExprKind;
use crate::syntax::token::{Delim, TokenKind, tokenize};

/// What a score exposes to its readers.
const SCORE_PROPERTIES: &[(&str, &str)] = &[
    ("band", "the label of the band the score reached"),
    (
        "coverage",
        "the share of its criteria whose evidence was known (0 to 1)",
    ),
    ("min", "the lowest value unknown evidence could still give"),
    ("max", "the highest value unknown evidence could still give"),
    (
        "settled",
        "whether no unknown evidence could change its band",
    ),
];

/// What a detail match exposes besides its fields.
const MATCH_SUMMARIES: &[&str] = &["matched", "mismatched", "known", "unknown", "ratio"];

/// Functions that are not aggregates.
const FUNCTIONS: &[(&str, &str)] = &[
    ("known", "`known(x)`: true when x is known; never unknown"),
    ("abs", "`abs(x)`: the absolute value"),
    (
        "count_true",
        "`count_true(a, b, …)`: how many conditions are true",
    ),
];

/// Keywords that start a line, by the block the line is in.
const ITEM_KEYWORDS: &[&str] = &[
    "ruleset",
    "include",
    "const",
    "let",
    "score",
    "verdict",
    "profile",
    "hypotheses",
];
const SCORE_KEYWORDS: &[&str] = &["criterion", "bands", "additive", "evidence prior"];
const CRITERION_KEYWORDS: &[&str] = &["when", "else", "refine when", "unknown", "about"];
const HYPOTHESES_KEYWORDS: &[&str] =
    &["about", "groups", "each", "one", "conflict lr", "criterion"];
const TABLE_KEYWORDS: &[&str] = &["when", "else", ">="];
/// Keywords inside expressions and rows.
const EXPRESSION_KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "contains", "within", "after", "before", "of", "true", "false",
    "match", "with", "lr", "per", "ramp", "skip",
];

/// Completion items at `offset` of `text`.
pub(crate) fn items(
    text: &str,
    offset: usize,
    lines: &LineIndex<'_>,
    symbols: &Symbols<'_>,
    schema: Option<&Schema>,
) -> Vec<CompletionItem> {
    let offset = floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..offset];
    if let Some(items) = in_string(before, offset, text, lines, symbols, schema) {
        return items;
    }
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .map(char::len_utf8)
        .sum::<usize>();
    let word = &before[before.len() - word_len..];
    let (base, partial) = match word.rfind('.') {
        Some(dot) => (Some(&word[..dot]), &word[dot + 1..]),
        None => (None, word),
    };
    let replace = lines.range(offset - partial.len(), offset);
    let edit = |label: &str| CompletionTextEdit::Edit(TextEdit::new(replace, label.to_string()));
    let mut out = Vec::new();
    let mut push =
        |label: &str, kind: CompletionItemKind, detail: Option<String>, doc: Option<String>| {
            out.push(CompletionItem {
                label: label.to_string(),
                kind: Some(kind),
                detail,
                documentation: doc.map(markdown),
                text_edit: Some(edit(label)),
                ..CompletionItem::default()
            });
        };
    if let Some(base) = base {
        for (label, kind, doc) in after_dot(base, text, offset, symbols, schema) {
            push(&label, kind, None, doc);
        }
        return out;
    }
    let at_line_start = before[..before.len() - word_len].trim().is_empty();
    if at_line_start {
        for keyword in block_keywords(&text[..line_start]) {
            push(keyword, CompletionItemKind::KEYWORD, None, None);
        }
        if !matches!(block(&text[..line_start]), Block::Criterion | Block::Table) {
            return out;
        }
    }
    for definition in &symbols.definitions {
        let kind = match definition.kind {
            DefinitionKind::Const => CompletionItemKind::CONSTANT,
            DefinitionKind::Let => CompletionItemKind::VARIABLE,
            DefinitionKind::Score => CompletionItemKind::MODULE,
            DefinitionKind::Criterion => continue,
        };
        let what = match definition.kind {
            DefinitionKind::Const => "constant",
            DefinitionKind::Let => "definition",
            _ => "score",
        };
        push(&definition.name.name, kind, Some(what.into()), None);
    }
    for (name, description) in schema.map(|s| s.properties(None)).unwrap_or_default() {
        push(
            &name,
            CompletionItemKind::FIELD,
            Some("case".into()),
            description,
        );
    }
    for aggregate in AGGREGATES {
        let doc = format!("`{}`: {}", aggregate.form, aggregate.gives);
        push(
            aggregate.name,
            CompletionItemKind::FUNCTION,
            None,
            Some(doc),
        );
    }
    for (name, doc) in FUNCTIONS {
        push(
            name,
            CompletionItemKind::FUNCTION,
            None,
            Some(doc.to_string()),
        );
    }
    for keyword in EXPRESSION_KEYWORDS {
        push(keyword, CompletionItemKind::KEYWORD, None, None);
    }
    out
}

/// After `base.`: a score's properties, a match's fields, or the schema's fields of the case
/// path (when none, the fields the rules already read there).
fn after_dot(
    base: &str,
    text: &str,
    offset: usize,
    symbols: &Symbols<'_>,
    schema: Option<&Schema>,
) -> Vec<(String, CompletionItemKind, Option<String>)> {
    let segments: Vec<&str> = base.split('.').collect();
    let head = segments[0];
    let definition = symbols
        .definitions
        .iter()
        .find(|d| d.name.name == head && d.kind != DefinitionKind::Criterion);
    if let Some(definition) = definition {
        return match definition.item {
            Defined::Score(_) if segments.len() == 1 => SCORE_PROPERTIES
                .iter()
                .map(|(p, doc)| {
                    (
                        p.to_string(),
                        CompletionItemKind::PROPERTY,
                        Some(doc.to_string()),
                    )
                })
                .collect(),
            Defined::Binding { value, .. } if segments.len() == 1 => match &value.kind {
                ExprKind::Match { fields, .. } => fields
                    .iter()
                    .map(|f| f.field.name.as_str())
                    .chain(MATCH_SUMMARIES.iter().copied())
                    .map(|f| (f.to_string(), CompletionItemKind::FIELD, None))
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
    }
    let (lists, names) = binder_lists(text, offset, &segments, 0);
    if let Some(schema) = schema {
        let node = schema_node(schema, &lists, &names);
        return match node {
            Some(node) => schema
                .properties(node.as_ref())
                .into_iter()
                .map(|(name, doc)| (name, CompletionItemKind::FIELD, doc))
                .collect(),
            None => Vec::new(),
        };
    }
    // Without a schema: the fields the rules already read under this path.
    let mut seen: Vec<String> = Vec::new();
    for path in &symbols.paths {
        let written: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        if path.lists.is_empty()
            && written.len() > names.len()
            && written[..names.len()] == names[..]
            && !seen.iter().any(|s| s == written[names.len()])
        {
            seen.push(written[names.len()].to_string());
        }
    }
    seen.into_iter()
        .map(|s| (s, CompletionItemKind::FIELD, None))
        .collect()
}

/// The schema node of `names` under `lists` (the root when both are empty; `Some(None)`).
fn schema_node(
    schema: &Schema,
    lists: &[Vec<String>],
    names: &[String],
) -> Option<Option<SchemaNode>> {
    let mut base: Option<SchemaNode> = None;
    for list in lists {
        let list: Vec<&str> = list.iter().map(String::as_str).collect();
        let (_, found) = schema.lookup(base.as_ref(), &list).ok()?;
        base = Some(schema.items(&found)?);
    }
    if names.is_empty() {
        return Some(base);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    schema
        .lookup(base.as_ref(), &names)
        .ok()
        .map(|(_, node)| Some(node))
}

/// How many item variables deep `x in y` is followed back to a case path.
const BINDER_DEPTH: usize = 4;

/// A path whose head is an item variable (`p` of `count(p in posts where p.`) as the lists it
/// ranges over and the rest; otherwise no lists and the path itself. The variable is found by
/// the nearest `p in LIST` before the cursor.
fn binder_lists(
    text: &str,
    offset: usize,
    segments: &[&str],
    depth: usize,
) -> (Vec<Vec<String>>, Vec<String>) {
    let owned = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let head = segments[0];
    let pattern = format!("{head} in ");
    let found = text[..offset].rmatch_indices(&pattern).find(|(at, _)| {
        text[..*at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    });
    let Some((at, _)) = found.filter(|_| depth < BINDER_DEPTH) else {
        return (Vec::new(), owned(segments));
    };
    let list_text: String = text[at + pattern.len()..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let list: Vec<&str> = list_text.split('.').filter(|s| !s.is_empty()).collect();
    if list.is_empty() {
        return (Vec::new(), owned(segments));
    }
    let (mut lists, list_names) = binder_lists(text, at, &list, depth + 1);
    lists.push(list_names);
    (lists, owned(&segments[1..]))
}

/// Inside a string compared with a case path or a score's band: the allowed values.
fn in_string(
    before: &str,
    offset: usize,
    text: &str,
    lines: &LineIndex<'_>,
    symbols: &Symbols<'_>,
    schema: Option<&Schema>,
) -> Option<Vec<CompletionItem>> {
    let lexed = tokenize(before);
    let tokens = &lexed.tokens;
    let last = tokens.last()?;
    if last.kind != (TokenKind::Str { closed: false }) {
        return None;
    }
    let inside = last.start as usize + 1;
    let typed = &before[inside..];
    if typed.contains(['{', '"', '\\']) {
        return Some(Vec::new());
    }
    let operator = tokens
        .len()
        .checked_sub(2)
        .map(|i| lexed.text(before, tokens[i]))?;
    if !matches!(operator, "==" | "!=" | "contains") {
        return Some(Vec::new());
    }
    // The path before the operator: words joined by dots.
    let mut path: Vec<&str> = Vec::new();
    let mut i = tokens.len() - 2;
    while i > 0 {
        i -= 1;
        let t = tokens[i];
        let piece = lexed.text(before, t);
        match t.kind {
            TokenKind::Word => path.insert(0, piece),
            TokenKind::Symbol if piece == "." => {}
            _ => break,
        }
        if t.kind == TokenKind::Word && (i == 0 || lexed.text(before, tokens[i - 1]) != ".") {
            break;
        }
    }
    let values = allowed_values(&path, text, offset, symbols, schema);
    let start = offset - typed.len();
    let replace = lines.range(start, offset);
    Some(
        values
            .into_iter()
            .map(|value| CompletionItem {
                label: value.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(replace, value))),
                ..CompletionItem::default()
            })
            .collect(),
    )
}

/// The strings `path` may be compared with: a score's band labels, or the schema's `enum`.
fn allowed_values(
    path: &[&str],
    text: &str,
    offset: usize,
    symbols: &Symbols<'_>,
    schema: Option<&Schema>,
) -> Vec<String> {
    if let [score, "band"] = path
        && let Some(Defined::Score(s)) = symbols
            .definitions
            .iter()
            .find(|d| d.name.name == *score && d.kind == DefinitionKind::Score)
            .map(|d| d.item)
    {
        return s
            .bands
            .iter()
            .flat_map(|b| &b.rows)
            .filter_map(|r| r.label.plain().map(str::to_string))
            .collect();
    }
    let Some(schema) = schema.filter(|_| !path.is_empty()) else {
        return Vec::new();
    };
    let (lists, names) = binder_lists(text, offset, path, 0);
    let Some(Some(node)) = schema_node(schema, &lists, &names) else {
        return Vec::new();
    };
    let values = match schema.items(&node) {
        Some(items) => schema.enum_strings(&items),
        None => schema.enum_strings(&node),
    };
    values.unwrap_or_default()
}

/// The kind of block a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Top,
    Score,
    Hypotheses,
    Criterion,
    Table,
    Other,
}

/// The block the end of `text` is in, from its open braces and the words that opened them.
fn block(text: &str) -> Block {
    let lexed = tokenize(text);
    let mut stack: Vec<Block> = Vec::new();
    for token in &lexed.tokens {
        match token.kind {
            TokenKind::Open(Delim::Brace) => {
                let first = lexed
                    .first_on(token.line)
                    .map(|i| lexed.text(text, lexed.tokens[i]));
                let kind = match first {
                    Some("score") => Block::Score,
                    Some("hypotheses") => Block::Hypotheses,
                    Some("criterion") => Block::Criterion,
                    Some("bands" | "verdict") => Block::Table,
                    _ => Block::Other,
                };
                stack.push(kind);
            }
            TokenKind::Close(Delim::Brace) => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied().unwrap_or(Block::Top)
}

fn block_keywords(text: &str) -> &'static [&'static str] {
    match block(text) {
        Block::Top => ITEM_KEYWORDS,
        Block::Score => SCORE_KEYWORDS,
        Block::Hypotheses => HYPOTHESES_KEYWORDS,
        Block::Criterion => CRITERION_KEYWORDS,
        Block::Table => TABLE_KEYWORDS,
        Block::Other => &[],
    }
}

fn markdown(text: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: text,
    })
}

/// The largest character boundary at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::{CRITERION_KEYWORDS, HYPOTHESES_KEYWORDS, block_keywords};

    #[test]
    fn a_hypotheses_block_offers_its_own_keywords() {
        assert!(block_keywords("").contains(&"hypotheses"));
        assert_eq!(block_keywords("hypotheses who {\n  "), HYPOTHESES_KEYWORDS);
        assert_eq!(
            block_keywords("hypotheses who {\n  criterion c {\n    "),
            CRITERION_KEYWORDS
        );
    }
}
