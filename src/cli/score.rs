//! `credence score`: score one case or a JSON Lines batch. Batches stream in chunks bounded in
//! bytes, scored in parallel across cores, written in input order; one bad case, of any kind,
//! never stops the others.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::Judged;
use crate::as_of::When;
use crate::batch::{self, InternalError, Record, Records};
use crate::files::{FileError, open_stream, read_limited};
use crate::fixture::{Corpus, load_fixture, reads_as_fixture};
use crate::program::Program;
use crate::schema::Schema;
use crate::trace::{Trace, json as trace_json, output};

use super::inputs::{case_files, for_ruleset, split_rules};
use super::rules::{program, read_schema};
use super::{CaseArgs, Exit, Out, RuleArgs, say};

pub(crate) use crate::trace::output::Format;

/// How to read the case input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Input {
    /// By extension: `.jsonl`/`.ndjson` are JSON Lines; standard input is one document or
    /// JSON Lines, whichever it holds.
    Auto,
    /// One JSON document.
    Json,
    /// JSON Lines, one case per line, streamed.
    Jsonl,
}

/// Options of `credence score`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories, then the cases: `.json` files, `.jsonl` files, or `-` for
    /// standard input. Several cases are scored in one process with the rules compiled once.
    #[arg(required = true, value_name = "RULES... CASES")]
    inputs: Vec<PathBuf>,
    /// A JSON Schema to check rule paths and validate each case against.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// How to read the case input.
    #[arg(long, value_enum, default_value = "auto")]
    input: Input,
    /// Text only: print the summary (verdict, scores, what could change them), not the detail.
    #[arg(long)]
    brief: bool,
    /// Weigh the case's competing hypotheses side by side (the rule set's `hypotheses` block):
    /// the matrix of evidence rows against hypotheses, each hypothesis's probability, the
    /// leader and what could change it; `--format csv` and `--format achz` write the matrix
    /// alone.
    #[arg(long)]
    hypotheses: bool,
    /// Judge each case on what was known at a moment: an RFC 3339 time, `claim+24h` or
    /// `start+6h`; evidence known later is left out and listed (docs/CASE_FORMAT.md).
    #[arg(long, value_name = "WHEN", value_parser = as_of)]
    as_of: Option<(When, String)>,
    /// Record every decision in the decision log (`credence log` reads it).
    #[arg(long)]
    log: bool,
    #[command(flatten)]
    log_db: super::log::LogDb,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// `--as-of`: the moment, and the text that wrote it (kept for the decision log).
fn as_of(text: &str) -> Result<(When, String), String> {
    When::parse(text).map(|when| (when, text.to_string()))
}

/// Runs `score`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let (rules, cases) = match split_rules(&args.inputs) {
        Ok(split) => split,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    if rules.is_empty() || cases.is_empty() {
        say!("error: give the rule files or directories, then the cases");
        return Ok(Exit::Usage);
    }
    let data = cases;
    let cases = match case_files(&data) {
        Ok(cases) => cases,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let limits = args.rule_args.limits(Some(&args.case_args));
    let program = match program(&rules, args.schema.as_deref(), &args.rule_args, limits) {
        Ok(program) => program,
        Err(exit) => return Ok(exit),
    };
    if args.format == Format::Achz && cases.len() != 1 {
        say!("error: an ACH file holds one case: give one case with `--format achz`");
        return Ok(Exit::Usage);
    }
    if matches!(args.format, Format::Csv | Format::Achz) && !args.hypotheses {
        say!(
            "error: `--format csv` and `--format achz` write the matrix of competing hypotheses: add `--hypotheses`"
        );
        return Ok(Exit::Usage);
    }
    if args.hypotheses
        && let Err(exit) = super::rules::require_hypotheses(&program)
    {
        return Ok(exit);
    }
    let found = cases.len();
    let cases = for_ruleset(cases, &data, &program.meta().id);
    if cases.is_empty() && found > 0 {
        say!("error: every case found is for another rule set");
        return Ok(Exit::Usage);
    }
    // What the rule set's profile must declare for this run, said once rather than per case.
    let needs = [
        (args.as_of.is_some(), crate::AS_OF_NEEDS),
        (
            matches!(args.format, Format::Stix | Format::Misp),
            crate::EXPORT_NEEDS,
        ),
    ];
    for (asked, need) in needs {
        if asked && let Err(e) = program.profile().provides(&need) {
            say!("error: {e}");
            return Ok(Exit::Usage);
        }
    }
    let schema = match args
        .schema
        .as_deref()
        .map(|s| read_schema(s, &limits))
        .transpose()
    {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let log = if args.log {
        match crate::decisions::DecisionLog::open(&args.log_db.path) {
            Ok(log) => Some(std::sync::Mutex::new(log)),
            Err(e) => {
                say!("error: {e}");
                return Ok(Exit::Io);
            }
        }
    } else {
        None
    };
    let pool = match batch::pool(0) {
        Ok(pool) => pool,
        Err(e) => {
            say!("error: cannot start worker threads: {e}");
            return Ok(Exit::Io);
        }
    };
    // Fixtures' cases stay inside the directories given.
    let corpus = Corpus::new(&data, &args.rule_args.allow, limits.case_bytes);
    let mut tally = Tally::default();
    let mut unreadable = false;
    for case in &cases {
        let scorer = Scorer {
            program: &program,
            schema: schema.as_ref(),
            format: args.format,
            shape: output::Shape {
                brief: args.brief,
                line: false,
                hypotheses: args.hypotheses,
            },
            as_of: args.as_of.as_ref().map(|(when, _)| *when),
            as_of_text: args.as_of.as_ref().map(|(_, text)| text.clone()),
            log: log.as_ref(),
            name: if case == Path::new("-") {
                "stdin".to_string()
            } else {
                case.display().to_string()
            },
            several: cases.len() > 1,
            corpus: &corpus,
        };
        match scorer.input(case, args.input, &pool, limits.case_bytes, &mut tally, out) {
            Ok(()) => {}
            Err(Failure::Write(e)) => return Err(e),
            // The other inputs are still scored.
            Err(Failure::Read(e)) => {
                say!("error: cannot read {e}");
                unreadable = true;
            }
        }
    }
    if unreadable {
        return Ok(Exit::Io);
    }
    if tally.failed == 0 {
        return Ok(Exit::Success);
    }
    say!(
        "{} case{} could not be scored; {} scored",
        tally.failed,
        if tally.failed == 1 { "" } else { "s" },
        tally.scored
    );
    Ok(Exit::InvalidCase)
}

/// Why scoring stopped: the input could not be read, or the output could not be written.
enum Failure {
    Read(FileError),
    Write(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Write(e)
    }
}

/// Cases that could not be scored, and cases scored.
#[derive(Default)]
struct Tally {
    failed: usize,
    scored: usize,
}

/// What scoring one case produced: its output, or why it could not be scored.
type Outcome = Result<Vec<u8>, Vec<Problem>>;

/// One reason a case could not be scored.
struct Problem {
    path: Option<String>,
    message: String,
    line: Option<usize>,
    column: usize,
}

impl Problem {
    fn plain(message: String) -> Problem {
        Problem {
            path: None,
            message,
            line: None,
            column: 0,
        }
    }
}

struct Scorer<'p> {
    program: &'p Program,
    schema: Option<&'p Schema>,
    format: Format,
    shape: output::Shape,
    as_of: Option<When>,
    /// The moment as the command line wrote it, for the decision log.
    as_of_text: Option<String>,
    /// The decision log, with `--log`.
    log: Option<&'p std::sync::Mutex<crate::decisions::DecisionLog>>,
    name: String,
    /// More than one input: JSON is written one case per line, as for a batch.
    several: bool,
    /// Where fixtures' cases may be read from.
    corpus: &'p Corpus,
}

impl Scorer<'_> {
    /// One input: a case file, a JSON Lines file, or standard input (`-`).
    fn input(
        &self,
        case: &Path,
        input: Input,
        pool: &rayon::ThreadPool,
        limit: u64,
        tally: &mut Tally,
        out: &mut Out<'_>,
    ) -> Result<(), Failure> {
        if case == Path::new("-") {
            let mut stdin = BufReader::new(std::io::stdin().lock());
            return match input {
                Input::Jsonl => self.lines(pool, stdin, limit, tally, out),
                Input::Json => {
                    let bytes = read_limited(case, &mut stdin, limit).map_err(Failure::Read)?;
                    self.single(&bytes, tally, out)
                }
                Input::Auto => self.stdin(pool, stdin, limit, tally, out),
            };
        }
        let jsonl = match input {
            Input::Auto => case
                .extension()
                .is_some_and(|x| x == "jsonl" || x == "ndjson"),
            Input::Json => false,
            Input::Jsonl => true,
        };
        let file = open_stream(case).map_err(Failure::Read)?;
        if jsonl {
            return self.lines(pool, BufReader::new(file), limit, tally, out);
        }
        // A fixture (found in a directory, say) is scored on its case.
        if reads_as_fixture(case) {
            return match load_fixture(case, self.corpus) {
                Ok(fixture) => self.single(&fixture.case, tally, out),
                Err(e) => Ok(self.emit(None, Err(vec![Problem::plain(e)]), tally, out)?),
            };
        }
        let bytes = read_limited(case, file, limit).map_err(Failure::Read)?;
        self.single(&bytes, tally, out)
    }

    /// One document.
    fn single(&self, json: &[u8], tally: &mut Tally, out: &mut Out<'_>) -> Result<(), Failure> {
        let outcome = batch::isolated(|| self.outcome(json, self.several));
        self.emit(None, flatten(outcome), tally, out)?;
        Ok(())
    }

    /// Standard input, one document or JSON Lines: up to one case's size is read first; if it
    /// all parses as one JSON value it is one case, otherwise it is JSON Lines (streamed on).
    fn stdin(
        &self,
        pool: &rayon::ThreadPool,
        mut stdin: impl BufRead,
        limit: u64,
        tally: &mut Tally,
        out: &mut Out<'_>,
    ) -> Result<(), Failure> {
        let failed = |source| {
            Failure::Read(FileError::Io {
                path: PathBuf::from("-"),
                source,
            })
        };
        let mut head = Vec::new();
        (&mut stdin)
            .take(limit)
            .read_to_end(&mut head)
            .map_err(failed)?;
        let more = !stdin.fill_buf().map_err(failed)?.is_empty();
        if !more && !is_json_lines(&head) {
            return self.single(&head, tally, out);
        }
        let all = std::io::Cursor::new(head).chain(stdin);
        self.lines(pool, all, limit, tally, out)
    }

    /// JSON Lines: scored in parallel, in bounded chunks, written in input order.
    fn lines(
        &self,
        pool: &rayon::ThreadPool,
        reader: impl BufRead,
        limit: u64,
        tally: &mut Tally,
        out: &mut Out<'_>,
    ) -> Result<(), Failure> {
        let progress = std::io::stderr().is_terminal() && !super::style().quiet;
        let records = Records::new(reader, limit.try_into().unwrap_or(usize::MAX));
        let limit_text = crate::files::bytes(limit);
        let read = batch::run::<_, Failure>(
            pool,
            records.map(|r| {
                r.map_err(|e| std::io::Error::other(format!("cannot read `{}`: {e}", self.name)))
            }),
            |record| match record {
                Record::Case { bytes, .. } => self.outcome(bytes, true),
                Record::TooLong { length, .. } => Err(vec![Problem::plain(format!(
                    "the case is {length} bytes, over the limit of {limit_text} (`--max-case-size`)"
                ))]),
            },
            |record, outcome| {
                if tally.failed + tally.scored > 0 {
                    match self.format {
                        Format::Text => writeln!(out, "\n{}\n", "═".repeat(72))?,
                        Format::Markdown => writeln!(out, "\n---\n")?,
                        Format::Json
                        | Format::Html
                        | Format::Stix
                        | Format::Misp
                        | Format::Csv
                        | Format::Achz => {}
                    }
                }
                self.emit(Some(record.line()), flatten(outcome), tally, out)?;
                if progress && (tally.failed + tally.scored).is_multiple_of(256) {
                    let _ = write!(
                        std::io::stderr(),
                        "\rscored {} cases, {} could not be scored",
                        tally.scored,
                        tally.failed
                    );
                }
                Ok(())
            },
        );
        if progress {
            say!(
                "\rscored {} cases, {} could not be scored",
                tally.scored,
                tally.failed
            );
        }
        read
    }

    /// Writes a case's output, or its errors (on standard error, and in JSON mode also as an
    /// error object in the output stream).
    fn emit(
        &self,
        line: Option<usize>,
        outcome: Outcome,
        tally: &mut Tally,
        out: &mut Out<'_>,
    ) -> std::io::Result<()> {
        let problems = match outcome {
            Ok(output) => {
                tally.scored += 1;
                return out.write_all(&output);
            }
            Err(problems) => problems,
        };
        tally.failed += 1;
        let place = match line {
            Some(l) => format!("{}:{l}", self.name),
            None => self.name.clone(),
        };
        for p in &problems {
            let at = match (line, p.line) {
                (None, Some(l)) => format!(":{l}:{}", p.column),
                (Some(_), Some(_)) => format!(" (column {})", p.column),
                _ => String::new(),
            };
            match &p.path {
                Some(path) => say!("error: {place}{at}: invalid case: `{path}`: {}", p.message),
                None => say!("error: {place}{at}: cannot score the case: {}", p.message),
            }
        }
        if self.format == Format::Json {
            let errors: Vec<serde_json::Value> = problems
                .iter()
                .map(|p| serde_json::json!({"path": p.path, "message": p.message, "line": p.line, "column": p.column}))
                .collect();
            let object = serde_json::json!({"source": self.name, "line": line, "errors": errors});
            writeln!(
                out,
                "{}",
                serde_json::to_string(&object).unwrap_or_default()
            )?;
        }
        Ok(())
    }

    /// Scores one case: its rendered trace, or why it cannot be scored.
    fn outcome(&self, json: &[u8], in_batch: bool) -> Outcome {
        let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
        self.scored(json, |trace| {
            let shape = output::Shape {
                line: in_batch,
                ..self.shape
            };
            output::write_bytes(trace, self.program, json, self.format, shape)
        })
    }

    /// Scores a case and renders its trace; a rendering that cannot be made (an export of
    /// times the format cannot hold) is one more reason the case was not scored.
    fn scored(
        &self,
        json: &[u8],
        render: impl FnOnce(&Trace<'_>) -> Result<Vec<u8>, String>,
    ) -> Outcome {
        if let Some(schema) = self.schema {
            let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
                vec![Problem {
                    path: None,
                    message: strip_position(&e.to_string()),
                    line: Some(e.line()),
                    column: e.column(),
                }]
            })?;
            let violations = schema.validate(&value);
            if !violations.is_empty() {
                return Err(violations
                    .into_iter()
                    .map(|v| Problem {
                        path: Some(v.path),
                        message: v.message,
                        line: None,
                        column: 0,
                    })
                    .collect());
            }
        }
        let problem = |e: crate::ScoreError| {
            vec![match e {
                // A case judged as of a moment is read from its parsed document: no line.
                crate::ScoreError::Case(e) => Problem {
                    path: e.path,
                    message: e.message,
                    line: Some(e.line).filter(|&line| line >= 1),
                    column: e.column,
                },
                crate::ScoreError::Dates(e) => Problem {
                    path: Some(e.path),
                    message: e.message,
                    line: None,
                    column: 0,
                },
                crate::ScoreError::Eval(e) => Problem::plain(e.to_string()),
                crate::ScoreError::Profile(e) => Problem::plain(e.to_string()),
            }]
        };
        let rendered =
            |output: Result<Vec<u8>, String>| output.map_err(|e| vec![Problem::plain(e)]);
        // With `--log`, the JSON trace too, for the decision log.
        let logging = self.log.is_some();
        let render = |trace: &Trace<'_>| {
            (
                render(trace),
                logging.then(|| trace_json::render_line(trace)),
            )
        };
        let (output, logged) = match self.as_of {
            None => {
                let (output, line) =
                    crate::score_case(self.program, json, render).map_err(problem)?;
                (rendered(output)?, line)
            }
            Some(when) => {
                match crate::score_case_as_of(self.program, json, when, render).map_err(problem)? {
                    Judged::Scored((output, line)) => (rendered(output)?, line),
                    Judged::NoClaimYet(not_yet) => (
                        self.no_claim_yet(&not_yet),
                        logging.then(|| trace_json::no_claim_yet(&not_yet, false)),
                    ),
                }
            }
        };
        if let (Some(log), Some(trace)) = (self.log, logged) {
            let decision = crate::decisions::Decision {
                source: "score".into(),
                case: json.to_vec(),
                as_of: self.as_of_text.clone(),
                trace,
            };
            let recorded = log
                .lock()
                .map_err(|_| "the decision log is unusable after a failure".to_string())
                .and_then(|mut log| {
                    log.record(
                        self.program,
                        &[decision],
                        &crate::decisions::CasePolicy::Whole,
                    )
                });
            if let Err(e) = recorded {
                return Err(vec![Problem::plain(e)]);
            }
        }
        Ok(output)
    }

    /// The output for a case judged at a moment before its claim was known.
    fn no_claim_yet(&self, not_yet: &crate::NotYet) -> Vec<u8> {
        output::nothing_yet(self.program, not_yet, self.format, false).into_bytes()
    }
}

/// An internal error is one more reason the case could not be scored.
fn flatten(outcome: Result<Outcome, InternalError>) -> Outcome {
    outcome.unwrap_or_else(|e| Err(vec![Problem::plain(e.to_string())]))
}

/// True when text that is not one JSON document is JSON Lines: some line after the first
/// non-blank one is a JSON object on its own. (A malformed first line must not hide the rest;
/// a malformed pretty-printed document is still reported as one document.)
fn is_json_lines(text: &[u8]) -> bool {
    if serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok() {
        return false;
    }
    text.split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .skip(1)
        .any(|line| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line).is_ok()
        })
}

fn strip_position(message: &str) -> String {
    message
        .rfind(" at line ")
        .map_or(message, |cut| &message[..cut])
        .to_string()
}
