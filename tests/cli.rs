//! The `credence` command line: exit codes, outputs, batches, determinism, unknowns.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::Scratch;

fn credence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

fn credence_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("credence starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("credence finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `contents` to `dir/name`.
fn temp_file(dir: &Path, name: &str, contents: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

/// The small synthetic case, parsed, for tests that change one field.
fn small_case() -> Value {
    let text = std::fs::read_to_string("tests/data/fixtures/cases/small.json").expect("case");
    serde_json::from_str(&text).expect("json")
}

/// Exact fixed-point sum (contributions have at most four decimals).
fn ten_thousandths(x: f64) -> i64 {
    (x * 10_000.0).round() as i64
}

#[test]
fn check_accepts_the_shipped_rules() {
    let out = credence(&["check", "rules/", "--schema", "docs/case.schema.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("ok: claims_of_responsibility 3.1.0"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_reports_three_unrelated_mistakes_in_one_run() {
    let out = credence(&["check", "tests/diagnostics/three_mistakes.cred"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for code in ["E001", "E005", "E014"] {
        assert!(stderr.contains(code), "missing {code} in:\n{stderr}");
    }
    for location in [
        "three_mistakes.cred:10:51",
        "three_mistakes.cred:14:10",
        "three_mistakes.cred:23:18",
    ] {
        assert!(
            stderr.contains(location),
            "missing {location} in:\n{stderr}"
        );
    }
    assert_eq!(stderr.matches("help:").count(), 3);
    assert!(stderr.ends_with("3 errors, 0 warnings\n"), "{stderr}");
}

#[test]
fn check_json_lists_diagnostics() {
    let out = credence(&[
        "check",
        "--format",
        "json",
        "tests/diagnostics/three_mistakes.cred",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["ok"], false);
    let texts: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["text"].as_str().expect("text"))
        .collect();
    assert_eq!(texts, ["->", "claim_dealy", "\"likley\""]);
}

#[test]
fn json_score_is_deterministic_and_contributions_add_up() {
    let args = [
        "score",
        "--format",
        "json",
        "rules/",
        "fixtures/real/trebes-2018.json",
    ];
    let first = credence(&args);
    let second = credence(&args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(first.stdout, second.stdout, "same inputs, same bytes");
    let report: Value = serde_json::from_slice(&first.stdout).expect("json");
    assert_eq!(report["format_version"], 2);
    for score in report["scores"].as_array().expect("scores") {
        let criteria = score["criteria"].as_array().expect("criteria");
        // Evidence scores add log-odds from the prior's; additive ones add points from zero.
        let (unit, base, total) = match score["mode"].as_str() {
            Some("evidence") => (
                "log_odds",
                score["log_odds"]["base"].as_f64().expect("base"),
                score["log_odds"]["total"].as_f64().expect("total"),
            ),
            _ => (
                "points",
                0.0,
                score["value"]["points"].as_f64().expect("points"),
            ),
        };
        let sum: i64 = criteria
            .iter()
            .filter(|c| c["contributes"] == true)
            .map(|c| ten_thousandths(c["contribution"][unit].as_f64().expect("number")))
            .sum();
        assert_eq!(
            ten_thousandths(base) + sum,
            ten_thousandths(total),
            "{}",
            score["name"]
        );
        for c in criteria {
            assert!(
                !c["evidence"].as_array().expect("evidence").is_empty(),
                "{} names no evidence",
                c["name"]
            );
            assert!(
                c["rule"]
                    .as_str()
                    .expect("rule")
                    .starts_with("rules/claims.cred:")
            );
        }
        assert!(
            !score["margins"].as_array().expect("margins").is_empty(),
            "{} has no margin",
            score["name"]
        );
    }
    let provenance = &report["provenance"];
    assert_eq!(provenance["ruleset"], "claims_of_responsibility");
    assert_eq!(provenance["version"], "3.1.0");
    for key in ["rules_hash", "case_hash"] {
        assert!(
            provenance[key]
                .as_str()
                .expect("hash")
                .starts_with("sha256:"),
            "{key}"
        );
    }
    assert!(
        provenance["engine"]
            .as_str()
            .expect("engine")
            .starts_with("credence ")
    );
}

#[test]
fn a_deleted_field_turns_its_criteria_unknown_not_false() {
    let full: Value = small_case();
    let mut cut = full.clone();
    cut["claim"]
        .as_object_mut()
        .expect("claim")
        .remove("channel_class");
    let dir = Scratch::new("cli");
    let path = temp_file(&dir, "cut.json", &cut.to_string());
    let before = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        "tests/data/fixtures/cases/small.json",
    ]);
    let after = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        path.to_str().expect("utf-8 path"),
    ]);
    let (before, after): (Value, Value) = (
        serde_json::from_slice(&before.stdout).expect("json"),
        serde_json::from_slice(&after.stdout).expect("json"),
    );
    let credibility = |r: &Value| r["scores"][0].clone();
    let channel = |r: &Value| credibility(r)["criteria"][0].clone();
    assert_eq!(channel(&before)["outcome"]["status"], "applied");
    assert_eq!(channel(&after)["outcome"]["status"], "unknown");
    assert_eq!(channel(&after)["outcome"]["handling"], "skipped");
    assert_eq!(channel(&after)["contribution"]["log_odds"], 0.0);
    assert_eq!(
        channel(&after)["unknown"][0],
        "claim.channel_class (missing)"
    );
    let known = |r: &Value| credibility(r)["coverage"]["known"].as_u64().expect("known");
    assert_eq!(known(&after), known(&before) - 1);
    assert!(
        credibility(&after)["coverage"]["unknown"]
            .as_array()
            .expect("list")
            .contains(&Value::from("channel"))
    );
    assert_ne!(credibility(&after)["value"], credibility(&before)["value"]);
}

#[test]
fn a_json_lines_batch_scores_every_good_line_and_names_the_bad_ones() {
    let good = small_case();
    let mut bad_type = good.clone();
    bad_type["claim"]["published_at"] = Value::from("yesterday afternoon");
    let lines = [
        good.to_string(),
        "{\"id\": \"broken\", \"claim\": ".to_string(),
        bad_type.to_string(),
        good.to_string(),
    ];
    let dir = Scratch::new("cli");
    let path = temp_file(&dir, "batch.jsonl", &(lines.join("\n") + "\n"));
    let out = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(3), "invalid case data");
    let records: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0]["case"], "synthetic-small");
    assert_eq!(records[1]["line"], 2);
    assert_eq!(records[2]["line"], 3);
    assert_eq!(records[2]["errors"][0]["path"], "claim.published_at");
    assert_eq!(records[3]["case"], "synthetic-small");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("batch.jsonl:2 (column"), "{stderr}");
    assert!(
        stderr.contains("batch.jsonl:3 (column") && stderr.contains("`claim.published_at`: expected an RFC 3339 timestamp, found \"yesterday afternoon\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 cases could not be scored; 2 scored"),
        "{stderr}"
    );
}

#[test]
fn stdin_takes_a_document_or_json_lines() {
    let case = std::fs::read("tests/data/fixtures/cases/small.json").expect("case");
    let one = credence_stdin(&["score", "--format", "json", "rules/", "-"], &case);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    let compact: Value = serde_json::from_slice(&case).expect("json");
    let batch = format!("{compact}\n{compact}\n");
    let two = credence_stdin(
        &["score", "--format", "json", "rules/", "-"],
        batch.as_bytes(),
    );
    assert_eq!(two.status.code(), Some(0));
    assert_eq!(text(&two.stdout).lines().count(), 2);
}

#[test]
fn schema_validation_names_the_bad_path() {
    let mut case: Value = small_case();
    case["claim"]["channel_class"] = Value::from("telegram");
    let dir = Scratch::new("cli");
    let path = temp_file(&dir, "invalid.json", &case.to_string());
    let out = credence(&[
        "score",
        "--schema",
        "docs/case.schema.json",
        "rules/",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`claim.channel_class`: \"telegram\" is not one of"),
        "{stderr}"
    );
}

#[test]
fn exit_codes_for_usage_and_missing_files() {
    assert_eq!(
        credence(&["score", "rules/"]).status.code(),
        Some(2),
        "one input is a usage error"
    );
    assert_eq!(credence(&["frobnicate"]).status.code(), Some(2));
    let missing = credence(&["score", "rules/", "no/such/case.json"]);
    assert_eq!(missing.status.code(), Some(4));
    assert!(text(&missing.stderr).contains("no/such/case.json"));
    assert_eq!(
        credence(&["check", "no/such/rules.cred"]).status.code(),
        Some(4)
    );
}

#[test]
fn text_trace_of_a_small_case() {
    let out = credence(&["score", "rules/", "tests/data/fixtures/cases/small.json"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn json_trace_of_a_small_case() {
    let out = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        "tests/data/fixtures/cases/small.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn a_counted_list_is_still_shown_with_its_values() {
    let mut case: Value = small_case();
    case["claim"]["exclusive_media"] = serde_json::json!(["pledge_video", {"kind": "photo"}]);
    let dir = Scratch::new("cli");
    let path = temp_file(&dir, "media.json", &case.to_string());
    let out = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        path.to_str().expect("utf-8 path"),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let media = &report["scores"][0]["criteria"][2];
    assert_eq!(media["name"], "exclusive_media");
    assert_eq!(
        media["reason"],
        "The claim carried material not obtainable from the news: pledge_video, unknown"
    );
    let shown = media["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["name"] == "claim.exclusive_media")
        .expect("read");
    assert_eq!(shown["value"], serde_json::json!(["pledge_video", null]));
}

#[test]
fn markdown_report_of_a_small_case() {
    let out = credence(&[
        "score",
        "--format",
        "markdown",
        "rules/",
        "tests/data/fixtures/cases/small.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn commands_that_use_rules_count_their_warnings_in_one_line() {
    let rules = "tests/diagnostics/w002_secondary_erases_primary.cred";
    let dir = Scratch::new("cli");
    let case = temp_file(
        &dir,
        "warned.json",
        r#"{"claim": {"channel_class": "official_agency"}}"#,
    );
    let case = case.to_str().expect("utf-8 path");
    let out = credence(&["score", rules, case, "--brief"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "warning: the rules have 3 warnings (W002); `credence check` shows them\n"
    );
    let out = credence(&["check", rules]);
    assert!(text(&out.stderr).contains("help: decide on the known evidence"));
}

#[test]
fn before_the_claim_the_case_is_named_as_its_trace_names_it() {
    let dir = Scratch::new("numeric-id");
    let mut case: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/real/paris-2015.json").expect("case"),
    )
    .expect("JSON");
    for (id, expected) in [
        (Value::from(42), Value::from("42")),
        (Value::from("paris"), Value::from("paris")),
        (Value::Null, Value::Null),
    ] {
        case["id"] = id;
        let file = dir.join("case.json");
        std::fs::write(&file, case.to_string()).expect("write");
        let file = file.to_str().expect("utf-8");
        let before = credence(&[
            "score", "--format", "json", "--as-of", "start+1h", "rules/", file,
        ]);
        let before: Value = serde_json::from_slice(&before.stdout).expect("JSON");
        assert_eq!(before["claim_known"], false);
        assert_eq!(before["case"], expected);
        let scored = credence(&["score", "--format", "json", "rules/", file]);
        let scored: Value = serde_json::from_slice(&scored.stdout).expect("JSON");
        assert_eq!(scored["case"], expected, "the trace names it the same way");
    }
}

#[test]
fn timeline_shows_the_judgement_change_as_findings_arrive() {
    let out = credence(&[
        "timeline",
        "rules/",
        "fixtures/cases/findings-over-time.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let timeline: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let moments = timeline["moments"].as_array().expect("moments");
    let judgements: Vec<String> = moments
        .iter()
        .map(|m| {
            let j = &m["judgement"];
            if j["claim_known"] == false {
                "no claim".to_string()
            } else {
                j["verdict"].as_str().expect("verdict").to_string()
            }
        })
        .collect();
    assert_eq!(judgements.first().map(String::as_str), Some("no claim"));
    let mut distinct = judgements.clone();
    distinct.dedup();
    assert!(distinct.len() >= 4, "{judgements:?}");
    assert_eq!(
        judgements.last().map(String::as_str),
        Some("credible claim: directed attack")
    );
    assert_eq!(moments[0]["arrived"][0]["path"], "incident.started_at");
    let last = moments.last().expect("a moment");
    assert_eq!(last["at"], "2024-07-10T09:00:00Z");
    assert_eq!(
        last["arrived"][0]["path"],
        "incident.attacker.prior_contact"
    );
    let out = credence(&[
        "timeline",
        "rules/",
        "fixtures/cases/findings-over-time.json",
    ]);
    let table = text(&out.stdout);
    assert!(
        table.contains(
            "2024-06-10T08:00:00Z  the attack began\n    no claim of responsibility yet\n"
        ),
        "{table}"
    );
}

/// A fixture is judged over time on its case, as `score` scores it; a document with no time
/// to start from is an error, not an empty table.
#[test]
fn timeline_of_a_fixture_and_of_a_case_without_times() {
    let of_case = credence(&["timeline", "rules/", "fixtures/real/paris-2015.json"]);
    let of_fixture = credence(&["timeline", "rules/", "fixtures/paris-2015.json"]);
    assert_eq!(
        of_fixture.status.code(),
        Some(0),
        "{}",
        text(&of_fixture.stderr)
    );
    assert_eq!(text(&of_fixture.stdout), text(&of_case.stdout));
    assert!(text(&of_case.stdout).contains("verdict: credible claim: directed attack"));
    let dir = Scratch::new("timeline-empty");
    let path = temp_file(&dir, "empty.json", r#"{"id": "empty", "format": 2}"#);
    let out = credence(&["timeline", "rules/", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr)
            .contains("cannot judge the case over time: it records no time to start from"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn as_of_judges_on_what_was_known_then() {
    let case = "fixtures/cases/findings-over-time.json";
    let out = credence(&["score", "rules/", case, "--as-of", "2024-06-10T10:00:00Z"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Case findings-over-time: as of 2024-06-10T10:00:00Z, no claim of responsibility is known yet (the claim was published 2024-06-10T11:00:00Z).\n"
    );
    let out = credence(&["score", "rules/", case, "--as-of", "claim+24h", "--brief"]);
    let summary = text(&out.stdout);
    assert!(
        summary.contains("As of 2024-06-11T11:00:00Z: judged on what was known then; not yet known: incident.attacker.self_declared_allegiance (known 2024-06-12T10:00:00Z), incident.attacker.declared_during_attack (known 2024-06-12T10:00:00Z), incident.attacker.prior_contact (known 2024-07-10T09:00:00Z)"),
        "{summary}"
    );
    assert!(
        summary.contains("CREDIBLE CLAIM: INSPIRED ATTACK"),
        "{summary}"
    );
    let out = credence(&[
        "score",
        "rules/",
        case,
        "--as-of",
        "claim+24h",
        "--format",
        "json",
    ]);
    let trace: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(trace["as_of"]["at"], "2024-06-11T11:00:00Z");
    assert_eq!(
        trace["as_of"]["left_out"][2]["path"],
        "incident.attacker.prior_contact"
    );
    let out = credence(&["score", "rules/", case, "--as-of", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = Scratch::new("cli");
    let no_start = temp_file(&dir, "no-start.json", r#"{"id": "x", "claim": {}}"#);
    let out = credence(&[
        "score",
        "rules/",
        no_start.to_str().expect("path"),
        "--as-of",
        "claim+1h",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr)
            .contains("`claim.published_at`: not known, so there is no time to count from"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_corpus_report_has_a_page_per_case_and_an_index_listing_every_case() {
    let dir = Scratch::new("report");
    let mut hostile = small_case();
    hostile["id"] = Value::from("<script>alert(1)</script>");
    let mut bad = small_case();
    bad["claim"]["published_at"] = Value::from("yesterday");
    let batch = temp_file(
        &dir,
        "batch.jsonl",
        &format!("{hostile}\n{bad}\n{}\n", small_case()),
    );
    let out_dir = dir.join("out");
    let out = credence(&[
        "report",
        "rules/",
        "fixtures/real/trebes-2018.json",
        batch.to_str().expect("path"),
        "--out",
        out_dir.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("error: batch:2: `claim.published_at`: expected an RFC 3339 timestamp"),
        "{}",
        text(&out.stderr)
    );
    let index = std::fs::read_to_string(out_dir.join("index.html")).expect("index");
    assert!(
        index.contains("4 cases: 3 scored, 1 could not be scored."),
        "{index}"
    );
    for page in ["trebes-2018.html", "batch-1.html", "batch-3.html"] {
        assert!(index.contains(&format!("<a href=\"{page}\">")), "{page}");
        let html = std::fs::read_to_string(out_dir.join(page)).expect("page");
        assert!(html.starts_with("<!doctype html>"));
    }
    assert!(!out_dir.join("batch-2.html").exists());
    assert!(
        index.contains("not scored: `claim.published_at`"),
        "{index}"
    );
    assert!(index.contains("credible claim: inspired attack"));
    let hostile_page = std::fs::read_to_string(out_dir.join("batch-1.html")).expect("page");
    assert!(!hostile_page.contains("<script>"));
    assert!(hostile_page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let not_a_dir = credence(&[
        "report",
        "rules/",
        "fixtures/real/trebes-2018.json",
        "--out",
        batch.to_str().expect("path"),
    ]);
    assert_eq!(not_a_dir.status.code(), Some(4));
}

#[test]
fn several_cases_are_scored_in_one_run_and_an_unreadable_one_stops_none_of_the_others() {
    let out = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        "fixtures/real/trebes-2018.json",
        "fixtures/real/paris-2015.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one case per line"))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["case"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["trebes-2018", "paris-2015"]);

    let out = credence(&[
        "score",
        "--brief",
        "rules/",
        "fixtures/real/no-such-case.json",
        "fixtures/real/paris-2015.json",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("cannot read `fixtures/real/no-such-case.json`"));
    assert!(text(&out.stdout).starts_with("Case paris-2015: CREDIBLE CLAIM: DIRECTED ATTACK"));
}

#[test]
fn score_takes_a_directory_of_cases_and_fixtures() {
    let real = std::fs::read_dir("fixtures/real")
        .expect("real cases")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    let out = credence(&["score", "--format", "json", "rules/", "fixtures/real/"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let traces: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one trace per line"))
        .collect();
    assert_eq!(traces.len(), real);
    assert!(traces.iter().all(|t| t["verdict"]["label"].is_string()));
    // A directory of fixtures: each is scored on its case (inline or by path).
    let out = credence(&["score", "--brief", "rules/", "fixtures/"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Case paris-2015: "));
}

#[test]
fn the_html_report_shows_what_changed_the_verdict_over_time() {
    let out = credence(&[
        "score",
        "--format",
        "html",
        "rules/",
        "fixtures/real/paris-2015.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    let table = page
        .split("<table id=\"judgements\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the judgement over time");
    assert!(
        table.contains(
            "<td>incident.attacker.prior_contact</td><td><b>credible claim: directed attack</b></td>"
        ),
        "{table}"
    );
    assert!(
        table.contains("<td>claim</td><td><b>credible claim: inspired attack</b></td>"),
        "{table}"
    );
}

#[test]
fn compiled_rules_kept_with_cache_give_the_same_answers_and_follow_every_change() {
    let dir = Scratch::new("cache");
    let rules = dir.join("rules");
    std::fs::create_dir(&rules).expect("rules dir");
    for name in [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ] {
        std::fs::copy(Path::new("rules").join(name), rules.join(name)).expect("copy");
    }
    let cache = dir.join("cache");
    let main = rules.join("claims.cred");
    let (main, cache) = (
        main.to_str().expect("utf-8"),
        cache.to_str().expect("utf-8"),
    );
    let case = "fixtures/real/trebes-2018.json";
    let uncached = |case: &str| credence(&["score", "--format", "json", "--no-cache", main, case]);
    let cached =
        |case: &str| credence(&["score", "--format", "json", "--cache", cache, main, case]);
    let entries = || std::fs::read_dir(&*dir.join("cache")).map_or(0, |d| d.count());

    // Compiled and kept, then used: the same bytes as compiling each time.
    let expected = uncached(case);
    assert_eq!(
        expected.status.code(),
        Some(0),
        "{}",
        text(&expected.stderr)
    );
    for _ in 0..2 {
        let out = cached(case);
        assert_eq!(out.stdout, expected.stdout);
        assert_eq!(text(&out.stderr), text(&expected.stderr));
    }
    assert_eq!(entries(), 1, "one entry for one rule set");

    // An included file (not named on the command line) changes: the entry is not used.
    let paris = "fixtures/real/paris-2015.json";
    let paris_before = cached(paris).stdout;
    let shared = rules.join("shared.cred");
    let before = std::fs::read_to_string(&shared).expect("shared");
    let after = before.replace("const WITHIN_HOURS = 6h", "const WITHIN_HOURS = 1h");
    assert_ne!(before, after);
    std::fs::write(&shared, after).expect("edit include");
    let changed = uncached(paris);
    assert_ne!(changed.stdout, paris_before, "the edit changes the trace");
    assert_eq!(
        cached(paris).stdout,
        changed.stdout,
        "a changed include is compiled again"
    );

    // A damaged entry is ignored and written anew.
    for entry in std::fs::read_dir(&*dir.join("cache")).expect("cache") {
        std::fs::write(entry.expect("entry").path(), b"not a program").expect("damage");
    }
    assert_eq!(cached(case).stdout, uncached(case).stdout);
    assert_eq!(cached(case).stdout, uncached(case).stdout);

    // A cache that cannot be written only warns.
    let blocked = dir.join("blocked");
    std::fs::write(&blocked, "a file, not a directory").expect("file");
    let out = credence(&[
        "score",
        "--cache",
        blocked.to_str().expect("utf-8"),
        main,
        case,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("cannot keep the compiled rules in the cache"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn compiled_rules_are_kept_in_the_users_cache_by_default_and_nowhere_when_turned_off() {
    let home = Scratch::new("cache-home");
    let kept = home.join("credence");
    let score = |extra: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_credence"));
        command
            .env_remove("CREDENCE_CACHE")
            .env("XDG_CACHE_HOME", &*home)
            .envs(env.iter().copied())
            .arg("score")
            .args(extra)
            .args(["rules/", "fixtures/real/trebes-2018.json"]);
        command.output().expect("credence runs")
    };
    let entries = || std::fs::read_dir(&kept).map_or(0, |d| d.count());

    // Turned off: nothing is written.
    let off = score(&["--no-cache"], &[]);
    assert_eq!(off.status.code(), Some(0), "{}", text(&off.stderr));
    assert_eq!(score(&[], &[("CREDENCE_CACHE", "off")]).stdout, off.stdout);
    assert!(
        !kept.exists(),
        "--no-cache and CREDENCE_CACHE=off keep nothing"
    );

    // By default: kept under $XDG_CACHE_HOME/credence (the user's alone), then used, with the
    // same answer.
    assert_eq!(score(&[], &[]).stdout, off.stdout);
    assert_eq!(entries(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept)
            .expect("cache")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }
    let again = score(&[], &[]);
    assert_eq!(again.stdout, off.stdout);
    assert_eq!(text(&again.stderr), text(&off.stderr));
    assert_eq!(entries(), 1);

    // The directory keeps the 32 most recent entries, and nothing it did not write is removed.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    for n in 0..40 {
        let path = kept.join(format!("{n:064x}.rules"));
        std::fs::write(&path, b"an old entry").expect("old entry");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(old))
            .expect("age it");
    }
    std::fs::write(kept.join("notes.txt"), b"mine").expect("other file");
    let mut newest = std::fs::read_dir(&kept)
        .expect("cache")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > old)
        })
        .collect::<Vec<_>>();
    newest.retain(|p| p.extension().is_some_and(|e| e == "rules"));
    assert_eq!(newest.len(), 1, "the entry just written");
    // Another rule set (a different schema given) writes a second entry and prunes.
    let other = score(&["--schema", "rules/case.schema.json"], &[]);
    assert_eq!(other.status.code(), Some(0), "{}", text(&other.stderr));
    assert_eq!(
        entries(),
        32 + 1,
        "32 entries and the file the cache did not write"
    );
    assert!(kept.join("notes.txt").exists());
    assert!(newest[0].exists(), "the most recent entries stay");
}

#[test]
fn rules_with_warnings_are_not_cached_so_their_warnings_show_every_time() {
    let dir = Scratch::new("cache-warnings");
    let rules = temp_file(
        &dir,
        "w.cred",
        "ruleset w { version \"1\" }\nconst UNUSED = 3\nscore s {\n  criterion c {\n    when claim.a == 1 => 1 \"a\"\n    else => 0 \"not a\"\n  }\n}\n",
    );
    let case = temp_file(&dir, "case.json", r#"{"claim": {"a": 1}}"#);
    let cache = dir.join("cache");
    let args = [
        "score",
        "--cache",
        cache.to_str().expect("utf-8"),
        rules.to_str().expect("utf-8"),
        case.to_str().expect("utf-8"),
    ];
    for _ in 0..2 {
        let out = credence(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("warning"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(std::fs::read_dir(&cache).map_or(true, |mut d| d.next().is_none()));
}
