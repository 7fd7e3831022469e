//! `credence calibrate`: agreement, confusion, scores and baselines on a labelled corpus.

use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::Scratch;

fn credence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The floors docs/RULES.md records for the shipped rules on the real corpus: a rule change that
/// reaches investigators' verdicts less often fails here.
const FLOORS: [&str; 4] = [
    "binary=96",
    "five-way=95",
    "binary@as-of=89",
    "five-way@as-of=68",
];

#[test]
fn the_shipped_rules_hold_their_floors_and_beat_the_baselines() {
    let mut args = vec!["calibrate", "rules/", "fixtures/real/", "--format", "json"];
    for floor in FLOORS {
        args.extend(["--min-agreement", floor]);
    }
    // "Settled" is a promise: no settled verdict may be wrong, in either view.
    args.extend(["--max-settled-wrong", "0"]);
    let out = credence(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    for view in ["full_evidence", "early"] {
        assert_eq!(report[view]["rules"]["settled_wrong"], 0, "{view}");
        assert!(
            report[view]["rules"]["settled"].as_u64() > Some(0),
            "{view}"
        );
        let rules = &report[view]["rules"];
        for baseline in report[view]["baselines"].as_array().expect("baselines") {
            for question in ["binary", "five_way"] {
                if baseline[question].is_null() {
                    continue; // a baseline that only answers "credible or not"
                }
                let share = |f: &Value| f[question]["share"].as_f64().expect("share");
                assert!(
                    share(rules) > share(baseline),
                    "{view} {question}: the rules do not beat {}",
                    baseline["name"]
                );
            }
        }
    }
}

#[test]
fn the_figures_add_up_case_by_case() {
    let out = credence(&["calibrate", "rules/", "fixtures/real/", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let cases = report["cases"].as_array().expect("cases");
    assert!(cases.len() >= 35);
    for (view, key) in [("full_evidence", "full_evidence"), ("early", "early")] {
        let judged: Vec<&Value> = cases
            .iter()
            .map(|c| &c[key])
            .filter(|v| !v.is_null())
            .collect();
        let figures = &report[view]["rules"];
        let five_way = judged
            .iter()
            .filter(|v| v["agrees_five_way"] == true)
            .count();
        assert_eq!(figures["five_way"]["agreed"], five_way, "{view}");
        assert_eq!(figures["five_way"]["cases"], judged.len(), "{view}");
        let binary: Vec<&&Value> = judged
            .iter()
            .filter(|v| !v["agrees_binary"].is_null())
            .collect();
        let agreed = binary.iter().filter(|v| v["agrees_binary"] == true).count();
        assert_eq!(figures["binary"]["agreed"], agreed, "{view}");
        assert_eq!(figures["binary"]["cases"], binary.len(), "{view}");
        let confusion: u64 = figures["confusion"]["counts"]
            .as_array()
            .expect("rows")
            .iter()
            .flat_map(|r| r.as_array().expect("row").iter())
            .map(|n| n.as_u64().expect("count"))
            .sum();
        assert_eq!(confusion, judged.len() as u64, "{view}");
        let binned: u64 = figures["reliability"]
            .as_array()
            .expect("bins")
            .iter()
            .map(|b| b["cases"].as_u64().expect("count"))
            .sum();
        assert_eq!(
            binned as usize,
            binary.len(),
            "every binary case has a probability"
        );
        assert!(figures["brier"].as_f64().is_some() && figures["log_loss"].as_f64().is_some());
        assert_eq!(report[view]["baselines"].as_array().map(Vec::len), Some(2));
    }
    assert_eq!(report["as_of"], "claim + 24h");
}

#[test]
fn misses_are_named_and_thresholds_fail_the_run() {
    let out = credence(&["calibrate", "rules/", "tests/data/calibration/"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("on 3 labelled cases"), "{text}");
    assert!(
        text.contains("mislabelled: label directed (high confidence), rules"),
        "{text}"
    );
    assert!(text.contains("decided by: "), "{text}");
    let strict = credence(&[
        "calibrate",
        "rules/",
        "tests/data/calibration/",
        "--min-agreement",
        "five-way=99",
        "--min-agreement",
        "binary@as-of=0",
    ]);
    assert_eq!(strict.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains("calibration below the minimum: five-way agreement"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("binary@as-of"),
        "a met threshold is not reported: {stderr}"
    );
    let bad = credence(&[
        "calibrate",
        "rules/",
        "tests/data/calibration/",
        "--min-agreement",
        "binary=120",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn rules_cannot_read_the_label() {
    let dir = Scratch::new("calibrate");
    let rules = dir.join("cheat.cred");
    std::fs::write(
        &rules,
        r#"ruleset cheat { version "1" }
score link {
  additive
  criterion peek {
    when label.link == "directed" => 50 "read the answer"
    else => 0
    unknown => 0 "no label to read"
  }
  bands {
    >= 40 => "directed"
    >= 30 => "inspired"
    >= 20 => "false"
    >= 10 => "contested"
    else => "unsubstantiated"
  }
}
profile {
  subject claim "claim"
  date claim by published_at
  category link {
    "directed" => agree strongly
    "inspired" => agree
    "unsubstantiated" => disagree
    "false" => disagree strongly
    "contested" => neutral
  }
}
"#,
    )
    .expect("write rules");
    let out = credence(&[
        "calibrate",
        rules.to_str().expect("path"),
        "tests/data/calibration/",
        "--format",
        "json",
    ]);
    let report = json(&out);
    for case in report["cases"].as_array().expect("cases") {
        assert_eq!(case["full_evidence"]["link"], "unsubstantiated", "{case}");
    }
}

#[test]
fn a_reliability_diagram_is_written_on_request() {
    let dir = Scratch::new("reliability");
    let svg = dir.join("reliability.svg");
    let out = credence(&[
        "calibrate",
        "rules/",
        "fixtures/real/",
        "--svg",
        svg.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&svg).expect("svg written");
    assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(text.matches("<circle").count() >= 2, "{text}");
    assert!(text.trim_end().ends_with("</svg>"));
}

#[test]
fn a_floor_written_as_a_fraction_is_refused() {
    let out = credence(&[
        "calibrate",
        "rules/",
        "fixtures/real/",
        "--min-agreement",
        "five-way=0.72",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("write `five-way=72` for 72.0%"), "{stderr}");
}

#[test]
fn a_case_counts_once_and_a_label_states_a_known_confidence() {
    let dir = Scratch::new("calibrate-duplicates");
    let mut case: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/real/trebes-2018.json").expect("case"),
    )
    .expect("JSON");
    std::fs::write(dir.join("a.json"), case.to_string()).expect("write");
    case["label"]["link"] = "directed".into();
    std::fs::write(dir.join("b.json"), case.to_string()).expect("write");
    case["id"] = "another".into();
    case["label"]["confidence"] = "certain".into();
    std::fs::write(dir.join("c.json"), case.to_string()).expect("write");
    let out = credence(&["calibrate", "rules/", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("on 1 labelled cases"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "b.json: cannot calibrate on this case: the case id `trebes-2018` is already"
        ) && stderr.contains("with another label (inspired, not directed)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("c.json: cannot calibrate on this case: `label.confidence` must be one of high, medium, low"),
        "{stderr}"
    );
}

#[test]
fn a_wrong_settled_verdict_is_counted_and_can_fail_the_run() {
    let dir = Scratch::new("calibrate-settled");
    let mut case: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/real/paris-2015.json").expect("case"),
    )
    .expect("JSON");
    case["label"]["link"] = "inspired".into();
    std::fs::write(dir.join("paris.json"), case.to_string()).expect("write");
    std::fs::copy("fixtures/real/trebes-2018.json", dir.join("trebes.json")).expect("copy");
    let corpus = dir.to_str().expect("utf-8");
    let out = credence(&["calibrate", "rules/", corpus, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    let full = &report["full_evidence"]["rules"];
    assert_eq!(full["settled_wrong"], 1, "{full}");
    let paris = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "paris-2015")
        .expect("paris");
    assert_eq!(paris["full_evidence"]["settled"], true);
    assert_eq!(paris["full_evidence"]["agrees_five_way"], false);
    let text = credence(&["calibrate", "rules/", corpus]);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(
        shown.contains("settled verdicts that are wrong (of settled)") && shown.contains("1 of 2"),
        "{shown}"
    );
    assert!(
        shown.contains("paris-2015: label inspired (high confidence), rules directed (settled)"),
        "{shown}"
    );
    let strict = credence(&["calibrate", "rules/", corpus, "--max-settled-wrong", "0"]);
    assert_eq!(strict.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains(
            "calibration: 1 settled verdict is wrong on full evidence, more than the maximum 0"
        ),
        "{stderr}"
    );
    let allowed = credence(&["calibrate", "rules/", corpus, "--max-settled-wrong", "1"]);
    assert_eq!(allowed.status.code(), Some(0));
}

#[test]
fn folds_show_how_much_agreement_rests_on_few_cases() {
    let out = credence(&[
        "calibrate",
        "rules/",
        "fixtures/real/",
        "--folds",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    let total = report["cases"].as_array().expect("cases").len();
    for view in ["full_evidence", "early"] {
        let folds = report[view]["folds"].as_array().expect("folds");
        assert_eq!(folds.len(), 4, "{view}");
        let cases: u64 = folds
            .iter()
            .map(|f| f["five_way"]["cases"].as_u64().expect("cases"))
            .sum();
        assert_eq!(cases as usize, total, "every case is in one fold: {view}");
        let agreed: u64 = folds
            .iter()
            .map(|f| f["five_way"]["agreed"].as_u64().expect("agreed"))
            .sum();
        assert_eq!(
            report[view]["rules"]["five_way"]["agreed"], agreed,
            "{view}"
        );
    }
    let text = credence(&["calibrate", "rules/", "fixtures/real/", "--folds", "4"]);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(
        shown.contains("In 4 folds (case i in fold i mod 4"),
        "{shown}"
    );
    assert!(shown.contains("settled but wrong, per fold"), "{shown}");
    for bad in ["1", "101"] {
        let refused = credence(&["calibrate", "rules/", "fixtures/real/", "--folds", bad]);
        assert_eq!(refused.status.code(), Some(2), "--folds {bad}");
    }
}

/// Calibration reads the categories, and the claim's time for the early view, from the rule
/// set's profile: without one it says what is missing.
#[test]
fn rules_without_a_profile_are_told_what_calibration_needs() {
    let dir = Scratch::new("calibrate-no-profile");
    let rules = dir.join("bare.cred");
    std::fs::write(
        &rules,
        "ruleset bare { version \"1\" }\nscore link {\n  additive\n  criterion x {\n    else => 0\n  }\n  bands {\n    else => \"unsubstantiated\"\n  }\n}\n",
    )
    .expect("write rules");
    let out = credence(&[
        "calibrate",
        rules.to_str().expect("path"),
        "tests/data/calibration/",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: calibration needs the rule set's `profile` to declare the score whose band is the judgement's category"),
        "{stderr}"
    );
}
