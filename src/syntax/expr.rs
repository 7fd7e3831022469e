//! Expressions, by precedence climbing from `??` (loosest) to primaries.

use std::cell::Cell;
use std::sync::LazyLock;

use super::ast::{BinOp, Expr, ExprKind, Ident, MatchField, Template, TemplatePart, WindowSide};
use super::error::{PError, PResult};
use super::lexeme::{
    In, NumberLit, RESERVED, at_line_end, ident, number, opt_sym, peek, skip, span_at,
    span_between, split, string_text, sym, unterminated, ws,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::limits::MAX_DEPTH;
use crate::ops::{CollectOp, MATCHERS};
use crate::source::Span;

thread_local! {
    /// How deeply the expression being parsed nests (parentheses, `not`, signs, arguments).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Starts a file: no expression is open.
pub(crate) fn reset_depth() {
    DEPTH.with(|d| d.set(0));
}

/// Parses one nesting level deeper, or fails with a diagnostic beyond [`MAX_DEPTH`], so that
/// no input can exhaust the stack.
fn nested<'a, T>(i: In<'a>, parse: impl FnOnce(In<'a>) -> PResult<'a, T>) -> PResult<'a, T> {
    let depth = DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    let result = if depth > MAX_DEPTH {
        Err(too_deep(ws(i)))
    } else {
        parse(i)
    };
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

/// Checks a chain of binary operators (`a + b + …`, `a and b and …`) with `links` operators so
/// far: each wraps the tree built before it one level deeper, so a chain counts as nesting,
/// and one longer than [`MAX_DEPTH`] is refused before its tree grows deep enough to exhaust
/// the stack (in building, checking, walking or dropping it).
fn chained<'a>(at: In<'a>, links: usize) -> Result<(), nom::Err<PError<'a>>> {
    if DEPTH.with(Cell::get) + links > MAX_DEPTH {
        Err(too_deep(ws(at)))
    } else {
        Ok(())
    }
}

fn too_deep(at: In<'_>) -> nom::Err<PError<'_>> {
    nom::Err::Failure(PError::special(
        at,
        Diagnostic::new(
            Code::TooDeep,
            span_at(at, found_len(at)),
            format!("this expression nests deeper than {MAX_DEPTH} levels"),
        )
        .label("too deep from here")
        .help("split the expression into named definitions (`let name = …`)"),
    ))
}

fn found_len(at: In<'_>) -> usize {
    at.fragment().chars().next().map_or(0, char::len_utf8)
}

/// Any expression.
pub(crate) fn expr(i: In<'_>) -> PResult<'_, Expr> {
    nested(i, |i| binary_level(i, 0))
}

/// Operator tiers, loosest first. Comparisons are handled in [`comparison`].
const TIERS: &[&[(&str, BinOp)]] = &[
    &[("??", BinOp::Otherwise)],
    &[("or", BinOp::Or)],
    &[("and", BinOp::And)],
];

fn binary_level(i: In<'_>, tier: usize) -> PResult<'_, Expr> {
    let Some(ops) = TIERS.get(tier) else {
        return negation(i);
    };
    let (mut i, mut left) = binary_level(i, tier + 1)?;
    let mut links = 0;
    'outer: loop {
        // Every tier asks for each of its operators after every operand: look at the next
        // character once, and try only the operators it can start.
        let next = ws(i).fragment().as_bytes().first().copied();
        for &(word, op) in *ops {
            if next != word.as_bytes().first().copied() {
                continue;
            }
            if let (rest, Some(op_span)) = opt_sym(i, word) {
                links += 1;
                chained(i, links)?;
                let (rest, right) = binary_level(rest, tier + 1)?;
                left = binary(op, op_span, left, right);
                i = rest;
                continue 'outer;
            }
        }
        return Ok((i, left));
    }
}

fn binary(op: BinOp, op_span: crate::source::Span, left: Expr, right: Expr) -> Expr {
    Expr {
        span: left.span.to(right.span),
        kind: ExprKind::Binary {
            op,
            op_span,
            left: Box::new(left),
            right: Box::new(right),
        },
    }
}

fn negation(i: In<'_>) -> PResult<'_, Expr> {
    if let (rest, Some(not_span)) = opt_sym(i, "not") {
        let (rest, operand) = nested(rest, negation)?;
        return Ok((
            rest,
            Expr {
                span: not_span.to(operand.span),
                kind: ExprKind::Unary {
                    not: true,
                    operand: Box::new(operand),
                },
            },
        ));
    }
    comparison(i)
}

const COMPARISONS: &[(&str, BinOp)] = &[
    ("==", BinOp::Eq),
    ("!=", BinOp::Ne),
    ("<=", BinOp::Le),
    (">=", BinOp::Ge),
    ("<", BinOp::Lt),
    (">", BinOp::Gt),
    ("contains", BinOp::Contains),
    ("in", BinOp::In),
];

fn comparison(i: In<'_>) -> PResult<'_, Expr> {
    let (i, left) = additive(i)?;
    for &(word, op) in COMPARISONS {
        if let (rest, Some(op_span)) = opt_sym(i, word) {
            let (rest, right) = additive(rest)?;
            return Ok((rest, binary(op, op_span, left, right)));
        }
    }
    if let (rest, Some(_)) = opt_sym(i, "within") {
        let (rest, length) = additive(rest)?;
        let (rest, side) = if let (r, Some(_)) = opt_sym(rest, "after") {
            (r, WindowSide::After)
        } else if let (r, Some(_)) = opt_sym(rest, "before") {
            (r, WindowSide::Before)
        } else {
            let (r, _) = sym(rest, "of", "`after`, `before` or `of`")?;
            (r, WindowSide::Around)
        };
        let (rest, anchor) = additive(rest)?;
        return Ok((
            rest,
            Expr {
                span: left.span.to(anchor.span),
                kind: ExprKind::Within {
                    value: Box::new(left),
                    length: Box::new(length),
                    side,
                    anchor: Box::new(anchor),
                },
            },
        ));
    }
    Ok((i, left))
}

/// `a + b - c`: the level weights and thresholds are parsed at.
pub(crate) fn additive(i: In<'_>) -> PResult<'_, Expr> {
    let (mut i, mut left) = multiplicative(i)?;
    let mut links = 0;
    loop {
        if peek(i, "->") {
            return Ok((i, left));
        }
        let (rest, op) = match (opt_sym(i, "+"), opt_sym(i, "-")) {
            ((rest, Some(span)), _) => (rest, (BinOp::Add, span)),
            (_, (rest, Some(span))) => (rest, (BinOp::Sub, span)),
            _ => return Ok((i, left)),
        };
        links += 1;
        chained(i, links)?;
        let (rest, right) = multiplicative(rest)?;
        left = binary(op.0, op.1, left, right);
        i = rest;
    }
}

fn multiplicative(i: In<'_>) -> PResult<'_, Expr> {
    let (mut i, mut left) = unary(i)?;
    let mut links = 0;
    loop {
        let (rest, op) = match (opt_sym(i, "*"), opt_sym(i, "/")) {
            ((rest, Some(span)), _) => (rest, (BinOp::Mul, span)),
            (_, (rest, Some(span))) => (rest, (BinOp::Div, span)),
            _ => return Ok((i, left)),
        };
        links += 1;
        chained(i, links)?;
        let (rest, right) = unary(rest)?;
        left = binary(op.0, op.1, left, right);
        i = rest;
    }
}

fn unary(i: In<'_>) -> PResult<'_, Expr> {
    if peek(i, "-") && !peek(i, "->") {
        let (rest, minus) = sym(i, "-", "`-`")?;
        let (rest, operand) = nested(rest, unary)?;
        return Ok((
            rest,
            Expr {
                span: minus.to(operand.span),
                kind: ExprKind::Unary {
                    not: false,
                    operand: Box::new(operand),
                },
            },
        ));
    }
    if let (rest, Some(_)) = opt_sym(i, "+") {
        return nested(rest, unary);
    }
    primary(i)
}

/// Time units written out, and the unit a duration literal writes for each.
const SPELLED_UNITS: &[(&str, &str)] = &[
    ("weeks", "w"),
    ("week", "w"),
    ("days", "d"),
    ("day", "d"),
    ("hours", "h"),
    ("hour", "h"),
    ("hrs", "h"),
    ("hr", "h"),
    ("minutes", "m"),
    ("minute", "m"),
    ("mins", "m"),
    ("min", "m"),
    ("seconds", "s"),
    ("second", "s"),
    ("secs", "s"),
    ("sec", "s"),
];

/// `6 hours`: a number followed by a unit written out is a duration written the wrong way;
/// one diagnostic at the number and its unit, with the literal that was meant.
fn spelled_unit<'a>(
    start: In<'a>,
    after: In<'a>,
    n: f64,
    number: Span,
) -> Result<(), nom::Err<PError<'a>>> {
    let word_at = ws(after);
    let Ok((word_end, word)) = ident(word_at) else {
        return Ok(());
    };
    let Some((_, unit)) = SPELLED_UNITS.iter().find(|(w, _)| *w == word.name) else {
        return Ok(());
    };
    let span = number.to(span_between(word_at, word_end));
    let meant = format!("{n}{unit}");
    Err(nom::Err::Failure(PError::special(
        start,
        Diagnostic::new(
            Code::BadDuration,
            span,
            format!("`{}` is not a duration", span_text(start, span)),
        )
        .label("a number and a word")
        .help(format!(
            "write durations as one word with a unit letter, such as `{meant}` (units: ms, s, m, h, d, w)"
        ))
        .patch(span, meant),
    )))
}

/// The source text of `span`, which starts at `from`.
fn span_text<'a>(from: In<'a>, span: Span) -> &'a str {
    let offset = from.location_offset() as u32;
    let start = span.start.saturating_sub(offset) as usize;
    let end = span.end.saturating_sub(offset) as usize;
    from.fragment().get(start..end).unwrap_or("")
}

fn primary(i: In<'_>) -> PResult<'_, Expr> {
    let i = ws(i);
    let first = i.fragment().chars().next();
    match first {
        Some(c) if c.is_ascii_digit() => {
            let (rest, (lit, span)) = number(i)?;
            if let NumberLit::Number(n) = lit {
                spelled_unit(i, rest, n, span)?;
            }
            let kind = match lit {
                NumberLit::Number(n) => ExprKind::Number(n),
                NumberLit::Percent(p) => ExprKind::Percent(p),
                NumberLit::Duration(d) => ExprKind::Duration(d),
                NumberLit::Timestamp(t) => ExprKind::Timestamp(t),
            };
            Ok((rest, Expr { kind, span }))
        }
        Some('"') => {
            let (rest, template) = template(i)?;
            let text = template.plain().map(str::to_string);
            match text {
                Some(text) => Ok((
                    rest,
                    Expr {
                        kind: ExprKind::Str(text),
                        span: template.span,
                    },
                )),
                None => Err(nom::Err::Failure(PError::special(
                    i,
                    Diagnostic::new(
                        Code::MisplacedItem,
                        template.span,
                        "`{…}` interpolation is only allowed in reason texts",
                    )
                    .label("this string interpolates a value")
                    .help("write `\\{` for a literal brace"),
                ))),
            }
        }
        Some('(') => {
            let (rest, _) = sym(i, "(", "`(`")?;
            let (rest, mut inner) = expr(rest)?;
            let (rest, _) = sym(rest, ")", "`)`")?;
            inner.span = span_between(i, rest);
            Ok((rest, inner))
        }
        Some(c) if c.is_alphabetic() || c == '_' => word_expr(i),
        _ => Err(nom::Err::Error(PError::expected(i, "an expression"))),
    }
}

fn word_expr(i: In<'_>) -> PResult<'_, Expr> {
    let (rest, name) = ident(i)?;
    match name.name.as_str() {
        "true" | "false" => {
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::Bool(name.name == "true"),
                    span: name.span,
                },
            ));
        }
        "match" => return match_expr(i, rest),
        _ => {}
    }
    let is_call = rest.fragment().starts_with('(');
    if is_call {
        if let Some(op) = CollectOp::named(&name.name) {
            return collect(i, rest, op);
        }
        let (mut rest, _) = sym(rest, "(", "`(`")?;
        let mut args = Vec::new();
        if !peek(rest, ")") {
            loop {
                let (r, arg) = expr(rest)?;
                args.push(arg);
                rest = r;
                match opt_sym(rest, ",") {
                    (r, Some(_)) => rest = r,
                    _ => break,
                }
            }
        }
        let (rest, _) = sym(rest, ")", "`,` or `)`")?;
        return Ok((
            rest,
            Expr {
                span: span_between(ws(i), rest),
                kind: ExprKind::Call {
                    function: name,
                    args,
                },
            },
        ));
    }
    if RESERVED.contains(&name.name.as_str()) {
        return Err(nom::Err::Error(PError::expected(ws(i), "an expression")));
    }
    let mut segments = vec![name];
    let mut rest = rest;
    while rest.fragment().starts_with('.') {
        let r = skip(rest, 1);
        let (r, field) =
            ident(r).map_err(|_| nom::Err::Error(PError::expected(r, "a field name")))?;
        segments.push(field);
        rest = r;
    }
    let span = segments[0].span.to(segments[segments.len() - 1].span);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Path(segments),
            span,
        },
    ))
}

/// `count(x in list where cond)`, `distinct(x.f for x in list where cond)`,
/// `any(x in list where cond)`.
fn collect<'a>(start: In<'a>, after_name: In<'a>, op: CollectOp) -> PResult<'a, Expr> {
    let (rest, _) = sym(after_name, "(", "`(`")?;
    let projects = op.info().projects;
    let (rest, projection) = if projects {
        let (rest, value) = expr(rest)?;
        let (rest, _) = sym(rest, "for", "`for`")?;
        (rest, Some(Box::new(value)))
    } else {
        (rest, None)
    };
    let (rest, (binder, list, filter)) = over_list(rest, op.info().needs_where)?;
    let (rest, _) = sym(rest, ")", "`where` or `)`")?;
    Ok((
        rest,
        Expr {
            span: span_between(ws(start), rest),
            kind: ExprKind::Collect {
                op,
                projection,
                binder,
                list,
                filter,
            },
        },
    ))
}

/// `x in LIST [where COND]`, the part of a comprehension after its projection: the item
/// variable, the list and the filter (required when `needs_where`).
fn over_list(i: In<'_>, needs_where: bool) -> PResult<'_, (Ident, Box<Expr>, Option<Box<Expr>>)> {
    let (rest, binder) = ident(i)?;
    let (rest, _) = sym(rest, "in", "`in`")?;
    let (rest, list) = additive(rest)?;
    let (rest, filter) = match opt_sym(rest, "where") {
        (rest, Some(_)) => {
            let (rest, cond) = expr(rest)?;
            (rest, Some(Box::new(cond)))
        }
        (rest, None) if needs_where => {
            return Err(nom::Err::Error(PError::expected(ws(rest), "`where`")));
        }
        (rest, None) => (rest, None),
    };
    Ok((rest, (binder, Box::new(list), filter)))
}

/// `EXPR` or `EXPR for x in LIST [where COND]`: one value, or the values an expression takes
/// over the items of a list (lowered as the `distinct` of those values).
pub(crate) fn projection(i: In<'_>) -> PResult<'_, Expr> {
    let start = ws(i);
    let (rest, value) = expr(i)?;
    let (rest, Some(_)) = opt_sym(rest, "for") else {
        return Ok((rest, value));
    };
    let (rest, (binder, list, filter)) = over_list(rest, false)?;
    Ok((
        rest,
        Expr {
            span: span_between(start, rest),
            kind: ExprKind::Collect {
                op: CollectOp::Distinct,
                projection: Some(Box::new(value)),
                binder,
                list,
                filter,
            },
        },
    ))
}

/// "a matcher (exact, nocase, …)", from the table of matchers.
fn expected_matcher() -> &'static str {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        let names: Vec<&str> = MATCHERS.iter().map(|m| m.name).collect();
        format!("a matcher ({})", names.join(", "))
    });
    TEXT.as_str()
}

/// `match claim.details with incident.facts { field matcher [argument] … }`
fn match_expr<'a>(start: In<'a>, after_kw: In<'a>) -> PResult<'a, Expr> {
    let (rest, claimed) = additive(after_kw)?;
    let (rest, _) = sym(rest, "with", "`with`")?;
    let (rest, confirmed) = additive(rest)?;
    let (mut rest, _) = sym(rest, "{", "`{`")?;
    let mut fields = Vec::new();
    while !peek(rest, "}") {
        let (r, field) = ident(rest)?;
        let (r, matcher) =
            ident(r).map_err(|_| nom::Err::Error(PError::expected(ws(r), expected_matcher())))?;
        let (r, argument) = if at_line_end(r) || peek(r, "}") || peek(r, ",") {
            (r, None)
        } else {
            let (r, arg) = additive(r)?;
            (r, Some(arg))
        };
        fields.push(MatchField {
            field,
            matcher,
            argument,
        });
        rest = opt_sym(r, ",").0;
    }
    let (rest, _) = sym(rest, "}", "`}`")?;
    Ok((
        rest,
        Expr {
            span: span_between(ws(start), rest),
            kind: ExprKind::Match {
                claimed: Box::new(claimed),
                confirmed: Box::new(confirmed),
                fields,
            },
        },
    ))
}

/// A string literal with `{expr}` interpolations.
pub(crate) fn template(i: In<'_>) -> PResult<'_, Template> {
    let start = ws(i);
    // A string, interpolations included, ends on its line (as the lexer reads it).
    let line_end = start
        .fragment()
        .find('\n')
        .unwrap_or(start.fragment().len());
    let (line, _) = split(start, line_end);
    let (mut rest, _) = sym(line, "\"", "a string")?;
    let mut parts = Vec::new();
    loop {
        let (r, text) = string_text(rest)?;
        if !text.is_empty() {
            parts.push(TemplatePart::Text(text));
        }
        rest = r;
        let fragment = rest.fragment();
        if fragment.starts_with('"') {
            let r = skip(rest, 1);
            let after = skip(start, r.location_offset() - start.location_offset());
            return Ok((
                after,
                Template {
                    parts,
                    span: span_between(start, r),
                },
            ));
        }
        if fragment.starts_with('{') {
            let r = skip(rest, 1);
            let (r, value) = expr(r)?;
            let (r, _) = sym(r, "}", "`}` to close the interpolation")?;
            parts.push(TemplatePart::Expr(value));
            rest = r;
            continue;
        }
        return Err(unterminated(start, rest));
    }
}

/// Helper for callers that need an identifier that is not a keyword.
pub(crate) fn name(i: In<'_>) -> PResult<'_, Ident> {
    let (rest, id) = ident(i)?;
    if RESERVED.contains(&id.name.as_str()) {
        return Err(nom::Err::Error(PError::expected(ws(i), "a name")));
    }
    Ok((rest, id))
}
