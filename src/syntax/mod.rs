//! Syntax: text to a tree of items with spans ([`parse_file`]), and the formatter
//! ([`format_source`]).

pub(crate) mod ast;
mod error;
mod expr;
mod format;
mod lexeme;
mod parser;
mod structure;
pub(crate) mod token;

pub use format::{Unbalanced, format_source};
pub(crate) use parser::parse_file;

#[cfg(test)]
mod tests {
    use super::ast::{Item, TemplatePart};
    use crate::source::FileId;

    /// Byte offsets and characters must not be confused: non-ASCII text survives intact.
    #[test]
    fn non_ascii_strings_keep_every_character() {
        let (file, diagnostics) = super::parse_file("include \"é§3 — ünïcode\"\n", FileId(0));
        assert!(diagnostics.is_empty());
        let Some(Item::Include(template)) = file.items.first() else {
            panic!("expected an include");
        };
        assert!(
            matches!(template.parts.as_slice(), [TemplatePart::Text(t)] if t == "é§3 — ünïcode")
        );
    }

    /// Recovery after an unterminated string that contains non-ASCII text ends.
    #[test]
    fn recovery_over_non_ascii_text_terminates() {
        let (_, diagnostics) =
            super::parse_file("score s {\n  criterion c {\n    about \"§3 é", FileId(0));
        assert!(!diagnostics.is_empty());
    }
}
