//! `credence diff`: the effect of a rule change on a corpus of cases.

use std::path::{Path, PathBuf};

use credence::fixture::{diff, load_fixture};

use super::rules::{Compiled, compile};
use super::{Exit, Format};

/// Runs `diff`.
pub fn run(old: &Path, new: &Path, cases: &[PathBuf], format: Format) -> Exit {
    let compile_one = |rules: &Path| match compile(&[rules.to_path_buf()], None, Format::Text).0 {
        Compiled::Ready(program) => Ok(program),
        Compiled::Failed(exit) => Err(exit),
    };
    let (old_program, new_program) = match (compile_one(old), compile_one(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let corpus = match corpus(cases) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    };
    let result = diff::diff(&old_program, &new_program, &corpus);
    let name = |p: &credence::program::Program, path: &Path| {
        format!("{} {} ({})", p.meta.id, p.meta.version, path.display())
    };
    match format {
        Format::Text | Format::Markdown => print!(
            "{}",
            diff::render_text(&result, &name(&old_program, old), &name(&new_program, new))
        ),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        ),
    }
    if result.errors.is_empty() {
        Exit::Success
    } else {
        Exit::InvalidCase
    }
}

/// Cases from fixture files, case files, JSON Lines files, and directories of any of them.
fn corpus(inputs: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for input in inputs {
        let files: Vec<PathBuf> = if input.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("cannot read `{}`: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "jsonl")
                })
                .collect();
            entries.sort();
            entries
        } else {
            vec![input.clone()]
        };
        for file in files {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file
                .extension()
                .is_some_and(|x| x == "jsonl" || x == "ndjson")
            {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
                for (i, line) in text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                {
                    out.push((format!("{stem}:{}", i + 1), line.as_bytes().to_vec()));
                }
                continue;
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
            let is_fixture = serde_json::from_slice::<serde_json::Value>(&bytes)
                .is_ok_and(|v| v.get("case").is_some() && v.get("incident").is_none());
            if is_fixture {
                let fixture = load_fixture(&file)?;
                out.push((fixture.name, fixture.case));
            } else {
                out.push((stem, bytes));
            }
        }
    }
    Ok(out)
}
