//! Competing hypotheses (docs/LANGUAGE.md, "Competing hypotheses"): the `hypotheses` block is
//! checked like the rest of the language; every case's hypotheses are weighed with coherent
//! probabilities; rows equal under every hypothesis are non-diagnostic; the leader is settled
//! only when no unknown and no conflict could change it; and every format writes the one
//! matrix: text, JSON, CSV, the ACH file, STIX and MISP opinions.

use std::io::Read;
use std::process::Output;

use credence::trace::hypotheses::Matrix;
use credence::{Code, Options, compile_str, score_case};
use serde_json::Value;

mod common;
use common::credence;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A small rule set: the claimant and every group an authority named, each as `responsible`,
/// and "nobody"; rows about the claim, about attributions, and one about nothing in particular.
const RULES: &str = r#"
ruleset who { version "1" }

score s { criterion c { else => 0 } }

hypotheses authorship "Who did it" {
  groups claim.claimant
  groups a.names for a in attributions where a.on_findings == true
  each responsible "{hypothesis.group} did it"
  one nobody "Nobody in particular"

  criterion channel "The claim's channel" {
    when (hypothesis.group != claim.claimant) ?? true => lr 1 "not the claimant"
    when claim.official == true => lr 3 "its own outlet"
    else => lr 0.5 "another channel"
    unknown => skip "the channel is not recorded"
  }
  criterion named "An authority named the group" {
    when any(a in attributions where a.names == hypothesis.group and a.on_findings == true) ?? false => lr 20 "named on findings"
    else => lr 1 "not named"
  }
  criterion weather "The weather" {
    when weather == "rain" => lr 2 "it rained"
    else => lr 1 "it did not rain"
  }
}
"#;

fn matrix(rules: &str, case: &str) -> Matrix {
    let program = compile_str("who.cred", rules, &Options::default())
        .expect("the rules compile")
        .program;
    score_case(&program, case.as_bytes(), |trace| {
        trace
            .hypotheses()
            .expect("the rules declare hypotheses")
            .expect("within the work budget")
    })
    .expect("the case scores")
}

fn printed_sum(m: &Matrix) -> f64 {
    m.hypotheses
        .iter()
        .map(|h| {
            h.shown
                .trim_end_matches('%')
                .parse::<f64>()
                .expect("a percentage")
        })
        .sum()
}

#[test]
fn a_claim_and_a_rival_attribution_give_both_groups_and_the_hypotheses_without_one() {
    let m = matrix(
        RULES,
        r#"{"claim": {"claimant": "Group A", "official": true},
            "attributions": [{"names": "Group B", "on_findings": true},
                             {"names": "Group C", "on_findings": false}],
            "weather": "rain"}"#,
    );
    let titles: Vec<&str> = m.hypotheses.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Group A did it", "Group B did it", "Nobody in particular"]
    );
    assert_eq!(m.groups, ["Group A", "Group B"]);
    let sum: f64 = m.hypotheses.iter().map(|h| h.probability).sum();
    assert!((sum - 1.0).abs() < 1e-12, "{sum}");
    assert!((printed_sum(&m) - 100.0).abs() < 1e-9, "{m:?}");
    // Group B: ×20 against Group A's ×3 and nobody's ×1: 20/24, 3/24, 1/24.
    let p: Vec<f64> = m.hypotheses.iter().map(|h| h.probability).collect();
    for (got, want) in p.iter().zip([3.0 / 24.0, 20.0 / 24.0, 1.0 / 24.0]) {
        assert!((got - want).abs() < 1e-3, "{p:?}");
    }
    assert_eq!(m.leader.as_deref(), Some("H2"));
    assert!(m.settled, "{}", m.summary);
    assert!(
        m.summary.starts_with("Settled: H2 (Group B did it)"),
        "{}",
        m.summary
    );
}

#[test]
fn a_row_equal_under_every_hypothesis_is_non_diagnostic() {
    let m = matrix(
        RULES,
        r#"{"claim": {"claimant": "Group A", "official": true}, "weather": "rain"}"#,
    );
    let diagnostic: Vec<(&str, bool)> = m
        .rows
        .iter()
        .map(|r| (r.criterion.as_str(), r.diagnostic))
        .collect();
    assert_eq!(
        diagnostic,
        [("channel", true), ("named", false), ("weather", false)]
    );
    // The weather moved every column alike: it changed no probability.
    assert!((m.hypotheses[0].probability - 0.75).abs() < 1e-12);
    let text = credence::trace::hypotheses::render::text(&m);
    assert!(
        text.lines()
            .any(|l| l.contains("The weather") && l.ends_with("non-diagnostic")),
        "{text}"
    );
}

#[test]
fn an_unknown_that_could_reorder_the_top_keeps_the_leader_open_and_says_which() {
    // Nobody has a private motive (×2); Group A's channel is unknown: its own outlet (×3)
    // would put A first, another channel (×0.5) would not.
    let rules = RULES.replace(
        "criterion weather",
        r#"criterion motive "A private motive" {
    when hypothesis.kind == "nobody" and motive == true => lr 2 "a private motive"
    else => lr 1 "no private motive"
  }
  criterion weather"#,
    );
    let m = matrix(
        &rules,
        r#"{"claim": {"claimant": "Group A"}, "motive": true}"#,
    );
    assert_eq!(m.leader.as_deref(), Some("H2"));
    assert!((m.hypotheses[1].probability - 2.0 / 3.0).abs() < 1e-12);
    assert!(!m.settled);
    let change = m.changes.first().expect("a change");
    assert_eq!(change.rival, "H1");
    assert_eq!(change.criteria, ["channel"]);
    assert_eq!(change.unknown, ["claim.official"]);
    assert!(
        m.summary.contains(
            "H1 (Group A did it) could lead if The claim's channel turned out for it (unknown: claim.official)"
        ),
        "{}",
        m.summary
    );
    let channel = &m.rows[0].cells[0];
    assert_eq!(channel.state, "unknown");
    assert_eq!(channel.could_be, Some([0.5, 3.0]));
    // Known, the channel settles it either way.
    let known = matrix(
        &rules,
        r#"{"claim": {"claimant": "Group A", "official": false}, "motive": true}"#,
    );
    assert!(known.settled, "{}", known.summary);
}

#[test]
fn strong_known_evidence_against_the_leader_is_a_conflict_and_never_settled() {
    // Group A: its own outlet (×3) and named on findings (×20), ×60 in all; Group B named on
    // findings too (×20): A leads, but a known row favours B over A... none does. Add a row
    // that favours nobody strongly: the leader stays, in conflict.
    let rules = RULES.replace(
        "criterion weather",
        r#"criterion alibi "An alibi" {
    when hypothesis.kind == "nobody" and alibi == true => lr 8 "the claimant had an alibi"
    else => lr 1 "no alibi"
  }
  criterion weather"#,
    );
    let m = matrix(
        &rules,
        r#"{"claim": {"claimant": "Group A", "official": true},
            "attributions": [{"names": "Group A", "on_findings": true}],
            "alibi": true}"#,
    );
    assert_eq!(m.leader.as_deref(), Some("H1"));
    assert!(m.hypotheses[0].probability > 0.8, "{m:?}");
    assert!(!m.settled, "{}", m.summary);
    let conflict = m.conflicts.first().expect("a conflict");
    assert_eq!(conflict.criterion, "alibi");
    assert_eq!(conflict.rival, "H2");
    assert_eq!(conflict.ratio, 8.0);
    assert!(
        m.summary.contains("the evidence conflicts: An alibi favours H2 (Nobody in particular) over the leader ×8: the claimant had an alibi"),
        "{}",
        m.summary
    );
}

#[test]
fn a_tie_at_the_top_has_no_leader_and_a_minority_leader_is_open() {
    let level = matrix(
        RULES,
        r#"{"claim": {"claimant": "Group A", "official": true},
            "attributions": [{"names": "Group B", "on_findings": true},
                             {"names": "Group C", "on_findings": true}]}"#,
    );
    assert_eq!(level.leader, None);
    assert!(!level.settled);
    assert!(
        level.summary.starts_with(
            "Open: no hypothesis leads; H2 (Group B did it) and H3 (Group C did it) are level at the top."
        ),
        "{}",
        level.summary
    );
    // Group C a little likelier than B and D (×30 against ×20 each): it leads with 30 of 74.
    let rules = RULES.replace(
        "criterion weather",
        r#"criterion seen "Seen nearby" {
    when hypothesis.group == "Group C" => lr 1.5 "its members were seen nearby"
    else => lr 1 "not seen"
  }
  criterion weather"#,
    );
    let minority = matrix(
        &rules,
        r#"{"claim": {"claimant": "Group A", "official": true},
            "attributions": [{"names": "Group B", "on_findings": true},
                             {"names": "Group C", "on_findings": true},
                             {"names": "Group D", "on_findings": true}]}"#,
    );
    assert_eq!(minority.leader.as_deref(), Some("H3"));
    assert!((minority.hypotheses[2].probability - 30.0 / 74.0).abs() < 1e-12);
    assert!(!minority.settled);
    assert!(
        minority.summary.contains(
            "leads at 40.5% (unlikely), but it holds no majority (the others together: 59.5%)"
        ),
        "{}",
        minority.summary
    );
}

/// Compiles `text` and returns the codes of its errors.
fn error_codes(text: &str) -> Vec<(Code, String)> {
    match compile_str("who.cred", text, &Options::default()) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code, d.message.clone()))
            .collect(),
    }
}

#[test]
fn the_block_is_checked_like_the_rest_of_the_language() {
    let cases: &[(&str, &str, Code, &str)] = &[
        (
            "each responsible \"{hypothesis.group} did it\"",
            "each responsible \"{hypothesis.gruop} did it\"",
            Code::UnknownField,
            "a hypothesis has no field `gruop`",
        ),
        (
            "when (hypothesis.group != claim.claimant) ?? true => lr 1 \"not the claimant\"",
            "when hypothesis.kind == \"responsable\" => lr 1 \"not the claimant\"",
            Code::UnknownValue,
            "`hypothesis.kind` is never `responsable`",
        ),
        (
            "one nobody \"Nobody in particular\"",
            "one responsible \"Nobody in particular\"",
            Code::Duplicate,
            "hypothesis kind `responsible` is declared twice",
        ),
        (
            "when claim.official == true => lr 3 \"its own outlet\"",
            "when claim.official == true => 3 \"its own outlet\"",
            Code::WeightKind,
            "an evidence score weighs outcomes by likelihood ratio",
        ),
        (
            "  groups claim.claimant\n",
            "  groups claim.claimant\n  conflict lr 0.5\n",
            Code::OutOfRange,
            "a conflict ratio is a fixed likelihood ratio above 1",
        ),
    ];
    for (from, to, code, message) in cases {
        assert!(RULES.contains(from), "{from}");
        let errors = error_codes(&RULES.replacen(from, to, 1));
        assert!(
            errors.iter().any(|(c, m)| c == code && m.contains(message)),
            "{to}: {errors:?}"
        );
    }
    let no_groups = RULES.replace("  groups claim.claimant\n", "").replace(
        "  groups a.names for a in attributions where a.on_findings == true\n",
        "",
    );
    assert!(
        error_codes(&no_groups)
            .iter()
            .any(|(c, m)| *c == Code::MissingItem
                && m.contains("`each` hypotheses need candidate groups")),
        "{:?}",
        error_codes(&no_groups)
    );
    let twice = format!(
        "{RULES}\nhypotheses again {{ one nobody \"Nobody\" criterion c {{ else => lr 1 }} }}\n"
    );
    assert!(
        error_codes(&twice)
            .iter()
            .any(|(c, m)| *c == Code::Duplicate && m.contains("one `hypotheses` block")),
        "{:?}",
        error_codes(&twice)
    );
    // Outside the block, `hypothesis` is an ordinary name: a definition cannot read the
    // hypothesis being weighed (it is computed once per case).
    let outside = RULES.replace(
        "score s {",
        "let h = hypothesis.group\nscore s { criterion d { when h == \"x\" => 1 else => 0 } }\nscore t {",
    );
    let program = compile_str("who.cred", &outside, &Options::default())
        .expect("a case path")
        .program;
    let json = score_case(
        &program,
        br#"{"hypothesis": {"group": "x"}, "claim": {"claimant": "A"}}"#,
        credence::trace::json::render,
    )
    .expect("scores");
    let trace: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(trace["scores"][0]["value"]["points"], 1, "{json}");
}

const SHIPPED: &str = "rules/";

#[test]
fn the_command_line_asks_for_hypotheses_only_of_rules_that_declare_them() {
    let pack = "tests/data/second-pack/";
    let out = credence(&[
        "score",
        "--hypotheses",
        pack,
        "tests/data/second-pack/cases/acme-2024.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("declares no `hypotheses` block"),
        "{}",
        stderr(&out)
    );
    let out = credence(&[
        "score",
        "--format",
        "csv",
        SHIPPED,
        "fixtures/real/mumbai-2008.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("add `--hypotheses`"),
        "{}",
        stderr(&out)
    );
    // Without the flag the JSON trace is as it was: no `hypotheses` key.
    let plain = credence(&[
        "score",
        "--format",
        "json",
        SHIPPED,
        "fixtures/real/mumbai-2008.json",
    ]);
    let trace: Value = serde_json::from_slice(&plain.stdout).expect("JSON");
    assert!(trace.get("hypotheses").is_none());
}

#[test]
fn the_json_text_and_csv_show_one_matrix_and_are_deterministic() {
    let args = |format: &str| {
        [
            "score",
            "--hypotheses",
            "--format",
            format,
            SHIPPED,
            "fixtures/real/mumbai-2008.json",
        ]
        .map(String::from)
    };
    let run = |format: &str| {
        let args = args(format);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = credence(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let json = run("json");
    assert_eq!(json, run("json"), "same rules and case, same bytes");
    let trace: Value = serde_json::from_str(&json).expect("JSON");
    let h = &trace["hypotheses"];
    let columns = h["hypotheses"].as_array().expect("hypotheses");
    let groups: Vec<&str> = h["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(groups, ["Deccan Mujahideen", "Lashkar-e-Taiba"]);
    assert_eq!(columns.len(), 6);
    let sum: f64 = columns
        .iter()
        .map(|c| c["probability"].as_f64().expect("p"))
        .sum();
    assert!((sum - 1.0).abs() < 1e-9);
    let leader = columns
        .iter()
        .find(|c| c["id"] == h["leader"])
        .expect("a leader");
    assert_eq!(leader["group"], "Lashkar-e-Taiba");
    assert_eq!(leader["kind"], "directed");
    for row in h["rows"].as_array().expect("rows") {
        assert_eq!(row["cells"].as_array().expect("cells").len(), 6);
    }
    let text = run("text");
    assert!(
        text.contains("Competing hypotheses: Who carried out the attack"),
        "{text}"
    );
    assert!(
        text.contains(h["summary"].as_str().expect("summary")),
        "{text}"
    );
    let csv = run("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("row,title,diagnostic,\"H1: Deccan Mujahideen planned, guided"),
        "{csv}"
    );
    assert_eq!(
        lines.len(),
        1 + h["rows"].as_array().expect("rows").len() + 2
    );
    assert!(
        lines.last().expect("a line").starts_with("probability,"),
        "{csv}"
    );
}

#[test]
fn the_ach_file_is_gzipped_utf16_xml_with_a_rating_per_cell() {
    let out = credence(&[
        "score",
        "--hypotheses",
        "--format",
        "achz",
        SHIPPED,
        "fixtures/real/mumbai-2008.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut utf16 = Vec::new();
    flate2::read::GzDecoder::new(out.stdout.as_slice())
        .read_to_end(&mut utf16)
        .expect("gzip");
    assert_eq!(&utf16[..2], &[0xFE, 0xFF], "a big-endian byte-order mark");
    let units: Vec<u16> = utf16[2..]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let xml = String::from_utf16(&units).expect("UTF-16");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        node.children()
            .find(|c| c.has_tag_name(name))
            .unwrap_or_else(|| panic!("no {name}"))
    }
    let root = doc.root_element();
    assert!(
        child(root, "PROJECT-TITLE")
            .text()
            .expect("title")
            .ends_with("mumbai-2008")
    );
    let matrix = child(root, "MATRIX");
    let hypotheses = matrix
        .children()
        .filter(|c| c.has_tag_name("HYPOTHESIS"))
        .count();
    assert_eq!(hypotheses, 6);
    let evidence: Vec<_> = matrix
        .children()
        .filter(|c| c.has_tag_name("EVIDENCE"))
        .collect();
    assert_eq!(evidence.len(), 13);
    for item in evidence {
        let values = child(item, "VALUES").text().expect("values");
        let codes: Vec<&str> = values.split(',').collect();
        assert_eq!(codes.len(), 6, "{values}");
        assert!(
            codes
                .iter()
                .all(|c| ["C C", "C", "N", "I", "I I", "NA"].contains(c)),
            "{values}"
        );
    }
    let batch = credence(&[
        "score",
        "--hypotheses",
        "--format",
        "achz",
        SHIPPED,
        "fixtures/real/mumbai-2008.json",
        "fixtures/real/oslo-2011.json",
    ]);
    assert_eq!(batch.status.code(), Some(2));
    assert!(stderr(&batch).contains("an ACH file holds one case"));
}

#[test]
fn stix_and_misp_carry_one_opinion_per_hypothesis_on_its_group() {
    let run = |format: &str| -> Value {
        let out = credence(&[
            "score",
            "--hypotheses",
            "--format",
            format,
            SHIPPED,
            "fixtures/real/mumbai-2008.json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let bundle = run("stix");
    let objects = bundle["objects"].as_array().expect("objects");
    let of_type = |t: &'static str| objects.iter().filter(move |o| o["type"] == t);
    let ids: Vec<&str> = objects.iter().filter_map(|o| o["id"].as_str()).collect();
    let actors: Vec<&str> = of_type("threat-actor")
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(actors, ["Deccan Mujahideen", "Lashkar-e-Taiba"]);
    assert_eq!(
        of_type("relationship")
            .filter(|r| r["relationship_type"] == "attributed-to")
            .count(),
        2,
        "one attributed-to per group"
    );
    let opinions: Vec<&Value> = of_type("opinion")
        .filter(|o| {
            o["explanation"]
                .as_str()
                .is_some_and(|e| e.starts_with('H'))
        })
        .collect();
    assert_eq!(opinions.len(), 6, "one per hypothesis");
    for opinion in &opinions {
        for target in opinion["object_refs"].as_array().expect("refs") {
            assert!(ids.contains(&target.as_str().expect("id")), "{target}");
        }
    }
    let event = run("misp");
    let event = &event["Event"];
    let attributes: Vec<&str> = event["Attribute"]
        .as_array()
        .expect("attributes")
        .iter()
        .filter_map(|a| a["uuid"].as_str())
        .collect();
    let opinions: Vec<&Value> = event["Opinion"]
        .as_array()
        .expect("opinions")
        .iter()
        .filter(|o| o["comment"].as_str().is_some_and(|c| c.starts_with('H')))
        .collect();
    assert_eq!(opinions.len(), 6);
    let total: u32 = opinions
        .iter()
        .map(|o| {
            o["opinion"]
                .as_str()
                .expect("opinion")
                .parse::<u32>()
                .expect("0-100")
        })
        .sum();
    assert!((98..=102).contains(&total), "{total}");
    for opinion in opinions {
        let target = opinion["object_uuid"].as_str().expect("uuid");
        assert!(
            attributes.contains(&target) || event["uuid"] == target,
            "{target}"
        );
    }
}

/// The leader as the corpus labels links: the claimant's `directed` or `inspired` hypothesis is
/// that link; any other hypothesis says the claim is `false`.
fn leader_link(m: &Matrix, claimant: &str) -> Option<String> {
    let leader = m
        .hypotheses
        .iter()
        .find(|h| Some(&h.id) == m.leader.as_ref())?;
    Some(match &leader.group {
        Some(group) if group == claimant => leader.kind.clone(),
        _ => "false".into(),
    })
}

#[test]
fn no_settled_leader_is_wrong_on_the_real_corpus() {
    let main = ["rules/claims.cred".into()];
    let program = credence::compile(
        &main,
        &credence::Disk::new(&main, &[], 1 << 22),
        &Options::default(),
    )
    .expect("the shipped rules compile")
    .program;
    let (mut settled, mut cases) = (0, 0);
    for entry in std::fs::read_dir("fixtures/real").expect("the corpus") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read(&path).expect("a case");
        let case: Value = serde_json::from_slice(&text).expect("JSON");
        let label = case["label"]["link"].as_str().expect("a label");
        let claimant = case["claim"]["claimant"].as_str().expect("a claimant");
        let m = score_case(&program, &text, |trace| {
            trace
                .hypotheses()
                .expect("declared")
                .expect("within budget")
        })
        .expect("scores");
        cases += 1;
        if m.settled {
            settled += 1;
            assert_eq!(
                leader_link(&m, claimant).as_deref(),
                Some(label),
                "{}: a settled leader must match investigators: {}",
                path.display(),
                m.summary
            );
        }
    }
    assert_eq!(cases, 80);
    assert!(settled >= 20, "{settled} settled: the check would be empty");
}

#[test]
fn a_case_naming_many_groups_weighs_sixteen_and_counts_the_rest() {
    let attributions: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"names": "Group {i}", "on_findings": true}}"#))
        .chain([r#"{"names": "  ", "on_findings": true}"#.to_string()])
        .chain([r#"{"names": "Group 3", "on_findings": true}"#.to_string()])
        .collect();
    let case = format!(
        r#"{{"claim": {{"claimant": "Group 0", "official": true}}, "attributions": [{}]}}"#,
        attributions.join(", ")
    );
    let m = matrix(RULES, &case);
    assert_eq!(m.groups.len(), 16);
    assert_eq!(
        m.groups_left_out, 984,
        "blank names name nobody; repeats count once"
    );
    assert_eq!(m.hypotheses.len(), 17);
    let text = credence::trace::hypotheses::render::text(&m);
    assert!(
        text.contains("984 more group(s) named by the case were left out (at most 16 are weighed)"),
        "{text}"
    );
}

#[test]
fn a_leader_with_exactly_half_holds_no_majority() {
    // Group B ×20, Group A ×3 (its own outlet), nobody ×17 (acting alone): the others together
    // are 20, exactly as likely as B. The conflict ratio is raised so that only the majority
    // is in question.
    let rules = RULES
        .replace(
            "criterion weather",
            r#"criterion alone "Alone" {
    when hypothesis.kind == "nobody" and alone == true => lr 17 "acted alone"
    else => lr 1 "not alone"
  }
  criterion weather"#,
        )
        .replace(
            "  groups claim.claimant\n",
            "  groups claim.claimant\n  conflict lr 100\n",
        );
    let half = matrix(
        &rules,
        r#"{"claim": {"claimant": "Group A", "official": true},
            "attributions": [{"names": "Group B", "on_findings": true}], "alone": true}"#,
    );
    assert_eq!(half.leader.as_deref(), Some("H2"));
    assert_eq!(half.hypotheses[1].probability, 0.5);
    assert!(half.conflicts.is_empty() && half.changes.is_empty());
    assert!(
        !half.settled,
        "exactly half is no majority: {}",
        half.summary
    );
    assert!(
        half.summary
            .contains("leads at 50.0% (roughly even chance), but it holds no majority (the others together: 50.0%)"),
        "{}",
        half.summary
    );
}

#[test]
fn a_corpus_report_shows_each_cases_hypotheses_when_asked() {
    let dir = common::Scratch::new("hypotheses-report");
    let out = dir.join("report");
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--out", out.to_str().expect("utf-8")];
        args.extend_from_slice(extra);
        args.extend(["rules/", "fixtures/real/mumbai-2008.json"]);
        credence(&args)
    };
    let plain = run(&[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let page = std::fs::read_to_string(out.join("mumbai-2008.html")).expect("a page");
    assert!(!page.contains("id=\"hypotheses\""));
    let asked = run(&["--hypotheses"]);
    assert_eq!(asked.status.code(), Some(0), "{}", stderr(&asked));
    let page = std::fs::read_to_string(out.join("mumbai-2008.html")).expect("a page");
    assert!(page.contains(
        "<section id=\"hypotheses\"><h2>Competing hypotheses: Who carried out the attack</h2>"
    ));
    assert!(
        page.ends_with("</section>\n</main></body></html>\n"),
        "the section closes the page"
    );
}

#[test]
fn a_block_too_costly_to_weigh_is_refused_at_its_name() {
    let kinds: String = (0..3000)
        .map(|i| format!("  each k{i} \"{{hypothesis.group}} {i}\"\n"))
        .collect();
    let rows: String = (0..300)
        .map(|i| {
            format!(
                "  criterion r{i} {{ when any(a in attributions where a.names == hypothesis.group) ?? false => lr 2 \"x\" else => lr 1 \"y\" }}\n"
            )
        })
        .collect();
    let text = format!(
        "ruleset many {{ version \"1\" }}\nscore s {{ criterion c {{ else => 0 }} }}\nhypotheses h {{\n  groups a.names for a in attributions\n{kinds}{rows}}}\n"
    );
    let Err(e) = compile_str("many.cred", &text, &Options::default()) else {
        panic!("the block is too costly to weigh");
    };
    let costly = e
        .diagnostics()
        .iter()
        .find(|d| d.code == Code::TooCostly)
        .expect("E025");
    assert_eq!(
        costly.span.start,
        text.find("hypotheses h").expect("the block") as u32 + 11
    );
    assert!(
        costly
            .label
            .contains("300 rows weighed for each of up to 48000 hypotheses"),
        "{}",
        costly.label
    );
    assert!(
        costly
            .help
            .as_deref()
            .is_some_and(|h| h.starts_with("every row is weighed once per hypothesis")),
        "{costly:?}"
    );
}

#[test]
fn check_costs_lists_the_block_with_the_criteria_and_counts_it_in_the_total() {
    let out = credence(&["check", "--costs", "rules/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("hypotheses authorship"))
        .unwrap_or_else(|| panic!("the block's line: {text}"));
    assert!(line.contains("its 13 rows for each hypothesis"), "{line}");
    let json = credence(&["check", "--costs", "--format", "json", "rules/"]);
    let json: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let costs = &json["costs"];
    let block = costs["hypotheses"]["nominal"]
        .as_u64()
        .expect("the block's cost");
    assert_eq!(costs["hypotheses"]["block"], "authorship");
    let criteria: u64 = costs["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["nominal"].as_u64().expect("nominal"))
        .sum();
    let total = costs["total"].as_u64().expect("total");
    // Criteria share definitions, counted once in the total; the block is counted whole.
    assert!(block > 0 && total >= block, "{block} of {total}");
    assert!(total <= criteria + block, "{total} ≤ {criteria} + {block}");
}

#[test]
fn coverage_counts_each_row_of_the_block_under_every_hypothesis() {
    let dir = common::Scratch::new("hypotheses-coverage");
    std::fs::create_dir_all(dir.join("real")).expect("dirs");
    std::fs::copy("fixtures/trebes-2018.json", dir.join("trebes-2018.json")).expect("fixture");
    std::fs::copy(
        "fixtures/real/trebes-2018.json",
        dir.join("real/trebes-2018.json"),
    )
    .expect("case");
    let report = dir.join("report.json");
    let report_arg = format!("json={}", report.display());
    let out = credence(&[
        "test",
        "rules/",
        dir.to_str().expect("utf-8"),
        "--report",
        &report_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
    let units = report["coverage"]["files"]["rules/hypotheses.cred"]
        .as_array()
        .expect("the block's rows are covered");
    let channel = units
        .iter()
        .find(|u| u["name"] == "authorship.channel")
        .expect("authorship.channel");
    // Trebes names one group: directed and inspired by it, no group, fabricated. The first row
    // ("not the claimant") holds under the last two and fails under the claimant's two, whose
    // claim came through the group's own outlet.
    let branch = |test: &str| {
        channel["branches"]
            .as_array()
            .expect("branches")
            .iter()
            .find(|b| b["test"] == test)
            .unwrap_or_else(|| panic!("{test}: {channel}"))
            .clone()
    };
    let first = branch("(hypothesis.group != claim.claimant) ?? true");
    assert_eq!(
        (&first["taken"], &first["false"]),
        (&2.into(), &2.into()),
        "{first}"
    );
    let own = branch("own_outlet");
    assert_eq!(own["taken"], 2, "{own}");
}
