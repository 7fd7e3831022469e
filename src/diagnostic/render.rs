//! Rendering a diagnostic rustc-style, with `miette`.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Lines longer than this many bytes are not drawn in a rendered diagnostic.
pub(crate) const SHOWN_LINE: usize = 1_000;

impl Diagnostic {
    /// Renders rustc-style, with `file:line:column`, the underlined source and help. A label
    /// on a line longer than 1,000 bytes is named, not drawn: such lines do not fit a
    /// terminal, and past 65,535 columns the graphical renderer cannot draw them at all.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let file = sources.file(self.span.file);
        let too_long = std::iter::once(self.span)
            .chain(self.notes.iter().map(|n| n.span))
            .filter(|span| span.file == self.span.file)
            .any(|span| file.line_length(span.start) > SHOWN_LINE);
        if too_long {
            return self.render_compact(sources);
        }
        let report = Rendered {
            diagnostic: self,
            source: Window::around(file, self),
        };
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}: {}", self.code.as_str(), self.message);
        }
        out
    }

    /// The help as shown, saying when `check --fix` can apply the fix.
    fn shown_help(&self) -> Option<String> {
        let help = self.help.as_deref()?;
        Some(match (self.patches.is_empty(), self.fix) {
            (true, _) => help.to_string(),
            (false, super::Fix::Certain) => format!("{help} (`credence check --fix` applies this)"),
            (false, super::Fix::Suggested) => {
                format!("{help} (`credence check --fix=suggested` applies this)")
            }
        })
    }

    fn render_compact(&self, sources: &SourceMap) -> String {
        let mut out = format!(
            "{}\n\n  × {}\n   ╭─[{}]\n   │ (the line is too long to show)\n",
            self.code.as_str(),
            self.message,
            sources.location(self.span)
        );
        if !self.label.is_empty() {
            out.push_str(&format!("   ╰── {}\n", self.label));
        }
        for note in &self.notes {
            out.push_str(&format!(
                "   {}: {}\n",
                sources.location(note.span),
                note.text
            ));
        }
        if let Some(help) = self.shown_help() {
            out.push_str(&format!("  help: {help}\n"));
        }
        out
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

struct Rendered<'d> {
    diagnostic: &'d Diagnostic,
    source: Window<'d>,
}

/// The lines of a file around a diagnostic's labels, so that rendering costs the size of the
/// window rather than of the file (miette scans its source from the start for every span).
struct Window<'s> {
    name: String,
    text: &'s str,
    /// Byte offset of the window in the file.
    base: usize,
    /// 0-based line of the window's first line.
    first_line: usize,
}

/// Lines of context kept around the labels (miette shows at most one).
const WINDOW_CONTEXT: usize = 3;

impl<'s> Window<'s> {
    fn around(file: &'s crate::source::SourceFile, d: &Diagnostic) -> Window<'s> {
        let spans = std::iter::once(d.span)
            .chain(d.notes.iter().map(|n| n.span))
            .filter(|s| s.file == d.span.file);
        let (mut first, mut last) = (usize::MAX, 0);
        for span in spans {
            first = first.min(file.line_of(span.start));
            last = last.max(file.line_of(span.end.max(span.start)));
        }
        let first = first.saturating_sub(WINDOW_CONTEXT);
        let range = file.lines(first, last + WINDOW_CONTEXT);
        Window {
            name: file.name.clone(),
            text: &file.text[range.clone()],
            base: range.start,
            first_line: first,
        }
    }
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let offset = span
            .offset()
            .checked_sub(self.base)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let local = SourceSpan::new(offset.into(), span.len());
        let contents = self.text.read_span(&local, before, after)?;
        let shifted = SourceSpan::new(
            (contents.span().offset() + self.base).into(),
            contents.span().len(),
        );
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            shifted,
            contents.line() + self.first_line,
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .shown_help()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            Some(d.label.clone()).filter(|l| !l.is_empty()),
            source_span(d.span),
        );
        let notes = d
            .notes
            .iter()
            .filter(|n| n.span.file == d.span.file)
            .map(|n| LabeledSpan::new_with_span(Some(n.text.clone()), source_span(n.span)));
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}
