//! `credence test`: run fixtures, compare golden traces, measure coverage, write reports.

use std::path::{Path, PathBuf};

use crate::files::{write_output, write_own};
use crate::fixture::coverage::Summary;
use crate::fixture::golden::{self, Comparison};
use crate::fixture::{Corpus, Failure, Outcome, Suite, is_fixture, junit, run_suite};
use crate::program::Program;

use super::inputs::classify;
use super::rules::program;
use super::{CaseArgs, Exit, Out, RuleArgs, say};
use crate::trace::format::clean;

/// A report to write: its format and where.
#[derive(Debug, Clone)]
pub(crate) struct ReportSpec {
    format: ReportFormat,
    /// `None`: standard output.
    path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportFormat {
    Json,
    Junit,
}

/// Parses `json=PATH` or `junit=PATH` (`-` for standard output) when the command line is read,
/// so a mistake is a usage error before any fixture runs.
fn report_spec(spec: &str) -> Result<ReportSpec, String> {
    let Some((format, path)) = spec.split_once('=') else {
        return Err("write `json=PATH` or `junit=PATH` (`-` for standard output)".into());
    };
    let format = match format {
        "json" => ReportFormat::Json,
        "junit" => ReportFormat::Junit,
        other => {
            return Err(format!(
                "unknown report format `{other}`: use `json` or `junit`"
            ));
        }
    };
    if path.is_empty() {
        return Err("the report needs a path (`-` for standard output)".into());
    }
    let path = (path != "-").then(|| PathBuf::from(path));
    Ok(ReportSpec { format, path })
}

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// The run as text on standard output.
    Text,
    /// The JSON report on standard output.
    Json,
}

/// A percentage from 0 to 100.
fn percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("`{text}` is not a percentage from 0 to 100"))
    }
}

/// Options of `credence test`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories, and fixture files or directories (searched recursively for
    /// fixture `.json` files).
    #[arg(required = true, value_name = "RULES... FIXTURES...")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Compare each fixture's full trace with DIR/<fixture>.trace.
    #[arg(long, value_name = "DIR")]
    pub(crate) golden: Option<PathBuf>,
    /// With --golden: rewrite the golden traces from this run.
    #[arg(long, requires = "golden")]
    pub(crate) bless: bool,
    /// With --golden: also compare the margins (distance to the next band, the range unknown
    /// evidence leaves), which any weight or threshold change moves.
    #[arg(long, requires = "golden")]
    pub(crate) golden_margins: bool,
    /// Succeed even when no fixture ran.
    #[arg(long)]
    pub(crate) allow_empty: bool,
    /// Fail when fewer than N percent of branches were taken.
    #[arg(long, value_name = "N", value_parser = percent)]
    pub(crate) min_coverage: Option<f64>,
    /// List every branch never taken and every condition never false or unknown.
    #[arg(long)]
    pub(crate) coverage: bool,
    /// Write a report: `json=PATH` or `junit=PATH`, `-` for standard output (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = report_spec)]
    pub(crate) reports: Vec<ReportSpec>,
    /// `json`: the JSON report on standard output and the run as text on standard error (the
    /// same as `--report json=-`).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `test`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let (given, missing) = super::inputs::present(&args.inputs);
    let inputs = match classify(&given, is_fixture) {
        Ok(inputs) => inputs,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    if inputs.rules.is_empty() {
        say!("error: no rule files given (pass `.cred` files or a directory of them)");
        return Ok(Exit::Usage);
    }
    let limits = args.rule_args.limits(Some(&args.case_args));
    let program = match program(&inputs.rules, None, &args.rule_args, limits) {
        Ok(program) => program,
        Err(exit) => return Ok(exit),
    };
    let corpus = Corpus::new(&inputs.roots, &args.rule_args.allow, limits.case_bytes);
    let mut suite = run_suite(&program, &inputs.files, &corpus);
    if let Some(dir) = &args.golden
        && let Err(e) = goldens(&mut suite, dir, args, &limits)
    {
        say!("error: golden traces in `{}`: {e}", dir.display());
        return Ok(Exit::Io);
    }
    let mut reports = args.reports.clone();
    if args.format == Format::Json {
        reports.push(ReportSpec {
            format: ReportFormat::Json,
            path: None,
        });
    }
    // With a report on standard output, the human-readable run goes to standard error.
    let mut stderr = std::io::stderr();
    let human: &mut Out<'_> = if reports.iter().any(|r| r.path.is_none()) {
        &mut stderr
    } else {
        out
    };
    let quiet = super::style().quiet;
    print_suite(human, &suite, &program, inputs.skipped, quiet)?;
    let summary = suite.coverage.summary();
    if !quiet {
        writeln!(
            human,
            "coverage: {} of {} criteria exercised; {} of {} branches taken ({:.1}%)",
            summary.criteria_exercised,
            summary.criteria,
            summary.branches_taken,
            summary.branches,
            summary.percent
        )?;
    }
    if args.coverage {
        for gap in suite.coverage.gaps() {
            writeln!(human, "  {gap}")?;
        }
    }
    let totals = suite.totals();
    if suite.other_rulesets > 0 && !quiet {
        writeln!(
            human,
            "{} fixture{} for other rule sets left out",
            suite.other_rulesets,
            if suite.other_rulesets == 1 { "" } else { "s" }
        )?;
    }
    let mut failed = totals.failed > 0 || totals.errors > 0;
    if suite.fixtures.is_empty() && !args.allow_empty {
        say!("error: no fixture ran (pass fixture files or directories, or --allow-empty)");
        failed = true;
    }
    if let Some(min) = args.min_coverage.filter(|min| summary.percent < *min) {
        say!(
            "error: branch coverage {:.1}% is below the minimum {min}%",
            summary.percent
        );
        failed = true;
    }
    writeln!(
        human,
        "{}test result: {}. {} passed; {} failed; {} todo; {} error{}",
        if quiet { "" } else { "\n" },
        if failed { "FAILED" } else { "ok" },
        totals.passed,
        totals.failed,
        totals.todo,
        totals.errors,
        if totals.errors == 1 { "" } else { "s" }
    )?;
    for spec in &reports {
        let contents = render_report(spec.format, &suite, &program, summary);
        match &spec.path {
            None => out.write_all(contents.as_bytes())?,
            Some(path) => {
                if let Err(e) = write_output(path, contents.as_bytes()) {
                    say!("error: cannot write the report {e}");
                    return Ok(Exit::Io);
                }
            }
        }
    }
    Ok(if missing {
        Exit::Io
    } else if failed {
        Exit::TestsFailed
    } else {
        Exit::Success
    })
}

/// Compares (or, with `bless`, rewrites) each fixture's golden trace; a difference fails the
/// fixture with the diff as its evidence.
fn goldens(
    suite: &mut Suite,
    dir: &Path,
    args: &Args,
    limits: &crate::limits::Limits,
) -> Result<(), crate::files::FileError> {
    let bless = args.bless;
    for fixture in &mut suite.fixtures {
        let Some(actual) = &fixture.golden else {
            continue;
        };
        let path = golden::golden_path(dir, &fixture.name);
        if bless {
            write_own(&path, actual.as_bytes())?;
            continue;
        }
        let failure = match golden::compare(&path, actual, limits.case_bytes, args.golden_margins) {
            Comparison::Same => continue,
            Comparison::Missing => Failure {
                subject: "golden trace".into(),
                expected: path.display().to_string(),
                actual: "no golden file (run with --bless to create it)".into(),
                value: None,
                evidence: Vec::new(),
                labels: false,
            },
            Comparison::Unreadable(problem) => Failure {
                subject: "golden trace".into(),
                expected: path.display().to_string(),
                actual: format!("an unreadable file: {problem}"),
                value: None,
                evidence: Vec::new(),
                labels: false,
            },
            Comparison::Differs(diff) => Failure {
                subject: "golden trace".into(),
                expected: path.display().to_string(),
                actual: "differs (run with --bless to accept)".into(),
                value: None,
                evidence: diff.lines().map(str::to_string).collect(),
                labels: false,
            },
        };
        match &mut fixture.outcome {
            Outcome::Pass => {
                fixture.outcome = Outcome::Fail {
                    failures: vec![failure],
                }
            }
            Outcome::Fail { failures } | Outcome::Todo { failures, .. } => failures.push(failure),
            Outcome::Error { .. } => {}
        }
    }
    if bless {
        say!(
            "blessed {} golden traces in {}",
            suite.fixtures.iter().filter(|f| f.golden.is_some()).count(),
            dir.display()
        );
    }
    Ok(())
}

fn print_suite(
    out: &mut Out<'_>,
    suite: &Suite,
    program: &Program,
    skipped: usize,
    quiet: bool,
) -> std::io::Result<()> {
    let skipped = match skipped {
        0 => String::new(),
        1 => " (1 `.json` file that is not a fixture skipped)".into(),
        n => format!(" ({n} `.json` files that are not fixtures skipped)"),
    };
    if !quiet {
        writeln!(
            out,
            "running {} fixtures against {} {}{skipped}\n",
            suite.fixtures.len(),
            program.meta.id,
            program.meta.version
        )?;
    }
    for fixture in &suite.fixtures {
        match &fixture.outcome {
            Outcome::Pass if quiet => {}
            Outcome::Pass => writeln!(out, "  ok     {}", fixture.name)?,
            Outcome::Fail { failures } => {
                writeln!(out, "  FAIL   {} ({})", fixture.name, clean(&fixture.file))?;
                print_failures(out, failures)?;
            }
            Outcome::Todo { reason, failures } => {
                if failures.is_empty() {
                    writeln!(
                        out,
                        "  todo   {}: now passes; remove its `todo` ({})",
                        fixture.name,
                        clean(reason)
                    )?;
                } else {
                    writeln!(out, "  todo   {}: {}", fixture.name, clean(reason))?;
                    print_failures(out, failures)?;
                }
            }
            Outcome::Error { message } => {
                writeln!(out, "  ERROR  {}: {}", fixture.name, clean(message))?
            }
        }
    }
    Ok(())
}

fn print_failures(out: &mut Out<'_>, failures: &[Failure]) -> std::io::Result<()> {
    for f in failures {
        writeln!(out, "         {}: {}", f.subject, clean(&f.describe()))?;
        for line in &f.evidence {
            writeln!(out, "             {}", clean(line))?;
        }
    }
    Ok(())
}

fn render_report(
    format: ReportFormat,
    suite: &Suite,
    program: &Program,
    summary: Summary,
) -> String {
    match format {
        ReportFormat::Junit => junit::render(suite, &program.meta.id),
        ReportFormat::Json => {
            let value = serde_json::json!({
                "ruleset": program.meta.id,
                "version": program.meta.version,
                "rules_hash": program.meta.content_hash,
                "totals": suite.totals(),
                "fixtures": suite.fixtures,
                "coverage": {"summary": summary, "gaps": suite.coverage.gaps(), "files": suite.coverage.files},
            });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
    }
}
