//! Compiler-grade diagnostics: a stable code, a one-line message, labelled spans and help.
//!
//! Diagnostics are plain data while the front end runs; [`Diagnostic::render`] turns one into
//! rustc-style text with `miette` at the edge.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::source::{SourceMap, Span};

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        /// Stable identifier of each kind of diagnostic (documented in `docs/LANGUAGE.md`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $(#[doc = $title] $variant,)* }

        impl Code {
            /// The stable code, such as `E005`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
        }
    };
}

codes! {
    Syntax = "E001", "syntax error";
    UnterminatedString = "E002", "unterminated string";
    BadDuration = "E003", "invalid duration literal";
    BadTimestamp = "E004", "invalid timestamp literal";
    UnknownName = "E005", "unknown name";
    UnknownField = "E006", "path not in the case schema";
    TypeMismatch = "E007", "type mismatch";
    NotBoolean = "E008", "condition is not true/false";
    Duplicate = "E009", "duplicate definition";
    IncludeNotFound = "E010", "included file not found";
    IncludeCycle = "E011", "include cycle";
    WeightKind = "E012", "weight does not fit the score's mode";
    BadBands = "E013", "invalid bands";
    UnknownBand = "E014", "unknown band label";
    DefinitionCycle = "E015", "definition refers to itself";
    UnknownMatcher = "E016", "unknown matcher";
    NotConstant = "E017", "value must be a constant";
    OutOfRange = "E018", "value out of range";
    UnknownMetadata = "E019", "unknown metadata key";
    MissingItem = "E020", "missing required item";
    ItemMisuse = "E021", "list or item used the wrong way";
    BadSchema = "E022", "declared case schema cannot be used";
    MisplacedItem = "E023", "item not allowed here";
    TooDeep = "E024", "nesting too deep";
    TooCostly = "E025", "rules too costly to evaluate";
    UnusedDefinition = "W001", "unused definition";
    SecondaryErasesPrimary = "W002", "unknown secondary fact discards known evidence";
}

/// Lines longer than this many bytes are not drawn in a rendered diagnostic.
pub(crate) const SHOWN_LINE: usize = 1_000;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The rules cannot be used.
    Error,
    /// The rules work, but something looks wrong.
    Warning,
}

/// A secondary label on another span of the same file.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What the reader should notice there.
    pub text: String,
}

/// One problem found in rule files.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line, lowercase, no final period; user input in backticks.
    pub message: String,
    /// The primary span.
    pub span: Span,
    /// The primary label's text.
    pub label: String,
    /// More labels in the same file.
    pub notes: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub(crate) fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: if code.as_str().starts_with('W') {
                Severity::Warning
            } else {
                Severity::Error
            },
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary label.
    pub(crate) fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = text.into();
        self
    }

    /// Adds a secondary label.
    pub(crate) fn note(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.notes.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub(crate) fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    /// True for errors (not warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders rustc-style, with `file:line:column`, the underlined source and help. A label
    /// on a line longer than 1,000 bytes is named, not drawn: such lines do not fit a
    /// terminal, and past 65,535 columns the graphical renderer cannot draw them at all.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let file = sources.file(self.span.file);
        let too_long = std::iter::once(self.span)
            .chain(self.notes.iter().map(|n| n.span))
            .filter(|span| span.file == self.span.file)
            .any(|span| file.line_length(span.start) > SHOWN_LINE);
        if too_long {
            return self.render_compact(sources);
        }
        let report = Rendered {
            diagnostic: self,
            source: Window::around(file, self),
        };
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}: {}", self.code.as_str(), self.message);
        }
        out
    }

    fn render_compact(&self, sources: &SourceMap) -> String {
        let mut out = format!(
            "{}\n\n  × {}\n   ╭─[{}]\n   │ (the line is too long to show)\n",
            self.code.as_str(),
            self.message,
            sources.location(self.span)
        );
        if !self.label.is_empty() {
            out.push_str(&format!("   ╰── {}\n", self.label));
        }
        for note in &self.notes {
            out.push_str(&format!(
                "   {}: {}\n",
                sources.location(note.span),
                note.text
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        out
    }

    /// The diagnostic as a JSON object (for `--format json`).
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let file = sources.file(self.span.file);
        let (line, column) = file.line_col(self.span.start);
        serde_json::json!({
            "code": self.code.as_str(),
            "severity": if self.is_error() { "error" } else { "warning" },
            "message": self.message,
            "file": file.name,
            "line": line,
            "column": column,
            "text": sources.snippet(self.span),
            "label": self.label,
            "help": self.help,
        })
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

struct Rendered<'d> {
    diagnostic: &'d Diagnostic,
    source: Window<'d>,
}

/// The lines of a file around a diagnostic's labels, so that rendering costs the size of the
/// window rather than of the file (miette scans its source from the start for every span).
struct Window<'s> {
    name: String,
    text: &'s str,
    /// Byte offset of the window in the file.
    base: usize,
    /// 0-based line of the window's first line.
    first_line: usize,
}

/// Lines of context kept around the labels (miette shows at most one).
const WINDOW_CONTEXT: usize = 3;

impl<'s> Window<'s> {
    fn around(file: &'s crate::source::SourceFile, d: &Diagnostic) -> Window<'s> {
        let spans = std::iter::once(d.span)
            .chain(d.notes.iter().map(|n| n.span))
            .filter(|s| s.file == d.span.file);
        let (mut first, mut last) = (usize::MAX, 0);
        for span in spans {
            first = first.min(file.line_of(span.start));
            last = last.max(file.line_of(span.end.max(span.start)));
        }
        let first = first.saturating_sub(WINDOW_CONTEXT);
        let range = file.lines(first, last + WINDOW_CONTEXT);
        Window {
            name: file.name.clone(),
            text: &file.text[range.clone()],
            base: range.start,
            first_line: first,
        }
    }
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let offset = span
            .offset()
            .checked_sub(self.base)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let local = SourceSpan::new(offset.into(), span.len());
        let contents = self.text.read_span(&local, before, after)?;
        let shifted = SourceSpan::new(
            (contents.span().offset() + self.base).into(),
            contents.span().len(),
        );
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            shifted,
            contents.line() + self.first_line,
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            Some(d.label.clone()).filter(|l| !l.is_empty()),
            source_span(d.span),
        );
        let notes = d
            .notes
            .iter()
            .filter(|n| n.span.file == d.span.file)
            .map(|n| LabeledSpan::new_with_span(Some(n.text.clone()), source_span(n.span)));
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}

/// The defined names of a rule set, indexed so that names close to a misspelling are found in
/// time proportional to its length, however many names there are: each name is filed under
/// itself and every one-character deletion of it, so two names one insertion, deletion,
/// substitution or adjacent transposition apart share a key.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    names: Vec<String>,
    keys: std::collections::HashMap<String, Vec<u32>>,
}

/// Names longer than this are filed under themselves only (their deletions would cost
/// quadratic space, and a long name is rarely mistyped by one character).
const INDEXED_DELETIONS: usize = 40;

impl NameIndex {
    /// Indexes `names`.
    pub(crate) fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> NameIndex {
        let mut index = NameIndex::default();
        for name in names {
            let id = index.names.len() as u32;
            index.names.push(name.to_string());
            for key in keys(name) {
                index.keys.entry(key).or_default().push(id);
            }
        }
        index
    }

    /// The indexed name closest to `query` with a Jaro–Winkler similarity of at least
    /// `threshold`, if any (ties go to the alphabetically first).
    pub(crate) fn closest(&self, query: &str, threshold: f64) -> Option<&str> {
        let mut candidates: Vec<u32> = keys(query)
            .filter_map(|k| self.keys.get(&k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|id| self.names[id as usize].as_str())
            .filter(|name| *name != query)
            .map(|name| (strsim::jaro_winkler(query, name), name))
            .filter(|(score, _)| *score >= threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, name)| name)
    }
}

/// A name and, when short enough, each of its one-character deletions.
fn keys(name: &str) -> impl Iterator<Item = String> + '_ {
    let deletions = (name.chars().count() <= INDEXED_DELETIONS)
        .then(|| {
            name.char_indices().map(move |(at, c)| {
                let mut key = String::with_capacity(name.len());
                key.push_str(&name[..at]);
                key.push_str(&name[at + c.len_utf8()..]);
                key
            })
        })
        .into_iter()
        .flatten();
    std::iter::once(name.to_string()).chain(deletions)
}

/// "did you mean `x`?" for a misspelled name, from the candidates that are close enough.
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))?;
    Some(format!("did you mean `{}`?", best.1))
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

    #[test]
    fn the_name_index_finds_one_edit_misspellings() {
        let index = NameIndex::new(["claim_delay", "replicating_accounts", "details", "echoes"]);
        assert_eq!(
            index.closest("claim_dealy", 0.9),
            Some("claim_delay"),
            "transposition"
        );
        assert_eq!(index.closest("detals", 0.8), Some("details"), "deletion");
        assert_eq!(index.closest("echoess", 0.8), Some("echoes"), "insertion");
        assert_eq!(index.closest("ecxoes", 0.8), Some("echoes"), "substitution");
        assert_eq!(index.closest("claim", 0.9), None);
        assert_eq!(
            index.closest("details", 0.8),
            None,
            "a name is not its own misspelling"
        );
    }
}
