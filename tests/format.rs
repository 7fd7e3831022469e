//! `credence fmt`: a fixed point that never changes what a file means.

use std::process::Command;

use credence::format_source;
use credence::{Options, compile_str};

mod common;
use common::rule_files;

fn without_white_space(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn codes(name: &str, text: &str) -> Vec<&'static str> {
    match compile_str(name, text, &Options::default()) {
        Ok(compiled) => compiled.warnings.iter().map(|d| d.code.as_str()).collect(),
        Err(failed) => failed
            .diagnostics()
            .iter()
            .map(|d| d.code.as_str())
            .collect(),
    }
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning() {
    let case = std::fs::read("tests/data/fixtures/cases/small.json").expect("case");
    for file in rule_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        // Also a deliberately messy version: indentation stripped, blank lines doubled.
        let messy: String = text
            .lines()
            .map(|l| format!("{}\n\n", l.trim_start()))
            .collect();
        for input in [&text, &messy] {
            let once = format_source(input);
            assert_eq!(format_source(&once), once, "{file}: not a fixed point");
            assert_eq!(
                without_white_space(&once),
                without_white_space(input),
                "{file}: changed more than white space"
            );
            assert_eq!(
                codes(&file, &once),
                codes(&file, input),
                "{file}: diagnostics changed"
            );
        }
        if file == "benches/replication.cred" {
            let before = compile_str(&file, &text, &Options::default())
                .expect("checks")
                .program;
            let after = compile_str(&file, &format_source(&messy), &Options::default())
                .expect("checks")
                .program;
            let total = |p| {
                credence::score_case(p, &case, |t| t.scores().next().map(|s| s.total()))
                    .expect("scores")
            };
            assert_eq!(total(&before), total(&after));
        }
    }
}

#[test]
fn fmt_check_accepts_the_shipped_rules_and_names_a_messy_file() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_credence"))
            .args(args)
            .output()
            .expect("runs")
    };
    assert_eq!(
        run(&["fmt", "--check", "rules/"]).status.code(),
        Some(0),
        "the shipped rules are formatted"
    );
    let dir = common::Scratch::new("fmt");
    let messy = dir.join("messy.cred");
    std::fs::write(&messy, "ruleset m { version \"1\" }\nscore s {\ncriterion c {\nwhen claim.a == 1 => 1 \"a\"\n}\n}\n").expect("write");
    let check = run(&["fmt", "--check", messy.to_str().expect("utf-8")]);
    assert_eq!(check.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&check.stdout).contains("not formatted: "));
    assert_eq!(
        run(&["fmt", messy.to_str().expect("utf-8")]).status.code(),
        Some(0)
    );
    let formatted = std::fs::read_to_string(&messy).expect("read back");
    assert!(
        formatted.contains("\n  criterion c {\n    when claim.a == 1"),
        "{formatted}"
    );
    assert_eq!(
        run(&["fmt", "--check", messy.to_str().expect("utf-8")])
            .status
            .code(),
        Some(0)
    );
}
