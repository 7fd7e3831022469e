//! The bracket structure of a file, found before parsing so that one missing or extra brace is
//! reported at the brace and everything else is still parsed where it belongs.
//!
//! Brackets are matched first as written. When they balance and every block header sits where
//! the grammar allows it (the usual case), that matching is the structure. When they do not,
//! the file is matched again trusting what a reader trusts: indentation (a line indented like
//! the line that opened a block ends that block), and the keywords that start items
//! (`criterion` cannot be inside a criterion, `score` cannot be inside anything). Each repair
//! is one diagnostic at the bracket, with the block it concerns labelled, a note where the
//! block was taken to end, and a patch. The parser then parses every block within the bounds
//! found here, and drops the syntax errors the repairs explain.

use std::collections::{HashMap, HashSet};

use super::token::{Delim, Lexed, Token, TokenKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Where a block's body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyEnd {
    /// At its closing bracket, at this offset.
    Closed(u32),
    /// At this offset, with no closing bracket (reported).
    Open(u32),
}

/// The bracket structure of one file.
#[derive(Debug, Default)]
pub(crate) struct Structure {
    /// Each brace block's end, by the offset of its `{`, or, for a header missing its `{`, by
    /// the end of the header.
    bodies: HashMap<u32, BodyEnd>,
    /// Closing brackets that close nothing: skipped by the parser.
    stray: HashSet<u32>,
    /// Ranges (end included) whose syntax errors follow from an unclosed bracket.
    quiet: Vec<(u32, u32)>,
    /// Where each line that starts a top-level item starts, in order.
    items: Vec<u32>,
    /// One diagnostic per repair.
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Structure {
    /// Where the block opened at `open` ends.
    pub(crate) fn body_end(&self, open: u32) -> Option<BodyEnd> {
        self.bodies.get(&open).copied()
    }

    /// Whether the closing bracket at `offset` closes nothing.
    pub(crate) fn is_stray(&self, offset: u32) -> bool {
        self.stray.contains(&offset)
    }

    /// Whether a syntax error at `offset` is explained by a repair already reported.
    pub(crate) fn explains(&self, offset: u32) -> bool {
        self.is_stray(offset)
            || self
                .quiet
                .iter()
                .any(|&(start, end)| (start..=end).contains(&offset))
    }

    /// The start of the first top-level item line after `offset`: no item extends past it.
    pub(crate) fn next_item_after(&self, offset: u32) -> Option<u32> {
        let index = self.items.partition_point(|&start| start <= offset);
        self.items.get(index).copied()
    }
}

/// What a block is, from the words that open it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A `score NAME` block.
    Score(String),
    /// Any other block with a header: `criterion NAME`, `bands`, `verdict`, `ruleset NAME`.
    Block(String),
    /// A bracket in an expression.
    Bracket,
}

impl Kind {
    fn describe(&self, delim: Delim) -> String {
        match self {
            Kind::Score(header) | Kind::Block(header) => format!("the `{header}` block"),
            Kind::Bracket => format!("this `{}`", delim.open()),
        }
    }
}

/// A line that starts an item or a score member.
struct Header {
    /// The block it opens, if any.
    kind: Option<Kind>,
    /// A top-level item (rather than a member of a score).
    top_level: bool,
    /// Its words, for messages.
    span: Span,
}

/// An open bracket on the stack.
#[derive(Clone, Debug)]
struct Opened {
    delim: Delim,
    /// The offset the parser looks the body up by.
    key: u32,
    /// The bracket's own span (for a missing `{`, the header's).
    span: Span,
    line: u32,
    indent: u32,
    kind: Kind,
    /// The next line is indented deeper: indentation can be trusted to show where it ends.
    indented: bool,
}

/// How many closing brackets may look ahead for a better-placed twin (each look costs up to
/// the rest of the file), and how many repairs are reported before the rest is matched as
/// written.
const LOOKAHEADS: usize = 64;
const REPAIRS: usize = 32;

/// Finds the structure of `text`, already split into `lexed`.
pub(crate) fn structure(text: &str, lexed: &Lexed, file: FileId) -> Structure {
    let mut matcher = Matcher {
        text,
        lexed,
        file,
        repair: false,
        out: Structure::default(),
        stack: Vec::new(),
        lookaheads: 0,
    };
    if matcher.run() {
        return matcher.out;
    }
    let mut repairing = Matcher {
        repair: true,
        out: Structure::default(),
        stack: Vec::new(),
        ..matcher
    };
    repairing.run();
    repairing.out
}

struct Matcher<'t> {
    text: &'t str,
    lexed: &'t Lexed,
    file: FileId,
    /// False: match as written and stop at the first inconsistency. True: repair.
    repair: bool,
    out: Structure,
    stack: Vec<Opened>,
    lookaheads: usize,
}

impl Matcher<'_> {
    /// Matches every bracket; false (before repairing) at the first inconsistency.
    fn run(&mut self) -> bool {
        for index in 0..self.lexed.tokens.len() {
            let token = self.lexed.tokens[index];
            if token.kind == TokenKind::Comment {
                continue;
            }
            if self.lexed.is_first(index) && !self.line_start(index) {
                return false;
            }
            let consistent = match token.kind {
                TokenKind::Open(delim) => {
                    self.push(delim, token);
                    true
                }
                TokenKind::Close(delim) => self.close(delim, index),
                _ => true,
            };
            if !consistent {
                return false;
            }
        }
        let end = self.text.len() as u32;
        if !self.repair && !self.stack.is_empty() {
            return false;
        }
        while let Some(open) = self.stack.pop() {
            self.unclosed(open, end, Ending::EndOfFile);
        }
        true
    }

    /// A line's first token: closes what indentation and keywords say has ended. False
    /// (before repairing) when a header is where it cannot be.
    fn line_start(&mut self, index: usize) -> bool {
        let token = self.lexed.tokens[index];
        let indent = self.lexed.indent(self.text, token.line);
        let line_start = self.lexed.line_start(token.line);
        let header = self.header(index);
        if self.repair {
            // A line indented no deeper than an open block's first line ends that block; a
            // closing bracket there may close the block itself, so it ends only deeper ones.
            let closer = matches!(token.kind, TokenKind::Close(_));
            while let Some(top) = self.stack.last() {
                // A block's indentation is trusted when its body is indented; a bracket in an
                // expression that continues over lines indents what continues it.
                let ends = (top.indented || top.delim != Delim::Brace)
                    && top.line < token.line
                    && (indent < top.indent || (!closer && indent == top.indent));
                if !ends {
                    break;
                }
                let top = self.pop();
                let ending = match &header {
                    Some(header) => Ending::Item(header.span),
                    None => Ending::Dedent(self.span(token)),
                };
                self.unclosed(top, line_start, ending);
            }
        }
        let Some(header) = header else {
            return true;
        };
        if header.top_level {
            if !self.repair && !self.stack.is_empty() {
                return false;
            }
            self.out.items.push(line_start);
            while let Some(top) = self.stack.pop() {
                self.unclosed(top, line_start, Ending::Item(header.span));
            }
        } else if self.stack.iter().any(|o| matches!(o.kind, Kind::Score(_))) {
            if !self.repair && !matches!(self.stack.last().map(|o| &o.kind), Some(Kind::Score(_))) {
                return false;
            }
            while !matches!(self.stack.last().map(|o| &o.kind), Some(Kind::Score(_))) {
                let top = self.pop();
                self.unclosed(top, line_start, Ending::Item(header.span));
            }
        }
        if let Some(kind) = header.kind
            && !self.opens_a_brace(token.line)
        {
            if !self.repair {
                return false;
            }
            self.missing_open(kind, header.span, token.line, indent);
        }
        true
    }

    /// The header that token `index` (first on its line) starts, if any.
    fn header(&self, index: usize) -> Option<Header> {
        let tokens = &self.lexed.tokens;
        let word = self.lexed.text(self.text, tokens[index]);
        let next = tokens
            .get(index + 1)
            .filter(|t| t.kind != TokenKind::Comment);
        let next_word = next
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| self.lexed.text(self.text, *t))
            .filter(|w| !super::lexeme::RESERVED.contains(w));
        let same_line = next.filter(|t| t.line == tokens[index].line);
        let span = |last: Option<&Token>| {
            let end = last.map_or(tokens[index].end, |t| t.end);
            Span::new(self.file, tokens[index].start as usize, end as usize)
        };
        let named = |top_level: bool, score: bool| {
            let name = next_word?;
            let header = format!("{word} {name}");
            Some(Header {
                kind: Some(if score {
                    Kind::Score(header)
                } else {
                    Kind::Block(header)
                }),
                top_level,
                span: span(next),
            })
        };
        let bare = |top_level: bool| {
            let fits = match same_line.map(|t| t.kind) {
                None | Some(TokenKind::Open(Delim::Brace)) => true,
                Some(TokenKind::Str { .. }) => word == "verdict",
                _ => false,
            };
            fits.then(|| Header {
                kind: Some(Kind::Block(word.to_string())),
                top_level,
                span: span(None),
            })
        };
        if tokens[index].kind != TokenKind::Word {
            return None;
        }
        match word {
            "score" => named(true, true),
            "hypotheses" => named(true, false),
            "criterion" => named(false, false),
            "ruleset" => named(true, false),
            "verdict" | "profile" => bare(true),
            "bands" => bare(false),
            "category" => named(false, false),
            "let" | "const" => next_word.map(|_| Header {
                kind: None,
                top_level: true,
                span: span(next),
            }),
            "include" => {
                matches!(same_line.map(|t| t.kind), Some(TokenKind::Str { .. })).then(|| Header {
                    kind: None,
                    top_level: true,
                    span: span(None),
                })
            }
            _ => None,
        }
    }

    /// Whether a header on `line` has its `{`: on the line, or first on the next line.
    fn opens_a_brace(&self, line: u32) -> bool {
        let opens = |t: &Token| t.kind == TokenKind::Open(Delim::Brace);
        self.lexed.on_line(line).iter().any(opens)
            || self
                .next_code_line(line)
                .and_then(|l| self.lexed.on_line(l).first())
                .is_some_and(opens)
    }

    /// The next line after `line` with a token that is not a comment.
    fn next_code_line(&self, line: u32) -> Option<u32> {
        (line + 1..self.lexed.line_count()).find(|&l| {
            self.lexed
                .on_line(l)
                .first()
                .is_some_and(|t| t.kind != TokenKind::Comment)
        })
    }

    fn push(&mut self, delim: Delim, token: Token) {
        let kind = match delim {
            Delim::Brace => self
                .lexed
                .first_on(token.line)
                .and_then(|first| self.header(first))
                .and_then(|h| h.kind)
                .unwrap_or(Kind::Bracket),
            _ => Kind::Bracket,
        };
        let indent = self.lexed.indent(self.text, token.line);
        self.stack.push(Opened {
            delim,
            key: token.start,
            span: self.span(token),
            line: token.line,
            indent,
            kind,
            indented: self.indented_after(token.line, indent),
        });
    }

    fn indented_after(&self, line: u32, indent: u32) -> bool {
        self.next_code_line(line)
            .is_some_and(|next| self.lexed.indent(self.text, next) > indent)
    }

    /// A header with no `{`: reported, and opened where the `{` belongs.
    fn missing_open(&mut self, kind: Kind, header: Span, line: u32, indent: u32) {
        let end = self
            .lexed
            .on_line(line)
            .iter()
            .rfind(|t| t.kind != TokenKind::Comment)
            .map_or(header.end, |t| t.end);
        self.report(
            Diagnostic::new(
                Code::Unclosed,
                header,
                format!("{} has no `{{`", kind.describe(Delim::Brace)),
            )
            .label("the block's `{` is missing")
            .help("add `{` at the end of this line")
            .patch(Span::new(self.file, end as usize, end as usize), " {"),
        );
        self.stack.push(Opened {
            delim: Delim::Brace,
            key: end,
            span: header,
            line,
            indent,
            kind,
            indented: self.indented_after(line, indent),
        });
    }

    fn pop(&mut self) -> Opened {
        self.stack.pop().unwrap_or_else(|| Opened {
            delim: Delim::Brace,
            key: 0,
            span: Span::default(),
            line: 0,
            indent: 0,
            kind: Kind::Bracket,
            indented: false,
        })
    }

    /// A closing bracket: matches the innermost open one, ends an unclosed `(` it closes
    /// over, or closes nothing. False (before repairing) when it does not match.
    fn close(&mut self, delim: Delim, index: usize) -> bool {
        let token = self.lexed.tokens[index];
        loop {
            let Some(top) = self.stack.last() else {
                if !self.repair {
                    return false;
                }
                self.stray(token, None);
                return true;
            };
            if top.delim == delim {
                if self.repair
                    && let Some(twin) = self.better_closer(index)
                {
                    self.stray(token, Some(twin));
                    return true;
                }
                let top = self.pop();
                self.out
                    .bodies
                    .insert(top.key, BodyEnd::Closed(token.start));
                return true;
            }
            if !self.repair {
                return false;
            }
            let closes_over = delim == Delim::Brace
                || self
                    .stack
                    .iter()
                    .rev()
                    .take_while(|o| o.delim != Delim::Brace)
                    .any(|o| o.delim == delim);
            if !closes_over {
                self.stray(token, None);
                return true;
            }
            let top = self.pop();
            self.unclosed(top, token.start, Ending::Closer(self.span(token)));
        }
    }

    /// For a closing bracket that indentation says is misplaced (not on the line that opened
    /// its block, not first on its line at the block's indentation): a later line that starts
    /// with the same bracket at the block's indentation, before anything else at or left of
    /// it. That one closes the block, and this one is extra.
    fn better_closer(&mut self, index: usize) -> Option<Token> {
        let token = self.lexed.tokens[index];
        let top = self.stack.last()?;
        let placed =
            self.lexed.is_first(index) && self.lexed.indent(self.text, token.line) == top.indent;
        if !top.indented || top.line == token.line || placed || self.lookaheads >= LOOKAHEADS {
            return None;
        }
        self.lookaheads += 1;
        let (delim, indent) = (top.delim, top.indent);
        for line in token.line + 1..self.lexed.line_count() {
            let Some(first) = self.lexed.on_line(line).first() else {
                continue;
            };
            if first.kind == TokenKind::Comment {
                continue;
            }
            let at = self.lexed.indent(self.text, line);
            if at == indent && first.kind == TokenKind::Close(delim) {
                return Some(*first);
            }
            if at <= indent {
                return None;
            }
        }
        None
    }

    fn span(&self, token: Token) -> Span {
        Span::new(self.file, token.start as usize, token.end as usize)
    }

    fn stray(&mut self, token: Token, twin: Option<Token>) {
        self.out.stray.insert(token.start);
        let span = self.span(token);
        let c = &self.text[token.start as usize..token.end as usize];
        let mut diagnostic =
            Diagnostic::new(Code::Unmatched, span, format!("this `{c}` closes nothing"))
                .label("no open bracket is waiting for it")
                .help("remove it");
        if let Some(twin) = twin {
            diagnostic = diagnostic
                .label("extra: the block it seems to close ends further down")
                .note(
                    self.span(twin),
                    "this one, indented like the block's first line, closes it",
                );
        }
        let removal = self.removal(token);
        self.report(diagnostic.patch(removal, ""));
    }

    /// The span to delete to remove a token: its whole line when nothing else is on it.
    fn removal(&self, token: Token) -> Span {
        let alone = self.lexed.on_line(token.line).len() == 1;
        let (start, end) = if alone {
            let start = self.lexed.line_start(token.line) as usize;
            let end = self.text[start..]
                .find('\n')
                .map_or(self.text.len(), |n| start + n + 1);
            (start, end)
        } else {
            (token.start as usize, token.end as usize)
        };
        Span::new(self.file, start, end)
    }

    /// A block or bracket left open: its body ends at `end`.
    fn unclosed(&mut self, open: Opened, end: u32, ending: Ending) {
        if open.delim == Delim::Brace {
            self.out.bodies.insert(open.key, BodyEnd::Open(end));
        }
        // A block's contents are still checked; an open bracket in an expression breaks the
        // expression, and the parser's complaints about it are this one.
        if open.kind == Kind::Bracket {
            self.out.quiet.push((open.key, end));
        }
        if open.span == Span::default() {
            return;
        }
        let what = open.kind.describe(open.delim);
        let close = open.delim.close();
        let note = match ending {
            Ending::Dedent(at) if open.delim == Delim::Brace => Some((
                at,
                "this line is indented like the block's first line, so the block ends above it"
                    .to_string(),
            )),
            Ending::Dedent(at) => Some((
                at,
                "this line is not indented deeper, so the expression ends above it".to_string(),
            )),
            Ending::Item(at) => Some((at, format!("{} cannot be inside it", self.quoted(at)))),
            Ending::Closer(at) => Some((
                at,
                format!("this {} closes an outer block", self.quoted(at)),
            )),
            Ending::EndOfFile => None,
        };
        let mut diagnostic =
            Diagnostic::new(Code::Unclosed, open.span, format!("{what} is not closed")).label(
                format!("this `{}` has no matching `{close}`", open.delim.open()),
            );
        if let Some((at, text)) = note {
            diagnostic = diagnostic.note(at, text);
        }
        diagnostic = match (open.delim, self.last_code_before(end)) {
            (Delim::Brace, Some(last)) if last.start > open.key => {
                let indent = " ".repeat(open.indent as usize);
                diagnostic
                    .help(format!("add `}}` where {what} ends"))
                    .patch(
                        Span::new(self.file, last.end as usize, last.end as usize),
                        format!("\n{indent}}}"),
                    )
            }
            _ => diagnostic.help(format!("add `{close}` where {what} ends")),
        };
        self.report(diagnostic);
    }

    /// The last token before `offset` that is not a comment.
    fn last_code_before(&self, offset: u32) -> Option<Token> {
        let tokens = &self.lexed.tokens;
        let end = tokens.partition_point(|t| t.start < offset);
        tokens[..end]
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Comment)
            .copied()
    }

    fn quoted(&self, span: Span) -> String {
        format!("`{}`", &self.text[span.start as usize..span.end as usize])
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if self.out.diagnostics.len() < REPAIRS {
            self.out.diagnostics.push(diagnostic);
        }
    }
}

/// Why an open block was taken to end, and where.
enum Ending {
    /// A line indented no deeper than the block's first line (its first token).
    Dedent(Span),
    /// A header that cannot be inside the block (its words).
    Item(Span),
    /// A closing bracket of an outer block.
    Closer(Span),
    /// The end of the file.
    EndOfFile,
}
