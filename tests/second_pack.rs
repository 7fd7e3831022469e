//! A second rule pack (`tests/data/second-pack/`: claims to have stolen an organisation's data)
//! gets as-of judgements, timelines, calibration and both exports from its own profile, with
//! nothing in the engine about either pack; a rule set without a profile is told what each of
//! those commands needs.

use std::process::Output;

use serde_json::Value;

mod common;
use common::{Scratch, credence};

const PACK: &str = "tests/data/second-pack/";
const CASES: &str = "tests/data/second-pack/cases/";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn case(name: &str) -> String {
    format!("{CASES}{name}.json")
}

#[test]
fn the_pack_checks_and_scores_with_its_own_title() {
    let check = credence(&["check", PACK]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let markdown = credence(&["score", "--format", "markdown", PACK, &case("acme-2024")]);
    assert!(
        stdout(&markdown).starts_with("# Leak claim assessment: acme-2024\n"),
        "{}",
        stdout(&markdown)
    );
    let html = credence(&["score", "--format", "html", PACK, &case("acme-2024")]);
    assert!(stdout(&html).contains("<title>Leak claim assessment: acme-2024</title>"));
}

#[test]
fn as_of_and_timeline_date_evidence_by_the_packs_profile() {
    let early = credence(&[
        "score",
        "--format",
        "json",
        "--as-of",
        "claim+24h",
        PACK,
        &case("acme-2024"),
    ]);
    assert_eq!(early.status.code(), Some(0), "{}", stderr(&early));
    let trace: Value = serde_json::from_slice(&early.stdout).expect("JSON");
    let left_out: Vec<&str> = trace["as_of"]["left_out"]
        .as_array()
        .expect("left out")
        .iter()
        .filter_map(|l| l["path"].as_str())
        .collect();
    assert_eq!(left_out, ["statements[]", "claim.sample_verified"]);
    assert_eq!(trace["verdict"]["label"], "unsubstantiated claim");
    // Before the claim: the pack's own words for it.
    let before = credence(&["score", "--as-of", "start+1h", PACK, &case("acme-2024")]);
    assert!(
        stdout(&before).contains("no claim of a data theft is known yet"),
        "{}",
        stdout(&before)
    );
    let timeline = credence(&["timeline", PACK, &case("acme-2024")]);
    let text = stdout(&timeline);
    assert!(
        text.contains(
            "2024-03-01T08:00:00Z  the breach was detected\n    no claim of a data theft yet\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("2024-03-04T12:00:00Z  claim.sample_verified\n"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("verdict: theft confirmed"),
        "{text}"
    );
}

#[test]
fn calibration_reads_the_categories_and_their_stances_from_the_profile() {
    let out = credence(&["calibrate", "--format", "json", PACK, CASES]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let figures = &report["full_evidence"]["rules"];
    assert_eq!(
        figures["confusion"]["labels"],
        serde_json::json!(["confirmed", "plausible", "unsubstantiated", "recycled"])
    );
    assert_eq!(figures["five_way"]["cases"], 4);
    assert_eq!(figures["five_way"]["agreed"], 4);
    // Every label agrees or disagrees with the claim: none is set apart.
    assert_eq!(figures["binary"]["cases"], 4);
    assert_eq!(report["full_evidence"]["baselines"], serde_json::json!([]));
    let text = stdout(&credence(&["calibrate", PACK, CASES]));
    assert!(text.contains("four-way agreement"), "{text}");
    assert!(text.contains("(the authenticity probability)"), "{text}");
}

#[test]
fn exports_take_the_actor_channel_and_opinion_from_the_profile() {
    let stix = credence(&["score", "--format", "stix", PACK, &case("bolt-2024")]);
    assert_eq!(stix.status.code(), Some(0), "{}", stderr(&stix));
    let bundle: Value = serde_json::from_slice(&stix.stdout).expect("JSON");
    let object = |kind: &str| {
        bundle["objects"]
            .as_array()
            .expect("objects")
            .iter()
            .find(|o| o["type"] == kind)
            .cloned()
            .expect("object")
    };
    let actor = object("threat-actor");
    assert_eq!(actor["name"], "Quartz");
    assert_eq!(
        actor["threat_actor_types"],
        serde_json::json!(["crime-syndicate"])
    );
    assert!(
        object("relationship")["description"]
            .as_str()
            .expect("text")
            .starts_with("Claim of a data theft by Quartz on a cybercrime forum"),
    );
    // "recycled" disagrees strongly with the claim, by the profile.
    assert_eq!(object("opinion")["opinion"], "strongly-disagree");
    let misp = credence(&["score", "--format", "misp", PACK, &case("bolt-2024")]);
    let event: Value = serde_json::from_slice(&misp.stdout).expect("JSON");
    let event = &event["Event"];
    assert_eq!(
        event["info"],
        "Claim of a data theft by Quartz for bolt-2024: recycled data"
    );
    assert_eq!(event["Opinion"][0]["opinion"], "0");
    assert!(
        event["Opinion"][0]["comment"]
            .as_str()
            .expect("comment")
            .starts_with("Status: recycled (settled)."),
    );
    // Source reliability comes from the criterion the profile names as the source.
    let tags: Vec<&str> = event["Tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        tags.contains(&"admiralty-scale:source-reliability=\"e\""),
        "{tags:?}"
    );
}

#[test]
fn without_a_profile_each_command_says_what_it_needs() {
    let dir = Scratch::new("no-profile");
    let rules = std::fs::read_to_string(format!("{PACK}leaks.cred")).expect("rules");
    let bare = &rules[..rules.find("profile {").expect("a profile")];
    std::fs::write(dir.join("leaks.cred"), bare).expect("write");
    let rules = dir.to_str().expect("utf-8");
    let scored = credence(&["score", rules, &case("acme-2024")]);
    assert_eq!(scored.status.code(), Some(0), "scoring needs no profile");
    assert!(stdout(&scored).starts_with("Case acme-2024: THEFT CONFIRMED"));
    for (args, what) in [
        (
            vec!["score", "--as-of", "claim+24h", rules],
            "judging a case as of a moment needs the rule set's `profile`",
        ),
        (
            vec!["timeline", rules],
            "a timeline needs the rule set's `profile`",
        ),
        (
            vec!["score", "--format", "stix", rules],
            "a STIX or MISP export needs the rule set's `profile`",
        ),
        (
            vec!["score", "--format", "misp", rules],
            "a STIX or MISP export needs the rule set's `profile`",
        ),
    ] {
        let mut args = args;
        let path = case("acme-2024");
        args.push(&path);
        let out = credence(&args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(stderr(&out).contains(what), "{args:?}: {}", stderr(&out));
    }
    let calibrated = credence(&["calibrate", rules, CASES]);
    assert_eq!(calibrated.status.code(), Some(2));
    assert!(
        stderr(&calibrated).contains("calibration needs the rule set's `profile`"),
        "{}",
        stderr(&calibrated)
    );
}
