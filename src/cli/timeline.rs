//! `credence timeline`: a case judged at each moment new evidence arrived — the attack start,
//! the claim, statements, facts made public, findings — so an analyst sees the judgement at
//! claim time, a day later and after the investigation.

use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::as_of::{Dated, Step, When, moments};
use crate::files::read_bytes;
use crate::program::Program;
use crate::trace::{Trace, format, json as trace_json};
use crate::{Judged, ScoreError, score_case_as_of};

use super::inputs::rules_then_case;
use super::rules::program;
use super::{CaseArgs, Exit, Out, RuleArgs, say};

/// The most moments a timeline scores: beyond it, consecutive moments at which only list items
/// (posts, say) arrived are taken together, so a hostile case cannot ask for unbounded work.
const MOST_MOMENTS: usize = 200;

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

/// A stretch of time with one judgement: from the moment it was first reached to the last
/// moment before it changed.
struct Row {
    at: i64,
    /// What arrived at each moment of the stretch.
    arrived: Vec<(i64, Vec<Dated>)>,
    judgement: Judgement,
    /// The scores' values at the last moment of the stretch (they may drift within a band).
    last_values: Vec<String>,
}

/// What the rules made of the case at a moment.
enum Judgement {
    NoClaimYet,
    Scored {
        scores: Vec<ScoreAt>,
        verdict: Option<String>,
    },
}

/// One score at a moment.
struct ScoreAt {
    name: String,
    value: String,
    band: Option<String>,
    settled: bool,
}

impl Judgement {
    /// The same verdict, bands and settled-or-open, whatever the values.
    fn same_as(&self, other: &Judgement) -> bool {
        match (self, other) {
            (Judgement::NoClaimYet, Judgement::NoClaimYet) => true,
            (
                Judgement::Scored { scores, verdict },
                Judgement::Scored {
                    scores: others,
                    verdict: other_verdict,
                },
            ) => {
                verdict == other_verdict
                    && scores.len() == others.len()
                    && scores.iter().zip(others).all(|(a, b)| {
                        a.name == b.name && a.band == b.band && a.settled == b.settled
                    })
            }
            _ => false,
        }
    }

    fn values(&self) -> Vec<String> {
        match self {
            Judgement::NoClaimYet => Vec::new(),
            Judgement::Scored { scores, .. } => scores.iter().map(|s| s.value.clone()).collect(),
        }
    }
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
    let bytes = match read_bytes(case_path, limits.case_bytes) {
        Ok(bytes) => bytes,
        Err(e) => {
            say!("error: cannot read {e}");
            return Ok(Exit::Io);
        }
    };
    let name = case_path.display();
    let rows = match timeline(&program, &bytes) {
        Ok(rows) => rows,
        Err(message) => {
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

/// The case judged at the attack start and at each moment evidence arrived; consecutive
/// moments with the same judgement are merged.
fn timeline(program: &Program, bytes: &[u8]) -> Result<Vec<Row>, String> {
    let case: Json = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut steps = bounded(moments(&case).map_err(|e| e.to_string())?);
    if let Ok(start) = When::AfterStart(0).resolve(&case) {
        let began = Dated {
            path: vec![Step::Key("incident".into()), Step::Key("started_at".into())],
            known_at: start,
        };
        match steps.iter().position(|(at, _)| *at >= start) {
            Some(i) if steps[i].0 == start => steps[i].1.insert(0, began),
            Some(i) => steps.insert(i, (start, vec![began])),
            None => steps.push((start, vec![began])),
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for (at, arrived) in steps {
        let judgement = match score_case_as_of(program, bytes, When::At(at), snapshot) {
            Ok(Judged::Scored(judgement)) => judgement,
            Ok(Judged::NoClaimYet { .. }) => Judgement::NoClaimYet,
            Err(ScoreError::Case(e)) => {
                return Err(match e.path {
                    Some(path) => format!("`{path}`: {}", e.message),
                    None => e.message,
                });
            }
            Err(e) => return Err(e.to_string()),
        };
        match rows.last_mut() {
            Some(last) if last.judgement.same_as(&judgement) => {
                last.arrived.push((at, arrived));
                last.last_values = judgement.values();
            }
            _ => rows.push(Row {
                at,
                arrived: vec![(at, arrived)],
                last_values: judgement.values(),
                judgement,
            }),
        }
    }
    Ok(rows)
}

/// At most [`MOST_MOMENTS`] moments: runs of moments at which only list items arrived are
/// taken together at the last of them.
fn bounded(moments: Vec<(i64, Vec<Dated>)>) -> Vec<(i64, Vec<Dated>)> {
    if moments.len() <= MOST_MOMENTS {
        return moments;
    }
    let only_items = |arrived: &[Dated]| {
        arrived
            .iter()
            .all(|d| matches!(d.path.last(), Some(Step::Index(_))))
    };
    let run = moments.len().div_ceil(MOST_MOMENTS);
    let mut out: Vec<(i64, Vec<Dated>, usize)> = Vec::new();
    for (at, arrived) in moments {
        match out.last_mut() {
            Some((last_at, gathered, taken))
                if *taken < run && only_items(gathered) && only_items(&arrived) =>
            {
                *last_at = at;
                gathered.extend(arrived);
                *taken += 1;
            }
            _ => out.push((at, arrived, 1)),
        }
    }
    // Moments of single facts can still be many: then take equal runs of whatever arrived.
    if out.len() > MOST_MOMENTS {
        let run = out.len().div_ceil(MOST_MOMENTS);
        let mut merged: Vec<(i64, Vec<Dated>, usize)> = Vec::new();
        for (at, arrived, _) in out {
            match merged.last_mut() {
                Some((last_at, gathered, taken)) if *taken < run => {
                    *last_at = at;
                    gathered.extend(arrived);
                    *taken += 1;
                }
                _ => merged.push((at, arrived, 1)),
            }
        }
        out = merged;
    }
    out.into_iter()
        .map(|(at, arrived, _)| (at, arrived))
        .collect()
}

fn snapshot(trace: &Trace<'_>) -> Judgement {
    Judgement::Scored {
        scores: trace
            .scores()
            .map(|s| ScoreAt {
                name: s.name().to_string(),
                value: format::score_number(s.mode(), s.total()),
                band: s.band().map(|b| b.label().to_string()),
                settled: s.settled(),
            })
            .collect(),
        verdict: trace.verdict().map(|v| v.label().to_string()),
    }
}

/// What arrived at a moment, grouped: `claim`, `posts[] ×12`.
fn arrivals(arrived: &[Dated]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for d in arrived {
        let is_item = matches!(d.path.last(), Some(Step::Index(_)));
        let path = if is_item {
            d.list_text()
        } else {
            d.path_text()
        };
        match out.iter_mut().find(|(p, _)| *p == path) {
            Some((_, n)) => *n += 1,
            None => out.push((path, 1)),
        }
    }
    out
}

/// How many later arrivals of a stretch the text lists before eliding.
const SHOWN_LATER: usize = 6;

fn arrivals_text(arrived: &[Dated]) -> String {
    arrivals(arrived)
        .iter()
        .map(|(path, n)| {
            let path = if path == "incident.started_at" {
                "the attack began".into()
            } else {
                format::clean(path)
            };
            if *n == 1 {
                path.into_owned()
            } else {
                format!("{path} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(id: Option<&str>, program: &Program, rows: &[Row]) -> String {
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
            arrivals_text(first)
        ));
        match &row.judgement {
            Judgement::NoClaimYet => out.push_str("    no claim of responsibility yet\n"),
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
                    format!("{} at {}", arrivals_text(arrived), format::timestamp(*at))
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

fn document(id: Option<&str>, program: &Program, rows: &[Row]) -> Json {
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
