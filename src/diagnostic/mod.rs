//! Compiler-grade diagnostics: a stable code, a one-line message, labelled spans and help.
//!
//! Diagnostics are plain data while the front end runs; [`Diagnostic::render`] turns one into
//! rustc-style text with `miette` at the edge ([`render`]), [`Diagnostic::to_json`] into the
//! versioned JSON shape ([`json`]). [`apply_patches`] applies their fixes; [`names`] finds the name a
//! misspelling meant.

mod json;
mod names;
mod patch;
mod render;

pub use json::{DIAGNOSTICS_FORMAT_VERSION, DiagnosticJson};
pub(crate) use names::{NameIndex, closest, did_you_mean};
pub use patch::apply as apply_patches;

use crate::source::Span;

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
    Unclosed = "E026", "block or bracket not closed";
    Unmatched = "E027", "closing bracket closes nothing";
    UnknownValue = "E028", "value the case schema does not allow";
    UnusedDefinition = "W001", "unused definition";
    SecondaryErasesPrimary = "W002", "unknown secondary fact discards known evidence";
    NearPath = "W003", "case path one letter away from another";
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

/// An edit that fixes a diagnostic: the text of `span` becomes `replacement` (an empty span
/// inserts, an empty replacement deletes). Only fixes that need no judgement are patches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// What to replace (in the diagnostic's file or another loaded file).
    pub span: Span,
    /// The new text.
    pub replacement: String,
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
    /// Edits that fix it, applied together (`check --fix`, the language server's quick fix).
    pub patches: Vec<Patch>,
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
            patches: Vec::new(),
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

    /// Adds an edit of the fix.
    pub(crate) fn patch(mut self, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.patches.push(Patch {
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// Adds the edit replacing `span` with `replacement`, when there is one.
    pub(crate) fn patch_if(self, span: Span, replacement: Option<impl Into<String>>) -> Diagnostic {
        match replacement {
            Some(replacement) => self.patch(span, replacement),
            None => self,
        }
    }

    /// Help with "did you mean `x`?" and the edit that writes `x` at `span`, when a candidate
    /// is close to the misspelling; `otherwise` the help.
    pub(crate) fn did_you_mean(
        self,
        span: Span,
        suggestion: Option<&str>,
        otherwise: impl FnOnce() -> String,
    ) -> Diagnostic {
        match suggestion {
            Some(s) => self.help(format!("did you mean `{s}`?")).patch(span, s),
            None => self.help(otherwise()),
        }
    }

    /// True for errors (not warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
