//! `credence serve`: runs the engine as an HTTP service (docs/SERVICE.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::decisions::CasePolicy;
use crate::serve::{Settings, run as serve};

use super::log::LogDb;
use super::{CaseArgs, Exit, RuleArgs, say};

/// What the decision log keeps of each case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Cases {
    /// The case as received (replay needs it).
    All,
    /// No case: hashes, verdicts, scores and traces only.
    None,
}

/// Options of `credence serve`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories (a directory means all its `.cred` files).
    #[arg(required = true, value_name = "RULES")]
    rules: Vec<PathBuf>,
    /// Where to listen. The default is the loopback address only: put a reverse proxy with
    /// TLS in front to serve others (docs/SERVICE.md).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8750")]
    listen: SocketAddr,
    #[command(flatten)]
    log_db: LogDb,
    /// Do not keep a decision log.
    #[arg(long)]
    no_log: bool,
    /// What the log keeps of each case.
    #[arg(long, value_enum, default_value = "all")]
    log_cases: Cases,
    /// Keep each case with the value at PATH replaced by "(masked)" (`claim.channel`,
    /// `posts`); repeat for several. A masked case cannot be replayed.
    #[arg(long, value_name = "PATH")]
    log_mask: Vec<String>,
    /// Require `Authorization: Bearer TOKEN`, the token being this file's first line.
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Requests scored at once; more wait their turn.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Longest time a request may take, waiting included, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Largest request body, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    max_body: u64,
    /// How often the rule files are looked at for changes, in seconds (0: only on SIGHUP
    /// or `POST /v1/rules/reload`).
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    watch: u64,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `serve` until SIGTERM or Ctrl-C.
pub(crate) fn run(args: &Args) -> std::io::Result<Exit> {
    let limits = args.rule_args.limits(Some(&args.case_args));
    // Rules that do not compile stop the service before it starts, with the diagnostics and the
    // exit code `credence check` gives; reloads later keep the old rules instead.
    if let Err(exit) = super::rules::program(&args.rules, None, &args.rule_args, limits) {
        return Ok(exit);
    }
    let token = match &args.token_file {
        None => None,
        Some(path) => match crate::files::read_text(path, 4096) {
            Ok(text) => match text.lines().next().map(str::trim).filter(|t| !t.is_empty()) {
                Some(token) => Some(token.to_string()),
                None => {
                    say!("error: the token file {} is empty", path.display());
                    return Ok(Exit::Usage);
                }
            },
            Err(e) => {
                say!("error: cannot read the token file: {e}");
                return Ok(Exit::Io);
            }
        },
    };
    let cases = match (args.log_cases, args.log_mask.is_empty()) {
        (Cases::None, _) => CasePolicy::None,
        (Cases::All, true) => CasePolicy::Whole,
        (Cases::All, false) => CasePolicy::Masked(args.log_mask.clone()),
    };
    let settings = Settings {
        addr: args.listen,
        rules: args.rules.clone(),
        allow: args.rule_args.allow.clone(),
        limits,
        log: (!args.no_log).then(|| args.log_db.path.clone()),
        cases,
        token,
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs(args.timeout),
        max_body: usize::try_from(args.max_body << 20).unwrap_or(usize::MAX),
        watch: Duration::from_secs(args.watch),
    };
    match serve(settings) {
        Ok(()) => Ok(Exit::Success),
        Err(e) => {
            say!("error: {e}");
            Ok(Exit::Io)
        }
    }
}
