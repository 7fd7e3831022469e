//! Hover text: what a definition says (a criterion's `about`, a definition's value), and what
//! the case schema says of a case path.

use std::fmt::Write;

use super::symbols::{CasePath, Defined, Definition};
use crate::schema::{Schema, SchemaNode};
use crate::source::SourceMap;
use crate::syntax::ast::{Ident, Mode, RowTest, Template};

/// Markdown for a definition.
pub(crate) fn definition(d: &Definition<'_>, sources: &SourceMap) -> String {
    let mut out = String::new();
    match d.item {
        Defined::Binding { description, value } => {
            let keyword = match d.kind {
                super::symbols::DefinitionKind::Const => "const",
                _ => "let",
            };
            let _ = write!(
                out,
                "```cred\n{keyword} {} = {}\n```",
                d.name.name,
                sources.snippet(value.span)
            );
            if let Some(text) = plain(description) {
                let _ = write!(out, "\n\n{text}");
            }
        }
        Defined::Score(score) => {
            let _ = write!(out, "**score `{}`**", score.name.name);
            if let Some(title) = plain(score.title.as_ref()) {
                let _ = write!(out, ": {title}");
            }
            let mode = match &score.mode {
                Mode::Evidence { prior } => {
                    format!("evidence, prior `{}`", sources.snippet(prior.span))
                }
                Mode::Additive => "additive".into(),
            };
            let _ = write!(out, "\n\n{mode}; {} criteria", score.criteria.len());
            let bands: Vec<String> = score
                .bands
                .iter()
                .flat_map(|b| &b.rows)
                .filter_map(|row| {
                    let label = row.label.plain()?;
                    Some(match &row.test {
                        RowTest::Threshold { value, strict } => format!(
                            "`{label}` ({} {})",
                            if *strict { ">" } else { ">=" },
                            sources.snippet(value.span)
                        ),
                        RowTest::When(_) => format!("`{label}` (when …)"),
                        RowTest::Else => format!("`{label}` (else)"),
                    })
                })
                .collect();
            if !bands.is_empty() {
                let _ = write!(out, "\n\nbands: {}", bands.join(", "));
            }
        }
        Defined::Criterion(criterion, score) => {
            let _ = write!(
                out,
                "**criterion `{}.{}`**",
                score.name, criterion.name.name
            );
            if let Some(title) = plain(criterion.title.as_ref()) {
                let _ = write!(out, ": {title}");
            }
            if let Some(about) = plain(criterion.about.as_ref()) {
                let _ = write!(out, "\n\n{about}");
            }
        }
    }
    out
}

/// Markdown for segment `segment` of a case path: its place, and the schema's description, type
/// and allowed values.
pub(crate) fn case_path(path: &CasePath<'_>, segment: usize, schema: Option<&Schema>) -> String {
    let names: Vec<&str> = path.segments[..=segment]
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut shown: Vec<String> = path
        .lists
        .iter()
        .map(|l| format!("{}[]", l.join(".")))
        .collect();
    shown.push(names.join("."));
    let mut out = format!("case path `{}`", shown.join("."));
    let Some(schema) = schema else {
        out.push_str("\n\nNo case schema is declared: declare one in the `ruleset` header (`schema \"case.schema.json\"`) to check paths and see their descriptions.");
        return out;
    };
    match node(schema, path, &names) {
        Some(node) => {
            let (description, kind, values) = schema.documentation(&node);
            let _ = write!(out, ": {kind}");
            if let Some(description) = description {
                let _ = write!(out, "\n\n{description}");
            }
            if let Some(values) = values {
                let quoted: Vec<String> = values.iter().map(|v| format!("`\"{v}\"`")).collect();
                let _ = write!(out, "\n\nvalues: {}", quoted.join(", "));
            }
        }
        None => out.push_str("\n\nnot in the case schema"),
    }
    out
}

/// The text for `hypothesis.FIELD` inside a hypotheses block.
pub(crate) fn hypothesis(path: &[Ident]) -> String {
    let field = path.get(1).map_or("", |f| f.name.as_str());
    let meaning = match field {
        "group" => {
            "the group of the hypothesis being weighed (unknown for a hypothesis declared with `one`, which names no group): each row is read once per hypothesis"
        }
        "kind" => {
            "the kind of the hypothesis being weighed, one of the block's `each` and `one` names: each row is read once per hypothesis"
        }
        _ => "not a field of a hypothesis: `hypothesis.group` and `hypothesis.kind` are",
    };
    format!("`hypothesis.{field}`: {meaning}")
}

/// The schema of `names` under the lists of `path` (the root when there are none).
pub(crate) fn node(schema: &Schema, path: &CasePath<'_>, names: &[&str]) -> Option<SchemaNode> {
    let mut base: Option<SchemaNode> = None;
    for list in &path.lists {
        let (_, found) = schema.lookup(base.as_ref(), list).ok()?;
        base = Some(schema.items(&found)?);
    }
    if names.is_empty() {
        return base;
    }
    schema
        .lookup(base.as_ref(), names)
        .ok()
        .map(|(_, node)| node)
}

fn plain(template: Option<&Template>) -> Option<&str> {
    template.and_then(Template::plain).filter(|t| !t.is_empty())
}
