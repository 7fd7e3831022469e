//! Reads rule files and their `include`s, parsing each once, detecting cycles.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::files::{FileError, Roots, read_text};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{File, Item};
use crate::syntax::parse_file;

/// Where rule files come from: the file system, or memory in tests and embeddings.
pub trait FileSource {
    /// Reads a rule or schema file: one named on the command line (`named_by_file` false), or
    /// one an `include` or `schema` line names (which must stay inside the allowed roots).
    fn read(&self, path: &Path, named_by_file: bool) -> Result<String, FileError>;
}

/// Reads rule files from disk: regular files only, within a size limit; files named by other
/// files only inside the roots (the directories of the rule files given, and any allowed).
pub struct Disk {
    /// Where included files and schemas may be.
    pub(crate) roots: Roots,
    /// Largest file, in bytes.
    pub(crate) limit: u64,
}

impl Disk {
    /// Reads the rule files `paths` and what they include from inside their own directories
    /// (and `allowed`), each file at most `limit` bytes.
    pub fn new(paths: &[PathBuf], allowed: &[PathBuf], limit: u64) -> Disk {
        let mut roots = Roots::none();
        for path in paths.iter().chain(allowed) {
            roots.allow(path);
        }
        Disk { roots, limit }
    }
}

impl FileSource for Disk {
    fn read(&self, path: &Path, named_by_file: bool) -> Result<String, FileError> {
        if named_by_file {
            self.roots.check(path)?;
        }
        // A link named `x.cred` may lead anywhere: what it leads to must be a rule file too,
        // so that no diagnostic ever shows the content of another file.
        if is_rule_file(path) {
            let target = std::fs::canonicalize(path).map_err(|source| FileError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            if !is_rule_file(&target) {
                return Err(FileError::NotRuleFile {
                    path: path.to_path_buf(),
                    target,
                });
            }
        }
        read_text(path, self.limit)
    }
}

/// The rule files of a directory: its `.cred` entries in name order. A link among them must
/// lead to a rule file inside the directory (as fixture and corpus scans require); one that
/// leads out is refused, so that a rule directory never reads a file it does not hold.
pub(crate) fn rule_files_in(dir: &Path) -> Result<Vec<PathBuf>, FileError> {
    let (files, mut out) = scan(dir)?;
    match out.pop() {
        Some((path, target)) => Err(FileError::LinkOut {
            path,
            target,
            dir: dir.to_path_buf(),
        }),
        None => Ok(files),
    }
}

/// [`rule_files_in`] for an editor, which has no command to fail: links out of the directory
/// are left out.
pub(crate) fn rule_files_inside(dir: &Path) -> Vec<PathBuf> {
    scan(dir).map_or_else(
        |_| Vec::new(),
        |(files, out)| {
            files
                .into_iter()
                .filter(|f| !out.iter().any(|(link, _)| link == f))
                .collect()
        },
    )
}

/// A link found in a directory that leads out of it, and what it leads to.
type LinkOut = (PathBuf, PathBuf);

/// A directory's `.cred` entries in name order, and those that are links out of it.
fn scan(dir: &Path) -> Result<(Vec<PathBuf>, Vec<LinkOut>), FileError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FileError::Io { path, source }
    };
    let home = std::fs::canonicalize(dir).map_err(io(dir))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_rule_file(p))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in &files {
        let link = std::fs::symlink_metadata(file).map_err(io(file))?;
        if link.file_type().is_symlink() {
            // A dangling link is left to the read, which names it.
            if let Ok(target) = std::fs::canonicalize(file)
                && !target.starts_with(&home)
            {
                out.push((file.clone(), target));
            }
        }
    }
    Ok((files, out))
}

/// Rule files held in memory, by path.
#[derive(Default)]
pub struct Memory(pub HashMap<PathBuf, String>);

impl FileSource for Memory {
    fn read(&self, path: &Path, _named_by_file: bool) -> Result<String, FileError> {
        self.0.get(path).cloned().ok_or_else(|| FileError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not in memory"),
        })
    }
}

/// The extension every rule file has. Nothing else is read as rules, so a diagnostic never
/// shows the content of a file that is not a rule file.
pub(crate) const RULE_EXTENSION: &str = "cred";

/// True when `path` names a rule file.
pub(crate) fn is_rule_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == RULE_EXTENSION)
}

/// All parsed files of one rule set, in load order (includes before their includer's items).
pub(crate) struct Loaded {
    /// The text of every file.
    pub(crate) sources: SourceMap,
    /// Parsed files.
    pub(crate) files: Vec<(FileId, File)>,
    /// Syntax and include errors.
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Loads `roots` and everything they include.
pub(crate) fn load(roots: &[PathBuf], fs: &dyn FileSource) -> Result<Loaded, FileError> {
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
        if !is_rule_file(root) {
            return Err(FileError::Io {
                path: root.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a rule file (rule files end in `.cred`)",
                ),
            });
        }
        let text = fs.read(root, false)?;
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
                Diagnostic::new(
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
                Diagnostic::new(
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
        if !is_rule_file(&path) {
            self.loaded.diagnostics.push(
                Diagnostic::new(
                    Code::IncludeNotFound,
                    span,
                    format!("`{target}` is not a rule file"),
                )
                .label("rule files end in `.cred`")
                .help("include only `.cred` files of the rule set"),
            );
            return;
        }
        match self.fs.read(&path, true) {
            Ok(text) => self.add(&path, text),
            Err(e) => self.loaded.diagnostics.push(
                Diagnostic::new(
                    Code::IncludeNotFound,
                    span,
                    format!("cannot read included file `{}`", path.display()),
                )
                .label(e.problem())
                .help("include paths are relative to the file that includes them, and stay inside the rule set's directory"),
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
