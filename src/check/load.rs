//! Reads rule files and their `include`s, parsing each once, detecting cycles.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{File, Item};
use crate::syntax::parse_file;

/// Where rule files come from: the file system, or memory in tests.
pub trait FileSource {
    /// Reads a file's text.
    fn read(&self, path: &Path) -> std::io::Result<String>;
}

/// Reads rule files from disk.
pub struct Disk;

impl FileSource for Disk {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Rule files held in memory, by path.
#[derive(Default)]
pub struct Memory(pub HashMap<PathBuf, String>);

impl FileSource for Memory {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not in memory"))
    }
}

/// All parsed files of one rule set, in load order (includes before their includer's items).
pub struct Loaded {
    /// The text of every file.
    pub sources: SourceMap,
    /// Parsed files.
    pub files: Vec<(FileId, File)>,
    /// Syntax and include errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads `roots` and everything they include.
pub fn load(roots: &[PathBuf], fs: &dyn FileSource) -> Result<Loaded, std::io::Error> {
    let mut loader = Loader {
        fs,
        loaded: Loaded {
            sources: SourceMap::default(),
            files: Vec::new(),
            diagnostics: Vec::new(),
        },
        seen: HashMap::new(),
        stack: Vec::new(),
    };
    for root in roots {
        let text = fs.read(root).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot read `{}`: {e}", root.display()))
        })?;
        loader.add(root, text);
    }
    Ok(loader.loaded)
}

struct Loader<'f> {
    fs: &'f dyn FileSource,
    loaded: Loaded,
    seen: HashMap<PathBuf, FileId>,
    stack: Vec<PathBuf>,
}

impl Loader<'_> {
    fn add(&mut self, path: &Path, text: String) {
        let key = normalize(path);
        if self.seen.contains_key(&key) {
            return;
        }
        let id = self.loaded.sources.add(path.display().to_string(), text);
        self.seen.insert(key.clone(), id);
        let text = self.loaded.sources.file(id).text.clone();
        let (file, diagnostics) = parse_file(&text, id);
        self.loaded.diagnostics.extend(diagnostics);
        self.stack.push(key);
        for item in &file.items {
            if let Item::Include(include) = item {
                self.include(path, include.plain(), include.span);
            }
        }
        self.stack.pop();
        self.loaded.files.push((id, file));
    }

    fn include(&mut self, from: &Path, target: Option<&str>, span: Span) {
        let Some(target) = target else {
            self.loaded.diagnostics.push(
                Diagnostic::error(
                    Code::MisplacedItem,
                    span,
                    "an include path cannot interpolate values",
                )
                .label("write a plain path"),
            );
            return;
        };
        let path = from.parent().unwrap_or(Path::new("")).join(target);
        let key = normalize(&path);
        if self.stack.contains(&key) {
            self.loaded.diagnostics.push(
                Diagnostic::error(
                    Code::IncludeCycle,
                    span,
                    format!("`{target}` includes this file again"),
                )
                .label("this include closes a cycle")
                .help(format!(
                    "the include chain is {}; move the shared definitions to a file both include",
                    self.stack
                        .iter()
                        .chain(std::iter::once(&key))
                        .map(|p| format!("`{}`", p.display()))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )),
            );
            return;
        }
        if self.seen.contains_key(&key) {
            return;
        }
        match self.fs.read(&path) {
            Ok(text) => self.add(&path, text),
            Err(e) => self.loaded.diagnostics.push(
                Diagnostic::error(
                    Code::IncludeNotFound,
                    span,
                    format!("cannot read included file `{}`", path.display()),
                )
                .label(e.to_string())
                .help("include paths are relative to the file that includes them"),
            ),
        }
    }
}

/// A lexical normal form of a path (no `.`; `..` folded), so one file is loaded once.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
