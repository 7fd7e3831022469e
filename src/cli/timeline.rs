//! `credence timeline`: a case judged at each moment new evidence arrived — the attack start,
//! the claim, statements, facts made public, findings — so an analyst sees the judgement at
//! claim time, a day later and after the investigation.

use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::ScoreError;
use crate::files::read_bytes;
use crate::fixture::{Corpus, load_fixture, reads_as_fixture};
use crate::program::Program;
use crate::timeline::{Judgement, Stretch, arrivals, arrivals_text, timeline};
use crate::trace::{format, json as trace_json};

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
    let rows = match timeline(&program, &bytes) {
        Ok(timeline) if timeline.stretches.is_empty() => {
            say!(
                "error: {name}: cannot judge the case over time: it records no time to start from ({})",
                program.profile().time_paths()
            );
            return Ok(Exit::InvalidCase);
        }
        Ok(timeline) => timeline.stretches,
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
    let id = serde_json::from_slice::<Json>(&bytes)
        .ok()
        .and_then(|v| v.get("id").and_then(Json::as_str).map(str::to_string));
    match args.format {
        Format::Text => write!(out, "{}", text(id.as_deref(), &program, &rows))?,
        Format::Json => {
            let document = document(id.as_deref(), &program, &rows);
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            )?;
        }
    }
    Ok(Exit::Success)
}

/// How many later arrivals of a stretch the text lists before eliding.
const SHOWN_LATER: usize = 6;

fn text(id: Option<&str>, program: &Program, rows: &[Stretch]) -> String {
    let meta = program.meta();
    let mut out = format!(
        "Case {}: the judgement over time (rules {} {})\n\n",
        format::clean(id.unwrap_or("(no id)")),
        meta.id,
        meta.version
    );
    for row in rows {
        let (first, later) = row
            .arrived
            .split_first()
            .map_or((&[][..], &[][..]), |(f, l)| (&f.1[..], l));
        out.push_str(&format!(
            "{}  {}\n",
            format::timestamp(row.at),
            arrivals_text(first, &program.profile)
        ));
        match &row.judgement {
            Judgement::NoClaimYet => {
                out.push_str(&format!("    {}\n", program.profile.nothing_yet()))
            }
            Judgement::Scored { scores, verdict } => {
                for (score, last) in scores.iter().zip(&row.last_values) {
                    let band = score
                        .band
                        .as_deref()
                        .map(|b| format!(", band {b}"))
                        .unwrap_or_default();
                    let state = if score.settled { "settled" } else { "open" };
                    let value = if *last == score.value {
                        score.value.clone()
                    } else {
                        format!("{} → {last}", score.value)
                    };
                    out.push_str(&format!("    {} {value}{band} ({state})\n", score.name));
                }
                if let Some(verdict) = verdict {
                    out.push_str(&format!("    verdict: {verdict}\n"));
                }
            }
        }
        if !later.is_empty() {
            let mut listed: Vec<String> = later
                .iter()
                .take(SHOWN_LATER)
                .map(|(at, arrived)| {
                    format!(
                        "{} at {}",
                        arrivals_text(arrived, &program.profile),
                        format::timestamp(*at)
                    )
                })
                .collect();
            if later.len() > SHOWN_LATER {
                listed.push(format!("{} more moments", later.len() - SHOWN_LATER));
            }
            out.push_str(&format!(
                "    then, with no change: {}\n",
                listed.join("; ")
            ));
        }
    }
    out
}

fn document(id: Option<&str>, program: &Program, rows: &[Stretch]) -> Json {
    let meta = program.meta();
    json!({
        "format_version": trace_json::FORMAT_VERSION,
        "case": id,
        "rules": {"ruleset": meta.id, "version": meta.version, "rules_hash": meta.content_hash},
        "moments": rows.iter().map(|row| {
            let arrived: Vec<Json> = row.arrived.iter().flat_map(|(at, arrived)| {
                arrivals(arrived).into_iter().map(move |(path, count)| {
                    json!({"at": format::timestamp(*at), "path": path, "count": count})
                })
            }).collect();
            let judgement = match &row.judgement {
                Judgement::NoClaimYet => json!({"claim_known": false}),
                Judgement::Scored { scores, verdict } => json!({
                    "claim_known": true,
                    "scores": scores.iter().zip(&row.last_values).map(|(s, last)| json!({
                        "name": s.name,
                        "value": s.value,
                        "value_at_end": last,
                        "band": s.band,
                        "settled": s.settled,
                    })).collect::<Vec<_>>(),
                    "verdict": verdict,
                }),
            };
            json!({"at": format::timestamp(row.at), "arrived": arrived, "judgement": judgement})
        }).collect::<Vec<_>>(),
    })
}
