//! `credence check`: report every problem in the rules, and what they cost to evaluate.

use std::path::{Path, PathBuf};

use crate::diagnostic::{DIAGNOSTICS_FORMAT_VERSION, DiagnosticJson, Fix, apply_patches};
use crate::files::rewrite;
use crate::limits::NOMINAL_ITEMS;
use crate::program::Program;

use super::rules::{Compiled, Diagnostics, compile, compile_quietly};
use super::{Exit, Out, RuleArgs, say};

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
    /// Apply the fixes the diagnostics are certain of (`&&` for `and`, a missing brace, unit
    /// or `%`, the W002 rewrite) to the rule files, show what changed, then report what is
    /// left; `--fix=suggested` also applies guesses such as the closest name.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "certain", value_name = "WHICH")]
    fix: Option<FixLevel>,
    #[command(flatten)]
    rule_args: RuleArgs,
}

/// Which fixes `check --fix` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FixLevel {
    /// Only fixes that are certain.
    Certain,
    /// Suggestions too (the closest name to a misspelt one, say).
    Suggested,
}

/// The document `check --format json` writes (docs/LANGUAGE.md#diagnostics).
#[derive(serde::Serialize)]
struct CheckDocument {
    format_version: u32,
    ok: bool,
    diagnostics: Vec<DiagnosticJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    costs: Option<serde_json::Value>,
}

/// Runs `check`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    if let Some(level) = args.fix
        && let Some(exit) = fix(args, level, out)?
    {
        return Ok(exit);
    }
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
        Compiled::Ready(..) => Exit::Success,
        Compiled::Failed(exit) => *exit,
    };
    let program = match &compiled {
        Compiled::Ready(program, _) => Some(program.as_ref()),
        Compiled::Failed(_) => None,
    };
    match args.format {
        Format::Json if exit != Exit::Io => {
            let document = CheckDocument {
                format_version: DIAGNOSTICS_FORMAT_VERSION,
                ok: exit == Exit::Success,
                diagnostics: found,
                costs: program.map(costs_json),
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            )?;
        }
        Format::Text => {
            if let Some(program) = program.filter(|_| !super::style().quiet || args.costs) {
                summary(out, program, args.costs)?;
            }
        }
        Format::Json => {}
    }
    Ok(exit)
}

/// Fixes may uncover problems that have fixes of their own (a misspelt name inside a block
/// whose brace was missing): the rules are checked and fixed again, this many times at most.
const FIX_ROUNDS: usize = 4;

/// Applies the diagnostics' patches to the files they concern, round after round until none
/// is left; each file is rewritten atomically. Shows the diff of each file changed (standard
/// output in text, standard error in JSON, which then has only the final report). `Some(exit)`
/// when the rules could not be read or written.
fn fix(args: &Args, level: FixLevel, out: &mut Out<'_>) -> std::io::Result<Option<Exit>> {
    let limits = args.rule_args.limits(None);
    let up_to = match level {
        FixLevel::Certain => Fix::Certain,
        FixLevel::Suggested => Fix::Suggested,
    };
    // Per file: the text before the first fix, the text after the last, and how many fixes.
    let mut fixed_files: indexmap::IndexMap<String, (String, String, usize)> =
        indexmap::IndexMap::new();
    let mut suggestions = 0;
    for _ in 0..FIX_ROUNDS {
        let outcome =
            match compile_quietly(&args.rules, args.schema.as_deref(), &args.rule_args, limits) {
                Ok(outcome) => outcome,
                // Reported by the check that follows.
                Err(_) => return Ok(None),
            };
        let (sources, diagnostics) = match &outcome {
            Ok(compiled) => (compiled.program.sources(), &compiled.warnings),
            Err(failed) => (&failed.sources, &failed.diagnostics),
        };
        suggestions = diagnostics
            .iter()
            .filter(|d| d.fix == Fix::Suggested && !d.patches.is_empty())
            .count();
        let mut changed = false;
        for (id, file) in sources.files().iter().enumerate() {
            let id = crate::source::FileId(id as u32);
            let (text, fixed) = apply_patches(&file.text, id, diagnostics, up_to);
            if fixed == 0 || text == *file.text {
                continue;
            }
            if let Err(e) = rewrite(Path::new(&file.name), text.as_bytes()) {
                say!("error: cannot write {e}");
                return Ok(Some(Exit::Io));
            }
            changed = true;
            let entry = fixed_files
                .entry(file.name.clone())
                .or_insert_with(|| (file.text.to_string(), String::new(), 0));
            entry.1 = text;
            entry.2 += fixed;
        }
        if !changed {
            break;
        }
    }
    for (file, (before, after, fixed)) in fixed_files {
        let report = format!(
            "fixed: {} ({fixed} problem{})\n{}",
            crate::trace::format::clean(&file),
            if fixed == 1 { "" } else { "s" },
            super::fmt::diff(&file, &before, &after, "fixed")
        );
        match args.format {
            Format::Text => write!(out, "{report}")?,
            // The diff is several lines: written as they are (its text is the rule files').
            Format::Json => {
                let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
            }
        }
    }
    if level == FixLevel::Certain && suggestions > 0 {
        say!(
            "note: {suggestions} suggested fix{} (the closest name, say) left as {}; `credence check --fix=suggested` applies {}",
            if suggestions == 1 { "" } else { "es" },
            if suggestions == 1 {
                "a suggestion"
            } else {
                "suggestions"
            },
            if suggestions == 1 { "it" } else { "them" }
        );
    }
    Ok(None)
}

fn summary(out: &mut Out<'_>, program: &Program, each: bool) -> std::io::Result<()> {
    let criteria: usize = program.scores.iter().map(|s| s.criteria.len()).sum();
    let hypotheses = program
        .hypotheses
        .as_ref()
        .map(|h| {
            format!(
                ", hypotheses `{}` ({} kinds, {} rows)",
                h.name,
                h.kinds.len(),
                h.criteria.len()
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "ok: {} {} — {} files, {} scores, {criteria} criteria{hypotheses}",
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
        if let (Some(h), Some(cost)) = (&program.hypotheses, program.costs.hypotheses) {
            writeln!(
                out,
                "  {:>12}  hypotheses {}  ({cost}; its {} rows for each hypothesis)",
                cost.nominal(),
                h.name,
                h.criteria.len()
            )?;
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
    let hypotheses = program
        .hypotheses
        .as_ref()
        .zip(program.costs.hypotheses)
        .map(|(h, cost)| {
            serde_json::json!({
                "block": h.name,
                "rows": h.criteria.len(),
                "polynomial": cost.to_string(),
                "nominal": cost.nominal(),
            })
        });
    serde_json::json!({
        "nominal_items": NOMINAL_ITEMS,
        "total": program.costs.total.nominal(),
        "polynomial": program.costs.total.to_string(),
        "budget": program.limits.max_cost,
        "criteria": criteria,
        "hypotheses": hypotheses,
    })
}
