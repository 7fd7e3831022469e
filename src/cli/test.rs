//! `credence test`: run fixtures, compare golden traces, measure coverage, write reports.

use std::path::{Path, PathBuf};

use credence::fixture::coverage::Summary;
use credence::fixture::golden::{self, Comparison};
use credence::fixture::{Failure, Outcome, Suite, junit, run_suite};
use credence::program::Program;

use super::rules::{Compiled, compile};
use super::{Exit, Format};

/// Options of `credence test`.
#[derive(clap::Args)]
pub struct TestOptions {
    /// Rule files or directories, and fixture files or directories (`.json`).
    #[arg(required = true, value_name = "RULES... FIXTURES...")]
    pub inputs: Vec<PathBuf>,
    /// Compare each fixture's full trace with DIR/<fixture>.trace.
    #[arg(long, value_name = "DIR")]
    pub golden: Option<PathBuf>,
    /// With --golden: rewrite the golden traces from this run.
    #[arg(long, requires = "golden")]
    pub bless: bool,
    /// Succeed even when no fixture ran.
    #[arg(long)]
    pub allow_empty: bool,
    /// Fail when fewer than N percent of branches were taken.
    #[arg(long, value_name = "N")]
    pub min_coverage: Option<f64>,
    /// List every branch never taken and every condition never false or unknown.
    #[arg(long)]
    pub coverage: bool,
    /// Write a report: `json=PATH` or `junit=PATH` (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<String>,
}

/// Splits inputs into rule files/dirs and fixture files.
fn classify(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    let (mut rules, mut fixtures) = (Vec::new(), Vec::new());
    for input in inputs {
        if input.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("cannot read `{}`: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            if entries.iter().any(|p| has_extension(p, "cred")) {
                rules.push(input.clone());
            } else {
                fixtures.extend(entries.into_iter().filter(|p| has_extension(p, "json")));
            }
        } else if has_extension(input, "cred") {
            rules.push(input.clone());
        } else {
            fixtures.push(input.clone());
        }
    }
    Ok((rules, fixtures))
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}

/// Runs `test`.
pub fn run(options: &TestOptions) -> Exit {
    let (rules, fixture_paths) = match classify(&options.inputs) {
        Ok(split) => split,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    };
    if rules.is_empty() {
        eprintln!("error: no rule files given (pass `.cred` files or a directory of them)");
        return Exit::Usage;
    }
    let program = match compile(&rules, None, Format::Text).0 {
        Compiled::Ready(program) => program,
        Compiled::Failed(exit) => return exit,
    };
    let mut suite = run_suite(&program, &fixture_paths);
    if let Some(dir) = &options.golden
        && let Err(e) = goldens(&mut suite, dir, options.bless, &golden::rules_dir(&program))
    {
        eprintln!("error: golden traces in `{}`: {e}", dir.display());
        return Exit::Io;
    }
    print_suite(&suite, &program);
    let summary = suite.coverage.summary();
    println!(
        "coverage: {} of {} criteria exercised; {} of {} branches taken ({:.1}%)",
        summary.criteria_exercised,
        summary.criteria,
        summary.branches_taken,
        summary.branches,
        summary.percent
    );
    if options.coverage {
        for gap in suite.coverage.gaps() {
            println!("  {gap}");
        }
    }
    for report in &options.reports {
        if let Err(e) = write_report(report, &suite, &program, summary) {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    }
    let totals = suite.totals();
    let mut failed = totals.failed > 0 || totals.errors > 0;
    if suite.fixtures.is_empty() && !options.allow_empty {
        eprintln!("error: no fixture ran (pass fixture files or directories, or --allow-empty)");
        failed = true;
    }
    if let Some(min) = options.min_coverage.filter(|min| summary.percent < *min) {
        eprintln!(
            "error: branch coverage {:.1}% is below the minimum {min}%",
            summary.percent
        );
        failed = true;
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; {} todo; {} error{}",
        if failed { "FAILED" } else { "ok" },
        totals.passed,
        totals.failed,
        totals.todo,
        totals.errors,
        if totals.errors == 1 { "" } else { "s" }
    );
    if failed {
        Exit::TestsFailed
    } else {
        Exit::Success
    }
}

/// Compares (or, with `bless`, rewrites) each fixture's golden trace; a difference fails the
/// fixture with the diff as its evidence.
fn goldens(suite: &mut Suite, dir: &Path, bless: bool, rules_dir: &str) -> std::io::Result<()> {
    for fixture in &mut suite.fixtures {
        let Some(report) = &fixture.report else {
            continue;
        };
        let path = golden::golden_path(dir, &fixture.name);
        let actual = golden::golden_text(report, rules_dir);
        if bless {
            golden::write_atomically(&path, &actual)?;
            continue;
        }
        let failure = match golden::compare(&path, &actual) {
            Comparison::Same => continue,
            Comparison::Missing => Failure {
                subject: "golden trace".into(),
                expected: path.display().to_string(),
                actual: "no golden file (run with --bless to create it)".into(),
                evidence: Vec::new(),
            },
            Comparison::Differs(diff) => Failure {
                subject: "golden trace".into(),
                expected: path.display().to_string(),
                actual: "differs (run with --bless to accept)".into(),
                evidence: diff.lines().map(str::to_string).collect(),
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
        println!(
            "blessed {} golden traces in {}",
            suite.fixtures.iter().filter(|f| f.report.is_some()).count(),
            dir.display()
        );
    }
    Ok(())
}

fn print_suite(suite: &Suite, program: &Program) {
    println!(
        "running {} fixtures against {} {}\n",
        suite.fixtures.len(),
        program.meta.id,
        program.meta.version
    );
    for fixture in &suite.fixtures {
        match &fixture.outcome {
            Outcome::Pass => println!("  ok     {}", fixture.name),
            Outcome::Fail { failures } => {
                println!("  FAIL   {} ({})", fixture.name, fixture.file);
                print_failures(failures);
            }
            Outcome::Todo { reason, failures } => {
                if failures.is_empty() {
                    println!(
                        "  todo   {}: now passes; remove its `todo` ({reason})",
                        fixture.name
                    );
                } else {
                    println!("  todo   {}: {reason}", fixture.name);
                    print_failures(failures);
                }
            }
            Outcome::Error { message } => println!("  ERROR  {}: {message}", fixture.name),
        }
    }
}

fn print_failures(failures: &[Failure]) {
    for f in failures {
        println!(
            "         {}: expected {}, got {}",
            f.subject, f.expected, f.actual
        );
        for line in &f.evidence {
            println!("             {line}");
        }
    }
}

fn write_report(
    spec: &str,
    suite: &Suite,
    program: &Program,
    summary: Summary,
) -> Result<(), String> {
    let Some((format, path)) = spec.split_once('=') else {
        return Err(format!(
            "`--report {spec}`: write `json=PATH` or `junit=PATH`"
        ));
    };
    let contents = match format {
        "junit" => junit::render(suite, &program.meta.id),
        "json" => {
            let value = serde_json::json!({
                "ruleset": program.meta.id,
                "version": program.meta.version,
                "rules_hash": program.meta.content_hash,
                "totals": suite.totals(),
                "fixtures": suite.fixtures,
                "coverage": {"summary": summary, "gaps": suite.coverage.gaps(), "files": suite.coverage.files},
            });
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n"
        }
        other => {
            return Err(format!(
                "unknown report format `{other}`: use `json` or `junit`"
            ));
        }
    };
    golden::write_atomically(Path::new(path), &contents)
        .map_err(|e| format!("cannot write `{path}`: {e}"))
}
