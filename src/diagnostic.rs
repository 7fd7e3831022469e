//! Compiler-grade diagnostics: a stable code, a one-line message, labelled spans and help.
//!
//! Diagnostics are plain data while the front end runs; [`Diagnostic::render`] turns one into
//! rustc-style text with `miette` at the edge.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

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
}

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
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
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
    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = text.into();
        self
    }

    /// Adds a secondary label.
    pub fn note(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.notes.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    /// True for errors (not warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders rustc-style, with `file:line:column`, the underlined source and help.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let file = sources.file(self.span.file);
        let report = Rendered {
            diagnostic: self,
            source: NamedSource::new(file.name.clone(), file.text.clone()),
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
    source: NamedSource<std::sync::Arc<str>>,
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

/// "did you mean `x`?" for a misspelled name, from the candidates that are close enough.
pub fn did_you_mean<'c>(
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
