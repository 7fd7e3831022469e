//! `credence score`: score one case or a JSON Lines batch. Batches stream in bounded chunks,
//! scored in parallel across cores, written in input order; one bad line never stops the others.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use credence::program::Program;
use credence::schema::Schema;
use credence::trace::{Report, markdown, text};

use super::rules::{Compiled, compile, read_schema};
use super::{Exit, Format};

/// Lines scored together: bounds memory while keeping every core busy.
const CHUNK: usize = 512;

/// Runs `score`.
pub fn run(rules: &[PathBuf], case: &Path, schema_path: Option<&Path>, format: Format) -> Exit {
    let (compiled, _) = compile(rules, schema_path, Format::Text);
    let program = match compiled {
        Compiled::Ready(program) => program,
        Compiled::Failed(exit) => return exit,
    };
    let schema = match schema_path.map(read_schema).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    };
    let scorer = Scorer {
        program: &program,
        schema: schema.as_ref(),
        format,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let name = if case == Path::new("-") {
        "stdin".to_string()
    } else {
        case.display().to_string()
    };
    let result = if case == Path::new("-") {
        let mut text = Vec::new();
        std::io::stdin().read_to_end(&mut text).and_then(|_| {
            if holds_several_values(&text) {
                scorer.lines(text.as_slice(), &name, &mut out)
            } else {
                scorer.single(&text, &name, &mut out)
            }
        })
    } else if case
        .extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson")
    {
        std::fs::File::open(case)
            .and_then(|file| scorer.lines(BufReader::new(file), &name, &mut out))
    } else {
        std::fs::read(case).and_then(|text| scorer.single(&text, &name, &mut out))
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(Tally { failed: 0, .. }), Ok(())) => Exit::Success,
        (Ok(Tally { failed, scored }), Ok(())) => {
            eprintln!(
                "{failed} case{} could not be scored; {scored} scored",
                if failed == 1 { "" } else { "s" }
            );
            Exit::InvalidCase
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: cannot read `{}`: {e}", case.display());
            Exit::Io
        }
    }
}

/// True when the text holds more than one JSON value (JSON Lines on standard input).
fn holds_several_values(text: &[u8]) -> bool {
    serde_json::Deserializer::from_slice(text)
        .into_iter::<serde::de::IgnoredAny>()
        .take(2)
        .count()
        > 1
}

/// Cases that could not be scored, and cases scored.
#[derive(Default)]
struct Tally {
    failed: usize,
    scored: usize,
}

/// What scoring one case produced: its output and its error lines.
struct Outcome {
    output: String,
    errors: Vec<String>,
    scored: bool,
}

struct Scorer<'p> {
    program: &'p Program,
    schema: Option<&'p Schema>,
    format: Format,
}

impl Scorer<'_> {
    /// One document.
    fn single(&self, json: &[u8], name: &str, out: &mut impl Write) -> std::io::Result<Tally> {
        let mut tally = Tally::default();
        self.emit(self.outcome(json, name, None), &mut tally, out)?;
        Ok(tally)
    }

    /// JSON Lines: read in chunks, scored in parallel, written in input order.
    fn lines(
        &self,
        reader: impl BufRead,
        name: &str,
        out: &mut impl Write,
    ) -> std::io::Result<Tally> {
        let progress = std::io::stderr().is_terminal();
        let mut tally = Tally::default();
        let mut lines = reader.split(b'\n').enumerate();
        loop {
            let mut chunk: Vec<(usize, Vec<u8>)> = Vec::with_capacity(CHUNK);
            for (index, line) in lines.by_ref() {
                let line = line?;
                if !line.iter().all(u8::is_ascii_whitespace) {
                    chunk.push((index + 1, line));
                }
                if chunk.len() == CHUNK {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            let outcomes: Vec<Outcome> = chunk
                .par_iter()
                .map(|(number, line)| self.outcome(line, name, Some(*number)))
                .collect();
            for outcome in outcomes {
                if tally.failed + tally.scored > 0 {
                    match self.format {
                        Format::Text => writeln!(out, "\n{}\n", "─".repeat(72))?,
                        Format::Markdown => writeln!(out, "\n---\n")?,
                        Format::Json => {}
                    }
                }
                self.emit(outcome, &mut tally, out)?;
            }
            if progress {
                eprint!(
                    "\rscored {} cases, {} could not be scored",
                    tally.scored, tally.failed
                );
            }
        }
        if progress {
            eprintln!();
        }
        Ok(tally)
    }

    fn emit(
        &self,
        outcome: Outcome,
        tally: &mut Tally,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        out.write_all(outcome.output.as_bytes())?;
        for line in &outcome.errors {
            eprintln!("{line}");
        }
        if outcome.scored {
            tally.scored += 1;
        } else {
            tally.failed += 1;
        }
        Ok(())
    }

    /// Scores one case: its trace, or why it cannot be scored.
    fn outcome(&self, json: &[u8], name: &str, line: Option<usize>) -> Outcome {
        match self.report(json) {
            Ok(report) => {
                let output = match self.format {
                    Format::Text => text::render(&report),
                    Format::Markdown => markdown::render(&report),
                    Format::Json if line.is_some() => {
                        serde_json::to_string(&report).unwrap_or_default() + "\n"
                    }
                    Format::Json => {
                        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
                    }
                };
                Outcome {
                    output,
                    errors: Vec::new(),
                    scored: true,
                }
            }
            Err(problems) => {
                let place = match line {
                    Some(l) => format!("{name}:{l}"),
                    None => name.to_string(),
                };
                let errors = problems
                    .iter()
                    .map(|p| {
                        let at = match (line, p.line) {
                            (None, Some(l)) => format!(":{l}:{}", p.column),
                            (Some(_), Some(_)) => format!(" (column {})", p.column),
                            _ => String::new(),
                        };
                        match &p.path {
                            Some(path) => {
                                format!("error: {place}{at}: invalid case: `{path}`: {}", p.message)
                            }
                            None => format!("error: {place}{at}: invalid case: {}", p.message),
                        }
                    })
                    .collect();
                let output = if self.format == Format::Json {
                    let errors: Vec<serde_json::Value> = problems
                        .iter()
                        .map(|p| serde_json::json!({"path": p.path, "message": p.message, "line": p.line, "column": p.column}))
                        .collect();
                    serde_json::to_string(
                        &serde_json::json!({"source": name, "line": line, "errors": errors}),
                    )
                    .unwrap_or_default()
                        + "\n"
                } else {
                    String::new()
                };
                Outcome {
                    output,
                    errors,
                    scored: false,
                }
            }
        }
    }

    fn report(&self, json: &[u8]) -> Result<Report, Vec<Problem>> {
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
        credence::score_case(self.program, json).map_err(|e| {
            vec![Problem {
                path: e.path,
                message: e.message,
                line: Some(e.line),
                column: e.column,
            }]
        })
    }
}

struct Problem {
    path: Option<String>,
    message: String,
    line: Option<usize>,
    column: usize,
}

fn strip_position(message: &str) -> String {
    message
        .rfind(" at line ")
        .map_or(message, |cut| &message[..cut])
        .to_string()
}
