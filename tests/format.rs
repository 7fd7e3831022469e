//! `credence fmt`: a fixed point that never changes what a file means, and leaves a file whose
//! brackets do not balance alone.

use std::io::Write;
use std::process::{Command, Stdio};

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
            let once = match format_source(input) {
                Ok(once) => once,
                Err(e) => {
                    let reported = codes(&file, input);
                    assert!(
                        reported.contains(&"E026") || reported.contains(&"E027"),
                        "{file}: refused ({e}) but check finds no bracket problem: {reported:?}"
                    );
                    continue;
                }
            };
            assert_eq!(
                format_source(&once).as_deref(),
                Ok(once.as_str()),
                "{file}: not a fixed point"
            );
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
            let formatted = format_source(&messy).expect("balanced");
            let after = compile_str(&file, &formatted, &Options::default())
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
    let diff = String::from_utf8_lossy(&check.stdout);
    assert!(
        diff.contains("-criterion c {\n-when") && diff.contains("+  criterion c {\n"),
        "--check shows the diff: {diff}"
    );
    assert!(String::from_utf8_lossy(&check.stderr).contains("1 file is not formatted"));
    let shown = run(&["fmt", "--diff", messy.to_str().expect("utf-8")]);
    assert_eq!(shown.status.code(), Some(0), "--diff only shows");
    assert_eq!(shown.stdout, check.stdout);
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

fn run_with_input(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("finishes")
}

#[test]
fn fmt_formats_standard_input_to_standard_output() {
    let messy = "score s {\ncriterion c {\nwhen a => 1\n}\n}\n";
    let out = run_with_input(&["fmt", "-"], messy);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "score s {\n  criterion c {\n    when a => 1\n  }\n}\n"
    );
    let check = run_with_input(&["fmt", "--check", "-"], messy);
    assert_eq!(check.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("--- <stdin>"));
}

#[test]
fn fmt_leaves_unbalanced_braces_alone_and_says_where() {
    let broken = "score s {\n  criterion c {\n    when a => 1\n  criterion d {\n  }\n}\n";
    let out = run_with_input(&["fmt", "-"], broken);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing written");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2, column 15: the `criterion c` block is not closed"),
        "{stderr}"
    );
    let dir = common::Scratch::new("fmt-unbalanced");
    let file = dir.join("broken.cred");
    std::fs::write(&file, broken).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["fmt", file.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
}
