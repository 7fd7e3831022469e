//! What the interchange formats ([`super::stix`], [`super::misp`]) say about a case: the
//! judgement, taken from the trace, and the descriptive facts (who claimed, on which channel,
//! when), taken from the case document itself since rules need not read them. Also the
//! documented conversions they share: ICD 203 words to STIX confidence, the Admiralty grades,
//! and deterministic identifiers.
//!
//! docs/INTERCHANGE.md documents every conversion.

use serde_json::Value as Json;

use super::Trace;
use super::format::Estimative;
use super::model::{CriterionView, ScoreView};
use crate::profile::Stance;
use crate::program::ScoreMode;

/// The namespace of every identifier Credence derives (UUID version 5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_2b55_9d3e_4a0b_b8a1_3c5e_7d2f_9e41);

/// A case's judgement and description, for export.
pub(crate) struct Assessment {
    /// The case's id, or its hash when it has none.
    pub(crate) case: String,
    pub(crate) description: Option<String>,
    /// What the claim is called (the profile's subject: `claim of responsibility`).
    pub(crate) subject: String,
    /// Who made the claim (the profile's `actor`).
    pub(crate) claimant: Option<String>,
    /// What kind of threat actor a claimant is, in STIX's vocabulary (the profile's `actor`).
    pub(crate) actor_kind: Option<String>,
    /// Where (the profile's `channel`).
    pub(crate) channel: Option<String>,
    /// When the claim was published, and when the case began (the earliest possible time
    /// when only a range is known), in milliseconds.
    pub(crate) claimed_at: Option<i64>,
    pub(crate) started_at: Option<i64>,
    /// Where those times are in a case (`claim.published_at`), for messages.
    claimed_path: String,
    started_path: String,
    pub(crate) verdict: Option<String>,
    pub(crate) reason: Option<String>,
    /// True when neither unknown nor conflicting evidence could change the verdict.
    pub(crate) settled: bool,
    /// The conflicts that keep the verdict open, in words ("Conflicting evidence on link: …").
    pub(crate) conflicts: Vec<String>,
    /// The probability score's probability and its ICD 203 word.
    pub(crate) probability: Option<(f64, Estimative)>,
    /// The category score's name (`link`), its band (`directed`, `inspired`, …), and what
    /// that says of the claim.
    pub(crate) category_score: String,
    pub(crate) category: Option<String>,
    pub(crate) stance: Option<Stance>,
    /// Admiralty grades: source reliability `a`–`f`, information credibility `1`–`6`.
    pub(crate) source_reliability: &'static str,
    pub(crate) information_credibility: &'static str,
    pub(crate) ruleset: String,
    pub(crate) version: String,
    pub(crate) rules_hash: String,
    pub(crate) case_hash: String,
    /// The full trace as Markdown.
    pub(crate) markdown: String,
}

impl Assessment {
    /// The assessment of a scored case; `case` is the case document as read. The rule set's
    /// profile must name its probability and category scores (`crate::EXPORT_NEEDS`).
    pub(crate) fn of(trace: &Trace<'_>, case: &Json) -> Result<Assessment, String> {
        let program = trace.program();
        let profile = program.profile();
        profile
            .provides(&crate::EXPORT_NEEDS)
            .map_err(|e| e.to_string())?;
        let (Some(probability), Some(category)) = (&profile.probability, &profile.category) else {
            return Err(crate::EXPORT_NEEDS.to_string());
        };
        let summary = trace.summary();
        let credibility = trace.scores().nth(probability.score);
        let p = trace.provenance();
        // An empty or blank text names nothing.
        let text = |path: &[String]| {
            path.iter()
                .try_fold(case, |v, k| v.get(k))
                .and_then(Json::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        let case_hash = p.case_hash.unwrap_or("").to_string();
        let band = trace
            .scores()
            .nth(category.score)
            .and_then(|s| s.band())
            .map(|b| b.label().to_string());
        Ok(Assessment {
            case: trace.case_id().unwrap_or_else(|| case_hash.clone()),
            description: text(&["description".to_string()]),
            subject: profile
                .subject
                .as_ref()
                .map_or("claim".to_string(), |s| s.noun.clone()),
            claimant: profile.actor.as_ref().and_then(|a| text(&a.path)),
            actor_kind: profile.actor.as_ref().and_then(|a| a.kind.clone()),
            channel: profile.channel.as_deref().and_then(text),
            claimed_at: profile
                .subject
                .as_ref()
                .and_then(|s| earliest(case, &s.time)),
            started_at: profile.start.as_ref().and_then(|s| earliest(case, &s.path)),
            claimed_path: profile
                .subject
                .as_ref()
                .map_or(String::new(), |s| s.time.join(".")),
            started_path: profile
                .start
                .as_ref()
                .map_or(String::new(), |s| s.path.join(".")),
            verdict: summary.verdict.as_ref().map(|v| v.view.label().to_string()),
            reason: summary.verdict.as_ref().and_then(|v| v.view.reason()),
            settled: summary.verdict.as_ref().is_none_or(|v| v.settled()),
            conflicts: summary
                .verdict
                .as_ref()
                .map(super::summary::conflict_lines)
                .unwrap_or_default(),
            probability: credibility
                .and_then(|s| s.probability())
                .map(|p| (p, Estimative::of(p))),
            stance: band.as_deref().and_then(|b| category.stance(b)),
            category_score: program.score_name(category.score).to_string(),
            category: band,
            source_reliability: credibility
                .map_or("f", |s| source_reliability(s, probability.source)),
            information_credibility: credibility
                .map_or("6", |s| information_credibility(s, probability.source)),
            ruleset: p.ruleset.to_string(),
            version: p.version.to_string(),
            rules_hash: p.rules_hash.to_string(),
            case_hash,
            markdown: super::markdown::render_with(trace, super::markdown::RulePaths::Relative),
        })
    }

    /// A deterministic identifier for one kind of object about this judgement: the same rules
    /// and case give the same identifier.
    pub(crate) fn id(&self, kind: &str) -> uuid::Uuid {
        uuid::Uuid::new_v5(
            &NAMESPACE,
            format!("{kind}\n{}\n{}", self.rules_hash, self.case_hash).as_bytes(),
        )
    }

    /// Refuses a judgement the formats cannot carry: a time outside the years 1 to 9999
    /// (STIX timestamps and MISP dates have four-digit years from 0001).
    pub(crate) fn exportable(&self, at: Option<i64>) -> Result<(), String> {
        const FIRST: i64 = -62_135_596_800_000; // 0001-01-01T00:00:00Z
        const LAST: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
        for (what, time) in [
            ("the moment judged at".to_string(), at),
            (format!("`{}`", self.claimed_path), self.claimed_at),
            (format!("`{}`", self.started_path), self.started_at),
        ] {
            if let Some(time) = time
                && !(FIRST..=LAST).contains(&time)
            {
                return Err(format!(
                    "cannot be exported: {what} ({}) is outside the years 0001 to 9999 that STIX timestamps and MISP dates can hold",
                    crate::time::Rfc3339(time)
                ));
            }
        }
        Ok(())
    }

    /// What the claim is called, as a sentence begins it (`Claim of responsibility`).
    pub(crate) fn subject_title(&self) -> String {
        capitalised(&self.subject)
    }

    /// The category score's name as a sentence begins it (`Link`).
    pub(crate) fn category_title(&self) -> String {
        capitalised(&self.category_score)
    }

    /// The claimant, or a placeholder.
    pub(crate) fn claimant_name(&self) -> &str {
        self.claimant.as_deref().unwrap_or("unknown claimant")
    }

    /// Why, in words: the verdict's reason, then each conflict that keeps it open.
    pub(crate) fn why(&self) -> Option<String> {
        let mut parts: Vec<String> = self.reason.iter().cloned().collect();
        parts.extend(self.conflicts.iter().cloned());
        (!parts.is_empty()).then(|| parts.join(". "))
    }

    /// The key judgement in words: the verdict, settled or open, and the credibility in ICD 203
    /// terms ("Credible claim: inspired attack (open). It is almost certain (95.5%) that …").
    pub(crate) fn key_judgement(&self) -> String {
        let verdict = capitalised(self.verdict.as_deref().unwrap_or("no verdict"));
        let state = if self.settled { "settled" } else { "open" };
        match self.probability {
            Some((p, word)) => format!(
                "{verdict} ({state}). It is {word} ({}) that the {} by {} is genuine.",
                super::format::percent(p),
                self.subject,
                self.claimant_name()
            ),
            None => format!("{verdict} ({state})."),
        }
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut letters = text.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// An exported document as JSON text: on one line (JSON Lines) or indented, with a newline.
pub(crate) fn document_text(document: &Json, line: bool) -> String {
    let text = if line {
        serde_json::to_string(document)
    } else {
        serde_json::to_string_pretty(document)
    };
    text.unwrap_or_default() + "\n"
}

/// A deterministic identifier for an object that does not depend on one judgement (the
/// claimant, the extension definition).
pub(crate) fn stable_id(name: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// The STIX confidence of an ICD 203 word, by the DNI scale of STIX 2.1 (Appendix A).
pub(crate) fn stix_confidence(word: Estimative) -> u8 {
    match word {
        Estimative::AlmostNoChance => 5,
        Estimative::VeryUnlikely => 15,
        Estimative::Unlikely => 30,
        Estimative::RoughlyEvenChance => 50,
        Estimative::Likely => 70,
        Estimative::VeryLikely => 85,
        Estimative::AlmostCertain => 95,
    }
}

/// The source criterion of the probability score, when the profile names one.
fn source<'t, 'a>(score: ScoreView<'t, 'a>, at: Option<usize>) -> Option<CriterionView<'t, 'a>> {
    score.criteria().nth(at?)
}

/// Source reliability, from the likelihood ratio the source criterion gave: `b` usually
/// reliable (≥ 2: the group's own outlet), `c` fairly reliable (≥ 1.5), `d` not usually
/// reliable (≥ 0.9), `e` unreliable (below), `f` when the source is unknown or not judged. A
/// claimant's outlet is never `a`: it speaks for itself.
fn source_reliability(score: ScoreView<'_, '_>, at: Option<usize>) -> &'static str {
    let Some(c) = source(score, at).filter(|c| !c.outcome().is_unknown()) else {
        return "f";
    };
    match c.likelihood_ratio() {
        Some(r) if r >= 2.0 => "b",
        Some(r) if r >= 1.5 => "c",
        Some(r) if r >= 0.9 => "d",
        Some(_) => "e",
        None => "f",
    }
}

/// Information credibility, from the probability the other criteria give without the source:
/// `1` confirmed by other sources (≥ 95 %), `2` probably true (≥ 80 %), `3` possibly true
/// (≥ 55 %), `4` doubtful (≥ 25 %), `5` improbable (below), `6` when no criterion but the source
/// has known evidence.
fn information_credibility(score: ScoreView<'_, '_>, at: Option<usize>) -> &'static str {
    let ScoreMode::Evidence { .. } = score.mode() else {
        return "6";
    };
    let others = || {
        score
            .criteria()
            .enumerate()
            .filter(|(i, _)| Some(*i) != at)
            .map(|(_, c)| c)
    };
    if others().all(|c| c.outcome().is_unknown()) {
        return "6";
    }
    let log_odds = score.base().as_f64() + others().map(|c| c.contribution().as_f64()).sum::<f64>();
    match 1.0 / (1.0 + (-log_odds).exp()) {
        p if p >= 0.95 => "1",
        p if p >= 0.80 => "2",
        p if p >= 0.55 => "3",
        p if p >= 0.25 => "4",
        _ => "5",
    }
}

/// The time at `path`: a timestamp, or the earliest end of a range.
fn earliest(case: &Json, path: &[String]) -> Option<i64> {
    let value = path.iter().try_fold(case, |v, k| v.get(k))?;
    let text = match value {
        Json::String(s) => s.as_str(),
        Json::Object(range) => range.get("earliest").and_then(Json::as_str)?,
        _ => return None,
    };
    crate::time::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stix_confidence_grows_with_the_word_and_lies_in_its_range() {
        let mut previous = 0;
        for word in Estimative::ALL {
            let confidence = stix_confidence(word);
            let (low, high) = word.range();
            assert!(confidence > previous, "{word}");
            assert!(
                f64::from(confidence) >= low * 100.0 && f64::from(confidence) <= high * 100.0,
                "{word}: {confidence}"
            );
            previous = confidence;
        }
    }
}
