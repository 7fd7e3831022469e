//! The JSON trace, for machines: stable field order, a format version, typed values (durations
//! in seconds with a display text, whole numbers as integers, timestamps in RFC 3339), and each
//! definition listed once under `definitions`, which evidence refers to by name.
//! `docs/TRACE.md` documents the shape.
//!
//! The document is a tree of small serializable views over the trace, written straight to the
//! output (`json_writer`, which writes what `serde_json` would): no intermediate
//! `serde_json::Value`, and timestamps and numbers are written without building strings.

use super::hypotheses::Matrix;
use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

use super::Trace;
use super::format;
use super::model::{
    AlternativeView, CriterionView, DecisionView, DefinitionView, EvidenceView, FieldResult,
    ScoreView, WindowView,
};
use super::range_test::{End, RangeTestView};
use super::summary::{Change, Conflict, Direction, Margin, ScoreSummary};
use crate::eval::value::{Value, items};
use crate::eval::{Bounds, EvidenceItem, EvidenceState, Handling, Mark, Outcome};
use crate::program::{Points, ScoreMode};
use crate::source::LineRef;
use crate::time::Rfc3339;

/// The version of the JSON shape; it changes when a field changes meaning or goes.
pub const FORMAT_VERSION: u32 = 2;

/// The trace as indented JSON.
pub fn render(trace: &Trace<'_>) -> String {
    render_with(trace, None, false)
}

/// The trace as one line of JSON (for JSON Lines).
pub fn render_line(trace: &Trace<'_>) -> String {
    render_with(trace, None, true)
}

/// The trace as JSON, with the matrix of its competing hypotheses under `hypotheses` when
/// given; on one line (JSON Lines) or indented.
pub fn render_with(trace: &Trace<'_>, hypotheses: Option<&Matrix>, line: bool) -> String {
    let mut document = Document::of(trace);
    document.hypotheses = hypotheses;
    written(&document, !line, expected_len(trace))
}

/// About how long a trace's JSON is, so that its text is allocated once, not grown and copied
/// as it is written: about 1.2 KB for each criterion and definition it explains (the shipped
/// pack's 73 take 75–96 KB, the benchmark's 8 about 10), and 64 bytes for each item its windows
/// list (each has its time and its place in one of the window's lists).
fn expected_len(trace: &Trace<'_>) -> usize {
    let extent = trace.extent();
    2 * 1024 + 1280 * extent.explained + 64 * extent.items
}

/// `document` as JSON text and a line break, indented or on one line.
fn written(document: &impl Serialize, indented: bool, capacity: usize) -> String {
    // The views' own `Serialize` impls raise no errors, and their keys are strings.
    let mut text = super::json_writer::to_string(document, indented, capacity).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the JSON trace to any serde serializer, as [`render`] writes it as text (the Python
/// package builds its objects this way, with no JSON text in between).
pub fn serialize<S: Serializer>(trace: &Trace<'_>, serializer: S) -> Result<S::Ok, S::Error> {
    Document::of(trace).serialize(serializer)
}

/// The JSON for a case judged at a moment before its claim was known: nothing to judge yet.
/// `pretty` indents it as [`render`] does; otherwise one line, as [`render_line`].
pub fn no_claim_yet(not_yet: &crate::NotYet, pretty: bool) -> String {
    written(&NoClaimYet::of(not_yet), pretty, 512)
}

/// Writes [`no_claim_yet`]'s document to any serde serializer.
pub fn serialize_no_claim_yet<S: Serializer>(
    not_yet: &crate::NotYet,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    NoClaimYet::of(not_yet).serialize(serializer)
}

#[derive(Serialize)]
struct NoClaimYet<'c> {
    format_version: u32,
    case: Option<&'c str>,
    as_of: AtJson,
    claim_known: bool,
    claim_published_at: Stamp,
    claim_known_at: Stamp,
}

#[derive(Serialize)]
struct AtJson {
    at: Stamp,
}

impl<'c> NoClaimYet<'c> {
    fn of(not_yet: &'c crate::NotYet) -> NoClaimYet<'c> {
        NoClaimYet {
            format_version: FORMAT_VERSION,
            case: not_yet.case.as_deref(),
            as_of: AtJson {
                at: Stamp(not_yet.at),
            },
            claim_known: false,
            claim_published_at: Stamp(not_yet.published_at.unwrap_or(not_yet.known_at)),
            claim_known_at: Stamp(not_yet.known_at),
        }
    }
}

#[derive(Serialize)]
struct Document<'t, 'a> {
    format_version: u32,
    case: Option<String>,
    as_of: Option<AsOfJson>,
    verdict: Option<VerdictJson<'t, 'a>>,
    scores: Vec<ScoreJson<'t, 'a>>,
    changes: Vec<ChangeJson<'a>>,
    definitions: Definitions<'t, 'a>,
    provenance: ProvenanceJson<'t>,
    /// Only when asked for (`--hypotheses`).
    #[serde(skip_serializing_if = "Option::is_none")]
    hypotheses: Option<&'t Matrix>,
}

impl<'t, 'a> Document<'t, 'a> {
    fn of(trace: &'t Trace<'a>) -> Document<'t, 'a> {
        let summary = trace.summary();
        let p = trace.provenance();
        Document {
            format_version: FORMAT_VERSION,
            case: trace.case_id(),
            as_of: trace.as_of().map(|a| AsOfJson {
                at: Stamp(a.at),
                left_out: a
                    .grouped()
                    .into_iter()
                    .map(|g| LeftOutJson {
                        path: g.path,
                        items: g.items,
                        first_known: Stamp(g.first_known),
                        last_known: Stamp(g.last_known),
                    })
                    .collect(),
            }),
            verdict: summary.verdict.as_ref().map(|v| VerdictJson {
                decision: DecisionJson::of(v.view),
                settled: v.settled(),
                possible: v.possible.clone(),
                decided_by: v.decided_by.iter().map(|s| s.name()).collect(),
                conflicts: v.conflicts.iter().map(ConflictJson::of).collect(),
            }),
            scores: summary.scores.iter().map(ScoreJson::of).collect(),
            changes: summary.changes.iter().map(ChangeJson::of).collect(),
            definitions: Definitions(trace),
            provenance: ProvenanceJson {
                ruleset: p.ruleset,
                version: p.version,
                rules_hash: p.rules_hash,
                case_hash: p.case_hash,
                engine: p.engine,
            },
            hypotheses: None,
        }
    }
}

#[derive(Serialize)]
struct AsOfJson {
    at: Stamp,
    left_out: Vec<LeftOutJson>,
}

#[derive(Serialize)]
struct LeftOutJson {
    path: String,
    items: Option<usize>,
    first_known: Stamp,
    last_known: Stamp,
}

#[derive(Serialize)]
struct ProvenanceJson<'t> {
    ruleset: &'t str,
    version: &'t str,
    rules_hash: &'t str,
    case_hash: Option<&'t str>,
    engine: &'static str,
}

#[derive(Serialize)]
struct VerdictJson<'t, 'a> {
    #[serde(flatten)]
    decision: DecisionJson<'t, 'a>,
    settled: bool,
    possible: Vec<&'a str>,
    decided_by: Vec<&'a str>,
    conflicts: Vec<ConflictJson<'a>>,
}

/// An override defeated by contrary evidence.
#[derive(Serialize)]
struct ConflictJson<'a> {
    score: Option<&'a str>,
    overridden: OverriddenJson<'a>,
    defeated_by: &'a str,
    defeated_by_description: Option<&'a str>,
    strongest_for: Vec<&'a str>,
}

#[derive(Serialize)]
struct OverriddenJson<'a> {
    condition: &'a str,
    label: &'a str,
    reason: Option<String>,
}

impl<'a> ConflictJson<'a> {
    fn of(c: &Conflict<'_, 'a>) -> ConflictJson<'a> {
        ConflictJson {
            score: c.score.map(|s| s.name()),
            overridden: OverriddenJson {
                condition: c.view.overridden,
                label: c.view.overridden_label,
                reason: c.view.overridden_reason.clone(),
            },
            defeated_by: c.view.defeater,
            defeated_by_description: c.view.defeater_description,
            strongest_for: c.strongest_for.iter().map(|c| c.name()).collect(),
        }
    }
}

#[derive(Serialize)]
struct DecisionJson<'t, 'a> {
    label: &'a str,
    reason: Option<String>,
    test: String,
    rule: LineRef<'a>,
    undecided: Vec<String>,
    evidence: Listed<DecisionView<'t, 'a>>,
}

impl<'t, 'a> DecisionJson<'t, 'a> {
    fn of(d: DecisionView<'t, 'a>) -> DecisionJson<'t, 'a> {
        DecisionJson {
            label: d.label(),
            reason: d.reason(),
            test: d.test(),
            rule: d.rule(),
            undecided: d.undecided().collect(),
            evidence: Listed(d),
        }
    }
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    #[serde(rename = "where")]
    place: String,
    #[serde(rename = "if")]
    condition: Option<&'a str>,
    contribution: Option<String>,
    score: Option<&'a str>,
    total: Option<Amount>,
    band: Option<&'a str>,
    verdict: Option<&'a str>,
}

impl<'a> ChangeJson<'a> {
    fn of(c: &Change<'_, 'a>) -> ChangeJson<'a> {
        ChangeJson {
            place: c.cause.place(c.score),
            condition: c.cause.condition(),
            contribution: c.amount(),
            score: c.score.map(|s| s.name()),
            total: c.score.zip(c.total).map(|(s, t)| Amount::of(s.mode(), t)),
            band: c.band,
            verdict: c.verdict,
        }
    }
}

#[derive(Serialize)]
struct ScoreJson<'t, 'a> {
    name: &'a str,
    title: &'a str,
    mode: &'static str,
    prior: Option<f64>,
    value: Amount,
    log_odds: Option<LogOdds>,
    possible: Range<Amount>,
    settled: bool,
    band: Option<DecisionJson<'t, 'a>>,
    coverage: Coverage<'a>,
    strongest: Strongest<'a>,
    margins: Vec<MarginJson<'a>>,
    criteria: Listed<ScoreView<'t, 'a>>,
}

impl<'t, 'a> ScoreJson<'t, 'a> {
    fn of(s: &ScoreSummary<'t, 'a>) -> ScoreJson<'t, 'a> {
        let view: ScoreView<'t, 'a> = s.view;
        let mode = view.mode();
        let (known, total) = view.coverage();
        let possible = view.possible();
        ScoreJson {
            name: view.name(),
            title: view.title(),
            mode: match mode {
                ScoreMode::Evidence { .. } => "evidence",
                ScoreMode::Additive => "additive",
            },
            prior: match mode {
                ScoreMode::Evidence { prior } => Some(prior),
                ScoreMode::Additive => None,
            },
            value: Amount::of_value(mode, view.value()),
            log_odds: match mode {
                ScoreMode::Evidence { .. } => Some(LogOdds {
                    base: view.base().as_f64(),
                    total: view.total().as_f64(),
                }),
                ScoreMode::Additive => None,
            },
            possible: Range {
                min: Amount::of(mode, possible.min),
                max: Amount::of(mode, possible.max),
            },
            settled: view.settled(),
            band: view.band().map(DecisionJson::of),
            coverage: Coverage {
                known,
                total,
                unknown: view
                    .criteria()
                    .filter(|c| c.outcome().is_unknown())
                    .map(|c| c.name())
                    .collect(),
            },
            strongest: Strongest {
                r#for: s.strongest_for.iter().map(|c| c.name()).collect(),
                against: s.strongest_against.iter().map(|c| c.name()).collect(),
            },
            margins: s.margins.iter().map(MarginJson::of).collect(),
            criteria: Listed(view),
        }
    }
}

#[derive(Serialize)]
struct LogOdds {
    base: f64,
    total: f64,
}

#[derive(Serialize)]
struct Range<T> {
    min: T,
    max: T,
}

#[derive(Serialize)]
struct Coverage<'a> {
    known: usize,
    total: usize,
    unknown: Vec<&'a str>,
}

#[derive(Serialize)]
struct Strongest<'a> {
    #[serde(rename = "for")]
    r#for: Vec<&'a str>,
    against: Vec<&'a str>,
}

#[derive(Serialize)]
struct MarginJson<'a> {
    direction: Direction,
    band: &'a str,
    threshold: String,
    distance: f64,
    strictly: bool,
    growth: Vec<GrowthJson<'a>>,
}

impl<'a> MarginJson<'a> {
    fn of(m: &Margin<'_, 'a>) -> MarginJson<'a> {
        MarginJson {
            direction: m.direction,
            band: m.band,
            threshold: m.threshold.clone(),
            distance: m.distance,
            strictly: m.strictly,
            growth: m
                .growth
                .iter()
                .map(|g| GrowthJson {
                    criterion: g.criterion.name(),
                    to: Num(g.to),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct GrowthJson<'a> {
    criterion: &'a str,
    to: Num,
}

/// A score's value in its unit: `{"probability": …, "estimative": …}` or `{"points": …}`.
#[derive(Serialize)]
#[serde(untagged)]
enum Amount {
    Probability {
        probability: f64,
        estimative: &'static str,
    },
    Points {
        points: Num,
    },
}

impl Amount {
    /// A total, in the reader's unit.
    fn of(mode: ScoreMode, total: Points) -> Amount {
        Amount::of_value(
            mode,
            crate::eval::probability(mode, total).unwrap_or(total.as_f64()),
        )
    }

    /// A value already in the reader's unit: a probability or points.
    fn of_value(mode: ScoreMode, value: f64) -> Amount {
        match mode {
            ScoreMode::Evidence { .. } => Amount::Probability {
                probability: value,
                estimative: format::estimative(value),
            },
            ScoreMode::Additive => Amount::Points { points: Num(value) },
        }
    }
}

/// A contribution: `{"log_odds": …, "ratio": …}` or `{"points": …}`.
#[derive(Serialize)]
#[serde(untagged)]
enum Contribution {
    Evidence { log_odds: f64, ratio: f64 },
    Points { points: Num },
}

impl Contribution {
    /// A contribution; `ratio` is the likelihood ratio as the rules wrote it, when known.
    fn of(mode: ScoreMode, amount: Points, ratio: Option<f64>) -> Contribution {
        match super::model::ratio(mode, amount) {
            Some(from_log_odds) => Contribution::Evidence {
                log_odds: amount.as_f64(),
                ratio: ratio.unwrap_or(from_log_odds),
            },
            None => Contribution::Points {
                points: Num(amount.as_f64()),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum OutcomeJson<'a> {
    Applied {
        condition: Option<&'a str>,
        refinement: Option<&'a str>,
    },
    NoOutcome,
    Unknown {
        condition: Option<&'a str>,
        handling: Handling,
    },
}

#[derive(Serialize)]
struct CriterionJson<'t, 'a> {
    name: &'a str,
    title: &'a str,
    about: Option<&'a str>,
    rule: LineRef<'a>,
    outcome: OutcomeJson<'a>,
    contribution: Contribution,
    contributes: bool,
    possible: Range<Contribution>,
    input: Option<Num>,
    reason: Option<String>,
    evidence: Listed<CriterionView<'t, 'a>>,
    unknown: Vec<String>,
    alternatives: Vec<AlternativeJson<'a>>,
    range_tests: Vec<RangeTestJson<'a>>,
}

impl<'t, 'a> CriterionJson<'t, 'a> {
    fn of(c: CriterionView<'t, 'a>) -> CriterionJson<'t, 'a> {
        let outcome = match c.outcome() {
            Outcome::Applied { .. } => OutcomeJson::Applied {
                condition: c.condition(),
                refinement: c.refinement(),
            },
            Outcome::NoOutcome => OutcomeJson::NoOutcome,
            Outcome::Unknown { handling, .. } => OutcomeJson::Unknown {
                condition: c.condition(),
                handling,
            },
        };
        let contributes = !matches!(
            c.outcome(),
            Outcome::Unknown {
                handling: Handling::Skipped,
                ..
            }
        );
        let possible: Bounds = c.possible();
        CriterionJson {
            name: c.name(),
            title: c.title(),
            about: c.about(),
            rule: c.rule(),
            outcome,
            contribution: Contribution::of(c.mode, c.contribution(), c.likelihood_ratio()),
            contributes,
            possible: Range {
                min: Contribution::of(c.mode, possible.min, None),
                max: Contribution::of(c.mode, possible.max, None),
            },
            input: c.input().map(Num),
            reason: c.reason(),
            evidence: Listed(c),
            unknown: c.unknown_paths(),
            alternatives: c.alternatives().map(AlternativeJson::of).collect(),
            range_tests: c.range_tests().map(RangeTestJson::of).collect(),
        }
    }
}

#[derive(Serialize)]
struct AlternativeJson<'a> {
    condition: &'a str,
    reason: Option<String>,
    contribution_min: f64,
    contribution_max: f64,
    ratio: Option<f64>,
}

impl<'a> AlternativeJson<'a> {
    fn of(a: AlternativeView<'_, 'a>) -> AlternativeJson<'a> {
        AlternativeJson {
            condition: a.condition(),
            reason: a.reason(),
            contribution_min: a.contribution().min.as_f64(),
            contribution_max: a.contribution().max.as_f64(),
            ratio: a.likelihood_ratio(),
        }
    }
}

#[derive(Serialize)]
struct RangeTestJson<'a> {
    test: &'a str,
    row: u32,
    holds: Option<bool>,
    left: Operand<'a>,
    right: Operand<'a>,
    decided_by: Vec<DeciderJson<'a>>,
    explanation: String,
}

#[derive(Serialize)]
struct Operand<'a> {
    text: &'a str,
    value: Val<'a>,
}

#[derive(Serialize)]
struct DeciderJson<'a> {
    operand: &'a str,
    end: &'static str,
    value: Val<'a>,
}

impl<'a> RangeTestJson<'a> {
    fn of(t: RangeTestView<'_, 'a>) -> RangeTestJson<'a> {
        let [left, right] = t.operands();
        RangeTestJson {
            test: t.text(),
            row: t.row(),
            holds: t.holds(),
            left: Operand {
                text: left.0,
                value: Val(left.1),
            },
            right: Operand {
                text: right.0,
                value: Val(right.1),
            },
            decided_by: t
                .deciders()
                .iter()
                .map(|d| DeciderJson {
                    operand: d.operand,
                    end: match d.end {
                        End::Lower => "lower",
                        End::Upper => "upper",
                    },
                    value: Val(d.value),
                })
                .collect(),
            explanation: t.explanation(),
        }
    }
}

/// A value read: its name, whether it was known, its value, and the definition or window
/// behind it.
struct EvidenceJson<'t, 'a>(EvidenceView<'t, 'a>);

impl Serialize for EvidenceJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = &self.0;
        let window = e.window();
        let is_definition = e.definition().is_some();
        let mut map = serializer.serialize_struct(
            "Evidence",
            3 + usize::from(is_definition) + usize::from(window.is_some()),
        )?;
        map.serialize_field("name", e.name())?;
        map.serialize_field("state", &e.item.state)?;
        map.serialize_field("value", &Val(e.item.value))?;
        if is_definition {
            map.serialize_field("definition", e.name())?;
        }
        if let Some(w) = window {
            map.serialize_field("window", &WindowJson(w))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ItemJson<'a> {
    state: EvidenceState,
    value: Val<'a>,
}

impl<'a> ItemJson<'a> {
    fn of(i: EvidenceItem<'a>) -> ItemJson<'a> {
        ItemJson {
            state: i.state,
            value: Val(i.value),
        }
    }
}

/// Every definition the rules used, by name.
struct Definitions<'t, 'a>(&'t Trace<'a>);

impl Serialize for Definitions<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.definitions().map(|d| (d.name(), DefinitionJson(d))))
    }
}

struct DefinitionJson<'t, 'a>(DefinitionView<'t, 'a>);

impl Serialize for DefinitionJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = &self.0;
        let fields = d.fields();
        let mut map =
            serializer.serialize_struct("Definition", 4 + usize::from(fields.is_some()))?;
        map.serialize_field("description", &d.description())?;
        let state = if d.value().is_unknown() {
            EvidenceState::Unknown
        } else {
            EvidenceState::Known
        };
        map.serialize_field("state", &state)?;
        map.serialize_field("value", &Val(d.value()))?;
        map.serialize_field("evidence", &seq(d.evidence().map(EvidenceJson)))?;
        if let Some(fields) = fields {
            let fields: Vec<FieldJson<'_>> = fields
                .map(|f| FieldJson {
                    field: f.def.name.as_str(),
                    matcher: f.matcher(),
                    claimed: ItemJson::of(f.claimed),
                    confirmed: ItemJson::of(f.confirmed),
                    result: f.result(),
                    similarity: f
                        .outcome
                        .similarity
                        .map(|s| (s * 10_000.0).round() / 10_000.0),
                })
                .collect();
            map.serialize_field("fields", &fields)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct FieldJson<'a> {
    field: &'a str,
    matcher: &'a str,
    claimed: ItemJson<'a>,
    confirmed: ItemJson<'a>,
    result: FieldResult,
    similarity: Option<f64>,
}

/// A window's marks: which items were counted, excluded, duplicates or unknown, and their times
/// when the window reads one.
struct WindowJson<'t, 'a>(WindowView<'t, 'a>);

impl Serialize for WindowJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let w = &self.0;
        let times = w.has_times();
        let mut map = serializer.serialize_struct("Window", 7 + usize::from(times))?;
        map.serialize_field("list", w.list())?;
        map.serialize_field("expression", &w.expression())?;
        map.serialize_field("items", &w.marks().len())?;
        for (key, mark) in [
            ("counted", Mark::Counted),
            ("excluded", Mark::Excluded),
            ("duplicates", Mark::Duplicate),
            ("unknown", Mark::Unknown),
        ] {
            map.serialize_field(key, &seq(w.items(mark)))?;
        }
        if times {
            let times = (0..w.marks().len()).map(|i| w.time(i).map(Stamp));
            map.serialize_field("times", &seq(times))?;
        }
        map.end()
    }
}

/// A view's list (a decision's or criterion's evidence, a score's criteria), written as a JSON
/// array straight from the view rather than collected first.
struct Listed<V>(V);

impl Serialize for Listed<DecisionView<'_, '_>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.evidence().map(EvidenceJson))
    }
}

impl Serialize for Listed<CriterionView<'_, '_>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.evidence().map(EvidenceJson))
    }
}

impl Serialize for Listed<ScoreView<'_, '_>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.criteria().map(CriterionJson::of))
    }
}

/// Items from an iterator, written as a JSON array as they come (once).
struct Seq<I>(std::cell::Cell<Option<I>>);

/// The items of `iter`, to write as a JSON array.
fn seq<I: Iterator>(iter: I) -> Seq<I> {
    Seq(std::cell::Cell::new(Some(iter)))
}

impl<I> Serialize for Seq<I>
where
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_seq(None)?;
        for item in self.0.take().into_iter().flatten() {
            out.serialize_element(&item)?;
        }
        out.end()
    }
}

/// A time, as RFC 3339 in UTC.
#[derive(Clone, Copy)]
struct Stamp(i64);

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Rfc3339(self.0).ascii().as_str())
    }
}

/// A number: an integer when it is whole, so counts read as counts.
#[derive(Clone, Copy)]
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        if n.fract() == 0.0 && n.abs() < 9e15 {
            serializer.serialize_i64(n as i64)
        } else if n.is_finite() {
            serializer.serialize_f64(n)
        } else {
            serializer.serialize_none()
        }
    }
}

/// An open end of a range is absent.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A value, typed.
#[derive(Clone, Copy)]
struct Val<'a>(Value<'a>);

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        match v {
            Value::Unknown => serializer.serialize_none(),
            Value::Bool(b) => serializer.serialize_bool(b),
            Value::Num(n) => Num(n).serialize(serializer),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Time(t) => Stamp(t).serialize(serializer),
            Value::Dur(d) => {
                let mut map = serializer.serialize_struct("Duration", 2)?;
                map.serialize_field("seconds", &Num(d as f64 / 1000.0))?;
                map.serialize_field("text", &format::Duration(d))?;
                map.end()
            }
            Value::NumRange(r) => {
                let mut map = serializer.serialize_struct("NumberRange", 3)?;
                map.serialize_field("min", &finite(r.lo).map(Num))?;
                map.serialize_field("max", &finite(r.hi).map(Num))?;
                map.serialize_field("text", &format::text(v))?;
                map.end()
            }
            Value::TimeRange(r) => {
                let mut map = serializer.serialize_struct("TimeRange", 3)?;
                map.serialize_field("earliest", &finite(r.lo).map(|t| Stamp(t as i64)))?;
                map.serialize_field("latest", &finite(r.hi).map(|t| Stamp(t as i64)))?;
                map.serialize_field("text", &format::text(v))?;
                map.end()
            }
            Value::DurRange(r) => {
                let mut map = serializer.serialize_struct("DurationRange", 3)?;
                map.serialize_field("min_seconds", &finite(r.lo).map(|d| Num(d / 1000.0)))?;
                map.serialize_field("max_seconds", &finite(r.hi).map(|d| Num(d / 1000.0)))?;
                map.serialize_field("text", &format::text(v))?;
                map.end()
            }
            Value::List(list) if list.stride == 1 => seq(items(v).map(Val)).serialize(serializer),
            Value::List(list) => {
                let mut map = serializer.serialize_struct("Items", 1)?;
                map.serialize_field("items", &list.len())?;
                map.end()
            }
            Value::Match(_) => serializer.serialize_str("detail match"),
        }
    }
}

/// A value as JSON, for other renderers (calibration reports, diffs).
pub fn value(v: Value<'_>) -> serde_json::Value {
    serde_json::to_value(Val(v)).unwrap_or_default()
}
