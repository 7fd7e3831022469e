//! Applying the patches of diagnostics to the text of a file.

use super::{Diagnostic, Fix, Patch};
use crate::source::FileId;

/// The text of a file with the patches of `diagnostics` that concern it applied, and how many
/// diagnostics were fixed: certain fixes only, or suggestions too when `up_to` is
/// [`Fix::Suggested`]. A diagnostic's patches apply together or not at all; one that would
/// overlap an edit already chosen (two fixes for one place) is left for the next run.
pub fn apply<'d>(
    text: &str,
    file: FileId,
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    up_to: Fix,
) -> (String, usize) {
    let mut chosen: Vec<&Patch> = Vec::new();
    let mut fixed = 0;
    for diagnostic in diagnostics {
        if diagnostic.fix == Fix::Suggested && up_to == Fix::Certain {
            continue;
        }
        let patches = &diagnostic.patches;
        let applies = !patches.is_empty()
            && patches.iter().all(|p| {
                p.span.file == file
                    && p.span.start <= p.span.end
                    && (p.span.end as usize) <= text.len()
                    && text.is_char_boundary(p.span.start as usize)
                    && text.is_char_boundary(p.span.end as usize)
                    && !chosen.iter().any(|c| overlap(c, p))
            })
            && !patches
                .iter()
                .enumerate()
                .any(|(i, p)| patches[i + 1..].iter().any(|q| overlap(p, q)));
        if applies {
            chosen.extend(patches);
            fixed += 1;
        }
    }
    // Same-place insertions keep the order the diagnostics gave them.
    chosen.sort_by_key(|p| (p.span.start, p.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for patch in chosen {
        out.push_str(&text[at..patch.span.start as usize]);
        out.push_str(&patch.replacement);
        at = patch.span.end as usize;
    }
    out.push_str(&text[at..]);
    (out, fixed)
}

/// Whether two edits touch the same text. Two insertions at one point do not commute, so they
/// overlap; an insertion at the edge of a replacement does not.
fn overlap(a: &Patch, b: &Patch) -> bool {
    let (a, b) = (a.span, b.span);
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::diagnostic::{Code, Diagnostic, Fix};
    use crate::source::{FileId, Span};

    fn fix(start: usize, end: usize, with: &str) -> Diagnostic {
        Diagnostic::new(Code::Syntax, Span::new(FileId(0), start, end), "x")
            .patch(Span::new(FileId(0), start, end), with)
    }

    #[test]
    fn applies_replacements_insertions_and_deletions() {
        let text = "when a && b => 1;";
        let fixes = [fix(7, 9, "and"), fix(16, 17, ""), fix(0, 0, "  ")];
        let (fixed, count) = apply(text, FileId(0), &fixes, Fix::Suggested);
        assert_eq!(fixed, "  when a and b => 1");
        assert_eq!(count, 3);
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_run() {
        let text = "a = b";
        let fixes = [fix(2, 3, "=="), fix(2, 3, "!="), fix(5, 5, " x")];
        let (fixed, count) = apply(text, FileId(0), &fixes, Fix::Suggested);
        assert_eq!(fixed, "a == b x");
        assert_eq!(count, 2);
    }

    #[test]
    fn patches_of_other_files_or_outside_the_text_are_left() {
        let other = Diagnostic::new(Code::Syntax, Span::default(), "x")
            .patch(Span::new(FileId(1), 0, 0), "y");
        let (fixed, count) = apply("ab", FileId(0), [&other, &fix(1, 9, "z")], Fix::Suggested);
        assert_eq!((fixed.as_str(), count), ("ab", 0));
    }
}
