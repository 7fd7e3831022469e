//! Command-line inputs that mix rules with data: rule files or directories of them, then a case
//! (`score`, `timeline`) or data files or directories searched recursively for the files a
//! command reads (fixtures for `test`, labelled cases for `calibrate`).

use std::path::{Path, PathBuf};

use crate::check::is_rule_file;

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
    let mut found = Inputs {
        rules: Vec::new(),
        files: Vec::new(),
        roots: Vec::new(),
        skipped: 0,
    };
    for input in inputs {
        if input.is_dir() {
            let top = sorted_entries(input)?;
            if top.iter().any(|p| is_rule_file(p)) {
                found.rules.push(input.clone());
                continue;
            }
            found.roots.push(input.clone());
            walk(input, 0, &wanted, &mut found)?;
        } else if is_rule_file(input) {
            found.rules.push(input.clone());
        } else {
            found.roots.push(input.clone());
            found.files.push(input.clone());
        }
    }
    Ok(found)
}

/// Directories nest at most this deep under a data directory.
const MAX_WALK_DEPTH: usize = 16;

fn walk(
    dir: &Path,
    depth: usize,
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
        if link.is_dir() {
            walk(&entry, depth + 1, wanted, found)?;
        } else if is_file && entry.extension().is_some_and(|e| e == "json") {
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
