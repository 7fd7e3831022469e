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
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// Stable identifier of each kind of diagnostic (documented in `docs/LANGUAGE.md`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $(#[doc = $title] $variant,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, such as `E005`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether a diagnostic of this kind stops the rules from being used.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// What the code means, in a few words.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    Syntax = "E001", Error, "syntax error";
    UnterminatedString = "E002", Error, "unterminated string";
    BadDuration = "E003", Error, "invalid duration literal";
    BadTimestamp = "E004", Error, "invalid timestamp literal";
    UnknownName = "E005", Error, "unknown name";
    UnknownField = "E006", Error, "path not in the case schema";
    TypeMismatch = "E007", Error, "type mismatch";
    NotBoolean = "E008", Error, "condition is not true/false";
    Duplicate = "E009", Error, "duplicate definition";
    IncludeNotFound = "E010", Error, "included file not found";
    IncludeCycle = "E011", Error, "include cycle";
    WeightKind = "E012", Error, "weight does not fit the score's mode";
    BadBands = "E013", Error, "invalid bands";
    UnknownBand = "E014", Error, "unknown band label";
    DefinitionCycle = "E015", Error, "definition refers to itself";
    UnknownMatcher = "E016", Error, "unknown matcher";
    NotConstant = "E017", Error, "value must be a constant";
    OutOfRange = "E018", Error, "value out of range";
    UnknownMetadata = "E019", Error, "unknown metadata key";
    MissingItem = "E020", Error, "missing required item";
    ItemMisuse = "E021", Error, "list or item used the wrong way";
    BadSchema = "E022", Error, "declared case schema cannot be used";
    MisplacedItem = "E023", Error, "item not allowed here";
    TooDeep = "E024", Error, "nesting too deep";
    TooCostly = "E025", Error, "rules too costly to evaluate";
    Unclosed = "E026", Error, "block or bracket not closed";
    Unmatched = "E027", Error, "closing bracket closes nothing";
    UnknownValue = "E028", Error, "value the case schema does not allow";
    BadProfile = "E029", Error, "invalid profile";
    UnusedDefinition = "W001", Warning, "unused definition";
    SecondaryErasesPrimary = "W002", Warning, "unknown secondary fact discards known evidence";
    NearPath = "W003", Warning, "case path one letter away from another";
    UndefendedOverride = "W004", Warning, "a band row overrides criteria that can outweigh it";
    EstimativeWord = "W005", Warning, "a band uses an ICD 203 word for other probabilities";
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
    /// Whether the edits are certain to be what was meant, or a guess (the closest name).
    pub fix: Fix,
}

/// How sure a diagnostic's fix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// The edit is what the text can only have meant (`&&` for `and`, `6h` for `6 hours`, a
    /// missing `%`): `check --fix` applies it.
    Certain,
    /// The edit is a guess, such as the closest known name: shown, and applied only with
    /// `check --fix=suggested`.
    Suggested,
}

impl Diagnostic {
    /// A diagnostic of kind `code` at `span`, with the code's severity.
    pub(crate) fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
            help: None,
            patches: Vec::new(),
            fix: Fix::Certain,
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

    /// Adds a guessed edit (the closest name, say), when there is one: the fix becomes a
    /// suggestion.
    pub(crate) fn suggest_if(
        self,
        span: Span,
        replacement: Option<impl Into<String>>,
    ) -> Diagnostic {
        match replacement {
            Some(replacement) => Diagnostic {
                fix: Fix::Suggested,
                ..self.patch(span, replacement)
            },
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
            Some(s) => self
                .help(format!("did you mean `{s}`?"))
                .suggest_if(span, Some(s)),
            None => self.help(otherwise()),
        }
    }

    /// True for errors (not warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
