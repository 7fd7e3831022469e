//! `credence check`: report every problem in the rules.

use std::path::{Path, PathBuf};

use super::rules::{Compiled, compile};
use super::{Exit, Format};

/// Runs `check`.
pub fn run(rules: &[PathBuf], schema: Option<&Path>, format: Format) -> Exit {
    let (compiled, diagnostics) = compile(rules, schema, format);
    let exit = match &compiled {
        Compiled::Ready(_) => Exit::Success,
        Compiled::Failed(exit) => *exit,
    };
    match format {
        Format::Json if exit != Exit::Io => {
            let out =
                serde_json::json!({ "ok": exit == Exit::Success, "diagnostics": diagnostics });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text | Format::Markdown if exit == Exit::Success => {
            if let Compiled::Ready(program) = &compiled {
                let criteria: usize = program.scores.iter().map(|s| s.criteria.len()).sum();
                println!(
                    "ok: {} {} — {} files, {} scores, {criteria} criteria",
                    program.meta.id,
                    program.meta.version,
                    program.sources.files().len(),
                    program.scores.len()
                );
            }
        }
        _ => {}
    }
    exit
}
