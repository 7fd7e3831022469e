//! `credence calibrate`: scores a labelled corpus on full evidence and as of a time after each
//! claim, and reports how often the rules reach the labelled verdict, how well their
//! probability is calibrated, where they miss and why, beside simple baselines.

mod report;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::Judged as AsOfJudged;
use crate::as_of::When;
use crate::calibrate::{CONFIDENCES, Judged};
use crate::files::{read_bytes, write_output};
use crate::program::Program;
use crate::trace::{Trace, format};
use crate::{Disk, Options, compile, score_case};

use super::inputs::classify;
use super::rules::program;
use super::{CaseArgs, Exit, Out, RuleArgs, say};
use report::Report;

/// Output formats of `calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Tables for a terminal.
    Text,
    /// Stable JSON with the same figures; see docs/CALIBRATION.md.
    Json,
}

/// Options of `credence calibrate`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories, then labelled cases: `.json` files or directories searched
    /// recursively for cases with a `label`.
    #[arg(required = true, value_name = "RULES... CORPUS...")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// The early view: judge each case also as of this long after its claim (`24h`, `2d`).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = duration)]
    as_of_claim: Duration,
    /// Fail (exit 5) below this agreement, in percent: `binary=90`, `five-way=75`,
    /// `binary@as-of=80`, `five-way@as-of=60`. Repeat for several.
    #[arg(long, value_name = "KIND=PERCENT", value_parser = threshold)]
    min_agreement: Vec<Threshold>,
    /// Fail (exit 5) when more than N verdicts the rules called settled differ from the label,
    /// in either view (0: a settled verdict is never wrong).
    #[arg(long, value_name = "N")]
    max_settled_wrong: Option<usize>,
    /// Also report agreement in K folds of the corpus (the rules are not refitted): how much
    /// the figures vary, and so how much rests on a few cases.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=100))]
    folds: Option<u16>,
    /// Also write a reliability diagram (predicted probability against observed share
    /// credible) as an SVG file.
    #[arg(long, value_name = "PATH")]
    svg: Option<PathBuf>,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// A duration as written and in milliseconds.
#[derive(Debug, Clone)]
pub(crate) struct Duration {
    text: String,
    ms: i64,
}

fn duration(text: &str) -> Result<Duration, String> {
    crate::time::parse_duration(text).map(|ms| Duration {
        text: text.to_string(),
        ms,
    })
}

/// Which agreement a threshold applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Question {
    Binary,
    FiveWay,
}

/// `--min-agreement KIND=PERCENT`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Threshold {
    question: Question,
    as_of: bool,
    percent: f64,
}

impl Threshold {
    fn name(self) -> String {
        let q = match self.question {
            Question::Binary => "binary",
            Question::FiveWay => "five-way",
        };
        if self.as_of {
            format!("{q}@as-of")
        } else {
            q.to_string()
        }
    }
}

fn threshold(text: &str) -> Result<Threshold, String> {
    let (kind, value) = text
        .split_once('=')
        .ok_or("write KIND=PERCENT, such as `binary=90`")?;
    let (question, as_of) = match kind {
        "binary" => (Question::Binary, false),
        "five-way" => (Question::FiveWay, false),
        "binary@as-of" => (Question::Binary, true),
        "five-way@as-of" => (Question::FiveWay, true),
        other => {
            return Err(format!(
                "`{other}` is not an agreement: use binary, five-way, binary@as-of or five-way@as-of"
            ));
        }
    };
    let percent: f64 = value
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{value}` is not a percentage"))?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(format!("`{value}` is not between 0 and 100"));
    }
    // A fraction where a percentage is meant would make a floor that nothing fails.
    if percent > 0.0 && percent <= 1.0 && !value.ends_with('%') {
        return Err(format!(
            "`{value}` reads as {value} percent: floors are percentages; write `{kind}={}` for {}, or `{kind}={value}%` if you mean {value} percent",
            percent * 100.0,
            crate::trace::format::percent(percent)
        ));
    }
    Ok(Threshold {
        question,
        as_of,
        percent,
    })
}

/// A labelled case and what each rule set made of it.
struct Case {
    id: String,
    path: PathBuf,
    link: String,
    confidence: String,
    full: Verdict,
    as_of: Option<Verdict>,
    /// Per baseline: full evidence, as of.
    baselines: Vec<(Judged, Option<Judged>)>,
}

/// The rules' verdict on a case, and the criteria that decided it.
struct Verdict {
    judged: Judged,
    decided_by: Vec<String>,
}

/// A case that could not be judged.
struct Problem {
    path: PathBuf,
    message: String,
}

/// True for a `.json` file holding a case with a `label` (a fixture, which has a `case`, is
/// not one).
fn is_labelled(path: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        label: Option<serde::de::IgnoredAny>,
        case: Option<serde::de::IgnoredAny>,
    }
    let Ok(file) = crate::files::open_stream(path) else {
        return false;
    };
    serde_json::from_reader::<_, Probe>(std::io::BufReader::new(file))
        .is_ok_and(|p| p.label.is_some() && p.case.is_none())
}

/// Runs `calibrate`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let (given, missing) = super::inputs::present(&args.inputs);
    let inputs = match classify(&given, is_labelled) {
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
    if inputs.files.is_empty() {
        say!("error: no labelled cases found (cases with a `label`; see docs/CASE_FORMAT.md)");
        return Ok(if missing { Exit::Io } else { Exit::TestsFailed });
    }
    let limits = args.rule_args.limits(Some(&args.case_args));
    let program = match program(&inputs.rules, None, &args.rule_args, limits) {
        Ok(program) => program,
        Err(exit) => return Ok(exit),
    };
    let files = super::inputs::for_ruleset(inputs.files, &given, &program.meta().id);
    if files.is_empty() {
        say!("error: no labelled cases for this rule set found");
        return Ok(Exit::TestsFailed);
    }
    let profile = program.profile();
    if let Err(e) = profile.provides(&crate::CALIBRATION_NEEDS) {
        say!("error: {e}");
        return Ok(Exit::Usage);
    }
    let mut baselines: Vec<Program> = Vec::new();
    for baseline in profile.baselines() {
        match compile_baseline(&baseline.path, &inputs.rules, &args.rule_args, limits) {
            Ok(compiled) => baselines.push(compiled),
            Err(message) => {
                say!(
                    "error: the baseline `{}` ({}): {message}",
                    baseline.name,
                    baseline.path.display()
                );
                return Ok(Exit::InvalidRules);
            }
        }
    }
    let mut cases: Vec<Case> = Vec::new();
    let mut problems = Vec::new();
    for path in &files {
        match judge(args, &program, &baselines, path, limits.case_bytes) {
            // A case counts once: a second file with its id is an error, not a second vote.
            Ok(case) => match cases.iter().find(|c| c.id == case.id) {
                Some(first) => problems.push(Problem {
                    path: path.clone(),
                    message: format!(
                        "the case id `{}` is already `{}`'s{}; a case counts once",
                        case.id,
                        first.path.display(),
                        if first.link == case.link {
                            String::new()
                        } else {
                            format!(", with another label ({}, not {})", first.link, case.link)
                        }
                    ),
                }),
                None => cases.push(case),
            },
            Err(message) => problems.push(Problem {
                path: path.clone(),
                message,
            }),
        }
    }
    let report = Report::new(args, &program, cases, problems);
    match args.format {
        Format::Text => write!(out, "{}", report.text())?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report.json()).unwrap_or_default()
        )?,
    }
    if let Some(path) = &args.svg
        && let Err(e) = write_output(path, report.svg().as_bytes())
    {
        say!("error: cannot write {e}");
        return Ok(Exit::Io);
    }
    for p in &report.problems {
        say!(
            "error: {}: cannot calibrate on this case: {}",
            p.path.display(),
            p.message
        );
    }
    let failed = report.failed_thresholds();
    for (threshold, got) in &failed {
        say!(
            "calibration below the minimum: {} agreement {} < {}%",
            threshold.name(),
            format::percent(*got),
            format::number(threshold.percent)
        );
    }
    let too_many_wrong = report.settled_wrong_over(args.max_settled_wrong);
    for (view, wrong) in &too_many_wrong {
        let verdicts = if *wrong == 1 {
            "settled verdict is"
        } else {
            "settled verdicts are"
        };
        say!(
            "calibration: {wrong} {verdicts} wrong {view}, more than the maximum {}",
            args.max_settled_wrong.unwrap_or(0)
        );
    }
    Ok(if missing {
        Exit::Io
    } else if !report.problems.is_empty() {
        Exit::InvalidCase
    } else if !failed.is_empty() || !too_many_wrong.is_empty() {
        Exit::TestsFailed
    } else {
        Exit::Success
    })
}

/// Compiles a baseline the profile names: a rule file of its own, read as an included file is
/// (inside the rule directories given, or `--allow-path`).
fn compile_baseline(
    path: &Path,
    rules: &[PathBuf],
    rule_args: &RuleArgs,
    limits: crate::Limits,
) -> Result<Program, String> {
    let disk = Disk::new(rules, &rule_args.allow, limits.rule_file_bytes);
    crate::FileSource::read(&disk, path, true).map_err(|e| e.to_string())?;
    let files = [path.to_path_buf()];
    let options = Options {
        limits,
        ..Options::default()
    };
    compile(&files, &disk, &options)
        .map(|compiled| compiled.program)
        .map_err(|e| e.to_string())
}

/// Scores one labelled case (label removed, so rules cannot read it) with the rules and the
/// baselines, on full evidence and as of the chosen time after its claim.
fn judge(
    args: &Args,
    program: &Program,
    baselines: &[Program],
    path: &Path,
    limit: u64,
) -> Result<Case, String> {
    let bytes = read_bytes(path, limit).map_err(|e| format!("cannot read {e}"))?;
    let mut value: Json = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let label = value
        .as_object_mut()
        .and_then(|o| o.remove("label"))
        .ok_or("no `label`")?;
    // The label names a category of the profile's category score (`label.link`).
    let (category, key) = categories(program).ok_or(crate::CALIBRATION_NEEDS.to_string())?;
    let labels: Vec<&str> = category.labels().collect();
    let link = label
        .get(key)
        .and_then(Json::as_str)
        .filter(|l| labels.contains(l))
        .ok_or_else(|| format!("`label.{key}` must be one of {}", labels.join(", ")))?
        .to_string();
    let confidence = label
        .get("confidence")
        .and_then(Json::as_str)
        .filter(|c| CONFIDENCES.contains(c))
        .ok_or_else(|| {
            format!(
                "`label.confidence` must be one of {}",
                CONFIDENCES.join(", ")
            )
        })?
        .to_string();
    let id = value
        .get("id")
        .and_then(Json::as_str)
        .map_or_else(|| path.display().to_string(), str::to_string);
    let unlabelled = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    let when = When::AfterClaim(args.as_of_claim.ms);
    let profile = program.profile();
    let names = Names {
        category: key,
        probability: profile.probability_score().map(|i| program.score_name(i)),
    };
    let score_full = |p: &Program| -> Result<Verdict, String> {
        score_case(p, &unlabelled, |t| verdict(t, &names))
            .map_err(|e| e.to_string())
            .and_then(|v| v)
    };
    // Without a claim time there is no early view; any other failure is the case's error.
    let claim_dated = program.profile().subject.as_ref().is_some_and(|subject| {
        subject
            .time
            .iter()
            .try_fold(&value, |v, k| v.get(k))
            .is_some_and(|t| !t.is_null())
    });
    let score_as_of = |p: &Program| -> Result<Option<Verdict>, String> {
        if !claim_dated {
            return Ok(None);
        }
        // Every rule set is judged by the rules' profile: a baseline dates no evidence itself.
        let judged = crate::score_as_of_with(p, profile, value.clone(), &unlabelled, when, |t| {
            verdict(t, &names)
        });
        match judged {
            Ok(AsOfJudged::Scored(verdict)) => verdict.map(Some),
            Ok(AsOfJudged::NoClaimYet { .. }) => Ok(None),
            Err(e) => Err(format!("as of claim + {}: {e}", args.as_of_claim.text)),
        }
    };
    let full = score_full(program)?;
    let as_of = score_as_of(program)?;
    let baselines = baselines
        .iter()
        .map(|b| {
            let full = score_full(b)?.judged;
            Ok((full, score_as_of(b)?.map(|v| v.judged)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Case {
        id,
        path: path.to_path_buf(),
        link,
        confidence,
        full,
        as_of,
        baselines,
    })
}

/// The category score of the rule set `program` judges by, from its profile (checked by the
/// command first), and its name, which a label's key is.
pub(super) fn categories(program: &Program) -> Option<(&crate::Category, &str)> {
    let category = program.profile().category()?;
    Some((category, program.score_name(category.score)))
}

/// The scores a verdict is read from: the profile's category and probability scores, by name
/// (a baseline names its scores the same way).
struct Names<'p> {
    category: &'p str,
    probability: Option<&'p str>,
}

/// The category and probability the rules (or a baseline) gave, and the criteria that weighed
/// most. A baseline's scores are those named like the profile's.
fn verdict(trace: &Trace<'_>, names: &Names<'_>) -> Result<Verdict, String> {
    let link = trace
        .score(names.category)
        .ok_or_else(|| format!("the rules have no score `{}`", names.category))?;
    let band = link
        .band()
        .ok_or_else(|| format!("score `{}` has no bands", names.category))?;
    let probability = names
        .probability
        .and_then(|name| trace.score(name))
        .and_then(|s| s.probability());
    let summary = trace.summary();
    let decided_by = summary
        .scores
        .iter()
        .flat_map(|s| {
            s.strongest_for
                .iter()
                .chain(&s.strongest_against)
                .take(3)
                .map(move |c| format!("{}.{} {}", s.view.name(), c.name(), c.amount()))
        })
        .collect();
    let settled = summary
        .verdict
        .as_ref()
        .map_or_else(|| link.settled(), |v| v.settled());
    Ok(Verdict {
        judged: Judged {
            link: band.label().to_string(),
            probability,
            settled,
        },
        decided_by,
    })
}
