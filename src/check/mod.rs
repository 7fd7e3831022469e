//! Checking: resolves names and case paths, infers and checks types, validates paths against
//! a schema, and lowers the syntax tree into a [`Program`]. Reports every problem it finds.

mod collect;
mod cost;
mod erasure;
mod fold;
mod hypotheses;
mod items;
mod load;
mod lower;
mod overrides;
mod paths;
mod profile;
mod reads;
mod spelling;
mod types;
mod values;
mod words;

use std::collections::HashMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use sha2::{Digest, Sha256};

pub(crate) use cost::Cost;
pub(crate) use erasure::can_be_unknown;
pub use load::{Disk, FileSource, Memory};
pub(crate) use load::{is_rule_file, rule_files_in, rule_files_inside};

use crate::case::layout::Layout;
use crate::diagnostic::{Code, Diagnostic, NameIndex};
use crate::files::FileError;
use crate::limits::Limits;
use crate::program::{CollectionDef, LetDef, MatchDef, Node, NodeId, Program, RowTestDef};
use crate::schema::{Schema, SchemaNode};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{Binding, File, Item, Template};
use types::Ty;

/// Options for [`compile`].
#[derive(Default)]
pub struct Options {
    /// A case schema: rule paths it does not have are errors, and it fixes paths' types.
    pub schema: Option<Schema>,
    /// Size, nesting and cost limits.
    pub limits: Limits,
}

/// A successful compilation.
#[derive(Debug)]
pub struct Compiled {
    /// The program.
    pub program: Program,
    /// Warnings (the rules still work).
    pub warnings: Vec<Diagnostic>,
}

/// A failed compilation: the sources and every diagnostic, errors and warnings.
#[derive(Debug)]
pub struct Failed {
    /// The rule files, for rendering.
    pub sources: SourceMap,
    /// Diagnostics in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let errors: Vec<&Diagnostic> = self.diagnostics.iter().filter(|d| d.is_error()).collect();
        match errors.first() {
            Some(first) => write!(
                f,
                "the rules have {} error{}; the first: {}: {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                self.sources.location(first.span),
                first.message
            ),
            None => f.write_str("the rules have errors"),
        }
    }
}

impl std::error::Error for Failed {}

/// Why rules could not be compiled.
#[derive(Debug)]
pub enum CompileError {
    /// A rule file given to [`compile`] could not be read.
    Read(FileError),
    /// The rules have errors (every one is in [`Failed::diagnostics`]).
    Invalid(Failed),
}

impl CompileError {
    /// Every diagnostic (none when a file could not be read).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            CompileError::Read(_) => &[],
            CompileError::Invalid(failed) => &failed.diagnostics,
        }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Read(e) => write!(f, "cannot read {e}"),
            CompileError::Invalid(failed) => failed.fmt(f),
        }
    }
}

impl std::error::Error for CompileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CompileError::Read(e) => Some(e),
            CompileError::Invalid(failed) => Some(failed),
        }
    }
}

/// Compiles the rule files at `paths` (and their includes) into a program.
pub fn compile(
    paths: &[PathBuf],
    fs: &dyn FileSource,
    options: &Options,
) -> Result<Compiled, CompileError> {
    analyze(paths, fs, options)
        .map_err(CompileError::Read)?
        .outcome
        .map_err(CompileError::Invalid)
}

/// A compilation that keeps what the language server needs besides its outcome: the syntax
/// tree of every file and the case schema in force.
pub(crate) struct Analysis {
    /// Each file's syntax tree, in load order.
    pub(crate) files: Vec<(FileId, File)>,
    /// The schema given, or the one the rule set declares.
    pub(crate) schema: Option<Schema>,
    /// The program, or every diagnostic.
    pub(crate) outcome: Result<Compiled, Failed>,
}

/// Compiles like [`compile`], keeping the syntax trees and the schema.
pub(crate) fn analyze(
    paths: &[PathBuf],
    fs: &dyn FileSource,
    options: &Options,
) -> Result<Analysis, FileError> {
    let mut loaded = load::load(paths, fs)?;
    // A schema given overrides the one the header declares, which is then not read; the
    // program keeps the text of the schema in force under the header's path, so that the
    // decision log can replay it.
    let (schema, declared_text) = match (&options.schema, schema_header(&loaded)) {
        (Some(given), header) => (
            Some(given.clone()),
            header.map(|(path, _)| (path.display().to_string(), given.text())),
        ),
        (None, Some((path, value))) => match read_schema(&mut loaded, fs, &path, &value) {
            Some((schema, text)) => (Some(schema), Some((path.display().to_string(), text))),
            None => (None, None),
        },
        (None, None) => (None, None),
    };
    let load::Loaded {
        sources,
        files,
        diagnostics,
    } = loaded;
    let outcome = compile_loaded(
        sources,
        &files,
        diagnostics,
        schema.as_ref(),
        &options.limits,
    )
    .map(|mut compiled| {
        compiled.program.declared_schema = declared_text;
        compiled
    });
    Ok(Analysis {
        files,
        schema,
        outcome,
    })
}

/// Where the case schema a rule set declares in its header (`schema "path"`) is, relative to
/// the file that declares it, and the string that names it.
fn schema_header(loaded: &load::Loaded) -> Option<(PathBuf, Template)> {
    let (file, value) = loaded.files.iter().find_map(|(id, file)| {
        file.items.iter().find_map(|item| match item {
            Item::Ruleset(r) => r
                .entries
                .iter()
                .find(|(k, _)| k.name == "schema")
                .map(|(_, v)| (*id, v.clone())),
            _ => None,
        })
    })?;
    let relative = value.plain()?.to_string();
    let main = std::path::Path::new(&loaded.sources.file(file).name);
    let path = main
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(&relative);
    Some((path, value))
}

/// Reads the schema a header declares, so that `check` validates case paths without being
/// asked: the schema and its text, or a diagnostic at the header's string.
fn read_schema(
    loaded: &mut load::Loaded,
    fs: &dyn FileSource,
    path: &std::path::Path,
    value: &Template,
) -> Option<(Schema, String)> {
    let read = if path.extension().is_some_and(|x| x == "json") {
        fs.read(path, true).map_err(|e| e.problem())
    } else {
        Err("a case schema is a `.json` file".to_string())
    };
    let (problem, detail) = match read {
        Ok(text) => match Schema::parse(&text) {
            Ok(schema) => return Some((schema, text)),
            Err(e) => (
                format!("`{}` is not a usable JSON Schema", path.display()),
                e,
            ),
        },
        Err(e) => (
            format!("cannot read the case schema `{}`", path.display()),
            e,
        ),
    };
    loaded.diagnostics.push(
        Diagnostic::new(Code::BadSchema, value.span, problem)
            .label(detail)
            .help("the path is relative to this rule file; point it at a JSON Schema of cases"),
    );
    None
}

/// Compiles one rule file held in memory (tests, embedding); `name` ends in `.cred`.
pub fn compile_str(name: &str, text: &str, options: &Options) -> Result<Compiled, CompileError> {
    let mut memory = Memory::default();
    memory.0.insert(PathBuf::from(name), text.to_string());
    compile(&[PathBuf::from(name)], &memory, options)
}

/// Compiles a rule set held in memory as (name, text) pairs, such as
/// [`Program::source_files`] gives: every `.cred` file is given in order (includes are read
/// from the pairs too), and a header's `schema "…"` names one of the pairs.
pub fn compile_sources(
    files: &[(String, String)],
    options: &Options,
) -> Result<Compiled, CompileError> {
    let mut memory = Memory::default();
    let mut given = Vec::new();
    for (name, text) in files {
        let path = PathBuf::from(name);
        if load::is_rule_file(&path) && !memory.0.contains_key(&path) {
            given.push(path.clone());
        }
        memory.0.insert(path, text.clone());
    }
    compile(&given, &memory, options)
}

fn compile_loaded(
    sources: SourceMap,
    files: &[(FileId, File)],
    diagnostics: Vec<Diagnostic>,
    schema: Option<&Schema>,
    limits: &Limits,
) -> Result<Compiled, Failed> {
    let items: Vec<&Item> = files.iter().flat_map(|(_, f)| f.items.iter()).collect();
    // Pass 1 settles the type of every case path from all its uses; pass 2 checks again with
    // those types known, so values derived from untyped paths (`a - b`) are typed too.
    let mut first = Checker::new(&sources, schema);
    first.reporting = false;
    first.run(&items);
    let mut checker = Checker::new(&sources, schema);
    checker.layout = first.layout;
    checker.diags = diagnostics;
    let (meta, scores, verdict, profile, hypotheses) = checker.run(&items);
    let mut diagnostics = std::mem::take(&mut checker.diags);
    // Located diagnostics in file order; those about the rule set as a whole last.
    diagnostics.sort_by_key(|d| (d.span == Span::default(), d.span.file.0, d.span.start));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failed {
            sources,
            diagnostics,
        });
    }
    // The hash depends on the files' contents in load order (which follows the includes), not
    // on the paths they were reached by, so one rule set has one hash wherever it is.
    let mut hasher = Sha256::new();
    for file in sources.files() {
        hasher.update((file.text.len() as u64).to_le_bytes());
        hasher.update(file.text.as_bytes());
    }
    let digest = hasher.finalize();
    let mut meta = meta;
    meta.content_hash = format!("sha256:{}", hex(&digest));
    let Checker {
        nodes,
        spans,
        let_defs,
        collections,
        matches,
        layout,
        ..
    } = checker;
    let one_line = Program::one_line_texts(&sources, &spans);
    let mut program = Program {
        sources,
        meta,
        nodes,
        spans,
        one_line,
        lets: let_defs,
        collections,
        matches,
        scores,
        verdict,
        hypotheses,
        profile,
        layout,
        declared_schema: None,
        case_id: crate::case::ID_SLOT,
        limits: *limits,
        costs: Default::default(),
    };
    if let Some(h) = &program.hypotheses {
        let reads = h
            .criteria
            .iter()
            .map(|c| c.evaluated_nodes().any(|n| program.reads_hypothesis(n)))
            .collect();
        if let Some(h) = &mut program.hypotheses {
            h.reads_hypothesis = reads;
        }
    }
    let scores_read: Vec<Vec<u32>> = program
        .verdict
        .iter()
        .flat_map(|v| &v.rows)
        .map(|row| match row.test {
            RowTestDef::When(node) => program.scores_read(node),
            _ => Vec::new(),
        })
        .collect();
    if let Some(verdict) = &mut program.verdict {
        for (row, read) in verdict.rows.iter_mut().zip(scores_read) {
            row.scores_read = read;
        }
    }
    let bounds = cost::bound(&mut program);
    if !bounds.is_empty() {
        diagnostics.extend(bounds);
        return Err(Failed {
            sources: program.sources,
            diagnostics,
        });
    }
    diagnostics.extend(erasure::warn(&program));
    diagnostics.extend(overrides::warn(&program));
    diagnostics.extend(words::warn(&program));
    diagnostics.sort_by_key(|d| (d.span == Span::default(), d.span.file.0, d.span.start));
    Ok(Compiled {
        program,
        warnings: diagnostics,
    })
}

/// Lower-case hexadecimal of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a `let` is in its lowering.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LetState {
    Pending,
    Visiting,
    Done { id: u32, ty: Ty },
}

struct LetEntry<'a> {
    binding: &'a Binding,
    state: LetState,
    used: bool,
}

struct ConstEntry<'a> {
    binding: &'a Binding,
    value: Option<(crate::program::NodeId, Ty)>,
    visiting: bool,
    used: bool,
}

/// A score as declared, for references to it.
struct DeclaredScore {
    /// Its position among the scores.
    index: usize,
    /// Its band labels.
    labels: Vec<String>,
    /// False when a band row failed to parse, so a label not listed may still exist.
    all_labels_known: bool,
    /// An evidence (log-odds) score rather than an additive one.
    evidence: bool,
}

/// A comprehension variable in scope.
struct Binder {
    name: String,
    record: u32,
}

/// What score references an expression may make.
#[derive(Clone, Copy, PartialEq)]
enum ScoreAccess {
    /// None (criteria, lets).
    None,
    /// Scores before this index (a score's bands).
    Before(usize),
    /// All scores (the verdict).
    All,
}

struct Checker<'a> {
    sources: &'a SourceMap,
    schema: Option<&'a Schema>,
    diags: Vec<Diagnostic>,
    nodes: Vec<Node>,
    spans: Vec<Span>,
    /// For slot-backed nodes: (record, slot).
    node_slot: Vec<Option<(u32, u32)>>,
    layout: Layout,
    record_schema: HashMap<u32, SchemaNode>,
    /// The strings the schema allows for a case value (or for each item of a list), by
    /// (record, slot).
    allowed: HashMap<(u32, u32), values::Allowed>,
    /// Case paths read, when there is no schema (for W003).
    path_uses: Vec<spelling::PathUse>,
    consts: IndexMap<String, ConstEntry<'a>>,
    lets: Vec<LetEntry<'a>>,
    let_defs: Vec<LetDef>,
    let_index: IndexMap<String, usize>,
    /// The let id holding each match.
    match_let: Vec<(u32, NodeId)>,
    collections: Vec<CollectionDef>,
    matches: Vec<MatchDef>,
    /// Declared scores by name.
    score_names: IndexMap<String, DeclaredScore>,
    binders: Vec<Binder>,
    score_access: ScoreAccess,
    /// True while lowering the top of a `let` (where `match` is allowed).
    let_top: bool,
    /// How deeply the expression being lowered nests (definitions it uses included).
    depth: usize,
    /// Constants and definitions, for "did you mean".
    name_index: NameIndex,
    /// Names that are not defined, and the definition each is one edit from (if any).
    near_definitions: HashMap<String, Option<String>>,
    /// Inside a `hypotheses` block: the kinds it declares (`hypothesis.FIELD` resolves).
    hypothesis_kinds: Option<Vec<String>>,
    /// Whether this pass reports: suggests names and looks for warnings (not the typing pass,
    /// whose diagnostics are dropped).
    reporting: bool,
}

impl<'a> Checker<'a> {
    fn new(sources: &'a SourceMap, schema: Option<&'a Schema>) -> Checker<'a> {
        let mut layout = Layout::default();
        // The case id is always read, to name cases in traces, and the format version, to
        // refuse cases newer than this engine: the first two root slots.
        let _ = layout.slot(0, &["id"]);
        let _ = layout.slot(0, &["format"]);
        Checker {
            sources,
            schema,
            diags: Vec::new(),
            nodes: Vec::new(),
            spans: Vec::new(),
            node_slot: Vec::new(),
            layout,
            record_schema: HashMap::new(),
            allowed: HashMap::new(),
            path_uses: Vec::new(),
            consts: IndexMap::new(),
            lets: Vec::new(),
            let_defs: Vec::new(),
            let_index: IndexMap::new(),
            match_let: Vec::new(),
            collections: Vec::new(),
            matches: Vec::new(),
            score_names: IndexMap::new(),
            binders: Vec::new(),
            score_access: ScoreAccess::None,
            let_top: false,
            depth: 0,
            name_index: NameIndex::default(),
            near_definitions: HashMap::new(),
            hypothesis_kinds: None,
            reporting: true,
        }
    }

    /// Checks and lowers all items.
    fn run(
        &mut self,
        items: &[&'a Item],
    ) -> (
        crate::program::Metadata,
        Vec<crate::program::ScoreDef>,
        Option<crate::program::DecisionDef>,
        crate::profile::Profile,
        Option<crate::program::HypothesesDef>,
    ) {
        self.declare(items);
        if self.reporting {
            self.build_name_index();
        }
        let meta = self.metadata(items);
        let (scores, verdict) = self.scores_and_verdict(items);
        let profile = self.profile(items, &scores);
        let hypotheses = self.hypotheses(items);
        self.lower_remaining_lets();
        // An unused definition is usually the echo of an error (a misspelt use): say it only
        // when there is nothing worse to say.
        if self.reporting && !self.diags.iter().any(Diagnostic::is_error) {
            self.warn_unused();
            self.warn_near_paths();
        }
        (meta, scores, verdict, profile, hypotheses)
    }

    /// Indexes constants and definitions for "did you mean" (only the reporting pass suggests
    /// names; the typing pass reads a misspelt name as a case path, and the reporting pass
    /// says so).
    fn build_name_index(&mut self) {
        self.name_index = NameIndex::new(
            self.consts
                .keys()
                .chain(self.let_index.keys())
                .map(String::as_str),
        );
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    /// When two items that clash are in two files: the likely cause, a second rule set or a
    /// backup copy beside the rules, since the files given (or a directory's `.cred` files)
    /// are compiled as one rule set.
    pub(super) fn two_files(&self, first: Span, second: Span) -> Option<String> {
        if first.file == second.file {
            return None;
        }
        let name = |span: Span| self.sources.file(span.file).name.clone();
        Some(format!(
            "`{}` and `{}` are compiled as one rule set (the files given, or every `.cred` file of a directory), and both define it: if one is a backup copy or another rule set, move it out of the directory or name the files to check; the first is at {}",
            name(first),
            name(second),
            self.sources.location(first)
        ))
    }

    /// Registers every const, let and score name; reports duplicates.
    fn declare(&mut self, items: &[&'a Item]) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in items {
            let (name, kind) = match item {
                Item::Const(b) => (&b.name, "constant"),
                Item::Let(b) => (&b.name, "definition"),
                Item::Score(s) => (&s.name, "score"),
                _ => continue,
            };
            if let Some(first) = seen.get(&name.name) {
                let first_at = self.sources.location(*first);
                let help = self
                    .two_files(*first, name.span)
                    .unwrap_or_else(|| format!("rename one of them; the first is at {first_at}"));
                self.error(
                    Diagnostic::new(
                        Code::Duplicate,
                        name.span,
                        format!("`{}` is defined twice", name.name),
                    )
                    .label(format!("this {kind} reuses the name"))
                    .note(*first, "first defined here")
                    .help(help),
                );
                continue;
            }
            seen.insert(name.name.clone(), name.span);
            match item {
                Item::Const(b) => {
                    self.consts.insert(
                        b.name.name.clone(),
                        ConstEntry {
                            binding: b,
                            value: None,
                            visiting: false,
                            used: false,
                        },
                    );
                }
                Item::Let(b) => {
                    self.let_index.insert(b.name.name.clone(), self.lets.len());
                    self.lets.push(LetEntry {
                        binding: b,
                        state: LetState::Pending,
                        used: false,
                    });
                }
                Item::Score(s) => {
                    let labels = s
                        .bands
                        .iter()
                        .flat_map(|b| &b.rows)
                        .flat_map(|r| {
                            std::iter::once(&r.label).chain(
                                r.defeater
                                    .as_ref()
                                    .and_then(|d| d.outcome.as_ref().map(|(label, _)| label)),
                            )
                        })
                        .filter_map(|label| label.plain().map(str::to_string))
                        .collect();
                    let declared = DeclaredScore {
                        index: self.score_names.len(),
                        labels,
                        all_labels_known: !s.bands.as_ref().is_some_and(|b| b.incomplete),
                        evidence: matches!(s.mode, crate::syntax::ast::Mode::Evidence { .. }),
                    };
                    self.score_names.insert(s.name.name.clone(), declared);
                }
                _ => {}
            }
        }
    }

    fn lower_remaining_lets(&mut self) {
        for index in 0..self.lets.len() {
            if self.lets[index].state == LetState::Pending {
                self.lower_let(index);
            }
        }
    }

    fn warn_unused(&mut self) {
        let unused: Vec<(Span, String, &str)> = self
            .consts
            .values()
            .filter(|c| !c.used)
            .map(|c| (c.binding.name.span, c.binding.name.name.clone(), "constant"))
            .chain(self.lets.iter().filter(|l| !l.used).map(|l| {
                (
                    l.binding.name.span,
                    l.binding.name.name.clone(),
                    "definition",
                )
            }))
            .collect();
        for (span, name, kind) in unused {
            self.error(
                Diagnostic::new(
                    Code::UnusedDefinition,
                    span,
                    format!("{kind} `{name}` is never used"),
                )
                .label("defined here")
                .help("use it in a criterion or remove it"),
            );
        }
    }
}

/// `a`, `b` and `c` as a quoted list.
pub(super) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
