//! `credence fmt`: format rule files in place, or check that they are formatted.

use std::path::PathBuf;

use crate::files::{read_text, write_atomically};
use crate::limits::Limits;
use crate::syntax::format_source;

use super::rules::expand;
use super::{Exit, Out, say};

/// Options of `credence fmt`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Rule files or directories of `.cred` files.
    #[arg(required = true)]
    rules: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and fail if there are any.
    #[arg(long)]
    check: bool,
}

/// Runs `fmt`.
pub(crate) fn run(args: &Args, out: &mut Out<'_>) -> std::io::Result<Exit> {
    let files = match expand(&args.rules) {
        Ok(files) => files,
        Err(e) => {
            say!("error: {e}");
            return Ok(Exit::Io);
        }
    };
    let limit = Limits::default().rule_file_bytes;
    let mut unformatted = 0;
    for file in &files {
        let text = match read_text(file, limit) {
            Ok(text) => text,
            Err(e) => {
                say!("error: cannot read {e}");
                return Ok(Exit::Io);
            }
        };
        let formatted = format_source(&text);
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            writeln!(out, "not formatted: {}", file.display())?;
        } else if let Err(e) = write_atomically(file, formatted.as_bytes()) {
            say!("error: cannot write {e}");
            return Ok(Exit::Io);
        } else {
            writeln!(out, "formatted: {}", file.display())?;
        }
    }
    Ok(if args.check && unformatted > 0 {
        Exit::TestsFailed
    } else {
        Exit::Success
    })
}
