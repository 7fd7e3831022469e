//! Items: the rule-set header, includes, definitions, scores with their criteria, verdicts.
//!
//! The parser recovers at item boundaries (top-level items, criteria, and lines inside
//! criteria and tables), so one run reports every syntax error in a file.

use super::ast::{
    Binding, CasePath, Criterion, Decision, DecisionRow, Defeater, Expr, ExprKind, File, Guard,
    Hypotheses, HypothesisKind, Item, Mode, Outcome, PathStep, Profile, ProfileEntry, Refinement,
    RowTest, Ruleset, Score, StanceRow, Template, UnknownArm, Weight, WeightShape, WeightUnit,
};
use super::error::{PError, PResult};
use super::expr::{additive, expr, name, projection, template};
use super::lexeme::{In, at_line_end, ident, opt_sym, peek, skip, span_between, split, sym, ws};
use super::structure::{BodyEnd, Structure, structure};
use super::token::{is_name_char, tokenize};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::FileId;

/// Parses a whole file, collecting every syntax error: the bracket structure first (a
/// missing or extra bracket is reported there), then each item and block within its bounds.
pub(crate) fn parse_file(text: &str, file: FileId) -> (File, Vec<Diagnostic>) {
    super::expr::reset_depth();
    let lexed = tokenize(text);
    let mut parser = Parser {
        text,
        structure: structure(text, &lexed, file),
        diagnostics: Vec::new(),
        dropped: 0,
    };
    let mut i = In::new_extra(text, file);
    let mut items = Vec::new();
    loop {
        i = ws(i);
        let at = i.location_offset();
        if i.fragment().is_empty() {
            break;
        }
        if parser.structure.is_stray(at as u32) {
            i = skip_one_char(i);
            continue;
        }
        // No item runs into the next line that starts one.
        let bound = parser
            .structure
            .next_item_after(at as u32)
            .map_or(i.fragment().len(), |next| next as usize - at);
        let (segment, _) = split(i, bound);
        match item(segment, &mut parser) {
            Ok((rest, parsed)) => {
                items.push(parsed);
                i = advance(i, rest.location_offset() - at);
            }
            Err(err) => {
                parser.report(err);
                i = advance(i, bound.max(1));
            }
        }
    }
    let mut diagnostics = parser.structure.diagnostics;
    diagnostics.append(&mut parser.diagnostics);
    (File { items }, diagnostics)
}

struct Parser<'t> {
    /// The whole file, for naming what was found where parsing stopped.
    text: &'t str,
    structure: Structure,
    diagnostics: Vec<Diagnostic>,
    /// How many block members failed to parse so far (and are missing from the tree).
    dropped: usize,
}

impl Parser<'_> {
    /// Records a parse error, unless a bracket repair already explains it.
    fn report(&mut self, err: nom::Err<PError<'_>>) {
        if let nom::Err::Error(e) | nom::Err::Failure(e) = err {
            let diagnostic = e.into_diagnostic(self.text);
            if diagnostic.code == Code::Syntax && self.structure.explains(diagnostic.span.start) {
                return;
            }
            self.diagnostics.push(diagnostic);
        }
    }

    /// Parses `{ member* }` within the bounds the bracket structure found (also for a header
    /// whose `{` is missing, already reported), recovering from a failed member by skipping to
    /// the next line that starts with one of `starters`.
    fn block<'a, T>(
        &mut self,
        i: In<'a>,
        starters: &[&str],
        mut member: impl FnMut(&mut Parser, In<'a>) -> PResult<'a, T>,
    ) -> PResult<'a, Vec<T>> {
        let header_end = i.location_offset() as u32;
        let at = ws(i);
        let (mut i, after) = if at.fragment().starts_with('{') {
            self.body(skip(at, 1), at.location_offset() as u32)
        } else if self.structure.body_end(header_end).is_some() {
            self.body(i, header_end)
        } else {
            return Err(nom::Err::Error(PError::expected(at, "`{`")));
        };
        let mut members = Vec::new();
        loop {
            i = ws(i);
            if i.fragment().is_empty() {
                return Ok((after, members));
            }
            if self.structure.is_stray(i.location_offset() as u32) {
                i = skip_one_char(i);
                continue;
            }
            match member(self, i) {
                Ok((rest, m)) => {
                    members.push(m);
                    i = rest;
                }
                Err(err) => {
                    self.report(err);
                    self.dropped += 1;
                    let next = skip_line_until(i, starters);
                    // INVARIANT: recovery always consumes input, so the loop ends.
                    i = if next.location_offset() == i.location_offset() {
                        skip_one_char(i)
                    } else {
                        next
                    };
                }
            }
        }
    }

    /// The body of the block keyed `key` starting at `inside`, and the input after the block.
    fn body<'a>(&self, inside: In<'a>, key: u32) -> (In<'a>, In<'a>) {
        let from = inside.location_offset();
        match self.structure.body_end(key) {
            Some(BodyEnd::Closed(close)) => {
                let (body, rest) = split(inside, (close as usize).saturating_sub(from));
                (body, skip(rest, 1))
            }
            Some(BodyEnd::Open(end)) => split(inside, (end as usize).saturating_sub(from)),
            None => {
                debug_assert!(false, "the structure has no block at {key}");
                let (empty, _) = split(inside, 0);
                (empty, inside)
            }
        }
    }
}

fn item<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, Item> {
    let start = ws(i);
    let (rest, keyword) = ident(start).map_err(|_| {
        nom::Err::Error(PError::expected(
            start,
            "an item (`score`, `let`, `const`, `include`, `ruleset`, `profile`, `verdict`, `hypotheses`)",
        ))
    })?;
    match keyword.name.as_str() {
        "ruleset" => ruleset(rest, parser),
        "include" => {
            let (rest, path) = template(rest)?;
            Ok((rest, Item::Include(path)))
        }
        "const" => binding(rest, parser).map(|(r, b)| (r, Item::Const(b))),
        "let" => binding(rest, parser).map(|(r, b)| (r, Item::Let(b))),
        "score" => score(rest, parser),
        "hypotheses" => hypotheses(start, rest, parser),
        "profile" => profile(keyword.span, rest, parser),
        "verdict" => {
            let (rest, title) = opt_template(rest)?;
            let (rest, (rows, incomplete)) = decision_rows(rest, parser)?;
            Ok((
                rest,
                Item::Verdict(Decision {
                    title,
                    rows,
                    incomplete,
                    span: span_between(start, rest),
                }),
            ))
        }
        _ => Err(nom::Err::Error(PError::expected(
            start,
            "an item (`score`, `let`, `const`, `include`, `ruleset`, `profile`, `verdict`, `hypotheses`)",
        ))),
    }
}

fn opt_template(i: In<'_>) -> PResult<'_, Option<Template>> {
    if peek(i, "\"") {
        let (rest, t) = template(i)?;
        Ok((rest, Some(t)))
    } else {
        Ok((i, None))
    }
}

fn ruleset<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, Item> {
    let (i, id) = name(i)?;
    let (rest, entries) = parser.block(i, &[], |_, i| {
        let (i, key) = ident(i)?;
        let (i, value) = template(i)?;
        Ok((i, (key, value)))
    })?;
    Ok((rest, Item::Ruleset(Ruleset { id, entries })))
}

/// The words that start a profile entry.
const PROFILE_ENTRIES: &[&str] = &[
    "title",
    "subject",
    "start",
    "date",
    "probability",
    "category",
    "actor",
    "channel",
    "baseline",
];

fn profile<'a>(keyword: crate::source::Span, i: In<'a>, parser: &mut Parser) -> PResult<'a, Item> {
    let (rest, entries) = parser.block(i, PROFILE_ENTRIES, |parser, i| profile_entry(i, parser))?;
    Ok((
        rest,
        Item::Profile(Profile {
            entries,
            span: keyword,
        }),
    ))
}

fn profile_entry<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, ProfileEntry> {
    let start = ws(i);
    let expected = || {
        nom::Err::Error(PError::expected(
            start,
            "`title`, `subject`, `start`, `date`, `probability`, `category`, `actor`, `channel`, `baseline` or `}`",
        ))
    };
    let (rest, keyword) = ident(start).map_err(|_| expected())?;
    match keyword.name.as_str() {
        "title" => template(rest).map(|(r, t)| (r, ProfileEntry::Title(t))),
        "subject" => {
            let (rest, path) = case_path(rest)?;
            let (rest, noun) = template(rest)?;
            Ok((rest, ProfileEntry::Subject(path, noun)))
        }
        "start" => {
            let (rest, path) = case_path(rest)?;
            let (rest, label) = template(rest)?;
            Ok((rest, ProfileEntry::Start(path, label)))
        }
        "date" => {
            let (rest, what) = case_path(rest)?;
            let (rest, _) = sym(rest, "by", "`by`")?;
            let (rest, by) = case_path(rest)?;
            Ok((rest, ProfileEntry::Date(what, by)))
        }
        "probability" => {
            let (rest, score) = name(rest)?;
            let (rest, source) = match opt_sym(rest, "source") {
                (after, Some(_)) => name(after).map(|(r, n)| (r, Some(n)))?,
                (rest, None) => (rest, None),
            };
            Ok((rest, ProfileEntry::Probability(score, source)))
        }
        "category" => {
            let (rest, score) = name(rest)?;
            let (rest, rows) = parser.block(rest, &[], |_, i| stance_row(i))?;
            Ok((rest, ProfileEntry::Category(score, rows)))
        }
        "actor" => {
            let (rest, path) = case_path(rest)?;
            let (rest, kind) = opt_template(rest)?;
            Ok((rest, ProfileEntry::Actor(path, kind)))
        }
        "channel" => case_path(rest).map(|(r, p)| (r, ProfileEntry::Channel(p))),
        "baseline" => {
            let (rest, title) = template(rest)?;
            let (rest, file) = template(rest)?;
            let (rest, only) = if at_line_end(rest) || peek(rest, "}") {
                (rest, None)
            } else {
                ident(rest).map(|(r, word)| (r, Some(word)))?
            };
            Ok((rest, ProfileEntry::Baseline(title, file, only)))
        }
        _ => Err(expected()),
    }
}

/// `"label" => agree strongly`: the words up to the line's end.
fn stance_row(i: In<'_>) -> PResult<'_, StanceRow> {
    let (mut rest, label) = template(i)?;
    (rest, _) = sym(rest, "=>", "`=>`")?;
    let mut stance = Vec::new();
    loop {
        let (after, word) = ident(rest)?;
        stance.push(word);
        rest = after;
        if at_line_end(rest) || peek(rest, "}") {
            return Ok((rest, StanceRow { label, stance }));
        }
    }
}

/// A case path as a profile writes it: `posts[]`, `incident.facts.*`, `claim.published_at`.
fn case_path(i: In<'_>) -> PResult<'_, CasePath> {
    let start = ws(i);
    let (mut rest, first) = ident(start)?;
    let mut steps = vec![PathStep::Key(first.name)];
    loop {
        if rest.fragment().starts_with("[]") {
            rest = skip(rest, 2);
            steps.push(PathStep::Items);
        } else if rest.fragment().starts_with(".*") {
            rest = skip(rest, 2);
            steps.push(PathStep::Any);
        } else if rest.fragment().starts_with('.') {
            let (after, key) = ident(skip(rest, 1)).map_err(|_| {
                nom::Err::Error(PError::expected(skip(rest, 1), "a field name, `*` or `[]`"))
            })?;
            steps.push(PathStep::Key(key.name));
            rest = after;
        } else {
            break;
        }
    }
    Ok((
        rest,
        CasePath {
            steps,
            span: span_between(start, rest),
        },
    ))
}

/// `name "description" = value`. A value that does not parse is reported and the name still
/// bound (to an invalid value), so that its uses do not each report it undefined.
fn binding<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, Binding> {
    let (i, bound) = name(i)?;
    let (i, description) = opt_template(i)?;
    let (i, _) = sym(i, "=", "`=`")?;
    let (rest, value) = match expr(i) {
        Ok(parsed) => parsed,
        Err(err) => {
            parser.report(err);
            // The item's segment ends where the next item starts: the value is all of it.
            let start = ws(i);
            let (_, end) = split(start, start.fragment().len());
            let span = span_between(start, end);
            (
                end,
                Expr {
                    kind: ExprKind::Invalid,
                    span,
                },
            )
        }
    };
    Ok((
        rest,
        Binding {
            name: bound,
            description,
            value,
        },
    ))
}

enum ScoreMember {
    Mode(Mode, crate::source::Span),
    Criterion(Box<Criterion>),
    Bands(Decision),
}

fn score<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, Item> {
    let (i, score_name) = name(i)?;
    let (i, title) = opt_template(i)?;
    let starters = &["criterion", "bands", "additive", "evidence"];
    let (rest, members) = parser.block(i, starters, |parser, i| score_member(i, parser))?;
    let mut mode = None;
    let mut criteria = Vec::new();
    let mut bands = None;
    for member in members {
        match member {
            ScoreMember::Mode(m, span) => mode = Some((m, span)),
            ScoreMember::Criterion(c) => criteria.push(*c),
            ScoreMember::Bands(b) => bands = Some(b),
        }
    }
    let mode = mode.map_or(Mode::Additive, |(m, _)| m);
    Ok((
        rest,
        Item::Score(Score {
            name: score_name,
            title,
            mode,
            criteria,
            bands,
        }),
    ))
}

fn score_member<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, ScoreMember> {
    let start = ws(i);
    let (rest, keyword) = ident(start).map_err(|_| {
        nom::Err::Error(PError::expected(
            start,
            "`criterion`, `bands`, `additive`, `evidence` or `}`",
        ))
    })?;
    match keyword.name.as_str() {
        "additive" => Ok((rest, ScoreMember::Mode(Mode::Additive, keyword.span))),
        "evidence" => {
            let (rest, _) = sym(rest, "prior", "`prior`")?;
            let (rest, prior) = additive(rest)?;
            Ok((
                rest,
                ScoreMember::Mode(Mode::Evidence { prior }, span_between(start, rest)),
            ))
        }
        "criterion" => {
            criterion(start, rest, parser).map(|(r, c)| (r, ScoreMember::Criterion(Box::new(c))))
        }
        "bands" => {
            let (rest, (rows, incomplete)) = decision_rows(rest, parser)?;
            Ok((
                rest,
                ScoreMember::Bands(Decision {
                    title: None,
                    rows,
                    incomplete,
                    span: span_between(start, rest),
                }),
            ))
        }
        _ => Err(nom::Err::Error(PError::expected(
            start,
            "`criterion`, `bands`, `additive`, `evidence` or `}`",
        ))),
    }
}

enum HypothesesMember {
    About(Template),
    Groups(Expr),
    Kind(HypothesisKind),
    Conflict(Expr),
    Criterion(Box<Criterion>),
}

fn hypotheses<'a>(start: In<'a>, i: In<'a>, parser: &mut Parser) -> PResult<'a, Item> {
    let (i, block_name) = name(i)?;
    let (i, title) = opt_template(i)?;
    let starters = &["about", "groups", "each", "one", "conflict", "criterion"];
    let (rest, members) = parser.block(i, starters, |parser, i| hypotheses_member(i, parser))?;
    let mut block = Hypotheses {
        name: block_name,
        title,
        about: None,
        groups: Vec::new(),
        kinds: Vec::new(),
        criteria: Vec::new(),
        conflict: None,
        span: span_between(ws(start), rest),
    };
    for member in members {
        match member {
            HypothesesMember::About(t) => block.about = Some(t),
            HypothesesMember::Groups(e) => block.groups.push(e),
            HypothesesMember::Kind(k) => block.kinds.push(k),
            HypothesesMember::Conflict(e) => block.conflict = Some(e),
            HypothesesMember::Criterion(c) => block.criteria.push(*c),
        }
    }
    Ok((rest, Item::Hypotheses(block)))
}

fn hypotheses_member<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, HypothesesMember> {
    let start = ws(i);
    let expected = "`about`, `groups`, `each`, `one`, `conflict`, `criterion` or `}`";
    let (rest, keyword) =
        ident(start).map_err(|_| nom::Err::Error(PError::expected(start, expected)))?;
    match keyword.name.as_str() {
        "about" => template(rest).map(|(r, t)| (r, HypothesesMember::About(t))),
        "groups" => projection(rest).map(|(r, e)| (r, HypothesesMember::Groups(e))),
        "each" | "one" => {
            let (rest, kind_name) = name(rest)?;
            let (rest, title) = template(rest)?;
            Ok((
                rest,
                HypothesesMember::Kind(HypothesisKind {
                    name: kind_name,
                    per_group: keyword.name == "each",
                    title,
                }),
            ))
        }
        "conflict" => {
            let (rest, _) = sym(rest, "lr", "`lr`")?;
            additive(rest).map(|(r, e)| (r, HypothesesMember::Conflict(e)))
        }
        "criterion" => criterion(start, rest, parser)
            .map(|(r, c)| (r, HypothesesMember::Criterion(Box::new(c)))),
        _ => Err(nom::Err::Error(PError::expected(start, expected))),
    }
}

enum CriterionMember {
    About(Template),
    Outcome(Outcome),
    Refine(Refinement),
    Unknown(UnknownArm),
}

fn criterion<'a>(start: In<'a>, i: In<'a>, parser: &mut Parser) -> PResult<'a, Criterion> {
    let (i, criterion_name) = name(i)?;
    let (i, title) = opt_template(i)?;
    let starters = &["when", "else", "refine", "unknown", "about"];
    let (rest, members) = parser.block(i, starters, |_, i| criterion_member(i))?;
    let mut about = None;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut unknown = None;
    for member in members {
        match member {
            CriterionMember::About(t) => about = Some(t),
            CriterionMember::Outcome(o) => outcomes.push(o),
            CriterionMember::Refine(r) => match outcomes.last_mut() {
                Some(row) => row.refinements.push(r),
                None => parser.diagnostics.push(
                    Diagnostic::new(
                        Code::MisplacedItem,
                        r.span,
                        "a refinement must follow the row it refines",
                    )
                    .label("no `when` or `else` row above")
                    .help("write `when primary_fact => …` first, then `refine when secondary_fact => …` under it"),
                ),
            },
            CriterionMember::Unknown(u) => unknown = Some(u),
        }
    }
    Ok((
        rest,
        Criterion {
            name: criterion_name,
            title,
            about,
            outcomes,
            unknown,
            span: span_between(start, rest),
        },
    ))
}

fn criterion_member(i: In<'_>) -> PResult<'_, CriterionMember> {
    let start = ws(i);
    let expected = "`when`, `else`, `refine`, `unknown`, `about` or `}`";
    let (rest, keyword) =
        ident(start).map_err(|_| nom::Err::Error(PError::expected(start, expected)))?;
    match keyword.name.as_str() {
        "about" => template(rest).map(|(r, t)| (r, CriterionMember::About(t))),
        "when" | "else" => {
            let (rest, guard) = if keyword.name == "when" {
                let (rest, cond) = expr(rest)?;
                (rest, Guard::When(cond))
            } else {
                (rest, Guard::Else(keyword.span))
            };
            let (rest, _) = sym(rest, "=>", "`=>`")?;
            let (rest, weight) = weight(rest)?;
            let (rest, reason) = opt_template(rest)?;
            Ok((
                rest,
                CriterionMember::Outcome(Outcome {
                    guard,
                    weight,
                    reason,
                    refinements: Vec::new(),
                    span: span_between(start, rest),
                }),
            ))
        }
        "refine" => {
            let (rest, _) = sym(rest, "when", "`when`")?;
            let (rest, guard) = expr(rest)?;
            let (rest, _) = sym(rest, "=>", "`=>`")?;
            let (rest, weight) = weight(rest)?;
            let (rest, reason) = opt_template(rest)?;
            Ok((
                rest,
                CriterionMember::Refine(Refinement {
                    guard,
                    weight,
                    reason,
                    span: span_between(start, rest),
                }),
            ))
        }
        "unknown" => {
            let (rest, _) = sym(rest, "=>", "`=>`")?;
            let (rest, weight) = match opt_sym(rest, "skip") {
                (rest, Some(_)) => (rest, None),
                (rest, None) => {
                    let (rest, w) = weight(rest)?;
                    (rest, Some(w))
                }
            };
            let (rest, reason) = opt_template(rest)?;
            Ok((
                rest,
                CriterionMember::Unknown(UnknownArm { weight, reason }),
            ))
        }
        _ => Err(nom::Err::Error(PError::expected(start, expected))),
    }
}

/// `[lr] amount`, `[lr] amount per count [max cap]`, `[lr] ramp(input, x0 => y0, x1 => y1)`.
fn weight(i: In<'_>) -> PResult<'_, Weight> {
    let start = ws(i);
    let (i, unit) = match opt_sym(start, "lr") {
        (rest, Some(_)) => (rest, WeightUnit::Ratio),
        (rest, None) => (rest, WeightUnit::Points),
    };
    if let (rest, Some(_)) = opt_sym(i, "ramp") {
        let (rest, _) = sym(rest, "(", "`(`")?;
        let (rest, input) = expr(rest)?;
        let (rest, _) = sym(rest, ",", "`,`")?;
        let (rest, first) = ramp_point(rest)?;
        let (rest, _) = sym(rest, ",", "`,`")?;
        let (rest, second) = ramp_point(rest)?;
        let (rest, _) = sym(rest, ")", "`)`")?;
        return Ok((
            rest,
            Weight {
                unit,
                shape: WeightShape::Ramp {
                    input,
                    points: [first, second],
                },
                span: span_between(start, rest),
            },
        ));
    }
    let (rest, amount) = additive(i).map_err(|e| match e {
        nom::Err::Error(_) => nom::Err::Error(PError::expected(
            ws(i),
            "a weight (points, `lr` ratio or `ramp`)",
        )),
        other => other,
    })?;
    let shape;
    let rest = match opt_sym(rest, "per") {
        (rest, Some(_)) => {
            let (rest, count) = additive(rest)?;
            let (rest, max) = match opt_sym(rest, "max") {
                (rest, Some(_)) => {
                    let (rest, cap) = additive(rest)?;
                    (rest, Some(cap))
                }
                (rest, None) => (rest, None),
            };
            shape = WeightShape::Per { amount, count, max };
            rest
        }
        (rest, None) => {
            shape = WeightShape::Fixed(amount);
            rest
        }
    };
    Ok((
        rest,
        Weight {
            unit,
            shape,
            span: span_between(start, rest),
        },
    ))
}

fn ramp_point(i: In<'_>) -> PResult<'_, (crate::syntax::ast::Expr, crate::syntax::ast::Expr)> {
    let (i, x) = additive(i)?;
    let (i, _) = sym(i, "=>", "`=>`")?;
    let (i, y) = additive(i)?;
    Ok((i, (x, y)))
}

/// A table's rows, and whether any failed to parse.
fn decision_rows<'a>(i: In<'a>, parser: &mut Parser) -> PResult<'a, (Vec<DecisionRow>, bool)> {
    let dropped = parser.dropped;
    let (rest, rows) = parser.block(i, &["when", "else", ">=", ">"], |_, i| decision_row(i))?;
    Ok((rest, (rows, parser.dropped > dropped)))
}

fn decision_row(i: In<'_>) -> PResult<'_, DecisionRow> {
    let start = ws(i);
    let (rest, test) = if let (rest, Some(_)) = opt_sym(start, ">=") {
        let (rest, value) = additive(rest)?;
        (
            rest,
            RowTest::Threshold {
                strict: false,
                value,
            },
        )
    } else if let (rest, Some(_)) = opt_sym(start, ">") {
        let (rest, value) = additive(rest)?;
        (
            rest,
            RowTest::Threshold {
                strict: true,
                value,
            },
        )
    } else if let (rest, Some(_)) = opt_sym(start, "when") {
        let (rest, cond) = expr(rest)?;
        (rest, RowTest::When(cond))
    } else if let (rest, Some(_)) = opt_sym(start, "else") {
        (rest, RowTest::Else)
    } else {
        return Err(nom::Err::Error(PError::expected(
            start,
            "`>=`, `>`, `when`, `else` or `}`",
        )));
    };
    let (rest, _) = sym(rest, "=>", "`=>`")?;
    let (rest, label) = template(rest)?;
    let (rest, reason) = opt_template(rest)?;
    let (rest, defeater) = match opt_sym(rest, "unless") {
        (after, Some(unless)) => {
            let (after, cond) = expr(after)?;
            let (after, outcome) = match opt_sym(after, "=>") {
                (after, Some(_)) => {
                    let (after, label) = template(after)?;
                    let (after, reason) = opt_template(after)?;
                    (after, Some((label, reason)))
                }
                (after, None) => (after, None),
            };
            let span = crate::source::Span {
                end: after.location_offset() as u32,
                ..unless
            };
            (
                after,
                Some(Defeater {
                    cond,
                    outcome,
                    span,
                }),
            )
        }
        (rest, None) => (rest, None),
    };
    Ok((
        rest,
        DecisionRow {
            test,
            label,
            reason,
            defeater,
            span: span_between(start, rest),
        },
    ))
}

/// Recovery inside a block: skips to the next line whose first word is a member keyword,
/// or to the line holding the block's closing brace.
fn skip_line_until<'a>(i: In<'a>, starters: &[&str]) -> In<'a> {
    let text = i.fragment();
    let mut depth = 0i32;
    let mut at_line_start = false;
    let mut chars = text.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if at_line_start && depth <= 0 {
            let line = unindented(&text[pos..]);
            let starts_member = starters
                .iter()
                .any(|s| line.starts_with(s) && !line[s.len()..].starts_with(is_name_char));
            if starts_member || line.starts_with('}') {
                return advance(i, pos);
            }
        }
        at_line_start = c == '\n';
        match c {
            '{' | '(' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return advance(i, pos);
                }
            }
            // A stray `)` closes nothing in a block: skip it rather than stop at it.
            ')' => depth = (depth - 1).max(0),
            '"' => skip_string(&mut chars, &mut at_line_start),
            '#' => skip_comment(&mut chars, &mut at_line_start),
            _ => {}
        }
    }
    advance(i, text.len())
}

/// A line without its indentation: any white space but the line break, as the lexer (and the
/// formatter) count it, so recovery does not depend on how a line is indented.
fn unindented(line: &str) -> &str {
    line.trim_start_matches(|c: char| c.is_whitespace() && c != '\n')
}

/// Skips a string literal; one left open ends at the line break, which starts a new line.
fn skip_string(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    at_line_start: &mut bool,
) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return,
            '\n' => {
                *at_line_start = true;
                return;
            }
            _ => {}
        }
    }
}

fn skip_comment(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    at_line_start: &mut bool,
) {
    for (_, c) in chars.by_ref() {
        if c == '\n' {
            *at_line_start = true;
            return;
        }
    }
}

fn skip_one_char(i: In<'_>) -> In<'_> {
    let len = i.fragment().chars().next().map_or(0, char::len_utf8);
    advance(i, len)
}

fn advance(i: In<'_>, bytes: usize) -> In<'_> {
    super::lexeme::skip(i, bytes)
}
