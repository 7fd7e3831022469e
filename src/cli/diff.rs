//! `credence diff`: the effect of a rule change on a corpus of cases.

use std::path::{Path, PathBuf};

use crate::fixture::{Corpus, diff};

use super::inputs::{cases_of, corpus_files};
use super::rules::{Compiled, Diagnostics, compile};
use super::{CaseArgs, Exit, Out, RuleArgs, say};

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A summary for a terminal or a pull-request comment.
    Text,
    /// Stable JSON.
    Json,
}

/// Options of `credence diff`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The old rules (file or directory).
    old: PathBuf,
    /// The new rules (file or directory).
    new: PathBuf,
    /// Fixture files, case files, `.jsonl` batches, or directories of them.
    #[arg(required = true)]
    cases: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `diff`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let limits = args.rule_args.limits(Some(&args.case_args));
    let compile_one = |rules: &Path| match compile(
        &[rules.to_path_buf()],
        None,
        &args.rule_args,
        limits,
        Diagnostics::ErrorsOnly,
    )
    .0
    {
        Compiled::Ready(program) => Ok(program),
        Compiled::Failed(exit) => Err(exit),
    };
    let (old_program, new_program) = match (compile_one(&args.old), compile_one(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return Ok(e),
    };
    let files = match corpus_files(&args.cases) {
        Ok(files) => files,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let corpus = Corpus::new(&args.cases, &args.rule_args.allow, limits.case_bytes);
    let cases = files
        .iter()
        .flat_map(|file| cases_of(file, &corpus, limits.case_bytes));
    let result = diff::diff(&old_program, &new_program, cases);
    let name = |p: &crate::program::Program, path: &Path| {
        format!("{} {} ({})", p.meta.id, p.meta.version, path.display())
    };
    match args.format {
        Format::Text => write!(
            out,
            "{}",
            diff::render_text(
                &result,
                &name(&old_program, &args.old),
                &name(&new_program, &args.new)
            )
        )?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        )?,
    }
    Ok(if result.errors.is_empty() {
        Exit::Success
    } else {
        Exit::InvalidCase
    })
}
