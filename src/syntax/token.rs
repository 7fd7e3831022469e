//! The lexer: rule text as a flat list of tokens, each with its byte range and line.
//!
//! The parser reads characters through the combinators of `lexeme`, which skip white space and
//! comments with [`trivia_len`]; everything that needs the shape of a file without parsing it
//! (the bracket structure that recovery trusts, the formatter, the language server's view of a
//! line) reads these tokens. Strings are one token each, interpolations included, so a brace
//! or `#` inside a string is never mistaken for structure.

/// A bracket pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delim {
    /// `{` `}`: blocks, `match` fields.
    Brace,
    /// `(` `)`: grouping, calls, `ramp`.
    Paren,
    /// `[` `]`: not in the grammar, balanced anyway so a stray one is named.
    Bracket,
}

impl Delim {
    /// The opening character.
    pub(crate) fn open(self) -> char {
        match self {
            Delim::Brace => '{',
            Delim::Paren => '(',
            Delim::Bracket => '[',
        }
    }

    /// The closing character.
    pub(crate) fn close(self) -> char {
        match self {
            Delim::Brace => '}',
            Delim::Paren => ')',
            Delim::Bracket => ']',
        }
    }
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A name or keyword.
    Word,
    /// A number, percentage, duration or timestamp.
    Number,
    /// A string literal with its interpolations; `closed` is false when it runs to the end of
    /// its line.
    Str {
        /// Whether the closing quote is there.
        closed: bool,
    },
    /// An opening bracket.
    Open(Delim),
    /// A closing bracket.
    Close(Delim),
    /// An operator or punctuation: `=>`, `==`, `.`, `,`, …
    Symbol,
    /// A `#` comment, to the end of its line.
    Comment,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: TokenKind,
    /// First byte.
    pub(crate) start: u32,
    /// One past the last byte.
    pub(crate) end: u32,
    /// 0-based line.
    pub(crate) line: u32,
}

/// A file's tokens and where its lines start.
#[derive(Debug, Default)]
pub(crate) struct Lexed {
    /// Every token, in order.
    pub(crate) tokens: Vec<Token>,
    /// Byte offset of each line's start.
    line_starts: Vec<u32>,
    /// Index in `tokens` of each line's first token (`u32::MAX` for a blank line).
    first_token: Vec<u32>,
}

impl Lexed {
    /// The token's text.
    pub(crate) fn text<'t>(&self, source: &'t str, token: Token) -> &'t str {
        &source[token.start as usize..token.end as usize]
    }

    /// Byte offset where `line` starts.
    pub(crate) fn line_start(&self, line: u32) -> u32 {
        self.line_starts[line as usize]
    }

    /// Number of lines.
    pub(crate) fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The column of a line's first token: its indentation, any white space counting one.
    pub(crate) fn indent(&self, source: &str, line: u32) -> u32 {
        let start = self.line_start(line) as usize;
        source[start..]
            .chars()
            .take_while(|c| c.is_whitespace() && *c != '\n')
            .count() as u32
    }

    /// The index of the first token on `line`, if the line has one.
    pub(crate) fn first_on(&self, line: u32) -> Option<usize> {
        match self.first_token.get(line as usize) {
            Some(&index) if index != u32::MAX => Some(index as usize),
            _ => None,
        }
    }

    /// Whether token `index` is the first on its line.
    pub(crate) fn is_first(&self, index: usize) -> bool {
        self.first_on(self.tokens[index].line) == Some(index)
    }

    /// The tokens of `line`.
    pub(crate) fn on_line(&self, line: u32) -> &[Token] {
        let Some(first) = self.first_on(line) else {
            return &[];
        };
        let count = self.tokens[first..]
            .iter()
            .take_while(|t| t.line == line)
            .count();
        &self.tokens[first..first + count]
    }
}

/// Bytes of white space and `#` comments at the start of `text`, line breaks included.
pub(crate) fn trivia_len(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let space = rest.len() - rest.trim_start().len();
        at += space;
        if text[at..].starts_with('#') {
            at += text[at..].find('\n').unwrap_or(text.len() - at);
        } else if space == 0 {
            return at;
        }
    }
}

/// Whether `c` continues a name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether a number that starts `text` is a timestamp (`2018-03-23T…`).
pub(crate) fn looks_like_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 11 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

/// Two-character operators, longest match first.
const SYMBOLS: &[&str] = &["=>", "==", "!=", "<=", ">=", "&&", "||", "??", "->"];

/// Splits `text` into tokens. Never fails: a character the grammar does not know is a
/// one-character [`TokenKind::Symbol`], for the parser to name.
pub(crate) fn tokenize(text: &str) -> Lexed {
    let mut lexed = Lexed {
        tokens: Vec::new(),
        line_starts: vec![0],
        first_token: vec![u32::MAX],
    };
    let mut at = 0;
    let mut line = 0u32;
    while at < text.len() {
        let rest = &text[at..];
        let Some(c) = rest.chars().next() else { break };
        if c == '\n' {
            at += 1;
            line += 1;
            lexed.line_starts.push(at as u32);
            lexed.first_token.push(u32::MAX);
            continue;
        }
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        let (kind, len) = match c {
            '#' => (TokenKind::Comment, rest.find('\n').unwrap_or(rest.len())),
            '"' => string(rest),
            '{' => (TokenKind::Open(Delim::Brace), 1),
            '(' => (TokenKind::Open(Delim::Paren), 1),
            '[' => (TokenKind::Open(Delim::Bracket), 1),
            '}' => (TokenKind::Close(Delim::Brace), 1),
            ')' => (TokenKind::Close(Delim::Paren), 1),
            ']' => (TokenKind::Close(Delim::Bracket), 1),
            c if c.is_ascii_digit() => (TokenKind::Number, number_len(rest)),
            c if is_name_char(c) => (
                TokenKind::Word,
                rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len()),
            ),
            c => {
                let len = SYMBOLS
                    .iter()
                    .find(|s| rest.starts_with(*s))
                    .map_or(c.len_utf8(), |s| s.len());
                (TokenKind::Symbol, len)
            }
        };
        let index = lexed.tokens.len() as u32;
        if lexed.first_token[line as usize] == u32::MAX {
            lexed.first_token[line as usize] = index;
        }
        lexed.tokens.push(Token {
            kind,
            start: at as u32,
            end: (at + len) as u32,
            line,
        });
        at += len;
    }
    lexed
}

/// A number, percentage, duration (`1h30m`) or timestamp, as `lexeme::number` reads them.
fn number_len(text: &str) -> usize {
    if looks_like_timestamp(text) {
        return text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+')))
            .unwrap_or(text.len());
    }
    let mut len = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let fraction = &text[len..];
    if fraction.starts_with('.') && fraction[1..].starts_with(|c: char| c.is_ascii_digit()) {
        len += 1 + fraction[1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len() - 1);
    }
    let suffix = &text[len..];
    if suffix.starts_with('%') {
        len + 1
    } else {
        // Duration units and any digits between them (`1h30m`); a bad unit is the parser's to name.
        len + suffix
            .find(|c: char| !(c.is_alphanumeric() || c == '.'))
            .unwrap_or(suffix.len())
    }
}

/// A string literal: to its closing quote, or to the end of its line. An interpolation
/// (`{…}`) holds code, whose strings nest; braces in that code count, so `"{a ?? "}"}"` is one
/// string. The nesting is tracked in a list, not by recursion.
fn string(text: &str) -> (TokenKind, usize) {
    /// Inside a string, or inside an interpolation's code with its open brace count.
    enum Mode {
        Text,
        Code(u32),
    }
    let mut modes = vec![Mode::Text];
    let mut chars = text.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        if c == '\n' {
            return (TokenKind::Str { closed: false }, at);
        }
        match modes.last_mut() {
            Some(Mode::Text) => match c {
                '\\' => {
                    if let Some((_, '\n')) = chars.next() {
                        return (TokenKind::Str { closed: false }, at + 1);
                    }
                }
                '"' => {
                    modes.pop();
                    if modes.is_empty() {
                        return (TokenKind::Str { closed: true }, at + 1);
                    }
                }
                '{' => modes.push(Mode::Code(0)),
                _ => {}
            },
            Some(Mode::Code(depth)) => match c {
                '"' => modes.push(Mode::Text),
                '{' => *depth += 1,
                '}' if *depth == 0 => {
                    modes.pop();
                }
                '}' => *depth -= 1,
                _ => {}
            },
            None => break,
        }
    }
    (TokenKind::Str { closed: false }, text.len())
}

#[cfg(test)]
mod tests {
    use super::{Delim, TokenKind, tokenize, trivia_len};

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let lexed = tokenize(text);
        lexed
            .tokens
            .iter()
            .map(|t| (t.kind, lexed.text(text, *t)))
            .collect()
    }

    #[test]
    fn strings_hold_their_braces_and_hashes() {
        let tokens = kinds("about \"a { b } # c\" # note\n}");
        assert_eq!(
            tokens,
            [
                (TokenKind::Word, "about"),
                (TokenKind::Str { closed: true }, "\"a { b } # c\""),
                (TokenKind::Comment, "# note"),
                (TokenKind::Close(Delim::Brace), "}"),
            ]
        );
    }

    #[test]
    fn interpolations_nest_strings() {
        let text = r#""n: {x ?? "}"}" }"#;
        let tokens = kinds(text);
        assert_eq!(
            tokens[0],
            (TokenKind::Str { closed: true }, r#""n: {x ?? "}"}""#)
        );
        assert_eq!(tokens[1], (TokenKind::Close(Delim::Brace), "}"));
    }

    #[test]
    fn an_open_string_ends_at_its_line() {
        let tokens = kinds("\"open {\n}");
        assert_eq!(tokens[0], (TokenKind::Str { closed: false }, "\"open {"));
        assert_eq!(tokens[1], (TokenKind::Close(Delim::Brace), "}"));
    }

    #[test]
    fn numbers_take_their_units() {
        let tokens = kinds("1h30m 20% 2018-03-23T09:10:00Z 0.5-x >= 3");
        let texts: Vec<&str> = tokens.iter().map(|t| t.1).collect();
        assert_eq!(
            texts,
            [
                "1h30m",
                "20%",
                "2018-03-23T09:10:00Z",
                "0.5",
                "-",
                "x",
                ">=",
                "3"
            ]
        );
    }

    #[test]
    fn lines_know_their_first_token_and_indentation() {
        let text = "a {\n\n    b\n}";
        let lexed = tokenize(text);
        assert_eq!(lexed.line_count(), 4);
        assert_eq!(lexed.first_on(1), None);
        assert_eq!(lexed.indent(text, 2), 4);
        assert!(lexed.is_first(2));
        assert_eq!(lexed.on_line(0).len(), 2);
    }

    #[test]
    fn trivia_is_space_and_comments() {
        assert_eq!(trivia_len("  # c\n  x"), 8);
        assert_eq!(trivia_len("x"), 0);
        assert_eq!(trivia_len("# only"), 6);
    }
}
