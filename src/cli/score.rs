//! `credence score`: score one case or a JSON Lines batch, streaming, one bad line never
//! stopping the others.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use credence::program::Program;
use credence::schema::Schema;
use credence::trace::{Report, markdown, text};

use super::rules::{Compiled, compile, read_schema};
use super::{Exit, Format};

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
    let result = if case == Path::new("-") {
        let mut text = Vec::new();
        match std::io::stdin().read_to_end(&mut text) {
            Ok(_) => scorer.text(&text, "stdin", &mut out),
            Err(e) => Err(e),
        }
    } else if case
        .extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson")
    {
        match std::fs::File::open(case) {
            Ok(file) => scorer.lines(BufReader::new(file), &case.display().to_string(), &mut out),
            Err(e) => Err(e),
        }
    } else {
        match std::fs::read(case) {
            Ok(text) => scorer
                .document(&text, &case.display().to_string(), None, &mut out)
                .map(|ok| (usize::from(!ok), usize::from(ok))),
            Err(e) => Err(e),
        }
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok((0, _)), Ok(())) => Exit::Success,
        (Ok((failed, scored)), Ok(())) => {
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

struct Scorer<'p> {
    program: &'p Program,
    schema: Option<&'p Schema>,
    format: Format,
}

impl Scorer<'_> {
    /// Standard input: one document, or JSON Lines when it holds several values.
    fn text(
        &self,
        text: &[u8],
        name: &str,
        out: &mut impl Write,
    ) -> std::io::Result<(usize, usize)> {
        let values = serde_json::Deserializer::from_slice(text)
            .into_iter::<serde::de::IgnoredAny>()
            .take(2)
            .count();
        if values > 1 {
            self.lines(text, name, out)
        } else {
            self.document(text, name, None, out)
                .map(|ok| (usize::from(!ok), usize::from(ok)))
        }
    }

    /// Scores each non-blank line; returns (failed, scored).
    fn lines(
        &self,
        reader: impl BufRead,
        name: &str,
        out: &mut impl Write,
    ) -> std::io::Result<(usize, usize)> {
        let (mut failed, mut scored) = (0, 0);
        let mut first = true;
        for (index, line) in reader.split(b'\n').enumerate() {
            let line = line?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.format {
                Format::Text if !first => writeln!(out, "\n{}\n", "─".repeat(72))?,
                Format::Markdown if !first => writeln!(out, "\n---\n")?,
                _ => {}
            }
            first = false;
            if self.document(&line, name, Some(index + 1), out)? {
                scored += 1;
            } else {
                failed += 1;
            }
        }
        Ok((failed, scored))
    }

    /// Scores one case and writes its trace, or reports why it cannot be scored.
    fn document(
        &self,
        json: &[u8],
        name: &str,
        line: Option<usize>,
        out: &mut impl Write,
    ) -> std::io::Result<bool> {
        match self.report(json) {
            Ok(report) => {
                match self.format {
                    Format::Text => write!(out, "{}", text::render(&report))?,
                    Format::Markdown => write!(out, "{}", markdown::render(&report))?,
                    Format::Json if line.is_some() => writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&report).unwrap_or_default()
                    )?,
                    Format::Json => writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&report).unwrap_or_default()
                    )?,
                }
                Ok(true)
            }
            Err(problems) => {
                let place = match line {
                    Some(l) => format!("{name}:{l}"),
                    None => name.to_string(),
                };
                for p in &problems {
                    let at = p
                        .line
                        .map(|l| format!(":{l}:{}", p.column))
                        .filter(|_| line.is_none())
                        .unwrap_or_default();
                    let col = match (line, p.line) {
                        (Some(_), Some(_)) => format!(" (column {})", p.column),
                        _ => String::new(),
                    };
                    match &p.path {
                        Some(path) => eprintln!(
                            "error: {place}{at}{col}: invalid case: `{path}`: {}",
                            p.message
                        ),
                        None => eprintln!("error: {place}{at}{col}: invalid case: {}", p.message),
                    }
                }
                if self.format == Format::Json {
                    let errors: Vec<serde_json::Value> = problems
                        .iter()
                        .map(|p| serde_json::json!({"path": p.path, "message": p.message, "line": p.line, "column": p.column}))
                        .collect();
                    let record =
                        serde_json::json!({"source": name, "line": line, "errors": errors});
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&record).unwrap_or_default()
                    )?;
                }
                Ok(false)
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
