//! Command-line inputs that mix rules with data: rule files or directories of them, then a case
//! (`score`, `timeline`) or data files or directories searched recursively for the files a
//! command reads (fixtures for `test`, labelled cases for `calibrate`), or a corpus of cases in
//! any form (`diff`, `report`).

use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::batch::{Record, Records};
use crate::check::is_rule_file;
use crate::files::{open_stream, read_bytes};
use crate::fixture::diff::CorpusCase;
use crate::fixture::{Corpus, is_fixture, load_fixture};

/// Rule inputs, the data files found, the roots they were found under, and the `.json` files
/// there that were not data for the command.
pub(crate) struct Inputs {
    pub(crate) rules: Vec<PathBuf>,
    pub(crate) files: Vec<PathBuf>,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) skipped: usize,
}

/// Splits `RULES... CASE`: at least one rule file or directory, then the one case after them.
pub(crate) fn rules_then_case(inputs: &[PathBuf]) -> Option<(&[PathBuf], &Path)> {
    match inputs.split_last() {
        Some((case, rules)) if !rules.is_empty() => Some((rules, case.as_path())),
        _ => None,
    }
}

/// Splits inputs into rule files or directories (a directory holding `.cred` files) and data
/// files: a file given is taken as is; directories are searched recursively for `.json` files
/// that `wanted` accepts.
pub(crate) fn classify(
    inputs: &[PathBuf],
    wanted: impl Fn(&Path) -> bool,
) -> Result<Inputs, String> {
    let (rules, data) = split_rules(inputs)?;
    let mut found = Inputs {
        rules,
        files: Vec::new(),
        roots: data.clone(),
        skipped: 0,
    };
    for input in data {
        if input.is_dir() {
            walk(&input, 0, DATA, &wanted, &mut found)?;
        } else {
            found.files.push(input);
        }
    }
    Ok(found)
}

/// Splits inputs into rule inputs (`.cred` files, and directories holding them) and the rest,
/// each in the order given.
pub(crate) fn split_rules(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    let (mut rules, mut data) = (Vec::new(), Vec::new());
    for input in inputs {
        let holds_rules = if input.is_dir() {
            sorted_entries(input)?.iter().any(|p| is_rule_file(p))
        } else {
            is_rule_file(input)
        };
        if holds_rules {
            rules.push(input.clone());
        } else {
            data.push(input.clone());
        }
    }
    Ok((rules, data))
}

/// The case inputs of `score`: files and `-` as given; a directory as every `.json`,
/// `.jsonl` and `.ndjson` file under it, in name order.
pub(crate) fn case_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Inputs {
        rules: Vec::new(),
        files: Vec::new(),
        roots: Vec::new(),
        skipped: 0,
    };
    for input in inputs {
        if input.is_dir() {
            walk(input, 0, CASES, &|_| true, &mut found)?;
        } else {
            found.files.push(input.clone());
        }
    }
    Ok(found.files)
}

/// Leaves out the data files found under directories that name another rule set than `id`
/// (`"ruleset": "…"` at their top; a file named on the command line is always kept), saying how
/// many on standard error: one data tree can hold several rule packs' cases.
pub(crate) fn for_ruleset(files: Vec<PathBuf>, named: &[PathBuf], id: &str) -> Vec<PathBuf> {
    let before = files.len();
    let kept: Vec<PathBuf> = files
        .into_iter()
        .filter(|file| {
            named.contains(file) || crate::fixture::ruleset_of(file).is_none_or(|other| other == id)
        })
        .collect();
    let left_out = before - kept.len();
    if left_out > 0 {
        super::say!(
            "note: {left_out} file{} for other rule sets left out",
            if left_out == 1 { "" } else { "s" }
        );
    }
    kept
}

/// The inputs named on the command line that exist (`-` is standard input), and whether some
/// did not: each missing one is reported, the others still run, and the command then exits 4,
/// the same for every command.
pub(crate) fn present(inputs: &[PathBuf]) -> (Vec<PathBuf>, bool) {
    let mut missing = false;
    let found = inputs
        .iter()
        .filter(|input| {
            let error = (input.as_path() != Path::new("-"))
                .then(|| std::fs::metadata(input).err())
                .flatten();
            if let Some(e) = &error {
                super::say!("error: cannot read `{}`: {e}", input.display());
                missing = true;
            }
            error.is_none()
        })
        .cloned()
        .collect();
    (found, missing)
}

/// Directories nest at most this deep under a data directory.
const MAX_WALK_DEPTH: usize = 16;

/// The extensions of the data files `test` and `calibrate` look for under a directory.
const DATA: &[&str] = &["json"];

/// The extensions of the case inputs `score` looks for under a directory.
const CASES: &[&str] = &["json", "jsonl", "ndjson"];

/// Collects the files under `dir` whose extension is one of `extensions` and that `wanted`
/// accepts; `.json` files it does not accept are counted as skipped.
fn walk(
    dir: &Path,
    depth: usize,
    extensions: &[&str],
    wanted: &impl Fn(&Path) -> bool,
    found: &mut Inputs,
) -> Result<(), String> {
    if depth > MAX_WALK_DEPTH {
        return Err(format!(
            "`{}` nests more than {MAX_WALK_DEPTH} directories deep",
            dir.display()
        ));
    }
    for entry in sorted_entries(dir)? {
        let link = std::fs::symlink_metadata(&entry)
            .map_err(|e| format!("cannot read `{}`: {e}", entry.display()))?;
        // Directories are walked only when real (a symlinked one could loop); files are
        // followed, and containment is checked when they are read.
        let is_file = std::fs::metadata(&entry).is_ok_and(|m| m.is_file());
        let extension = entry.extension().and_then(|e| e.to_str()).unwrap_or("");
        if link.is_dir() {
            walk(&entry, depth + 1, extensions, wanted, found)?;
        } else if is_file && extensions.contains(&extension) {
            if wanted(&entry) {
                found.files.push(entry);
            } else {
                found.skipped += 1;
            }
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// The files of the corpus: as given, directories as their `.json` and `.jsonl` files.
pub(crate) fn corpus_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("cannot read `{}`: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|x| x == "json" || x == "jsonl" || x == "ndjson")
                })
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// The cases of one corpus file: a fixture's case, a case file, or each line of a batch. A
/// file or line that cannot be read is one error among the cases, not the end of the run.
pub(crate) fn cases_of(
    file: &Path,
    corpus: &Corpus,
    limit: u64,
) -> Box<dyn Iterator<Item = CorpusCase>> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let jsonl = file
        .extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson");
    if jsonl {
        return match open_stream(file) {
            Err(e) => Box::new(std::iter::once((stem, Err(format!("cannot read {e}"))))),
            Ok(handle) => {
                let records = Records::new(BufReader::new(handle), limit as usize);
                Box::new(records.map(move |record| match record {
                    Ok(Record::Case { line, bytes }) => (format!("{stem}:{line}"), Ok(bytes)),
                    Ok(Record::TooLong { line, length }) => (
                        format!("{stem}:{line}"),
                        Err(format!("the case is {length} bytes, over the limit")),
                    ),
                    Err(e) => (stem.clone(), Err(format!("cannot read: {e}"))),
                }))
            }
        };
    }
    let case = if is_fixture(file) {
        load_fixture(file, corpus).map(|fixture| (fixture.name, fixture.case))
    } else {
        read_bytes(file, limit)
            .map(|bytes| (stem.clone(), bytes))
            .map_err(|e| format!("cannot read {e}"))
    };
    Box::new(std::iter::once(match case {
        Ok((name, bytes)) => (name, Ok(bytes)),
        Err(e) => (stem, Err(e)),
    }))
}
