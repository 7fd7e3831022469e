//! The JSON shape of a diagnostic (`check --format json`, the Python package, the language
//! server's data), documented in docs/LANGUAGE.md.

use super::Diagnostic;
use crate::source::{SourceMap, Span};

impl Diagnostic {
    /// The diagnostic as a JSON object (`check --format json`, version
    /// [`DIAGNOSTICS_FORMAT_VERSION`], documented in docs/LANGUAGE.md): the primary position
    /// flat for quick use, then every label with start and end, the help and the patches.
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let file = sources.file(self.span.file);
        let (line, column) = file.line_col(self.span.start);
        let primary = std::iter::once(json_label(sources, self.span, &self.label, true));
        let secondary = self
            .notes
            .iter()
            .map(|n| json_label(sources, n.span, &n.text, false));
        let patches: Vec<serde_json::Value> = self
            .patches
            .iter()
            .map(|p| {
                serde_json::json!({
                    "range": json_range(sources, p.span),
                    "replacement": p.replacement,
                })
            })
            .collect();
        serde_json::json!({
            "code": self.code.as_str(),
            "severity": if self.is_error() { "error" } else { "warning" },
            "message": self.message,
            "file": file.name,
            "line": line,
            "column": column,
            "range": json_range(sources, self.span),
            "text": sources.snippet(self.span),
            "label": self.label,
            "labels": primary.chain(secondary).collect::<Vec<_>>(),
            "help": self.help,
            "patches": patches,
        })
    }
}

/// The version of the JSON shape of diagnostics; it changes when a field changes meaning or
/// goes (new fields may be added without a change).
pub const DIAGNOSTICS_FORMAT_VERSION: u32 = 1;

/// A label: its range, text, and whether it is the primary one.
fn json_label(sources: &SourceMap, span: Span, text: &str, primary: bool) -> serde_json::Value {
    serde_json::json!({
        "primary": primary,
        "range": json_range(sources, span),
        "text": text,
    })
}

/// A span as a file and two positions, each a byte offset, a 1-based line and a 1-based
/// column in characters.
fn json_range(sources: &SourceMap, span: Span) -> serde_json::Value {
    let file = sources.file(span.file);
    let position = |offset: u32| {
        let (line, column) = file.line_col(offset);
        serde_json::json!({ "offset": offset, "line": line, "column": column })
    };
    serde_json::json!({
        "file": file.name,
        "start": position(span.start),
        "end": position(span.end),
    })
}
