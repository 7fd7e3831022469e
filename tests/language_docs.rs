//! Runs the examples of `docs/LANGUAGE.md`, so the documentation cannot drift from the engine.
//!
//! - a ```cred block must check without errors, or fail with the code in `cred error=CODE`;
//! - a ```cred block followed by a ```json case and an ```expect block is scored, and each
//!   `score.total`, `score.band`, `score.criterion` (contribution or `unknown`) and `verdict`
//!   line must hold.

use credence::check::{Options, compile_str};
use credence::trace::Report;

struct Block {
    info: String,
    body: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for line in markdown.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.trim().to_string(),
                    body: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(block), None) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn check_expectation(report: &Report, line: &str) {
    let (key, want) = line.split_once(" = ").expect("`key = value`");
    if key == "verdict" {
        let got = report.verdict.as_ref().map(|v| v.label.as_str());
        assert_eq!(got, Some(want), "{line}");
        return;
    }
    let (score_name, what) = key.split_once('.').expect("score.part");
    let score = report
        .scores
        .iter()
        .find(|s| s.name == score_name)
        .expect("score exists");
    let got = match what {
        "total" => crate_number(score.total),
        "band" => score
            .band
            .as_ref()
            .map(|b| b.label.clone())
            .unwrap_or_default(),
        criterion => {
            let c = score
                .criteria
                .iter()
                .find(|c| c.name == criterion)
                .expect("criterion exists");
            if c.status.starts_with("unknown") {
                "unknown".to_string()
            } else {
                crate_number(c.contribution)
            }
        }
    };
    assert_eq!(got, want, "{line}");
}

fn crate_number(x: f64) -> String {
    credence::trace::format::number(x)
}

#[test]
fn every_language_example_runs_as_documented() {
    let markdown = std::fs::read_to_string("docs/LANGUAGE.md").expect("docs/LANGUAGE.md");
    let blocks = blocks(&markdown);
    let mut checked = 0;
    let mut scored = 0;
    for (index, block) in blocks.iter().enumerate() {
        let Some(flags) = block.info.strip_prefix("cred") else {
            continue;
        };
        checked += 1;
        let name = format!("LANGUAGE.md example {checked}.cred");
        let result = compile_str(&name, &block.body, &Options::default());
        if let Some(code) = flags.trim().strip_prefix("error=") {
            let failed = result.expect_err(&format!("{name} should fail with {code}"));
            assert!(
                failed.diagnostics().iter().any(|d| d.code.as_str() == code),
                "{name}: no {code}"
            );
            continue;
        }
        let compiled = result.unwrap_or_else(|e| match e {
            credence::check::CompileError::Invalid(f) => {
                let text: String = f
                    .diagnostics
                    .iter()
                    .map(|d| d.render(&f.sources, false))
                    .collect();
                panic!("{name} does not check:\n{text}")
            }
            other => panic!("{name}: {other}"),
        });
        let (Some(case), Some(expect)) = (blocks.get(index + 1), blocks.get(index + 2)) else {
            continue;
        };
        if case.info != "json" || expect.info != "expect" {
            continue;
        }
        let report = credence::score_case(&compiled.program, case.body.as_bytes())
            .expect("example case loads");
        for line in expect.body.lines().filter(|l| !l.trim().is_empty()) {
            check_expectation(&report, line);
        }
        scored += 1;
    }
    assert!(
        checked >= 7 && scored >= 5,
        "found {checked} rule examples, {scored} scored"
    );
}
