//! Compiling rule files for a command: directories expanded, diagnostics printed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use credence::check::{self, Disk, Options};
use credence::diagnostic::Diagnostic;
use credence::program::Program;
use credence::schema::Schema;
use credence::source::SourceMap;

use super::{Exit, Format};

/// Rule files named on the command line: files as given, directories as their `.cred` files.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "cred"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(format!("`{}` has no `.cred` files", path.display()));
            }
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Reads a JSON Schema file.
pub fn read_schema(path: &Path) -> Result<Schema, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read schema `{}`: {e}", path.display()))?;
    Schema::parse(&text).map_err(|e| format!("invalid schema `{}`: {e}", path.display()))
}

/// The outcome of compiling for a command.
pub enum Compiled {
    /// Ready (warnings already printed).
    Ready(Box<Program>),
    /// Errors were printed; exit with this code.
    Failed(Exit),
}

/// Compiles rules, printing diagnostics to stderr (text) or returning them (json).
pub fn compile(
    rules: &[PathBuf],
    schema: Option<&Path>,
    format: Format,
) -> (Compiled, Vec<serde_json::Value>) {
    let fail = |message: String, exit: Exit| {
        eprintln!("error: {message}");
        (Compiled::Failed(exit), Vec::new())
    };
    let files = match expand(rules) {
        Ok(files) => files,
        Err(e) => return fail(e, Exit::Io),
    };
    let schema = match schema.map(read_schema).transpose() {
        Ok(s) => s,
        Err(e) => return fail(e, Exit::Io),
    };
    let options = Options { schema };
    match check::compile(&files, &Disk, &options) {
        Err(e) => fail(e.to_string(), Exit::Io),
        Ok(Ok(compiled)) => {
            let json = report(&compiled.program.sources, &compiled.warnings, format);
            (Compiled::Ready(Box::new(compiled.program)), json)
        }
        Ok(Err(failed)) => {
            let json = report(&failed.sources, &failed.diagnostics, format);
            (Compiled::Failed(Exit::InvalidRules), json)
        }
    }
}

/// Prints diagnostics (text) or converts them (json), with a summary line in text mode.
fn report(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    format: Format,
) -> Vec<serde_json::Value> {
    if format == Format::Json {
        return diagnostics.iter().map(|d| d.to_json(sources)).collect();
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diagnostics {
        eprint!("{}", d.render(sources, color));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if !diagnostics.is_empty() {
        eprintln!("{}", summary(errors, warnings));
    }
    Vec::new()
}

/// "2 errors, 1 warning".
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
