//! `credence fmt`: format rule files in place, show what formatting would change, or check
//! that files are formatted; `-` formats standard input to standard output.

use std::io::Read;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::files::{read_text, rewrite};
use crate::limits::Limits;
use crate::syntax::format_source;

use super::rules::expand;
use super::{Exit, Out, say};

/// Options of `credence fmt`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories of `.cred` files, or `-` to format standard input to standard
    /// output.
    #[arg(required = true)]
    rules: Vec<PathBuf>,
    /// Change nothing; show the diff formatting would make and fail if there is one.
    #[arg(long, conflicts_with = "diff")]
    check: bool,
    /// Change nothing; show the diff formatting would make.
    #[arg(long)]
    diff: bool,
}

/// What to do with a formatted file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Rewrite it.
    Write,
    /// Show the diff.
    Diff,
    /// Show the diff and fail.
    Check,
}

/// Runs `fmt`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let mode = match (args.check, args.diff) {
        (true, _) => Mode::Check,
        (false, true) => Mode::Diff,
        (false, false) => Mode::Write,
    };
    let limit = Limits::default().rule_file_bytes;
    if args.rules.iter().any(|p| p == Path::new("-")) {
        if args.rules.len() > 1 {
            say!("error: `-` (standard input) cannot be formatted with other files");
            return Ok(Exit::Usage);
        }
        return standard_input(mode, limit, out);
    }
    let files = match expand(&args.rules) {
        Ok(files) => files,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let quiet = super::style().quiet;
    let (mut changed, mut unbalanced) = (0, 0);
    for file in &files {
        let text = match read_text(file, limit) {
            Ok(text) => text,
            Err(e) => {
                say!("error: cannot read {e}");
                return Ok(Exit::Io);
            }
        };
        let formatted = match format_source(&text) {
            Ok(formatted) => formatted,
            Err(e) => {
                say!("error: cannot format {}: {e}", file.display());
                unbalanced += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        let name = file.display().to_string();
        match mode {
            Mode::Write => match rewrite(file, formatted.as_bytes()) {
                Ok(()) if quiet => {}
                Ok(()) => writeln!(out, "formatted: {name}")?,
                Err(e) => {
                    say!("error: cannot write {e}");
                    return Ok(Exit::Io);
                }
            },
            Mode::Diff | Mode::Check if quiet => writeln!(out, "{name}")?,
            Mode::Diff | Mode::Check => {
                write!(out, "{}", diff(&name, &text, &formatted, "formatted"))?
            }
        }
    }
    Ok(if unbalanced > 0 {
        Exit::InvalidRules
    } else if mode == Mode::Check && changed > 0 {
        say!(
            "{changed} file{} not formatted; `credence fmt` formats {}",
            if changed == 1 { " is" } else { "s are" },
            if changed == 1 { "it" } else { "them" }
        );
        Exit::TestsFailed
    } else {
        Exit::Success
    })
}

/// `fmt -`: standard input formatted to standard output (or its diff shown).
fn standard_input(mode: Mode, limit: u64, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes);
    if let Err(e) = read {
        say!("error: cannot read standard input: {e}");
        return Ok(Exit::Io);
    }
    if bytes.len() as u64 > limit {
        say!(
            "error: standard input is larger than {} (the limit for a rule file)",
            crate::files::bytes(limit)
        );
        return Ok(Exit::Io);
    }
    let Ok(text) = String::from_utf8(bytes) else {
        say!("error: standard input is not UTF-8 text");
        return Ok(Exit::Io);
    };
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(e) => {
            say!("error: cannot format standard input: {e}");
            return Ok(Exit::InvalidRules);
        }
    };
    match mode {
        Mode::Write => write!(out, "{formatted}")?,
        Mode::Diff | Mode::Check if formatted != text => {
            write!(out, "{}", diff("<stdin>", &text, &formatted, "formatted"))?;
            if mode == Mode::Check {
                return Ok(Exit::TestsFailed);
            }
        }
        Mode::Diff | Mode::Check => {}
    }
    Ok(Exit::Success)
}

/// A unified diff from the file as it is to the file as `done` made it (`formatted`, `fixed`).
pub(super) fn diff(name: &str, before: &str, after: &str, done: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} ({done})"))
        .to_string()
}
