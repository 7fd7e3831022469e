//! `credence report`: the HTML report of every case of a corpus (case files, fixtures, JSON
//! Lines batches, directories of them), one page per case, with an index page linking them.
//! A case that cannot be scored is listed in the index with the reason; the others still get
//! their pages.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::files::write_own;
use crate::fixture::Corpus;
use crate::score_case;
use crate::trace::index::{self, IndexEntry, Judgement};
use crate::trace::output;

use super::inputs::{cases_of, corpus_files, split_rules};
use super::rules::program;
use super::{CaseArgs, Exit, Out, RuleArgs, say};

/// Options of `credence report`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories, then cases: `.json` case or fixture files, `.jsonl` batches,
    /// or directories of them.
    #[arg(required = true, value_name = "RULES... CASES...")]
    inputs: Vec<PathBuf>,
    /// The directory to write `index.html` and one page per case into (created if absent).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Each page also shows the case's competing hypotheses (the rule set's `hypotheses`
    /// block), as `score --hypotheses` does.
    #[arg(long)]
    hypotheses: bool,
    #[command(flatten)]
    rule_args: RuleArgs,
    #[command(flatten)]
    case_args: CaseArgs,
}

/// Runs `report`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let (given, missing) = super::inputs::present(&args.inputs);
    let (rules, data) = match split_rules(&given) {
        Ok(split) => split,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    if data.is_empty() && missing {
        return Ok(Exit::Io);
    }
    if rules.is_empty() || data.is_empty() {
        say!("error: give the rule files or directories, then the cases");
        return Ok(Exit::Usage);
    }
    if args.out.exists() && !args.out.is_dir() {
        say!("error: `{}` is not a directory", args.out.display());
        return Ok(Exit::Io);
    }
    let limits = args.rule_args.limits(Some(&args.case_args));
    let program = match program(&rules, None, &args.rule_args, limits) {
        Ok(program) => program,
        Err(exit) => return Ok(exit),
    };
    if args.hypotheses
        && let Err(exit) = super::rules::require_hypotheses(&program)
    {
        return Ok(exit);
    }
    let files = match corpus_files(&data) {
        Ok(files) => files,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        say!("error: cannot create `{}`: {e}", args.out.display());
        return Ok(Exit::Io);
    }
    let corpus = Corpus::new(&data, &args.rule_args.allow, limits.case_bytes);
    let mut pages = PageNames::default();
    let mut entries = Vec::new();
    for (name, bytes) in files
        .iter()
        .flat_map(|file| cases_of(file, &corpus, limits.case_bytes))
    {
        let scored = bytes.and_then(|bytes| {
            let shape = output::Shape {
                hypotheses: args.hypotheses,
                ..output::Shape::default()
            };
            score_case(&program, &bytes, |trace| {
                output::write(trace, &program, &bytes, output::Format::Html, shape)
                    .map(|page| (page, Judgement::of(trace)))
            })
            .map_err(|e| e.to_string())
            .and_then(|page| page)
        });
        let entry = match scored {
            Ok((page, judgement)) => {
                let file = pages.next(&name);
                if let Err(e) = write_own(&args.out.join(&file), page.as_bytes()) {
                    say!("error: cannot write {e}");
                    return Ok(Exit::Io);
                }
                IndexEntry {
                    name,
                    page: Some(file),
                    outcome: Ok(judgement),
                }
            }
            Err(reason) => IndexEntry {
                name,
                page: None,
                outcome: Err(reason),
            },
        };
        entries.push(entry);
    }
    let meta = program.meta();
    let title = format!("{} {}", meta.id, meta.version);
    let index = args.out.join("index.html");
    if let Err(e) = write_own(
        &index,
        index::render(program.profile().title(), &title, &entries).as_bytes(),
    ) {
        say!("error: cannot write {e}");
        return Ok(Exit::Io);
    }
    let failed: Vec<&IndexEntry> = entries.iter().filter(|e| e.outcome.is_err()).collect();
    for entry in &failed {
        if let Err(reason) = &entry.outcome {
            say!("error: {}: {reason}", entry.name);
        }
    }
    if !super::style().quiet {
        writeln!(
            out,
            "wrote {} ({} cases, {} not scored)",
            index.display(),
            entries.len(),
            failed.len()
        )?;
    }
    Ok(if missing {
        Exit::Io
    } else if failed.is_empty() {
        Exit::Success
    } else {
        Exit::InvalidCase
    })
}

/// File names for case pages: the case's name with anything but ASCII letters, digits, `-` and
/// `_` replaced by `-`, made unique, never `index.html`.
#[derive(Default)]
struct PageNames(HashSet<String>);

impl PageNames {
    fn next(&mut self, case: &str) -> String {
        let stem: String = case
            .chars()
            .take(100)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stem = if stem.is_empty() || stem.eq_ignore_ascii_case("index") {
            format!("case-{stem}")
        } else {
            stem
        };
        // Names are unique ignoring case: on a file system that ignores it, `A.html` and
        // `a.html` would be one page.
        let mut name = format!("{stem}.html");
        let mut n = 2;
        while !self.0.insert(name.to_ascii_lowercase()) {
            name = format!("{stem}-{n}.html");
            n += 1;
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::PageNames;

    #[test]
    fn page_names_are_safe_and_unique() {
        let mut names = PageNames::default();
        assert_eq!(names.next("trebes-2018"), "trebes-2018.html");
        assert_eq!(names.next("batch:3"), "batch-3.html");
        assert_eq!(names.next("../../etc/passwd"), "------etc-passwd.html");
        assert_eq!(names.next("index"), "case-index.html");
        assert_eq!(names.next(""), "case-.html");
        assert_eq!(names.next("trebes-2018"), "trebes-2018-2.html");
        assert_eq!(names.next("trebes-2018"), "trebes-2018-3.html");
        assert_eq!(
            names.next("Trebes-2018"),
            "Trebes-2018-4.html",
            "unique ignoring case"
        );
        assert_eq!(names.next("INDEX"), "case-INDEX-2.html");
    }
}
