//! Parse errors: what the parser expected where, turned into [`Diagnostic`]s.

use nom::error::{ErrorKind, ParseError};

use super::lexeme::{In, span_at};
use crate::diagnostic::{Code, Diagnostic};

/// A parse failure: the position and what would have been accepted there.
#[derive(Debug)]
pub(crate) struct PError<'a> {
    /// Where parsing stopped.
    pub(crate) at: In<'a>,
    /// Descriptions of acceptable input, such as "`=>`" or "an expression".
    pub(crate) expected: Vec<&'static str>,
    /// A lexical error with its own diagnostic (bad literal, unterminated string).
    pub(crate) special: Option<Box<Diagnostic>>,
}

/// The result of a parser.
pub(crate) type PResult<'a, T> = nom::IResult<In<'a>, T, PError<'a>>;

impl<'a> PError<'a> {
    /// "expected `what`" at `at`.
    pub(crate) fn expected(at: In<'a>, what: &'static str) -> PError<'a> {
        PError {
            at,
            expected: vec![what],
            special: None,
        }
    }

    /// A lexical error with a ready diagnostic.
    pub(crate) fn special(at: In<'a>, diagnostic: Diagnostic) -> PError<'a> {
        PError {
            at,
            expected: Vec::new(),
            special: Some(Box::new(diagnostic)),
        }
    }

    /// Turns the error into a diagnostic, naming what `text` (the whole file) has there
    /// instead: parsing may have stopped at the end of a bounded part of it.
    pub(crate) fn into_diagnostic(self, text: &str) -> Diagnostic {
        if let Some(special) = self.special {
            return *special;
        }
        let rest = text.get(self.at.location_offset()..).unwrap_or_default();
        let (found, found_len) = found_token(rest);
        let span = span_at(self.at, found_len);
        let mut expected = self.expected.clone();
        expected.sort_unstable();
        expected.dedup();
        let list = join_alternatives(&expected);
        let found_text = if found.is_empty() {
            "end of file".to_string()
        } else {
            format!("`{found}`")
        };
        let diagnostic = Diagnostic::new(
            Code::Syntax,
            span,
            format!("expected {list}, found {found_text}"),
        )
        .label(format!("expected {list}"));
        match syntax_fix(found, &expected) {
            Some((help, replacement)) => diagnostic.help(help).patch(span, replacement),
            None => diagnostic.help(syntax_help(found, &expected)),
        }
    }
}

impl<'a> ParseError<In<'a>> for PError<'a> {
    fn from_error_kind(input: In<'a>, _kind: ErrorKind) -> Self {
        PError {
            at: input,
            expected: Vec::new(),
            special: None,
        }
    }

    fn append(_input: In<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(mut self, other: Self) -> Self {
        let (mine, theirs) = (self.at.location_offset(), other.at.location_offset());
        if self.special.is_some() || mine > theirs {
            self
        } else if theirs > mine || other.special.is_some() {
            other
        } else {
            self.expected.extend(other.expected);
            self
        }
    }
}

/// The next token as the user would see it, for "found `x`", and its length in the source
/// (a token that runs past the line ends there and is shown as "end of line").
fn found_token(rest: &str) -> (&str, usize) {
    let Some(first) = rest.chars().next() else {
        return ("", 0);
    };
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else if first == '"' {
        rest[1..].find('"').map_or(rest.len(), |end| end + 2)
    } else {
        let two = rest.get(..2).unwrap_or("");
        if ["=>", "->", "==", "!=", "<=", ">=", "&&", "||", "??"].contains(&two) {
            2
        } else {
            first.len_utf8()
        }
    };
    let token = &rest[..len];
    match token.find('\n') {
        Some(line_end) => ("end of line", line_end.max(1)),
        None => (token, len),
    }
}

fn join_alternatives(expected: &[&str]) -> String {
    match expected {
        [] => "something else".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Habits from other languages and common slips whose fix is certain: the help and what
/// replaces the token found.
fn syntax_fix(found: &str, expected: &[&str]) -> Option<(&'static str, String)> {
    let expects = |what: &str| expected.iter().any(|e| e.contains(what));
    let operator_place = expects("operator") || expects("`=>`");
    let (help, replacement) = match found {
        "&&" => ("write `and` to combine conditions", "and".to_string()),
        "||" => ("write `or` for alternatives", "or".to_string()),
        "!" => ("write `not` to negate a condition", "not ".to_string()),
        "->" | ":" if expects("`=>`") => (
            "write `=>` between a condition and what it gives",
            "=>".to_string(),
        ),
        "=" if operator_place => ("compare with `==`", "==".to_string()),
        ";" => ("remove the `;`: rules need no terminator", String::new()),
        "=>" if expects("`else`") => (
            "a row that applies otherwise starts with `else`",
            "else =>".to_string(),
        ),
        "lr" | "ramp" if expected == ["`=>`"] => (
            "write `=>` between the condition and the weight",
            format!("=> {found}"),
        ),
        _ => return None,
    };
    Some((help, replacement))
}

/// Help for a syntax error without a certain fix.
fn syntax_help(found: &str, expected: &[&str]) -> String {
    let hint = match found {
        "if" | "elif" | "case" => Some("write `when condition => weight \"reason\"`"),
        "" => Some("a `{` or `(` above may not be closed"),
        _ => None,
    };
    hint.map(str::to_string).unwrap_or_else(|| {
        format!(
            "write {} here; see docs/LANGUAGE.md for the syntax",
            join_alternatives(expected)
        )
    })
}
