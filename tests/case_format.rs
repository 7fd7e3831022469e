//! The case format: its version field, the schema's value-or-range fields, and cases of the
//! previous format.

use credence::{Options, Schema, compile_str};

fn schema() -> Schema {
    let text = std::fs::read_to_string("rules/case.schema.json").expect("schema");
    Schema::parse(&text).expect("valid schema")
}

fn violations(case: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(case).expect("JSON");
    schema()
        .validate(&json)
        .into_iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect()
}

#[test]
fn the_format_version_is_checked_when_a_case_is_loaded() {
    let program = compile_str(
        "f.cred",
        "ruleset f { version \"1\" }\nscore s {\n  criterion c {\n    when claim.a == 1 => 1 \"a\"\n    else => 0\n  }\n}\n",
        &Options::default(),
    )
    .expect("compiles")
    .program;
    let load = |case: &str| {
        program
            .load(case.as_bytes())
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        load(r#"{"claim": {"a": 1}}"#),
        Ok(()),
        "no version: format 1"
    );
    assert_eq!(load(r#"{"format": 1, "claim": {"a": 1}}"#), Ok(()));
    assert_eq!(load(r#"{"format": 2, "claim": {"a": 1}}"#), Ok(()));
    assert_eq!(
        load(r#"{"format": 3}"#),
        Err("`format`: the case is in format 3, newer than this credence reads (up to 2): upgrade credence".into())
    );
    assert_eq!(
        load(r#"{"format": "2"}"#),
        Err("`format`: expected a case format version from 1 to 2".into())
    );
}

#[test]
fn times_and_counts_may_be_ranges_or_unknown() {
    let ok = r#"{
      "format": 2, "id": "x",
      "incident": {"started_at": {"earliest": "2024-01-01T10:00:00Z", "latest": "2024-01-01T12:00:00Z"},
                   "facts": {"attackers": 1, "casualties": {"min": 20, "max": 30}}},
      "claim": {"published_at": "2024-01-01T14:00:00Z", "details": {"attackers": {"min": 2}}}
    }"#;
    assert_eq!(violations(ok), Vec::<String>::new());
    let unknown_start = r#"{"id": "x", "incident": {"started_at": null}, "claim": {"published_at": "2024-01-01T14:00:00Z"}}"#;
    assert_eq!(violations(unknown_start), Vec::<String>::new());
    let bad = r#"{
      "id": "x",
      "incident": {"started_at": {"earliest": "yesterday"}},
      "claim": {"published_at": 5, "channel_class": "telegram"}
    }"#;
    assert_eq!(
        violations(bad),
        [
            "incident.started_at.earliest: \"yesterday\" is not an RFC 3339 timestamp",
            "claim.published_at: expected an RFC 3339 timestamp or an object with `earliest`, `latest` or null, found the number 5",
            "claim.channel_class: \"telegram\" is not one of \"official_agency\", \"official_statement\", \"official_weekly\", \"official_radio\", \"leader_video\", \"commander_account\", \"member_account\", \"supporter\", \"unknown\", \"forged\", null",
        ]
    );
}

#[test]
fn every_shipped_case_is_valid_and_format_1_cases_still_are() {
    let (mut checked, mut format_1) = (0, 0);
    for dir in [
        "fixtures/cases",
        "fixtures/real",
        "tests/data/fixtures/cases",
    ] {
        for entry in std::fs::read_dir(dir).expect("cases") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("case");
            assert_eq!(
                violations(&text),
                Vec::<String>::new(),
                "{}",
                path.display()
            );
            let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            format_1 += usize::from(json.get("format").is_none());
            checked += 1;
        }
    }
    assert!(checked >= 36, "{checked} cases");
    assert!(format_1 >= 2, "format 1 cases are still tested");
}
