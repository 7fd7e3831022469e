//! The formatter: consistent indentation and spacing of blank lines, nothing else.
//!
//! It rewrites only the white space at the start of lines, trailing white space and runs of blank
//! lines. Strings cannot span lines and the grammar ignores white space between tokens, so the
//! meaning of a file never changes; the result is a fixed point (formatting twice changes nothing).
//! It reads the lexer's tokens, so brackets and operators inside strings and comments do not
//! count. A file whose brackets do not balance is left alone: its indentation is what shows
//! where a brace is missing, and re-indenting by the braces as written would erase that.

use std::fmt;

use super::structure::structure;
use super::token::{Lexed, Token, TokenKind, tokenize};
use crate::source::{FileId, SourceFile};

/// Spaces per indentation level.
const INDENT: usize = 2;

/// Why a file was not formatted: its brackets do not balance (the first problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, as `credence check` says it.
    pub message: String,
}

impl fmt::Display for Unbalanced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {} (`credence check` shows where)",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for Unbalanced {}

/// Formats rule text, or says why it cannot: brackets that do not balance.
pub fn format_source(text: &str) -> Result<String, Unbalanced> {
    let lexed = tokenize(text);
    let shape = structure(text, &lexed, FileId(0));
    if let Some(first) = shape.diagnostics.first() {
        let file = SourceFile::new("rules".into(), text.into());
        let (line, column) = file.line_col(first.span.start);
        return Err(Unbalanced {
            line,
            column,
            message: first.message.clone(),
        });
    }
    Ok(indent(text, &lexed))
}

fn indent(text: &str, lexed: &Lexed) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth: usize = 0;
    let mut continues = false;
    let mut blank_pending = false;
    let mut previous_opened = true;
    for number in 0..lexed.line_count() {
        let tokens = lexed.on_line(number);
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            blank_pending = !previous_opened && !out.is_empty();
            continue;
        };
        let line = text[first.start as usize..last.end as usize].trim_end();
        let scan = scan(text, lexed, tokens);
        let closes_first = scan.leading_closers;
        if blank_pending && closes_first == 0 {
            out.push('\n');
        }
        blank_pending = false;
        let continued = continues || starts_with_operator(line);
        let level =
            depth.saturating_sub(closes_first) + usize::from(continued && closes_first == 0);
        out.push_str(&" ".repeat(level * INDENT));
        out.push_str(line);
        out.push('\n');
        depth = (depth + scan.opened).saturating_sub(scan.closed);
        previous_opened = scan.opened > scan.closed;
        if !scan.comment_only {
            continues = scan.open_end && scan.opened == scan.closed;
        }
    }
    out
}

/// True when a line continues the one above: it starts with a binary operator, or refines or
/// defeats the row above (`refine when …`, `unless …`).
fn starts_with_operator(line: &str) -> bool {
    [
        "and ", "or ", "?? ", "=> ", "+ ", "* ", "/ ", "refine ", "unless ",
    ]
    .iter()
    .any(|op| line.starts_with(op))
}

/// What a line does to the nesting.
struct LineScan {
    opened: usize,
    closed: usize,
    /// Closing brackets before any other token: the line itself is dedented.
    leading_closers: usize,
    /// Ends with `=`, `=>`, `and`, `or` or an operator: the next line continues it.
    open_end: bool,
    comment_only: bool,
}

/// Tokens that leave an expression open at the end of a line. Commas and brackets are not
/// listed: the bracket depth already indents what follows them.
const OPEN_ENDS: &[&str] = &[
    "=", "=>", "+", "-", "*", "/", "??", "and", "or", "==", "!=", "<", "<=", ">", ">=",
];

fn scan(text: &str, lexed: &Lexed, tokens: &[Token]) -> LineScan {
    let mut scan = LineScan {
        opened: 0,
        closed: 0,
        leading_closers: 0,
        open_end: false,
        comment_only: true,
    };
    let mut seen_other = false;
    let mut last_code: Option<Token> = None;
    let mut before_last: Option<Token> = None;
    for token in tokens {
        match token.kind {
            TokenKind::Comment => continue,
            TokenKind::Open(_) => scan.opened += 1,
            TokenKind::Close(_) if scan.opened > 0 => scan.opened -= 1,
            TokenKind::Close(_) => {
                scan.closed += 1;
                if !seen_other {
                    scan.leading_closers += 1;
                }
            }
            _ => {}
        }
        if !matches!(token.kind, TokenKind::Close(_)) {
            seen_other = true;
        }
        scan.comment_only = false;
        before_last = last_code.replace(*token);
    }
    // `A.*` (each field of A, in a profile) ends a path, not an expression.
    let every_field = |t: &Token| {
        lexed.text(text, *t) == "*"
            && before_last.is_some_and(|b| lexed.text(text, b) == "." && b.end == t.start)
    };
    scan.open_end = last_code.is_some_and(|t| {
        matches!(t.kind, TokenKind::Symbol | TokenKind::Word)
            && OPEN_ENDS.contains(&lexed.text(text, t))
            && !every_field(&t)
    });
    scan
}

#[cfg(test)]
mod tests {
    use super::format_source;

    #[test]
    fn indents_by_nesting_and_continuation() {
        let messy = "score s {\ncriterion c {\n\n\n   when a ==\n1 => 1 \"x { y\"   \n}\n\n}\n";
        let want = "score s {\n  criterion c {\n    when a ==\n      1 => 1 \"x { y\"\n  }\n}\n";
        assert_eq!(format_source(messy).as_deref(), Ok(want));
        assert_eq!(format_source(want).as_deref(), Ok(want));
    }

    #[test]
    fn leaves_unbalanced_brackets_alone() {
        let broken = "score s {\n  criterion c {\n    when a => 1\n  criterion d {\n  }\n}\n";
        let error = format_source(broken).expect_err("unbalanced");
        assert_eq!((error.line, error.column), (2, 15));
        assert!(error.message.contains("criterion c"), "{}", error.message);
    }
}
