//! The JSON shape of a diagnostic (`check --format json`, the Python package, the language
//! server's data), documented in docs/LANGUAGE.md.

use serde::Serialize;

use super::Diagnostic;
use crate::source::{SourceMap, Span};

/// The version of the JSON shape of diagnostics; it changes when a field changes meaning or
/// goes (new fields may be added without a change).
pub const DIAGNOSTICS_FORMAT_VERSION: u32 = 1;

/// A diagnostic in its JSON shape (version [`DIAGNOSTICS_FORMAT_VERSION`]): the primary
/// position flat for quick use, then every label with start and end, the help and the patches.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    code: &'static str,
    severity: &'static str,
    message: String,
    file: String,
    line: usize,
    column: usize,
    range: RangeJson,
    text: String,
    label: String,
    labels: Vec<LabelJson>,
    help: Option<String>,
    patches: Vec<PatchJson>,
    /// `certain` or `suggested` (a guess, applied only by `check --fix=suggested`).
    fix: &'static str,
}

/// A label: its range, text, and whether it is the primary one.
#[derive(Debug, Clone, Serialize)]
struct LabelJson {
    primary: bool,
    range: RangeJson,
    text: String,
}

/// An edit: the range it replaces and the replacement.
#[derive(Debug, Clone, Serialize)]
struct PatchJson {
    range: RangeJson,
    replacement: String,
}

/// A span as a file and two positions.
#[derive(Debug, Clone, Serialize)]
struct RangeJson {
    file: String,
    start: PositionJson,
    end: PositionJson,
}

/// A byte offset, a 1-based line and a 1-based column in characters.
#[derive(Debug, Clone, Copy, Serialize)]
struct PositionJson {
    offset: u32,
    line: usize,
    column: usize,
}

impl Diagnostic {
    /// The diagnostic in its JSON shape.
    pub fn json(&self, sources: &SourceMap) -> DiagnosticJson {
        let file = sources.file(self.span.file);
        let (line, column) = file.line_col(self.span.start);
        let label = |span: Span, text: &str, primary: bool| LabelJson {
            primary,
            range: range(sources, span),
            text: text.to_string(),
        };
        let labels = std::iter::once(label(self.span, &self.label, true))
            .chain(self.notes.iter().map(|n| label(n.span, &n.text, false)))
            .collect();
        DiagnosticJson {
            code: self.code.as_str(),
            severity: if self.is_error() { "error" } else { "warning" },
            message: self.message.clone(),
            file: file.name.clone(),
            line,
            column,
            range: range(sources, self.span),
            text: sources.snippet(self.span).to_string(),
            label: self.label.clone(),
            labels,
            help: self.help.clone(),
            patches: self
                .patches
                .iter()
                .map(|p| PatchJson {
                    range: range(sources, p.span),
                    replacement: p.replacement.clone(),
                })
                .collect(),
            fix: match self.fix {
                super::Fix::Certain => "certain",
                super::Fix::Suggested => "suggested",
            },
        }
    }

    /// The diagnostic's JSON shape as a JSON value.
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        serde_json::to_value(self.json(sources)).unwrap_or_default()
    }
}

fn range(sources: &SourceMap, span: Span) -> RangeJson {
    let file = sources.file(span.file);
    let position = |offset: u32| {
        let (line, column) = file.line_col(offset);
        PositionJson {
            offset,
            line,
            column,
        }
    };
    RangeJson {
        file: file.name.clone(),
        start: position(span.start),
        end: position(span.end),
    }
}
