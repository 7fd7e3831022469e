//! Tokens: white space and comments, names, numbers, durations, timestamps and strings.

use nom::Parser;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom_locate::LocatedSpan;

use super::error::{PError, PResult};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::Ident;
use crate::syntax::token::{is_name_char, looks_like_timestamp, trivia_len};

/// Parser input: text with its byte offset and file.
pub(crate) type In<'a> = LocatedSpan<&'a str, FileId>;

/// Words that cannot start a path.
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "contains", "within", "after", "before", "of", "for", "where",
    "with", "match", "true", "false", "when", "else", "per", "max", "lr", "ramp", "skip", "refine",
    "unless",
];

/// The input after its first `bytes` bytes. (nom's `take` counts characters on text input;
/// positions here are byte offsets.)
pub(crate) fn skip(i: In<'_>, bytes: usize) -> In<'_> {
    use nom::Input;
    let bytes = bytes.min(i.fragment().len());
    i.take_split(bytes).0
}

/// The first `bytes` bytes of the input and the rest.
pub(crate) fn split(i: In<'_>, bytes: usize) -> (In<'_>, In<'_>) {
    use nom::Input;
    let bytes = bytes.min(i.fragment().len());
    let (rest, taken) = i.take_split(bytes);
    (taken, rest)
}

/// A span over `len` bytes at `at`.
pub(crate) fn span_at(at: In<'_>, len: usize) -> Span {
    Span::new(at.extra, at.location_offset(), at.location_offset() + len)
}

/// The span from `start` to `end` (where the parser stopped).
pub(crate) fn span_between(start: In<'_>, end: In<'_>) -> Span {
    Span::new(start.extra, start.location_offset(), end.location_offset())
}

/// Skips white space and `#` comments, newlines included.
pub(crate) fn ws(i: In<'_>) -> In<'_> {
    skip(i, trivia_len(i.fragment()))
}

/// Skips spaces and tabs only; true when a comment or line end follows.
pub(crate) fn at_line_end(i: In<'_>) -> bool {
    let rest = i.fragment().trim_start_matches([' ', '\t', '\r']);
    rest.is_empty() || rest.starts_with('\n') || rest.starts_with('#')
}

/// True when the next token (after white space) is `word` as a whole word or symbol.
pub(crate) fn peek(i: In<'_>, word: &str) -> bool {
    let rest = ws(i);
    let text = rest.fragment();
    text.starts_with(word)
        && (!word.starts_with(is_name_char) || !text[word.len()..].starts_with(is_name_char))
}

/// Consumes `word` (a keyword or a symbol) or fails expecting it.
pub(crate) fn sym<'a>(i: In<'a>, word: &'static str, label: &'static str) -> PResult<'a, Span> {
    let i = ws(i);
    if peek(i, word) {
        let (rest, matched) = tag(word).parse(i)?;
        Ok((rest, span_at(matched, word.len())))
    } else {
        Err(nom::Err::Error(PError::expected(i, label)))
    }
}

/// Consumes `word` when it comes next.
pub(crate) fn opt_sym<'a>(i: In<'a>, word: &'static str) -> (In<'a>, Option<Span>) {
    // Checked before `sym`, whose failure builds an error: expression parsing asks for each
    // operator in turn at every level.
    let after_space = ws(i);
    if !peek(after_space, word) {
        return (i, None);
    }
    match tag::<_, _, PError<'a>>(word).parse(after_space) {
        Ok((rest, matched)) => (rest, Some(span_at(matched, word.len()))),
        Err(_) => (i, None),
    }
}

/// A name: letters, digits and `_`, not starting with a digit.
pub(crate) fn ident(i: In<'_>) -> PResult<'_, Ident> {
    let i = ws(i);
    let starts_well = i
        .fragment()
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    if !starts_well {
        return Err(nom::Err::Error(PError::expected(i, "a name")));
    }
    let (rest, name) = take_while1(is_name_char).parse(i)?;
    Ok((
        rest,
        Ident {
            name: name.fragment().to_string(),
            span: span_at(name, name.len()),
        },
    ))
}

/// A numeric literal and what follows it.
pub(crate) enum NumberLit {
    /// A plain number.
    Number(f64),
    /// `20%`, as a fraction.
    Percent(f64),
    /// `90m`: milliseconds.
    Duration(i64),
    /// An RFC 3339 timestamp: milliseconds since the epoch.
    Timestamp(i64),
}

use crate::time::UNITS;

/// A number, percentage, duration (`1h30m`) or timestamp (`2018-03-23T09:10:00Z`).
pub(crate) fn number(i: In<'_>) -> PResult<'_, (NumberLit, Span)> {
    let start = ws(i);
    let text = start.fragment();
    if looks_like_timestamp(text) {
        let len = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+')))
            .unwrap_or(text.len());
        let (lit, rest) = split(start, len);
        let span = span_at(lit, len);
        return match crate::time::parse(lit.fragment()) {
            Ok(ms) => Ok((rest, (NumberLit::Timestamp(ms), span))),
            Err(err) => Err(nom::Err::Failure(PError::special(
                start,
                Diagnostic::new(
                    Code::BadTimestamp,
                    span,
                    format!("`{}` is not a valid RFC 3339 timestamp", lit.fragment()),
                )
                .label(err.to_string())
                .help("write a UTC timestamp such as `2018-03-23T09:10:00Z`"),
            ))),
        };
    }
    let digits = |i| take_while1(|c: char| c.is_ascii_digit()).parse(i);
    let (rest, whole) = nom::combinator::recognize((
        digits,
        nom::combinator::opt((nom::character::complete::char('.'), digits)),
    ))
    .parse(start)
    .map_err(|_: nom::Err<PError>| nom::Err::Error(PError::expected(start, "a number")))?;
    let value: f64 = whole.fragment().parse().unwrap_or(0.0);
    if let Ok((rest, _)) = tag::<_, _, PError>("%").parse(rest) {
        return Ok((
            rest,
            (NumberLit::Percent(value / 100.0), span_between(start, rest)),
        ));
    }
    if !rest.fragment().starts_with(char::is_alphabetic) {
        return Ok((rest, (NumberLit::Number(value), span_between(start, rest))));
    }
    duration(start)
}

/// `1h30m`: one or more number-unit pairs.
fn duration(start: In<'_>) -> PResult<'_, (NumberLit, Span)> {
    let mut rest = start;
    let mut total: f64 = 0.0;
    loop {
        let (after_digits, amount) = nom::combinator::recognize((
            take_while1(|c: char| c.is_ascii_digit()),
            nom::combinator::opt((
                nom::character::complete::char('.'),
                take_while1(|c: char| c.is_ascii_digit()),
            )),
        ))
        .parse(rest)?;
        let (after_unit, unit) = take_while(|c: char| c.is_alphabetic()).parse(after_digits)?;
        let Some(&(_, ms)) = UNITS.iter().find(|(name, _)| name == unit.fragment()) else {
            let span = span_at(unit, unit.len());
            let close = crate::diagnostic::closest(unit.fragment(), UNITS.iter().map(|u| u.0));
            return Err(nom::Err::Failure(PError::special(
                start,
                Diagnostic::new(
                    Code::BadDuration,
                    span,
                    format!("`{}` is not a duration unit", unit.fragment()),
                )
                .label("unknown unit")
                .help(format!(
                    "write a duration such as `90m`, `6h`, `2d` or `1h30m` (units: ms, s, m, h, d, w){}",
                    close.map(|c| format!("; did you mean `{c}`?")).unwrap_or_default()
                ))
                .suggest_if(span, close),
            )));
        };
        total += amount.fragment().parse::<f64>().unwrap_or(0.0) * ms as f64;
        rest = after_unit;
        if !rest.fragment().starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
    }
    Ok((
        rest,
        (
            NumberLit::Duration(total.round() as i64),
            span_between(start, rest),
        ),
    ))
}

/// Scans a string literal up to (not including) the next interpolation or the closing quote.
/// Returns the text and the input at the `{`, `"`, or end.
pub(crate) fn string_text(mut i: In<'_>) -> PResult<'_, String> {
    let mut text = String::new();
    loop {
        let fragment = i.fragment();
        let Some(c) = fragment.chars().next() else {
            return Ok((i, text));
        };
        match c {
            '"' | '{' => return Ok((i, text)),
            '\n' => return Ok((i, text)),
            '\\' => {
                let escaped = fragment[1..].chars().next();
                let (resolved, len) = match escaped {
                    Some('n') => ('\n', 2usize),
                    Some('t') => ('\t', 2),
                    Some(e @ ('"' | '\\' | '{' | '}')) => (e, 2),
                    _ => ('\\', 1),
                };
                text.push(resolved);
                i = skip(i, len);
            }
            _ => {
                text.push(c);
                i = skip(i, c.len_utf8());
            }
        }
    }
}

/// The error for a string that reaches the end of its line.
pub(crate) fn unterminated<'a>(start: In<'a>, end: In<'a>) -> nom::Err<PError<'a>> {
    nom::Err::Failure(PError::special(
        start,
        Diagnostic::new(
            Code::UnterminatedString,
            span_between(start, end),
            "this string is not closed",
        )
        .label("the string starts here and runs to the end of the line")
        .help("add a closing `\"`; strings cannot span lines (write `\\n` for a line break)"),
    ))
}
