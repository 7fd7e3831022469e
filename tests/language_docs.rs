//! Runs the examples of `docs/LANGUAGE.md`, so the documentation cannot drift from the engine.
//!
//! - a ```cred block must check without errors, or fail with the code in `cred error=CODE`;
//! - each ```json case followed by an ```expect block, after a ```cred block and before the
//!   next, is scored with those rules, and each
//!   `score.total`, `score.band`, `score.criterion` (contribution or `unknown`), `verdict` and
//!   `verdict.settled` line must hold.

use credence::trace::Trace;
use credence::{Options, compile_str};

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

fn check_expectation(trace: &Trace<'_>, line: &str) {
    let (key, want) = line.split_once(" = ").expect("`key = value`");
    if key == "verdict" {
        let got = trace.verdict().map(|v| v.label());
        assert_eq!(got, Some(want), "{line}");
        return;
    }
    if key == "verdict.settled" {
        let summary = credence::trace::summary::Summary::of(trace);
        let got = summary.verdict.as_ref().map(|v| v.settled().to_string());
        assert_eq!(got.as_deref(), Some(want), "{line}");
        return;
    }
    if let Some(what) = key.strip_prefix("hypotheses.") {
        check_hypotheses(trace, what, want, line);
        return;
    }
    let (score_name, what) = key.split_once('.').expect("score.part");
    let score = trace.score(score_name).expect("score exists");
    let got = match what {
        "total" => number(score.total().as_f64()),
        "band" => score
            .band()
            .map(|b| b.label().to_string())
            .unwrap_or_default(),
        "settled" => score.settled().to_string(),
        "min" => number(score.in_units(score.possible().min)),
        "max" => number(score.in_units(score.possible().max)),
        criterion => {
            let c = score
                .criteria()
                .find(|c| c.name() == criterion)
                .expect("criterion exists");
            if c.outcome().is_unknown() {
                "unknown".to_string()
            } else {
                number(c.contribution().as_f64())
            }
        }
    };
    assert_eq!(got, want, "{line}");
}

/// `hypotheses.leader`, `hypotheses.settled`, `hypotheses.H2` (a probability),
/// `hypotheses.H2.shown` (as printed), `hypotheses.ROW.diagnostic`, `hypotheses.ROW.H1` (a
/// cell's ratio, or `unknown`).
fn check_hypotheses(trace: &Trace<'_>, what: &str, want: &str, line: &str) {
    let m = trace
        .hypotheses()
        .expect("the example declares hypotheses")
        .expect("within budget");
    let column = |id: &str| m.hypotheses.iter().find(|h| h.id == id);
    let got = match what.split_once('.') {
        None if what == "leader" => m.leader.clone().unwrap_or_else(|| "none".into()),
        None if what == "settled" => m.settled.to_string(),
        None => number(column(what).expect("a hypothesis").probability),
        Some((id, "shown")) => column(id).expect("a hypothesis").shown.clone(),
        Some((row, part)) => {
            let row = m.rows.iter().find(|r| r.criterion == row).expect("a row");
            match part {
                "diagnostic" => row.diagnostic.to_string(),
                id => {
                    let cell = row
                        .cells
                        .iter()
                        .find(|c| c.hypothesis == id)
                        .expect("a cell");
                    if cell.state == "unknown" {
                        "unknown".into()
                    } else {
                        number(cell.ratio)
                    }
                }
            }
        }
    };
    assert_eq!(got, want, "{line}");
}

fn number(x: f64) -> String {
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
            credence::CompileError::Invalid(f) => {
                let text: String = f
                    .diagnostics
                    .iter()
                    .map(|d| d.render(&f.sources, false))
                    .collect();
                panic!("{name} does not check:\n{text}")
            }
            other => panic!("{name}: {other}"),
        });
        // Every case and its expectations up to the next rule example.
        let following = blocks[index + 1..]
            .iter()
            .take_while(|b| !b.info.starts_with("cred"))
            .collect::<Vec<_>>();
        for pair in following.windows(2) {
            let [case, expect] = pair else { continue };
            if case.info != "json" || expect.info != "expect" {
                continue;
            }
            credence::score_case(&compiled.program, case.body.as_bytes(), |trace| {
                for line in expect.body.lines().filter(|l| !l.trim().is_empty()) {
                    check_expectation(trace, line);
                }
            })
            .expect("example case loads");
            scored += 1;
        }
    }
    assert!(
        checked >= 7 && scored >= 5,
        "found {checked} rule examples, {scored} scored"
    );
}
