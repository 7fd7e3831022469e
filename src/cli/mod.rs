//! The `credence` command line: argument parsing, the exit-code contract, and one writer for
//! standard output, so that a closed pipe ends the program quietly. The binary only calls
//! [`run`].

mod cache;
mod calibrate;
mod check;
mod diff;
mod fmt;
mod inputs;
mod log;
mod report;
mod rules;
mod score;
mod serve;
mod test;
mod timeline;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Parser, Subcommand};

use crate::limits::Limits;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Everything worked.
    Success = 0,
    /// The rules have errors (`lsp`: the client ended the session without `shutdown`).
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
/// Writes one line to standard error. Control characters in it (a newline in a file name, an
/// escape sequence in a case id) are shown escaped, so that input can never forge a line of
/// output (`verdict changed: …`) or drive the terminal.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}",
            $crate::trace::format::clean(&line)
        );
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
    about = "Judges claims with explained, testable rules"
)]
struct Cli {
    /// When to color diagnostics: `auto` colors a terminal unless NO_COLOR is set (or forces
    /// color when CLICOLOR_FORCE is), `always`, `never`.
    #[arg(long, value_enum, global = true, default_value = "auto")]
    color: Color,
    /// Print only errors and results: no warnings, summaries, progress or `ok` lines.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    /// Color a terminal, following NO_COLOR and CLICOLOR_FORCE.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// How the command line presents what it prints, set once from the global options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    color: Color,
    /// `--quiet`.
    pub(crate) quiet: bool,
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// The presentation options of this run (defaults before they are parsed).
pub(crate) fn style() -> Style {
    STYLE.get().copied().unwrap_or(Style {
        color: Color::Auto,
        quiet: false,
    })
}

impl Style {
    /// Whether to color what goes to standard error: `--color`, then NO_COLOR (any non-empty
    /// value turns color off), then CLICOLOR_FORCE (any value but `0` turns it on), then
    /// whether standard error is a terminal (https://no-color.org, https://bixense.com/clicolors).
    pub(crate) fn color_stderr(self) -> bool {
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto if set("NO_COLOR").is_some() => false,
            Color::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            Color::Auto => std::io::stderr().is_terminal(),
        }
    }
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
    /// Runs the engine as an HTTP service, with a decision log.
    Serve(serve::Args),
    /// Reads the decision log: lists, shows, replays and exports decisions.
    Log(log::Args),
    /// Serves the language server protocol on standard input and output (for editors).
    Lsp,
    /// Prints a shell's completion script: `credence completions bash > …`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
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
    /// Keep compiled rules in DIR and reuse them while the rule files are unchanged (commands
    /// that score; `check` always compiles). By default the user's cache directory,
    /// `$XDG_CACHE_HOME/credence` or `~/.cache/credence`; `off` keeps nothing.
    #[arg(long, value_name = "DIR", env = "CREDENCE_CACHE")]
    pub(crate) cache: Option<PathBuf>,
    /// Compile the rules without reading or keeping a compiled copy.
    #[arg(long)]
    pub(crate) no_cache: bool,
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

/// `credence lsp`: exits 0 after `shutdown` then `exit`, 1 when the client ended the session
/// otherwise (the codes the protocol asks for), 4 when the stream broke.
fn language_server() -> std::io::Result<Exit> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    match crate::lsp::serve(&mut stdin.lock(), &mut stdout.lock()) {
        Ok(true) => Ok(Exit::Success),
        Ok(false) => Ok(Exit::InvalidRules),
        Err(e) => {
            say!("error: the language server stopped: {e}");
            Ok(Exit::Io)
        }
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
    let _ = STYLE.set(Style {
        color: cli.color,
        quiet: cli.quiet,
    });
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
        Command::Serve(args) => serve::run(&args),
        Command::Log(args) => log::run(&args, &mut out),
        Command::Lsp => language_server(),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Written to memory first: the generator panics on a write error, and standard
            // output may be a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "credence", &mut script);
            out.write_all(&script).map(|()| Exit::Success)
        }
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
