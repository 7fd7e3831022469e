//! Compiling rule files for a command: directories expanded, diagnostics printed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::{self, CompileError, Disk, Options, is_rule_file};
use crate::diagnostic::{Diagnostic, DiagnosticJson};
use crate::files::read_text;
use crate::limits::Limits;
use crate::program::Program;
use crate::schema::Schema;
use crate::source::SourceMap;

use super::cache::{Entry, Place};
use super::{Exit, RuleArgs, say};

/// Rule files named on the command line: files as given, directories as their `.cred` files.
pub(crate) fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let files = check::rule_files_in(path).map_err(|e| format!("cannot read {e}"))?;
            if files.is_empty() {
                return Err(format!("`{}` has no `.cred` files", path.display()));
            }
            out.extend(files);
        } else if is_rule_file(path) {
            out.push(path.clone());
        } else {
            return Err(format!(
                "`{}` is not a rule file (rule files end in `.cred`)",
                path.display()
            ));
        }
    }
    Ok(out)
}

/// Reads a JSON Schema file named on the command line.
pub(crate) fn read_schema(path: &Path, limits: &Limits) -> Result<Schema, String> {
    let text = read_text(path, limits.rule_file_bytes)
        .map_err(|e| format!("cannot read the schema {e}"))?;
    Schema::parse(&text).map_err(|e| format!("invalid schema `{}`: {e}", path.display()))
}

/// Diagnostics as text on standard error, or as JSON values for the caller to print.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Diagnostics {
    /// Rendered rustc-style on standard error.
    Text,
    /// Errors rendered on standard error, warnings counted in one line (for commands that use
    /// the rules rather than check them).
    ErrorsOnly,
    /// Returned as JSON.
    Json,
}

/// The outcome of compiling for a command.
pub(crate) enum Compiled {
    /// Ready (warnings already printed), and whether there were any.
    Ready(Box<Program>, bool),
    /// Errors were printed; exit with this code.
    Failed(Exit),
}

/// Compiles rules with the command's limits, printing diagnostics to standard error (text) or
/// returning them (json).
pub(crate) fn compile(
    rules: &[PathBuf],
    schema: Option<&Path>,
    args: &RuleArgs,
    limits: Limits,
    diagnostics: Diagnostics,
) -> (Compiled, Vec<DiagnosticJson>) {
    match compile_quietly(rules, schema, args, limits) {
        Err((message, exit)) => {
            say!("error: {message}");
            (Compiled::Failed(exit), Vec::new())
        }
        Ok(Ok(compiled)) => {
            let json = report(&compiled.program.sources, &compiled.warnings, diagnostics);
            let warned = !compiled.warnings.is_empty();
            (Compiled::Ready(Box::new(compiled.program), warned), json)
        }
        Ok(Err(failed)) => {
            let json = report(&failed.sources, &failed.diagnostics, diagnostics);
            (Compiled::Failed(Exit::InvalidRules), json)
        }
    }
}

/// Compiles rules for a command that scores with them: errors printed, warnings summed up in
/// one line. The program, or the exit code its errors call for.
pub(crate) fn program(
    rules: &[PathBuf],
    schema: Option<&Path>,
    args: &RuleArgs,
    limits: Limits,
) -> Result<Box<Program>, Exit> {
    let entry = match Place::of(args.cache.as_deref(), args.no_cache) {
        Some(place) => expand(rules).ok().and_then(|files| {
            Entry::of(place, &files, schema, &args.allow, &limits).zip(Some(files))
        }),
        None => None,
    };
    if let Some(program) = entry.as_ref().and_then(|(entry, _)| entry.load()) {
        return Ok(Box::new(program));
    }
    match compile(rules, schema, args, limits, Diagnostics::ErrorsOnly).0 {
        Compiled::Ready(program, warned) => {
            if let (Some((entry, files)), false) = (&entry, warned) {
                entry.store(&program, files);
            }
            Ok(program)
        }
        Compiled::Failed(exit) => Err(exit),
    }
}

/// Compiles rules printing nothing: the program or the diagnostics, or why the rules could
/// not be read at all (a message and the exit code).
pub(crate) fn compile_quietly(
    rules: &[PathBuf],
    schema: Option<&Path>,
    args: &RuleArgs,
    limits: Limits,
) -> Result<Result<check::Compiled, check::Failed>, (String, Exit)> {
    let files = expand(rules).map_err(|e| (e, Exit::Io))?;
    let schema = schema
        .map(|s| read_schema(s, &limits))
        .transpose()
        .map_err(|e| (e, Exit::Io))?;
    let disk = Disk::new(&files, &args.allow, limits.rule_file_bytes);
    let options = Options { schema, limits };
    match check::compile(&files, &disk, &options) {
        Err(CompileError::Read(e)) => Err((format!("cannot read {e}"), Exit::Io)),
        Ok(compiled) => Ok(Ok(compiled)),
        Err(CompileError::Invalid(failed)) => Ok(Err(failed)),
    }
}

/// Prints diagnostics (text) or converts them (json), with a summary line in text mode.
fn report(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    format: Diagnostics,
) -> Vec<DiagnosticJson> {
    if format == Diagnostics::Json {
        return diagnostics.iter().map(|d| d.json(sources)).collect();
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let quiet = super::style().quiet;
    if format == Diagnostics::ErrorsOnly && errors == 0 {
        if warnings > 0 && !quiet {
            let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            say!(
                "warning: the rules have {} ({}); `credence check` shows them",
                plural(warnings, "warning"),
                codes.join(", ")
            );
        }
        return Vec::new();
    }
    let color = super::style().color_stderr();
    for d in diagnostics.iter().filter(|d| d.is_error() || !quiet) {
        let _ = std::io::stderr()
            .lock()
            .write_all(d.render(sources, color).as_bytes());
    }
    if errors > 0 || (warnings > 0 && !quiet) {
        say!("{}", summary(errors, warnings));
    }
    Vec::new()
}

/// "2 errors, 1 warning".
pub(crate) fn summary(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// "1 warning", "2 warnings".
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `--hypotheses` asks for the rule set's `hypotheses` block: a usage error (said here) when it
/// declares none.
pub(super) fn require_hypotheses(program: &Program) -> Result<(), Exit> {
    if program.hypotheses.is_some() {
        return Ok(());
    }
    say!("error: {}", crate::trace::hypotheses::undeclared(program));
    Err(Exit::Usage)
}
