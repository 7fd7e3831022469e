//! `credence diff`: the effect of a rule change on a corpus of cases.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::batch::{Record, Records};
use crate::files::{open_stream, read_bytes};
use crate::fixture::diff::CorpusCase;
use crate::fixture::{Corpus, diff, is_fixture, load_fixture};

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

/// The files of the corpus: as given, directories as their `.json` and `.jsonl` files.
fn corpus_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("cannot read `{}`: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|x| x == "json" || x == "jsonl" || x == "ndjson")
                })
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// The cases of one corpus file: a fixture's case, a case file, or each line of a batch. A
/// file or line that cannot be read is one error among the cases, not the end of the run.
fn cases_of(file: &Path, corpus: &Corpus, limit: u64) -> Box<dyn Iterator<Item = CorpusCase>> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let jsonl = file
        .extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson");
    if jsonl {
        return match open_stream(file) {
            Err(e) => Box::new(std::iter::once((stem, Err(format!("cannot read {e}"))))),
            Ok(handle) => {
                let records = Records::new(BufReader::new(handle), limit as usize);
                Box::new(records.map(move |record| match record {
                    Ok(Record::Case { line, bytes }) => (format!("{stem}:{line}"), Ok(bytes)),
                    Ok(Record::TooLong { line, length }) => (
                        format!("{stem}:{line}"),
                        Err(format!("the case is {length} bytes, over the limit")),
                    ),
                    Err(e) => (stem.clone(), Err(format!("cannot read: {e}"))),
                }))
            }
        };
    }
    let case = if is_fixture(file) {
        load_fixture(file, corpus).map(|fixture| (fixture.name, fixture.case))
    } else {
        read_bytes(file, limit)
            .map(|bytes| (stem.clone(), bytes))
            .map_err(|e| format!("cannot read {e}"))
    };
    Box::new(std::iter::once(match case {
        Ok((name, bytes)) => (name, Ok(bytes)),
        Err(e) => (stem, Err(e)),
    }))
}
