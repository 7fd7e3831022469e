//! STIX 2.1 and MISP exports: reviewed snapshots of the Trebes case, byte-identical on every run,
//! the conversions they document, and one object per line for a batch. `.ci/interchange` also
//! runs the OASIS validator and PyMISP over every shipped case.

use std::process::{Command, Output};

use serde_json::Value;

fn credence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

fn export(format: &str, case: &str) -> String {
    let out = credence(&["score", "--format", format, "rules/", case]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_stix_bundle_of_trebes() {
    let bundle = export("stix", "fixtures/real/trebes-2018.json");
    assert_eq!(
        bundle,
        export("stix", "fixtures/real/trebes-2018.json"),
        "the same judgement exported twice is the same bundle"
    );
    let value: Value = serde_json::from_str(&bundle).expect("JSON");
    let objects = value["objects"].as_array().expect("objects");
    let of = |kind: &str| {
        objects
            .iter()
            .find(|o| o["type"] == kind)
            .unwrap_or_else(|| panic!("a {kind}"))
    };
    assert_eq!(of("threat-actor")["name"], "Islamic State");
    assert_eq!(of("threat-actor")["threat_actor_types"][0], "terrorist");
    let relationship = of("relationship");
    assert_eq!(relationship["relationship_type"], "attributed-to");
    assert_eq!(relationship["source_ref"], of("incident")["id"]);
    assert_eq!(relationship["target_ref"], of("threat-actor")["id"]);
    // 95.5 %, "almost certain", is 95 on the DNI scale of STIX 2.1.
    assert_eq!(relationship["confidence"], 95);
    assert_eq!(of("opinion")["opinion"], "agree", "an inspired link");
    assert!(
        of("note")["content"]
            .as_str()
            .expect("content")
            .starts_with("# Claim assessment: trebes-2018")
    );
    let extension = of("extension-definition")["id"].as_str().expect("id");
    assert_eq!(
        relationship["extensions"][extension]["link"], "inspired",
        "Credence's fields in the property extension"
    );
    insta::assert_snapshot!(bundle);
}

#[test]
fn the_misp_event_of_trebes() {
    let event = export("misp", "fixtures/real/trebes-2018.json");
    assert_eq!(event, export("misp", "fixtures/real/trebes-2018.json"));
    let value: Value = serde_json::from_str(&event).expect("JSON");
    let tags: Vec<&str> = value["Event"]["Tag"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        tags,
        [
            "admiralty-scale:source-reliability=\"b\"",
            "admiralty-scale:information-credibility=\"2\"",
            "estimative-language:likelihood-probability=\"almost-certain\""
        ]
    );
    assert_eq!(value["Event"]["Opinion"][0]["opinion"], "75");
    assert_eq!(value["Event"]["date"], "2018-03-23");
    insta::assert_snapshot!(event);
}

#[test]
fn a_false_claim_is_graded_down_and_a_batch_gives_one_object_per_line() {
    let misp = export("misp", "fixtures/real/munich-2016.json");
    let value: Value = serde_json::from_str(&misp).expect("JSON");
    let tags = value["Event"]["Tag"].to_string();
    assert!(tags.contains("source-reliability=\\\"e\\\""), "{tags}");
    assert_eq!(value["Event"]["Opinion"][0]["opinion"], "0");
    let stix = export("stix", "fixtures/real/munich-2016.json");
    assert!(stix.contains("\"opinion\": \"strongly-disagree\""));

    let out = credence(&[
        "score",
        "--format",
        "stix",
        "rules/",
        "fixtures/real/trebes-2018.json",
        "fixtures/real/munich-2016.json",
    ]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one bundle per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|b| b["type"] == "bundle"));
}
