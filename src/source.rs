//! Source files and byte spans into them.

use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering `self` and `other` (same file).
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// One loaded source file.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics and traces (the path as given).
    pub name: String,
    /// The file's text.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub(crate) fn new(name: String, text: Arc<str>) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// The 0-based line holding a byte offset.
    pub(crate) fn line_of(&self, offset: u32) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The byte range of lines `first..=last` (0-based, clamped to the file), line breaks
    /// included.
    pub(crate) fn lines(&self, first: usize, last: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(first)
            .map_or(self.text.len(), |s| *s as usize);
        let end = self
            .line_starts
            .get(last + 1)
            .map_or(self.text.len(), |s| *s as usize);
        start..end.max(start)
    }

    /// The length in bytes of the line holding a byte offset.
    pub(crate) fn line_length(&self, offset: u32) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| *next as usize - 1);
        end.saturating_sub(start)
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: u32) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line(offset) - 1;
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(start..end)
            .map_or(1, |s| s.chars().count() + 1);
        (line + 1, column)
    }
}

/// All source files of a compilation, addressed by [`FileId`].
#[derive(serde::Serialize, serde::Deserialize, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub(crate) fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.file(span.file)
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// `file:line:column` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let file = self.file(span.file);
        let (line, column) = file.line_col(span.start);
        format!("{}:{line}:{column}", file.name)
    }

    /// `file:line` of the start of a span, as a string.
    pub fn line_ref(&self, span: Span) -> String {
        self.line_at(span).to_string()
    }

    /// `file:line` of the start of a span, written when displayed (or serialized, as a
    /// string) without building a string first.
    pub fn line_at(&self, span: Span) -> LineRef<'_> {
        let file = self.file(span.file);
        LineRef {
            file: &file.name,
            line: file.line(span.start),
        }
    }

    /// `file:line` of the start of a span, the file named relative to the directory of the
    /// first file (the rule set's main file): the same wherever the rules were read from.
    pub fn relative_line_ref(&self, span: Span) -> String {
        let file = self.file(span.file);
        let root = self
            .files
            .first()
            .and_then(|f| std::path::Path::new(&f.name).parent());
        let name = root
            .and_then(|root| std::path::Path::new(&file.name).strip_prefix(root).ok())
            .map_or_else(|| file.name.clone(), |p| p.display().to_string());
        format!("{name}:{}", file.line_col(span.start).0)
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}

/// A place in the rules, `file:line`: see [`SourceMap::line_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef<'s> {
    /// The file's name, as it was given.
    pub file: &'s str,
    /// The 1-based line.
    pub line: usize,
}

impl std::fmt::Display for LineRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file)?;
        f.write_str(":")?;
        f.write_str(itoa::Buffer::new().format(self.line))
    }
}

impl serde::Serialize for LineRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
