//! `credence timeline`: a case judged at each moment new evidence arrived — the attack start,
//! the claim, statements, facts made public, findings — so an analyst sees the judgement at
//! claim time, a day later and after the investigation.

use std::path::PathBuf;

use crate::ScoreError;
use crate::files::read_bytes;
use crate::fixture::{Corpus, load_fixture, reads_as_fixture};
use crate::timeline::{render_json, render_text, timeline};

use super::inputs::rules_then_case;
use super::rules::program;
use super::{CaseArgs, Exit, Out, RuleArgs, say};

/// Output formats of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A table for a terminal.
    Text,
    /// Stable JSON; see docs/CASE_FORMAT.md.
    Json,
}

/// Options of `credence timeline`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories, then the case (a `.json` file).
    #[arg(required = true, value_name = "RULES... CASE")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Record the timeline in the decision log (`credence log` reads it).
    #[arg(long)]
    log: bool,
    #[command(flatten)]
    log_db: super::log::LogDb,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `timeline`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let Some((rules, case_path)) = rules_then_case(&args.inputs) else {
        say!("error: give the rule files or directories, then the case");
        return Ok(Exit::Usage);
    };
    let limits = args.rule_args.limits(Some(&args.case_args));
    let program = match program(rules, None, &args.rule_args, limits) {
        Ok(program) => program,
        Err(exit) => return Ok(exit),
    };
    // A fixture is judged on its case, as `score` does.
    let bytes = if reads_as_fixture(case_path) {
        let corpus = Corpus::new(
            &[case_path.to_path_buf()],
            &args.rule_args.allow,
            limits.case_bytes,
        );
        match load_fixture(case_path, &corpus) {
            Ok(fixture) => fixture.case,
            Err(e) => {
                say!("error: {e}");
                return Ok(Exit::InvalidCase);
            }
        }
    } else {
        match read_bytes(case_path, limits.case_bytes) {
            Ok(bytes) => bytes,
            Err(e) => {
                say!("error: cannot read {e}");
                return Ok(Exit::Io);
            }
        }
    };
    let name = case_path.display();
    let judged = match timeline(&program, &bytes) {
        Ok(timeline) if timeline.stretches.is_empty() => {
            say!(
                "error: {name}: cannot judge the case over time: it records no time to start from ({})",
                program.profile().time_paths()
            );
            return Ok(Exit::InvalidCase);
        }
        Ok(timeline) => timeline,
        Err(e) => {
            let message = match e {
                ScoreError::Case(e) => match e.path {
                    Some(path) => format!("`{path}`: {}", e.message),
                    None => e.message,
                },
                e => e.to_string(),
            };
            say!("error: {name}: cannot judge the case over time: {message}");
            return Ok(Exit::InvalidCase);
        }
    };
    let id = crate::timeline::case_id(&bytes);
    if args.log {
        let decision = crate::decisions::Decision {
            source: "timeline".into(),
            case: bytes.clone(),
            as_of: None,
            trace: render_json(id.as_deref(), &program, &judged.stretches).to_string(),
        };
        let recorded =
            crate::decisions::DecisionLog::open(&args.log_db.path).and_then(|mut log| {
                log.record(&program, &[decision], &crate::decisions::CasePolicy::Whole)
            });
        if let Err(e) = recorded {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    }
    match args.format {
        Format::Text => write!(out, "{}", render_text(id.as_deref(), &program, &judged))?,
        Format::Json => {
            let document = render_json(id.as_deref(), &program, &judged.stretches);
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            )?;
        }
    }
    Ok(Exit::Success)
}
