//! `credence check`: report every problem in the rules, and what they cost to evaluate.

use std::path::PathBuf;

use crate::limits::NOMINAL_ITEMS;
use crate::program::Program;

use super::rules::{Compiled, Diagnostics, compile};
use super::{Exit, Out, RuleArgs};

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style diagnostics on standard error, a summary on standard output.
    Text,
    /// One JSON document with every diagnostic.
    Json,
}

/// Options of `credence check`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories of `.cred` files.
    #[arg(required = true)]
    rules: Vec<PathBuf>,
    /// A JSON Schema of cases: rule paths it lacks are errors.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// List the estimated cost of every criterion.
    #[arg(long)]
    costs: bool,
    #[command(flatten)]
    rule_args: RuleArgs,
}

/// Runs `check`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let diagnostics = match args.format {
        Format::Text => Diagnostics::Text,
        Format::Json => Diagnostics::Json,
    };
    let limits = args.rule_args.limits(None);
    let (compiled, found) = compile(
        &args.rules,
        args.schema.as_deref(),
        &args.rule_args,
        limits,
        diagnostics,
    );
    let exit = match &compiled {
        Compiled::Ready(_) => Exit::Success,
        Compiled::Failed(exit) => *exit,
    };
    let program = match &compiled {
        Compiled::Ready(program) => Some(program.as_ref()),
        Compiled::Failed(_) => None,
    };
    match args.format {
        Format::Json if exit != Exit::Io => {
            let mut document =
                serde_json::json!({ "ok": exit == Exit::Success, "diagnostics": found });
            if let Some(program) = program {
                document["costs"] = costs_json(program);
            }
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            )?;
        }
        Format::Text => {
            if let Some(program) = program {
                summary(out, program, args.costs)?;
            }
        }
        Format::Json => {}
    }
    Ok(exit)
}

fn summary(out: &mut Out<'_>, program: &Program, each: bool) -> std::io::Result<()> {
    let criteria: usize = program.scores.iter().map(|s| s.criteria.len()).sum();
    writeln!(
        out,
        "ok: {} {} — {} files, {} scores, {criteria} criteria",
        program.meta.id,
        program.meta.version,
        program.sources.files().len(),
        program.scores.len()
    )?;
    let total = program.costs.total;
    writeln!(
        out,
        "cost: {} steps per case with {NOMINAL_ITEMS}-item lists ({total} for n items); budget {}",
        total.nominal(),
        program.limits.max_cost
    )?;
    if each {
        for (score, costs) in program.scores.iter().zip(&program.costs.criteria) {
            for (criterion, cost) in score.criteria.iter().zip(costs) {
                writeln!(
                    out,
                    "  {:>12}  {}.{}  ({cost})",
                    cost.nominal(),
                    score.name,
                    criterion.name
                )?;
            }
        }
    }
    Ok(())
}

fn costs_json(program: &Program) -> serde_json::Value {
    let criteria: Vec<serde_json::Value> = program
        .scores
        .iter()
        .zip(&program.costs.criteria)
        .flat_map(|(score, costs)| {
            score.criteria.iter().zip(costs).map(move |(c, cost)| {
                serde_json::json!({
                    "criterion": format!("{}.{}", score.name, c.name),
                    "polynomial": cost.to_string(),
                    "nominal": cost.nominal(),
                })
            })
        })
        .collect();
    serde_json::json!({
        "nominal_items": NOMINAL_ITEMS,
        "total": program.costs.total.nominal(),
        "polynomial": program.costs.total.to_string(),
        "budget": program.limits.max_cost,
        "criteria": criteria,
    })
}
