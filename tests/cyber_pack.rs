//! The second shipped pack (`rules/cyber/`, docs/CYBER.md): it checks cleanly, its fixtures
//! pass with their golden traces, it beats its baseline with no settled verdict wrong, every
//! command works on it, and packs that share one data tree stay apart.

use std::process::Output;

use serde_json::Value;

mod common;
use common::{Scratch, credence, text};

const RULES: &str = "rules/cyber/";
/// The labelled cases, with the fixtures (which refer to them) under `tests/`.
const CORPUS: &str = "fixtures/cyber/";
const FIXTURES: &str = "fixtures/cyber/tests/";
const GOLDEN: &str = "fixtures/cyber/golden";
/// The case the README and docs/CYBER.md walk through.
const EXAMPLE: &str = "fixtures/cyber/leak-sample-verified.json";

fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_pack_checks_without_a_warning() {
    let out = credence(&["check", RULES]);
    assert!(
        ok(&out).starts_with("ok: cyber_claims"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn its_fixtures_pass_with_their_golden_traces() {
    let fixtures = std::fs::read_dir(FIXTURES).expect("fixtures").count();
    assert!(fixtures >= 14, "{fixtures} fixtures");
    let out = credence(&["test", RULES, CORPUS, "--golden", GOLDEN]);
    let report = ok(&out);
    assert!(
        report.contains(&format!(
            "ok. {fixtures} passed; 0 failed; 0 todo; 0 errors"
        )),
        "{report}"
    );
}

#[test]
fn it_beats_its_baseline_and_no_settled_verdict_is_wrong_but_one_later_withdrawn() {
    let out = credence(&["calibrate", RULES, CORPUS, "--format", "json"]);
    let report: Value = serde_json::from_str(&ok(&out)).expect("JSON report");
    for view in ["full_evidence", "early"] {
        let rules = &report[view]["rules"];
        let share = |f: &Value| f["binary"]["share"].as_f64().expect("share");
        let baselines = report[view]["baselines"].as_array().expect("baselines");
        assert_eq!(baselines.len(), 1, "own channel means true");
        assert!(
            share(rules) > share(&baselines[0]),
            "{view}: the rules do not beat {}",
            baselines[0]["name"]
        );
    }
    // Settled is a promise. The one exception, documented in docs/CYBER.md: a day after the
    // claim, a government's attribution on findings settles the claim as confirmed; the
    // government withdrew it ten days later, which no unknown field of the case could foresee.
    let settled_wrong = |view: &str| -> Vec<String> {
        report["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| c[view]["settled"] == true && c[view]["link"] != c["label"])
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(settled_wrong("full_evidence"), Vec::<String>::new());
    assert_eq!(settled_wrong("early"), ["ddos-attribution-withdrawn"]);
    assert_eq!(report["full_evidence"]["rules"]["settled_wrong"], 0);
}

#[test]
fn every_command_works_on_a_cyber_case() {
    for format in ["text", "json", "markdown", "html", "stix", "misp"] {
        let out = credence(&["score", "--format", format, RULES, EXAMPLE]);
        assert!(!ok(&out).is_empty(), "{format}");
    }
    let trace: Value = serde_json::from_str(&ok(&credence(&[
        "score", "--format", "json", RULES, EXAMPLE,
    ])))
    .expect("JSON trace");
    assert_eq!(trace["verdict"]["label"], "confirmed claim");
    let early = ok(&credence(&[
        "score",
        "--as-of",
        "claim+24h",
        RULES,
        EXAMPLE,
    ]));
    assert!(early.contains("As of"), "{early}");
    let stix: Value = serde_json::from_str(&ok(&credence(&[
        "score", "--format", "stix", RULES, EXAMPLE,
    ])))
    .expect("STIX bundle");
    let types: Vec<&str> = stix["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o["type"].as_str())
        .collect();
    for wanted in ["threat-actor", "opinion", "relationship", "note"] {
        assert!(types.contains(&wanted), "{wanted} in {types:?}");
    }
    let timeline: Value = serde_json::from_str(&ok(&credence(&[
        "timeline", "--format", "json", RULES, EXAMPLE,
    ])))
    .expect("timeline");
    assert!(timeline["moments"].as_array().expect("moments").len() >= 2);
    // The start is named in the profile's words at the moment it began; the start time learnt
    // days later is named by its path, since the incident did not begin then.
    let text = ok(&credence(&["timeline", RULES, EXAMPLE]));
    assert!(
        text.contains("2025-02-03T01:30:00Z  the incident began\n"),
        "{text}"
    );
    assert!(
        text.contains("incident.started_at at 2025-02-08T12:00:00Z"),
        "{text}"
    );
    assert!(!text.contains("the incident began at"), "{text}");
    let dir = Scratch::new("cyber-report");
    let out = dir.join("out");
    ok(&credence(&[
        "report",
        RULES,
        CORPUS,
        "--out",
        out.to_str().expect("utf-8"),
    ]));
    assert!(out.join("index.html").exists());
}

#[test]
fn packs_that_share_a_tree_stay_apart() {
    let cyber_fixtures = std::fs::read_dir(FIXTURES).expect("fixtures").count();
    let out = credence(&["test", "rules/", "fixtures/"]);
    assert!(
        ok(&out).contains(&format!(
            "{cyber_fixtures} fixtures for other rule sets left out"
        )),
        "{}",
        text(&out.stdout)
    );
    let out = credence(&["score", "--brief", "rules/", CORPUS]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("every case found is for another rule set"),
        "{}",
        text(&out.stderr)
    );
    // A case named on the command line is always used, even with another pack.
    let out = credence(&["score", "--brief", "rules/", EXAMPLE]);
    assert!(
        !text(&out.stderr).contains("other rule sets"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("leak-sample-verified"));
}
