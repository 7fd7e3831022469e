//! MISP: an event per case in the MISP core format. Tags from the published taxonomies grade the
//! claim (`admiralty-scale:source-reliability` from the channel, `admiralty-scale:
//! information-credibility` from the other criteria, `estimative-language:
//! likelihood-probability` from the credibility); the claimant is a `threat-actor` attribute;
//! the key judgement is an analyst note, the category (what it says of the claim, by the rule
//! set's profile) an analyst opinion (0–100), and the full trace an event report in Markdown.
//!
//! Identifiers are UUID version 5 from the rules and case hashes, and the date is the attack's,
//! so the same judgement exported twice is byte-identical. docs/INTERCHANGE.md documents the
//! mapping.

use serde_json::{Value as Json, json};

use super::Trace;
use super::hypotheses::Matrix;
use super::interchange::Assessment;
use crate::profile::Stance;
use crate::time::Rfc3339;

/// The event of one scored case, as indented JSON. `case` is the case document as read.
pub fn render(trace: &Trace<'_>, case: &Json) -> Result<String, String> {
    render_with(trace, case, None, false)
}

/// The event, with an analyst opinion per competing hypothesis when `hypotheses` is given; on
/// one line (JSON Lines) or indented.
pub fn render_with(
    trace: &Trace<'_>,
    case: &Json,
    hypotheses: Option<&Matrix>,
    line: bool,
) -> Result<String, String> {
    let mut event = event(trace, case)?;
    if let Some(m) = hypotheses {
        let a = Assessment::of(trace, case)?;
        add_hypotheses(&mut event["Event"], m, &a);
    }
    Ok(super::interchange::document_text(&event, line))
}

fn event(trace: &Trace<'_>, case: &Json) -> Result<Json, String> {
    let a = Assessment::of(trace, case)?;
    a.exportable(trace.as_of().map(|as_of| as_of.at))?;
    let event = a.id("misp-event").to_string();
    let date = a
        .started_at
        .or(a.claimed_at)
        .map(|t| Rfc3339(t).to_string()[..10].to_string());
    let mut tags = vec![
        format!(
            "admiralty-scale:source-reliability=\"{}\"",
            a.source_reliability
        ),
        format!(
            "admiralty-scale:information-credibility=\"{}\"",
            a.information_credibility
        ),
    ];
    if let Some((_, word)) = a.probability {
        tags.push(format!(
            "estimative-language:likelihood-probability=\"{}\"",
            word.word().replace(' ', "-")
        ));
    }
    let verdict = a.verdict.as_deref().unwrap_or("no verdict");
    let mut object = json!({
        "uuid": event,
        "info": format!("{} by {} for {}: {verdict}", a.subject_title(), a.claimant_name(), a.case),
        "threat_level_id": "4",
        "analysis": "2",
        "distribution": "0",
        "published": false,
        "Tag": tags.into_iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
        "Attribute": [{
            "uuid": a.id("misp-attribute-claimant").to_string(),
            "type": "threat-actor",
            "category": "Attribution",
            "value": a.claimant_name(),
            "comment": match &a.channel {
                Some(channel) => format!("Claimed responsibility on {channel}"),
                None => "Claimed responsibility".to_string(),
            },
            "to_ids": false,
            "distribution": "5",
        }],
        "Note": [{
            "uuid": a.id("misp-note").to_string(),
            "note": a.key_judgement(),
            "language": "en",
            "authors": format!("Credence, rules {} {}", a.ruleset, a.version),
            "object_uuid": event,
            "object_type": "Event",
        }],
        "Opinion": [{
            "uuid": a.id("misp-opinion").to_string(),
            "opinion": opinion(&a).to_string(),
            "comment": format!(
                "{}: {} ({}). {}",
                a.category_title(),
                a.category.as_deref().unwrap_or("not judged"),
                if a.settled { "settled" } else { "open" },
                a.why().unwrap_or_else(|| verdict.to_string())
            ),
            "authors": format!("Credence, rules {} {}", a.ruleset, a.version),
            "object_uuid": event,
            "object_type": "Event",
        }],
        "EventReport": [{
            "uuid": a.id("misp-report").to_string(),
            "name": format!("Credence trace: {}", a.case),
            "content": a.markdown,
            "distribution": "5",
        }],
    });
    if let Some(date) = date {
        object["date"] = json!(date);
    }
    Ok(json!({ "Event": object }))
}

/// Per candidate group other than the claimant, a `threat-actor` attribute; per hypothesis, an
/// analyst opinion with its probability in percent (the opinions add up to about 100) on its
/// group's attribute, or on the event for a hypothesis without a group.
fn add_hypotheses(event: &mut Json, m: &Matrix, a: &Assessment) {
    let event_uuid = event["uuid"].clone();
    let mut attributes: Vec<(String, String)> = vec![(
        a.claimant_name().to_string(),
        a.id("misp-attribute-claimant").to_string(),
    )];
    for group in &m.groups {
        if attributes.iter().any(|(name, _)| name == group) {
            continue;
        }
        let uuid = a
            .id(&format!("misp-attribute-hypotheses\n{group}"))
            .to_string();
        if let Some(list) = event["Attribute"].as_array_mut() {
            list.push(json!({
                "uuid": uuid,
                "type": "threat-actor",
                "category": "Attribution",
                "value": group,
                "comment": "A competing hypothesis: named by the case as a possible author",
                "to_ids": false,
                "distribution": "5",
            }));
        }
        attributes.push((group.clone(), uuid));
    }
    let ranking = if m.settled { "settled" } else { "open" };
    let opinions: Vec<Json> = m
        .hypotheses
        .iter()
        .map(|h| {
            let (object, kind) = match h
                .group
                .as_ref()
                .and_then(|g| attributes.iter().find(|(name, _)| name == g))
            {
                Some((_, uuid)) => (json!(uuid), "Attribute"),
                None => (event_uuid.clone(), "Event"),
            };
            json!({
                "uuid": a.id(&format!("misp-opinion-hypothesis\n{}", h.id)).to_string(),
                "opinion": ((h.probability * 100.0).round() as u8).to_string(),
                "comment": format!(
                    "{}: {}: {} ({}) among the competing hypotheses; the ranking is {ranking}. {}",
                    h.id, h.title, h.shown, h.estimative, m.summary
                ),
                "authors": format!("Credence, rules {} {}, hypotheses {}", a.ruleset, a.version, m.name),
                "object_uuid": object,
                "object_type": kind,
            })
        })
        .collect();
    if let Some(list) = event["Opinion"].as_array_mut() {
        list.extend(opinions);
    }
}

/// The opinion on the claim, 0 (strongly disagree) to 100 (strongly agree), from what the
/// category says of it (the profile's stances): agree strongly 100, agree 75, neutral (or a
/// disagreement still open) 50, disagree and settled 25, disagree strongly 0.
fn opinion(a: &Assessment) -> u8 {
    match a.stance {
        Some(Stance::AgreeStrongly) => 100,
        Some(Stance::Agree) => 75,
        Some(Stance::DisagreeStrongly) => 0,
        Some(Stance::Disagree) if a.settled => 25,
        _ => 50,
    }
}
