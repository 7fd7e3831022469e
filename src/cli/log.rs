//! `credence log`: reads the decision log that `serve` writes (and `score` and `timeline` with
//! `--log`): lists decisions, shows one, replays one with its stored rules and case, and
//! exports them all as JSON Lines for a SIEM.

use std::path::PathBuf;

use crate::decisions::DecisionLog;

use super::{Exit, Out, say};

/// Where the decision log is, for every command that reads or writes it.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct LogDb {
    /// The decision log (an SQLite database; created when missing). Given before or after a
    /// `log` action.
    #[arg(
        long = "log-db",
        value_name = "PATH",
        global = true,
        default_value = "credence-decisions.db"
    )]
    pub(crate) path: PathBuf,
}

/// Options of `credence log`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    db: LogDb,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Lists the latest decisions: number, time, source, case, moment, verdict.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Shows one decision as JSON, its trace included.
    Show {
        /// Its number.
        id: i64,
    },
    /// Scores a decision's case again with its stored rules, at its moment, and compares the
    /// trace with the stored one: exit 0 when identical, 5 when not.
    Replay {
        /// Its number.
        id: i64,
    },
    /// Writes every decision as JSON Lines (one object per decision, oldest first).
    Export,
}

/// Runs `log`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    if !args.db.path.is_file() {
        say!("error: no decision log at {}", args.db.path.display());
        return Ok(Exit::Io);
    }
    let log = match DecisionLog::open(&args.db.path) {
        Ok(log) => log,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    match &args.action {
        Action::List { limit } => {
            let decisions = match log.list(*limit) {
                Ok(decisions) => decisions,
                Err(e) => {
                    say!("error: {e}");
                    return Ok(Exit::Io);
                }
            };
            for d in decisions {
                writeln!(
                    out,
                    "{:>6}  {}  {:<8}  {:<28}  {:<12}  {}{}",
                    d.id,
                    d.at,
                    d.source,
                    crate::trace::format::clean(d.case_id.as_deref().unwrap_or("(no id)")),
                    d.as_of.as_deref().unwrap_or("everything"),
                    d.verdict.as_deref().unwrap_or("(no claim yet)"),
                    match d.settled {
                        Some(true) => " (settled)",
                        Some(false) => " (open)",
                        None => "",
                    }
                )?;
            }
            Ok(Exit::Success)
        }
        Action::Show { id } => match log.get(*id) {
            Ok(Some(decision)) => {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&decision.json()).unwrap_or_default()
                )?;
                Ok(Exit::Success)
            }
            Ok(None) => {
                say!("error: the log has no decision {id}");
                Ok(Exit::Usage)
            }
            Err(e) => {
                say!("error: {e}");
                Ok(Exit::Io)
            }
        },
        Action::Replay { id } => {
            let decision = match log.get(*id) {
                Ok(Some(decision)) => decision,
                Ok(None) => {
                    say!("error: the log has no decision {id}");
                    return Ok(Exit::Usage);
                }
                Err(e) => {
                    say!("error: {e}");
                    return Ok(Exit::Io);
                }
            };
            match log.replay(&decision) {
                Ok(trace) if trace == decision.trace => {
                    writeln!(
                        out,
                        "decision {id}: replayed with rules {} {} ({}): the same trace, byte for byte",
                        decision.ruleset, decision.version, decision.rules_hash
                    )?;
                    Ok(Exit::Success)
                }
                Ok(trace) => {
                    writeln!(
                        out,
                        "decision {id}: the replayed trace differs from the stored one"
                    )?;
                    // Indented, so that the difference shows line by line.
                    let pretty = |text: &str| {
                        serde_json::from_str::<serde_json::Value>(text)
                            .and_then(|v| serde_json::to_string_pretty(&v))
                            .unwrap_or_else(|_| text.to_string())
                            + "\n"
                    };
                    let (stored, replayed) = (pretty(&decision.trace), pretty(&trace));
                    let diff = similar::TextDiff::from_lines(&stored, &replayed);
                    write!(out, "{}", diff.unified_diff().header("stored", "replayed"))?;
                    Ok(Exit::TestsFailed)
                }
                Err(e) => {
                    say!("error: decision {id}: {e}");
                    Ok(Exit::InvalidCase)
                }
            }
        }
        Action::Export => {
            let mut written = Ok(());
            let result = log.each(|decision| {
                written = writeln!(out, "{}", decision.json());
                written.as_ref().map(|_| ()).map_err(|e| e.to_string())
            });
            written?;
            match result {
                Ok(()) => Ok(Exit::Success),
                Err(e) => {
                    say!("error: {e}");
                    Ok(Exit::Io)
                }
            }
        }
    }
}
