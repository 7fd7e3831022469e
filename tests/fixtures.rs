//! `credence test` and `credence diff`: the shipped corpus, failure output, golden traces and
//! blessing, coverage, JSON and JUnit reports, and verdict diffs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

use serde_json::Value;

mod common;
use common::Scratch;

fn credence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of the shipped rules with one text replaced (which must occur).
fn modified_rules(name: &str, from: &str, to: &str) -> Scratch {
    let dir = Scratch::new(name);
    for file in [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ] {
        let text = std::fs::read_to_string(Path::new("rules").join(file)).expect("shipped rules");
        std::fs::write(dir.join(file), text.replace(from, to)).expect("write rules");
    }
    let claims = std::fs::read_to_string(dir.join("claims.cred")).expect("copied rules");
    assert!(
        claims.contains(to),
        "the replacement `{from}` → `{to}` did not apply"
    );
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Fixture files under `dir`: JSON files with expectations, case files and goldens aside.
fn fixture_files(dir: &Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("fixture directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            count += fixture_files(&path);
        } else if path.extension().is_some_and(|x| x == "json") {
            // The cyber pack's fixtures name their rule set; the attack pack's name none.
            let text = std::fs::read_to_string(&path).expect("fixture");
            count += usize::from(text.contains("\"expect\"") && !text.contains("\"ruleset\""));
        }
    }
    count
}

#[test]
fn the_shipped_corpus_passes_with_its_golden_traces() {
    let out = credence(&[
        "test",
        "rules/",
        "fixtures/",
        "--golden",
        "fixtures/golden",
        "--min-coverage",
        "90",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let expected = format!(
        "test result: ok. {} passed; 0 failed; 0 todo; 0 errors",
        fixture_files(Path::new("fixtures"))
    );
    assert!(text.contains(&expected), "{text}");
    assert!(
        text.contains("coverage: 39 of 39 criteria exercised"),
        "{text}"
    );
}

#[test]
fn human_output_shows_expected_against_actual_with_evidence() {
    let out = credence(&["test", "rules/", "tests/data/fixtures/"]);
    assert_eq!(out.status.code(), Some(5));
    let text = stdout(&out);
    assert!(
        text.contains("ERROR  broken: tests/data/fixtures/broken.json:4:3"),
        "a broken fixture is reported: {text}"
    );
    assert!(
        text.contains("ok     passes"),
        "the others still run: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_and_junit_reports_agree_with_the_text() {
    let dir = Scratch::new("reports");
    let (json, junit) = (dir.join("report.json"), dir.join("junit.xml"));
    let out = credence(&[
        "test",
        "rules/",
        "tests/data/fixtures/",
        "--report",
        &format!("json={}", path(&json)),
        "--report",
        &format!("junit={}", path(&junit)),
    ]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stdout(&out).contains("1 passed; 1 failed; 1 todo; 1 error\n"));

    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let count = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    assert_eq!(
        (
            cases.len(),
            count("failure"),
            count("error"),
            count("skipped")
        ),
        (4, 1, 1, 1)
    );
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("testsuite");
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let timestamp = suite.attribute("timestamp").expect("a start time");
    jiff::Timestamp::from_str(timestamp).expect("RFC 3339");
    for case in &cases {
        let seconds: f64 = case
            .attribute("time")
            .expect("each fixture's time")
            .parse()
            .expect("seconds");
        assert!((0.0..60.0).contains(&seconds), "{seconds}");
    }
    insta::assert_snapshot!("junit", without_times(&xml));

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written"))
            .expect("valid JSON");
    assert_eq!(
        report["totals"],
        serde_json::json!({"passed": 1, "failed": 1, "todo": 1, "errors": 1})
    );
    insta::assert_json_snapshot!("json_report", report["fixtures"]);
}

#[test]
fn a_changed_weight_fails_the_goldens_until_blessed() {
    let rules = modified_rules(
        "weight",
        "lr 1.5 \"The attack fits",
        "lr 1.6 \"The attack fits",
    );
    let golden = Scratch::new("golden");
    for entry in std::fs::read_dir("fixtures/golden").expect("goldens") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), golden.join(entry.file_name())).expect("copy golden");
    }
    let run = |extra: &[&str]| {
        let mut args = vec!["test", path(&rules), "fixtures/", "--golden", path(&golden)];
        args.extend_from_slice(extra);
        credence(&args)
    };
    let failed = run(&[]);
    let text = stdout(&failed);
    assert_eq!(failed.status.code(), Some(5), "{text}");
    assert!(text.contains("FAIL   paris-2015"), "{text}");
    assert!(text.contains("golden trace: expected"), "{text}");
    assert!(
        text.contains("-     ×1.5  capability_fit") && text.contains("+     ×1.6  capability_fit"),
        "diff names the criterion: {text}"
    );
    assert!(
        !text.contains("FAIL   baseline-adopted-claim"),
        "a fixture without a profile match is unaffected: {text}"
    );
    assert_eq!(run(&["--bless"]).status.code(), Some(0));
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn a_changed_weight_that_breaks_an_expectation_names_it() {
    let rules = modified_rules(
        "channel",
        "=> lr 3 \"Published through the group's own outlet",
        "=> lr 1 \"Published through the group's own outlet",
    );
    let out = credence(&["test", path(&rules), "fixtures/"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text.contains(
            "credibility.channel: expected a positive contribution, got 0 (when `own_outlet`"
        ),
        "{text}"
    );
    assert!(
        text.contains("claim.channel_class = \"official_agency\""),
        "evidence under the failure: {text}"
    );
}

#[test]
fn an_expectation_naming_a_misspelt_criterion_is_an_error_not_a_pass() {
    let dir = Scratch::new("misspelt-expectation");
    let mut fixture: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/capability-match.json").expect("fixture"),
    )
    .expect("JSON");
    for list in [
        "contributes",
        "positive",
        "negative",
        "silent",
        "unknown",
        "known",
    ] {
        fixture["expect"] = serde_json::json!({ list: ["credibility.capabilty_fit"] });
        let file = dir.join(format!("{list}.json"));
        std::fs::write(&file, fixture.to_string()).expect("write fixture");
        let out = credence(&["test", "rules/", path(&file)]);
        assert_eq!(out.status.code(), Some(5), "{list}: {}", stdout(&out));
        let text = stdout(&out) + &String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains(&format!(
                "`expect.{list}` names `credibility.capabilty_fit`, which is not a criterion"
            )) && text.contains("credibility.capability_fit"),
            "{list}: {text}"
        );
    }
}

#[test]
fn an_empty_run_fails_unless_allowed_and_coverage_has_a_floor() {
    let empty = credence(&["test", "rules/"]);
    assert_eq!(empty.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no fixture ran"));
    assert_eq!(
        credence(&["test", "rules/", "--allow-empty"]).status.code(),
        Some(0)
    );
    let low = credence(&[
        "test",
        "rules/",
        "fixtures/trebes-2018.json",
        "--min-coverage",
        "80",
    ]);
    assert_eq!(low.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&low.stderr).contains("below the minimum 80%"));
    let gaps = credence(&["test", "rules/", "fixtures/trebes-2018.json", "--coverage"]);
    assert!(
        stdout(&gaps)
            .contains("credibility.channel `claim.channel_class == \"forged\"`: never true"),
        "{}",
        stdout(&gaps)
    );
}

#[test]
fn diff_lists_exactly_the_cases_whose_verdict_changed() {
    let rules = modified_rules(
        "diff",
        "when acted_in_name => 15 \"The attacker",
        "when acted_in_name => 5 \"The attacker",
    );
    let out = credence(&[
        "diff",
        "--format",
        "json",
        "rules/",
        path(&rules),
        "fixtures/",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let diff: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut listed: Vec<String> = diff["verdict_changes"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["case"].as_str().expect("name").to_string())
        .collect();
    listed.sort();

    // Independently: score every fixture's case under both versions and compare verdicts.
    let cases = Scratch::new("diff");
    let verdict = |rules: &str, fixture: &Path| -> String {
        let corpus = credence::fixture::Corpus::new(&["fixtures".into()], &[], 64 << 20);
        let fixture = credence::fixture::load_fixture(fixture, &corpus).expect("fixture loads");
        let case = cases.join(format!("{}.json", fixture.name));
        std::fs::write(&case, &fixture.case).expect("write case");
        let out = credence(&["score", "--format", "json", rules, path(&case)]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        report["verdict"]["label"]
            .as_str()
            .expect("verdict")
            .to_string()
    };
    let mut expected = Vec::new();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("fixtures")
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    fixtures.sort();
    for fixture in &fixtures {
        if verdict("rules/", fixture) != verdict(path(&rules), fixture) {
            expected.push(
                fixture
                    .file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert!(
        !expected.is_empty(),
        "the modification should change some verdicts"
    );
    assert_eq!(listed, expected);
    let confusion_total: u64 = diff["confusion"]
        .as_object()
        .expect("table")
        .values()
        .flat_map(|row| row.as_object().expect("row").values())
        .map(|n| n.as_u64().expect("count"))
        .sum();
    assert_eq!(confusion_total, fixtures.len() as u64);
    let text = stdout(&credence(&["diff", "rules/", path(&rules), "fixtures/"]));
    assert!(
        text.contains("credible claim: inspired attack → claim unsubstantiated"),
        "{text}"
    );
    assert!(text.contains("acting_in_name: +15 → +5"), "{text}");
    assert!(text.contains("    link 15 points → 5 points"), "{text}");
    let first = &diff["verdict_changes"][0]["scores"][0];
    assert_eq!(first["unit"], "points");
}

/// A copy of the rules without their schema: `--schema` supplies it, `--fail-on-change` fails
/// the run when a verdict changed, and probabilities are shown as probabilities.
#[test]
fn diff_fails_on_a_changed_verdict_for_a_copy_with_its_schema_given() {
    let dir = Scratch::new("diff-copy");
    for file in ["claims.cred", "shared.cred", "hypotheses.cred"] {
        let text = std::fs::read_to_string(Path::new("rules").join(file)).expect("shipped rules");
        let text = text.replace(
            "when acted_in_name => 15 \"The attacker",
            "when acted_in_name => 5 \"The attacker",
        );
        std::fs::write(dir.join(file), text).expect("write rules");
    }
    let copy = path(&dir);
    let without = credence(&["diff", "rules/", copy, "fixtures/"]);
    assert_eq!(
        without.status.code(),
        Some(1),
        "the copy's schema is missing"
    );
    assert!(String::from_utf8_lossy(&without.stderr).contains("E022"));
    let schema = "rules/case.schema.json";
    let changed = credence(&[
        "diff",
        "--schema",
        schema,
        "--fail-on-change",
        "rules/",
        copy,
        "fixtures/",
    ]);
    assert_eq!(changed.status.code(), Some(5), "{}", stdout(&changed));
    assert!(String::from_utf8_lossy(&changed.stderr).contains("a verdict changed"));
    let same = credence(&[
        "diff",
        "--schema",
        schema,
        "--fail-on-change=score",
        "rules/",
        "rules/",
        "fixtures/",
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    let relaxed = credence(&["diff", "--schema", schema, "rules/", copy, "fixtures/"]);
    assert_eq!(
        relaxed.status.code(),
        Some(0),
        "without the flag a change is not a failure"
    );

    let ratio = modified_rules(
        "diff-probability",
        "when attribution_with_findings => lr 4",
        "when attribution_with_findings => lr 2",
    );
    let out = credence(&[
        "diff",
        "--format",
        "json",
        "rules/",
        path(&ratio),
        "fixtures/",
    ]);
    let diff: Value = serde_json::from_slice(&out.stdout).expect("json");
    let moved = diff["score_changes"]
        .as_array()
        .expect("list")
        .iter()
        .flat_map(|c| c["scores"].as_array().expect("scores"))
        .find(|s| s["score"] == "credibility")
        .expect("credibility moved somewhere");
    assert_eq!(moved["unit"], "probability");
    for side in ["old", "new"] {
        let p = moved[side].as_f64().expect("a probability");
        assert!((0.0..=1.0).contains(&p), "{side} = {p}");
    }
    let text = stdout(&credence(&["diff", "rules/", path(&ratio), "fixtures/"]));
    assert!(text.contains("official_statements: ×4 → ×2"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("credibility ") && l.contains("% → ")),
        "{text}"
    );
}

/// A threshold change that moves no case to another band: the golden traces fail only where
/// the explanation changed (the band rule that applied), unless margins are asked for.
#[test]
fn golden_traces_ignore_margins_unless_asked() {
    let rules = modified_rules(
        "golden-margins",
        ">= 25% => \"doubtful\"",
        ">= 24% => \"doubtful\"",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "test",
            path(&rules),
            "fixtures/",
            "--golden",
            "fixtures/golden",
        ];
        args.extend_from_slice(extra);
        stdout(&credence(&args))
    };
    let status = |out: &str, fixture: &str| {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(fixture))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
    };
    let default = run(&[]);
    assert_eq!(
        status(&default, "claim-withdrawn").as_deref(),
        Some("ok"),
        "{default}"
    );
    assert_eq!(
        status(&default, "channel-not-recorded").as_deref(),
        Some("FAIL"),
        "its band rule changed: {default}"
    );
    assert!(
        default.contains("+    rule: claims.cred:166 (`>= 24.0%`)"),
        "{default}"
    );
    let strict = run(&["--golden-margins"]);
    assert_eq!(
        status(&strict, "claim-withdrawn").as_deref(),
        Some("FAIL"),
        "{strict}"
    );
    assert!(strict.contains("-    margin "), "{strict}");
}

/// A JUnit document with its `time` and `timestamp` values replaced, for the snapshot.
fn without_times(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find(" time").filter(|_| !rest.is_empty()) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let Some((name, value_and_rest)) = tail.split_once("=\"") else {
            out.push_str(tail);
            return out;
        };
        let Some((_, after)) = value_and_rest.split_once('"') else {
            out.push_str(tail);
            return out;
        };
        out.push_str(name);
        out.push_str("=\"…\"");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `expect.settled` pins whether the verdict is settled or open, and says why it is not.
#[test]
fn a_fixture_can_pin_a_settled_or_open_verdict() {
    let dir = Scratch::new("fixture-settled");
    for (name, settled) in [
        ("withdrawn-claim-then-members-charged", true),
        ("claim-withdrawn", false),
    ] {
        let text = std::fs::read_to_string(format!("fixtures/{name}.json")).expect("fixture");
        let mut fixture = Value::from_str(&text).expect("JSON");
        fixture["expect"] = serde_json::json!({ "settled": settled });
        std::fs::write(dir.join(format!("{name}.json")), fixture.to_string()).expect("write");
    }
    let out = credence(&["test", "rules/", path(&dir)]);
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(5), "{shown}");
    assert!(
        shown.contains("verdict: expected settled, got open"),
        "the open verdict: {shown}"
    );
    assert!(
        shown.contains("Conflicting evidence on link: \"The claimant withdrew the claim\" would make it \"false\""),
        "the conflict that keeps it open: {shown}"
    );
    assert!(
        shown.contains("verdict: expected open, got settled"),
        "the settled verdict: {shown}"
    );
}
