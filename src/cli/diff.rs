//! `credence diff`: the effect of a rule change on a corpus of cases.

use std::path::{Path, PathBuf};

use crate::fixture::diff::ChangeLevel;
use crate::fixture::{Corpus, diff};

use super::inputs::{cases_of, corpus_files};
use super::rules::program;
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
    /// A JSON Schema of cases for both versions, instead of the one their headers declare (for
    /// a copy of the rules without its schema).
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Exit 5 when something changed: a verdict (the default), a verdict or a band (`band`), or
    /// anything at all (`score`).
    #[arg(long, value_enum, value_name = "LEVEL", num_args = 0..=1,
          default_missing_value = "verdict", require_equals = true)]
    fail_on_change: Option<ChangeLevel>,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `diff`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let (cases, missing) = super::inputs::present(&args.cases);
    let limits = args.rule_args.limits(Some(&args.case_args));
    let compile_one = |rules: &Path| {
        program(
            &[rules.to_path_buf()],
            args.schema.as_deref(),
            &args.rule_args,
            limits,
        )
    };
    let (old_program, new_program) = match (compile_one(&args.old), compile_one(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return Ok(e),
    };
    let files = match corpus_files(&cases) {
        Ok(files) => files,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let corpus = Corpus::new(&cases, &args.rule_args.allow, limits.case_bytes);
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
    Ok(match args.fail_on_change {
        _ if missing => Exit::Io,
        _ if !result.errors.is_empty() => Exit::InvalidCase,
        Some(level) if result.changed(level) => {
            let what = match level {
                ChangeLevel::Verdict => "a verdict",
                ChangeLevel::Band => "a verdict or a band",
                ChangeLevel::Score => "a result",
            };
            say!("{what} changed (--fail-on-change)");
            Exit::TestsFailed
        }
        _ => Exit::Success,
    })
}
