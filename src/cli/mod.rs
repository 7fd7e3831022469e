//! The `credence` command line: argument parsing and the exit-code contract.

mod check;
mod diff;
mod fmt;
mod rules;
mod score;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// The rules have errors.
    InvalidRules = 1,
    /// Bad command line (clap's own code).
    Usage = 2,
    /// At least one case could not be scored (the others were).
    InvalidCase = 3,
    /// A file could not be read or written.
    Io = 4,
    /// Fixture expectations or golden traces failed, a fixture was broken, no fixture ran,
    /// coverage was below the minimum, or (`fmt --check`) a file is not formatted.
    TestsFailed = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// Stable JSON (JSON Lines for batches).
    Json,
    /// A Markdown report for reviewers (`score` only).
    Markdown,
}

#[derive(Parser)]
#[command(
    name = "credence",
    version,
    about = "Scores claims of responsibility with explained, testable rules"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks rule files and reports every error.
    Check {
        /// Rule files or directories of `.cred` files.
        #[arg(required = true)]
        rules: Vec<PathBuf>,
        /// A JSON Schema of cases: rule paths it lacks are errors.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Scores cases and explains each result.
    Score {
        /// Rule files or directories, then the case: a `.json` file, a `.jsonl` file, or `-` for stdin.
        #[arg(required = true, num_args = 2.., value_name = "RULES... CASE")]
        inputs: Vec<PathBuf>,
        /// A JSON Schema to check rule paths and validate each case against.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Runs rule fixtures: expectations, golden traces, coverage, reports.
    Test(test::TestOptions),
    /// Formats rule files in place (indentation and blank lines only).
    Fmt {
        /// Rule files or directories of `.cred` files.
        #[arg(required = true)]
        rules: Vec<PathBuf>,
        /// Change nothing; list the files that are not formatted and fail if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Scores cases under two rule versions and lists what changed.
    Diff {
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
    },
}

/// Runs the command line.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    let exit = match cli.command {
        Command::Check {
            rules,
            schema,
            format,
        } => check::run(&rules, schema.as_deref(), format),
        Command::Score {
            mut inputs,
            schema,
            format,
        } => {
            let case = inputs.pop().unwrap_or_default();
            score::run(&inputs, &case, schema.as_deref(), format)
        }
        Command::Test(options) => test::run(&options),
        Command::Fmt { rules, check } => fmt::run(&rules, check),
        Command::Diff {
            old,
            new,
            cases,
            format,
        } => diff::run(&old, &new, &cases, format),
    };
    exit.into()
}
