//! STIX 2.1: a bundle per case for threat-intelligence platforms (OpenCTI and others). The case
//! is an `incident`, the claimant a `threat-actor`, the claim an `attributed-to` relationship
//! between them whose `confidence` is the probability on the DNI scale; an `opinion` on the
//! relationship carries what the category says of the claim, and a `note` the key judgement
//! and the full Markdown trace. Credence's own fields (category, verdict, settled, rules and
//! their hash) are in one property extension, defined in the bundle. What the claim is called,
//! who made it and which scores judge it come from the rule set's profile.
//!
//! Identifiers are UUID version 5 from the rules and case hashes, and timestamps are the moment
//! the judgement speaks for, so the same judgement exported twice is byte-identical.
//! docs/INTERCHANGE.md documents the mapping.

use serde_json::{Value as Json, json};

use super::Trace;
use super::format::Estimative;
use super::hypotheses::Matrix;
use super::interchange::{Assessment, stable_id, stix_confidence};
use crate::profile::Stance;
use crate::time::Rfc3339;

/// When Credence's own identity and extension definition were first published: they are the
/// same objects in every bundle.
const DEFINED: &str = "2026-11-21T00:00:00.000Z";

/// The bundle of one scored case, as indented JSON. `case` is the case document as read. A case
/// whose times STIX cannot hold is refused, with the reason.
pub fn render(trace: &Trace<'_>, case: &Json) -> Result<String, String> {
    render_with(trace, case, None, false)
}

/// The bundle, with an opinion per competing hypothesis when `hypotheses` is given; on one
/// line (JSON Lines) or indented.
pub fn render_with(
    trace: &Trace<'_>,
    case: &Json,
    hypotheses: Option<&Matrix>,
    line: bool,
) -> Result<String, String> {
    let bundle = bundle(trace, case, hypotheses)?;
    Ok(super::interchange::document_text(&bundle, line))
}

fn bundle(trace: &Trace<'_>, case: &Json, hypotheses: Option<&Matrix>) -> Result<Json, String> {
    let a = Assessment::of(trace, case)?;
    a.exportable(trace.as_of().map(|as_of| as_of.at))?;
    let when = stamp(
        trace
            .as_of()
            .map(|as_of| as_of.at)
            .or(a.claimed_at)
            .or(a.started_at),
    );
    let identity = format!("identity--{}", stable_id("identity\ncredence"));
    let extension = format!(
        "extension-definition--{}",
        stable_id("extension-definition\ncredence-assessment-1")
    );
    let actor = format!(
        "threat-actor--{}",
        stable_id(&format!("threat-actor\n{}", a.claimant_name()))
    );
    let incident = format!("incident--{}", a.id("incident"));
    let relationship = format!("relationship--{}", a.id("relationship"));
    let word = a
        .probability
        .map_or(Estimative::RoughlyEvenChance, |(_, w)| w);
    let credence_fields = json!({
        extension.as_str(): {
            "extension_type": "property-extension",
            "link": a.category,
            "verdict": a.verdict,
            "settled": a.settled,
            "credibility": a.probability.map(|(p, _)| p),
            "ruleset": a.ruleset,
            "rules_version": a.version,
            "rules_hash": a.rules_hash,
            "case_hash": a.case_hash,
        }
    });
    let claim = match (&a.channel, a.claimed_at) {
        (Some(channel), Some(t)) => format!(" on {channel}, published {}", Rfc3339(t)),
        (Some(channel), None) => format!(" on {channel}"),
        (None, Some(t)) => format!(", published {}", Rfc3339(t)),
        (None, None) => String::new(),
    };
    let explanation = match a.why() {
        Some(why) => format!("{} Why: {why}.", a.key_judgement()),
        None => a.key_judgement(),
    };
    let mut objects = vec![
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": identity,
            "created": DEFINED,
            "modified": DEFINED,
            "name": "Credence",
            "description": "Claim-verification rule engine: judges claims with explained, testable rules.",
            "identity_class": "system",
        }),
        json!({
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": extension,
            "created_by_ref": identity,
            "created": DEFINED,
            "modified": DEFINED,
            "name": "Credence claim assessment",
            "description": "Credence's judgement of a claim: its category (the band of the rule set's category score), the verdict, whether unknown or conflicting evidence could still change it, the probability that the claim is true, and the rules and case it comes from.",
            "schema": "Properties: link (string: the category, a band label of the rule set's category score), verdict (string), settled (boolean: neither unknown nor conflicting evidence could change the verdict), credibility (number 0-1: the probability score's), ruleset, rules_version, rules_hash, case_hash (strings). See Credence's docs/INTERCHANGE.md.",
            "version": "1.0.0",
            "extension_types": ["property-extension"],
        }),
        json!({
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": actor,
            "created_by_ref": identity,
            "created": DEFINED,
            "modified": DEFINED,
            "name": a.claimant_name(),
            "threat_actor_types": a.actor_kind.as_ref().map(|kind| [kind]),
        }),
        json!({
            "type": "incident",
            "spec_version": "2.1",
            "id": incident,
            "created_by_ref": identity,
            "created": when,
            "modified": when,
            "name": a.case,
            "description": a.description,
        }),
        json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": relationship,
            "created_by_ref": identity,
            "created": when,
            "modified": when,
            "relationship_type": "attributed-to",
            "source_ref": incident,
            "target_ref": actor,
            "description": format!("{} by {}{claim}", a.subject_title(), a.claimant_name()),
            "confidence": stix_confidence(word),
            "extensions": credence_fields,
        }),
        json!({
            "type": "opinion",
            "spec_version": "2.1",
            "id": format!("opinion--{}", a.id("opinion")),
            "created_by_ref": identity,
            "created": when,
            "modified": when,
            "explanation": explanation,
            "authors": [format!("Credence, rules {} {}", a.ruleset, a.version)],
            "opinion": opinion(&a),
            "object_refs": [relationship],
            "extensions": credence_fields,
        }),
        json!({
            "type": "note",
            "spec_version": "2.1",
            "id": format!("note--{}", a.id("note")),
            "created_by_ref": identity,
            "created": when,
            "modified": when,
            "abstract": a.key_judgement(),
            "content": a.markdown,
            "authors": [format!("Credence, rules {} {}", a.ruleset, a.version)],
            "object_refs": [incident, relationship],
        }),
    ];
    if let Some(m) = hypotheses {
        let context = HypothesisContext {
            a: &a,
            identity: &identity,
            incident: &incident,
            claimant: &relationship,
            when: &when,
        };
        objects.extend(hypothesis_objects(m, &context));
    }
    // Optional properties without a value are left out, as STIX asks.
    let objects: Vec<Json> = objects.into_iter().map(without_nulls).collect();
    Ok(json!({
        "type": "bundle",
        "id": format!("bundle--{}", a.id("bundle")),
        "objects": objects,
    }))
}

/// What the objects of the competing hypotheses refer to.
struct HypothesisContext<'c> {
    a: &'c Assessment,
    identity: &'c str,
    incident: &'c str,
    /// The claimant's `attributed-to` relationship.
    claimant: &'c str,
    when: &'c str,
}

/// Per candidate group, an `attributed-to` relationship from the incident to its threat actor
/// (the claimant's is the bundle's own) whose confidence is the probability that the group
/// did it, under any of its hypotheses; per hypothesis, an opinion on its group's relationship
/// (on the incident for a hypothesis without a group) with its probability.
fn hypothesis_objects(m: &Matrix, c: &HypothesisContext<'_>) -> Vec<Json> {
    let mut objects = Vec::new();
    let authors = [format!(
        "Credence, rules {} {}, hypotheses {}",
        c.a.ruleset, c.a.version, m.name
    )];
    let mut relationships: Vec<(String, String)> = Vec::new();
    for group in &m.groups {
        let probability: f64 = m
            .hypotheses
            .iter()
            .filter(|h| h.group.as_ref() == Some(group))
            .map(|h| h.probability)
            .sum();
        if group == c.a.claimant_name() {
            relationships.push((group.clone(), c.claimant.to_string()));
            continue;
        }
        let actor = format!(
            "threat-actor--{}",
            stable_id(&format!("threat-actor\n{group}"))
        );
        let relationship = format!(
            "relationship--{}",
            c.a.id(&format!("relationship\nhypotheses\n{group}"))
        );
        objects.push(json!({
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": actor,
            "created_by_ref": c.identity,
            "created": DEFINED,
            "modified": DEFINED,
            "name": group,
        }));
        objects.push(json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": relationship,
            "created_by_ref": c.identity,
            "created": c.when,
            "modified": c.when,
            "relationship_type": "attributed-to",
            "source_ref": c.incident,
            "target_ref": actor,
            "description": format!("A competing hypothesis: {group} carried out the {}", c.a.case),
            "confidence": stix_confidence(Estimative::of(probability)),
        }));
        relationships.push((group.clone(), relationship));
    }
    for h in &m.hypotheses {
        let target = h
            .group
            .as_ref()
            .and_then(|g| relationships.iter().find(|(name, _)| name == g))
            .map_or(c.incident.to_string(), |(_, r)| r.clone());
        let ranking = if m.settled { "settled" } else { "open" };
        objects.push(json!({
            "type": "opinion",
            "spec_version": "2.1",
            "id": format!("opinion--{}", c.a.id(&format!("opinion\nhypothesis\n{}", h.id))),
            "created_by_ref": c.identity,
            "created": c.when,
            "modified": c.when,
            "explanation": format!(
                "{}: {}: {} ({}) among the competing hypotheses, which add up to 100%; the ranking is {ranking}. {}",
                h.id, h.title, h.shown, h.estimative, m.summary
            ),
            "authors": authors,
            "opinion": hypothesis_opinion(h.probability, m.settled),
            "object_refs": [target],
        }));
    }
    objects
}

/// A hypothesis's probability as a STIX opinion: strongly agree from 80% ("very likely"),
/// agree from 55%, strongly disagree below 20%, disagree below 45%, neutral between; while the
/// ranking is open, no disagreement (unknown evidence could still raise it).
fn hypothesis_opinion(probability: f64, settled: bool) -> &'static str {
    match Estimative::of(probability) {
        Estimative::AlmostCertain | Estimative::VeryLikely => "strongly-agree",
        Estimative::Likely => "agree",
        Estimative::AlmostNoChance | Estimative::VeryUnlikely if settled => "strongly-disagree",
        Estimative::Unlikely if settled => "disagree",
        _ => "neutral",
    }
}

/// The opinion on the claim, from what the category says of it (the profile's stances):
/// strongly agree, agree, neutral (also a disagreement still open), disagree once settled,
/// strongly disagree.
fn opinion(a: &Assessment) -> &'static str {
    match a.stance {
        Some(Stance::AgreeStrongly) => "strongly-agree",
        Some(Stance::Agree) => "agree",
        Some(Stance::DisagreeStrongly) => "strongly-disagree",
        Some(Stance::Disagree) if a.settled => "disagree",
        _ => "neutral",
    }
}

/// A STIX timestamp (millisecond precision, UTC); the epoch when no time is known.
fn stamp(at: Option<i64>) -> String {
    let text = Rfc3339(at.unwrap_or(0)).to_string();
    // Rfc3339 writes milliseconds only when there are some; STIX wants exactly three digits.
    match text.split_once('.') {
        Some((seconds, fraction)) => {
            let digits = fraction.trim_end_matches('Z');
            format!("{seconds}.{digits:0<3}Z")
        }
        None => format!("{}.000Z", text.trim_end_matches('Z')),
    }
}

/// An object without its `null` properties, at every depth.
fn without_nulls(object: Json) -> Json {
    match object {
        Json::Object(map) => Json::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::stamp;

    #[test]
    fn stix_timestamps_have_exactly_three_fraction_digits() {
        assert_eq!(stamp(Some(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(stamp(Some(1_521_820_800_000)), "2018-03-23T16:00:00.000Z");
        assert_eq!(stamp(Some(1_521_820_800_500)), "2018-03-23T16:00:00.500Z");
        assert_eq!(stamp(Some(1_521_820_800_120)), "2018-03-23T16:00:00.120Z");
        assert_eq!(stamp(Some(1_521_820_800_123)), "2018-03-23T16:00:00.123Z");
        assert_eq!(stamp(None), "1970-01-01T00:00:00.000Z");
    }
}
