//! The `credence` command line: argument parsing, the exit-code contract, and one writer for
//! standard output, so that a closed pipe ends the program quietly. The binary only calls
//! [`run`].

mod calibrate;
mod check;
mod diff;
mod fmt;
mod inputs;
mod report;
mod rules;
mod score;
mod test;
mod timeline;

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::limits::Limits;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
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
    /// Standard output was closed before everything was written (`credence … | head`): the
    /// status a shell gives a program that SIGPIPE ended.
    BrokenPipe = 141,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// Writes a line to standard error, ignoring failure (there is nowhere left to report it).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
pub(crate) use say;

/// Standard output for a command. Writing returns `io::Result`; a broken pipe propagates to
/// [`run`], which exits with [`Exit::BrokenPipe`] and no message.
pub(crate) type Out<'a> = dyn Write + 'a;

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
    Check(check::Args),
    /// Scores cases and explains each result.
    Score(score::Args),
    /// Runs rule fixtures: expectations, golden traces, coverage, reports.
    Test(test::Args),
    /// Formats rule files in place (indentation and blank lines only).
    Fmt(fmt::Args),
    /// Scores cases under two rule versions and lists what changed.
    Diff(diff::Args),
    /// Scores a case at each moment new evidence arrived: the judgement over time.
    Timeline(timeline::Args),
    /// Measures agreement and calibration on labelled cases, beside baselines.
    Calibrate(calibrate::Args),
    /// Writes the HTML report of every case of a corpus, with an index page.
    Report(report::Args),
}

/// Where rules may read from, and how costly they may be (every command that compiles rules).
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct RuleArgs {
    /// Also let includes, schema headers and fixture cases read files under DIR (by default
    /// they must stay inside the directories of the files given).
    #[arg(long = "allow-path", value_name = "DIR")]
    pub(crate) allow: Vec<PathBuf>,
    /// Largest estimated cost of the rules: evaluation steps per case with 1,000-item lists.
    #[arg(long, value_name = "STEPS", default_value_t = Limits::default().max_cost)]
    pub(crate) max_cost: u64,
}

/// Limits on case data (every command that scores cases).
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CaseArgs {
    /// Most evaluation steps for one case; a case that needs more is an error for that case.
    #[arg(long, value_name = "STEPS", default_value_t = Limits::default().max_work)]
    pub(crate) max_work: u64,
    /// Largest case in MiB: a case file, a fixture file, or one line of a JSON Lines batch.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().case_bytes >> 20,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub(crate) max_case_size: u64,
}

impl RuleArgs {
    /// The limits these flags (and `cases`, when cases are scored) ask for.
    pub(crate) fn limits(&self, cases: Option<&CaseArgs>) -> Limits {
        let mut limits = Limits {
            max_cost: self.max_cost,
            ..Limits::default()
        };
        if let Some(cases) = cases {
            limits.max_work = cases.max_work;
            limits.case_bytes = cases.max_case_size << 20;
        }
        limits
    }
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
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        Command::Check(args) => check::run(&args, &mut out),
        Command::Score(args) => score::run(&args, &mut out),
        Command::Test(args) => test::run(&args, &mut out),
        Command::Fmt(args) => fmt::run(&args, &mut out),
        Command::Diff(args) => diff::run(&args, &mut out),
        Command::Timeline(args) => timeline::run(&args, &mut out),
        Command::Calibrate(args) => calibrate::run(&args, &mut out),
        Command::Report(args) => report::run(&args, &mut out),
    }
    .and_then(|exit| out.flush().map(|()| exit));
    match result {
        Ok(exit) => exit.into(),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::BrokenPipe.into(),
        Err(e) => {
            say!("error: cannot write to standard output: {e}");
            Exit::Io.into()
        }
    }
}
