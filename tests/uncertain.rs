//! Uncertain case values: ranges in the case format, how rules judge them, and what the trace
//! says about which end of a range decided.

use credence::{Options, Program, compile_str};
use serde_json::Value;

const RULES: &str = r#"
ruleset uncertain { version "1" }
let claim_delay = claim.published_at - incident.started_at
score credibility {
  evidence prior 50%
  criterion within_12h {
    when claim_delay <= 12h => lr 3 "claimed within 12 hours"
    else => lr 0.8 "claimed later"
  }
  criterion within_6h {
    when claim_delay <= 6h => lr 2 "claimed within 6 hours"
    else => lr 1 "claimed later"
  }
  criterion attackers {
    when claim.attackers == incident.attackers => lr 2 "the claimed count is right"
    else => lr 0.5 "the claimed count is wrong"
  }
  criterion toll {
    when sum(p.killed for p in incident.sites) >= 20 => lr 1.5 "twenty or more killed"
    else => lr 1
  }
  criterion first_site {
    when min(p.at for p in incident.sites) <= claim.published_at - 1h => lr 1.2 "an hour before"
    else => lr 1
  }
}
"#;

fn program() -> Program {
    compile_str("uncertain.cred", RULES, &Options::default())
        .expect("rules compile")
        .program
}

/// The JSON trace of `case`, or the case error.
fn trace(case: &str) -> Result<Value, String> {
    let text = credence::score_case(&program(), case.as_bytes(), credence::trace::json::render)
        .map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn scored(case: &str) -> Value {
    trace(case).expect("scores")
}

/// Criterion `name` of the trace.
fn criterion<'t>(trace: &'t Value, name: &str) -> &'t Value {
    trace["scores"][0]["criteria"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no criterion {name}"))
}

/// The likelihood ratio the criterion applied, or `None` when its evidence was unknown.
fn ratio(criterion: &Value) -> Option<f64> {
    match criterion["outcome"]["status"].as_str() {
        Some("applied") => criterion["contribution"]["ratio"].as_f64(),
        _ => None,
    }
}

/// The explanations of the criterion's comparisons on ranges.
fn explanations(criterion: &Value) -> Vec<&str> {
    criterion["range_tests"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["explanation"].as_str()).collect())
        .unwrap_or_default()
}

const START_UNKNOWN_CLAIM_1H_TO_7H: &str = r#"{
  "incident": {"started_at": {"earliest": "2024-03-01T18:00:00Z", "latest": "2024-03-02T00:00:00Z"}},
  "claim": {"published_at": "2024-03-02T01:00:00Z"}
}"#;

#[test]
fn a_claim_one_to_seven_hours_after_an_uncertain_start() {
    let trace = scored(START_UNKNOWN_CLAIM_1H_TO_7H);
    assert_eq!(
        trace["definitions"]["claim_delay"]["value"]["text"],
        "1h–7h"
    );
    let twelve = criterion(&trace, "within_12h");
    assert_eq!(ratio(twelve), Some(3.0), "{twelve}");
    assert_eq!(
        explanations(twelve),
        ["holds for every possible value: decided by the upper end of claim_delay (7h)"]
    );
    let six = criterion(&trace, "within_6h");
    assert_eq!(ratio(six), None, "{six}");
    assert_eq!(
        explanations(six),
        [
            "is open: claim_delay is 1h–7h; at its lower end (1h) it holds, at its upper end (7h) it does not"
        ]
    );
}

#[test]
fn an_uncounted_plural_claim_against_one_attacker() {
    let case = r#"{"claim": {"attackers": {"min": 2}}, "incident": {"attackers": 1}}"#;
    let trace = scored(case);
    let attackers = criterion(&trace, "attackers");
    assert_eq!(ratio(attackers), Some(0.5), "{attackers}");
    assert!(
        explanations(attackers)
            .iter()
            .any(|e| e.contains("decided by the lower end of claim.attackers (2)")),
        "{attackers}"
    );
    let three = r#"{"claim": {"attackers": {"min": 2}}, "incident": {"attackers": 3}}"#;
    let trace = scored(three);
    assert_eq!(ratio(criterion(&trace, "attackers")), None);
}

#[test]
fn sums_and_extremes_of_ranges_are_ranges() {
    let case = r#"{
      "claim": {"published_at": "2024-03-02T01:00:00Z"},
      "incident": {"sites": [
        {"killed": {"min": 10, "max": 15}, "at": {"earliest": "2024-03-01T22:00:00Z", "latest": "2024-03-01T23:30:00Z"}},
        {"killed": 12, "at": "2024-03-01T23:45:00Z"}
      ]}
    }"#;
    let trace = scored(case);
    let toll = criterion(&trace, "toll");
    assert_eq!(ratio(toll), Some(1.5), "22–27 killed: {toll}");
    assert_eq!(
        toll["range_tests"][0]["left"]["value"]["text"], "22–27",
        "{toll}"
    );
    let first = criterion(&trace, "first_site");
    assert_eq!(
        ratio(first),
        Some(1.2),
        "the first site is at the latest 23:30, before 00:00: {first}"
    );
}

#[test]
fn exact_bounds_are_one_value() {
    let case = r#"{"claim": {"attackers": {"min": 1, "max": 1}}, "incident": {"attackers": 1}}"#;
    let trace = scored(case);
    let attackers = criterion(&trace, "attackers");
    assert_eq!(ratio(attackers), Some(2.0), "{trace}");
    assert_eq!(attackers["range_tests"], Value::Array(vec![]), "{trace}");
    assert_eq!(attackers["evidence"][0]["value"], 1);
}

#[test]
fn malformed_ranges_name_the_field_and_the_fix() {
    let cases = [
        (
            r#"{"claim": {"attackers": {"min": 3, "max": 2}}}"#,
            "`claim.attackers`: `min` is after `max`",
        ),
        (
            r#"{"claim": {"attackers": {}}}"#,
            "`claim.attackers`: an empty range",
        ),
        (
            r#"{"claim": {"attackers": {"least": 2}}}"#,
            "`claim.attackers.least`: expected a value or a range with `min` and `max` (a number) or `earliest` and `latest` (a timestamp), found the key \"least\"",
        ),
        (
            r#"{"claim": {"attackers": {"min": 2, "latest": "2024-03-01T00:00:00Z"}}}"#,
            "`claim.attackers.latest`: a range is either `min`/`max` (a number) or `earliest`/`latest` (a timestamp), not both",
        ),
        (
            r#"{"incident": {"sites": [{"killed": {"earliest": "2024-03-01T00:00:00Z"}}]}}"#,
            "`incident.sites[0].killed.earliest`: expected a number or a range with `min` and `max`, found the key \"earliest\"",
        ),
        (
            r#"{"claim": {"published_at": {"min": 2}}}"#,
            "`claim.published_at.min`: expected an RFC 3339 timestamp or a range with `earliest` and `latest`",
        ),
        (
            r#"{"claim": {"attackers": {"min": 2, "min": 3}}}"#,
            "`claim.attackers.min`: `min` is given twice",
        ),
        (
            r#"{"claim": {"attackers": {"min": "two"}}}"#,
            "`claim.attackers.min`: expected a number, found the string \"two\"",
        ),
        (
            r#"{"incident": {"started_at": {"earliest": "yesterday"}}}"#,
            "`incident.started_at.earliest`: expected an RFC 3339 timestamp",
        ),
    ];
    for (case, want) in cases {
        let error = trace(case).expect_err(case);
        assert!(
            error.starts_with(want),
            "{case}\n  got: {error}\n want: {want}"
        );
    }
}

#[test]
fn json_trace_names_the_deciding_end() {
    let json = credence::score_case(
        &program(),
        START_UNKNOWN_CLAIM_1H_TO_7H.as_bytes(),
        credence::trace::json::render,
    )
    .expect("scores");
    let trace: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let criteria = &trace["scores"][0]["criteria"];
    let twelve = &criteria[0]["range_tests"][0];
    assert_eq!(twelve["test"], "claim_delay <= 12h");
    assert_eq!(twelve["holds"], true);
    assert_eq!(twelve["decided_by"][0]["end"], "upper");
    assert_eq!(twelve["decided_by"][0]["operand"], "claim_delay");
    let six = &criteria[1]["range_tests"][0];
    assert_eq!(six["holds"], serde_json::Value::Null);
    assert_eq!(six["decided_by"], serde_json::json!([]));
    let delay = &criteria[1]["evidence"][0]["value"];
    assert_eq!(delay["min_seconds"], 3600.0, "{delay}");
    assert_eq!(delay["max_seconds"], 25200.0, "{delay}");
}
