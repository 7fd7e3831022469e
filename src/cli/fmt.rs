//! `credence fmt`: format rule files in place, or check that they are formatted.

use std::path::PathBuf;

use credence::fixture::golden::write_atomically;
use credence::syntax::format_source;

use super::Exit;
use super::rules::expand;

/// Runs `fmt`.
pub fn run(rules: &[PathBuf], check: bool) -> Exit {
    let files = match expand(rules) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    };
    let mut unformatted = 0;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", file.display());
                return Exit::Io;
            }
        };
        let formatted = format_source(&text);
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if check {
            println!("not formatted: {}", file.display());
        } else if let Err(e) = write_atomically(file, &formatted) {
            eprintln!("error: cannot write `{}`: {e}", file.display());
            return Exit::Io;
        } else {
            println!("formatted: {}", file.display());
        }
    }
    if check && unformatted > 0 {
        Exit::TestsFailed
    } else {
        Exit::Success
    }
}
