//! The report: everything a reviewer needs, as owned data with a stable field order.

use serde::Serialize;
use serde_json::Value as Json;

use super::format;
use super::margin::margins;
use crate::case::Slot;
use crate::eval::value::Value;
use crate::eval::{DecisionResult, Evaluation, Mark, Status};
use crate::program::{DecisionDef, Node, Program, Read, RowTestDef, ScoreMode, TextPart};

/// The explanation of one scored case.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The case's `id`, when it has one.
    pub case: Option<String>,
    /// The combined verdict.
    pub verdict: Option<Decision>,
    /// Every score.
    pub scores: Vec<ScoreReport>,
    /// What produced this result.
    pub provenance: Provenance,
}

/// Enough to replay a result.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Rule-set id.
    pub ruleset: String,
    /// Rule-set version.
    pub version: String,
    /// Hash of the rule files.
    pub rules_hash: String,
    /// Hash of the case text.
    pub case_hash: String,
    /// Engine name and version.
    pub engine: String,
}

/// The row a decision table (bands or verdict) chose.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The label given.
    pub label: String,
    /// The row's test, as written.
    pub test: String,
    /// Why, with values filled in.
    pub reason: Option<String>,
    /// Where the row is.
    pub rule: String,
    /// Earlier rows that could not be decided because their evidence was unknown.
    pub undecided: Vec<String>,
    /// Values the table read.
    pub evidence: Vec<Evidence>,
}

/// One score's result.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// `additive` or `evidence`.
    pub mode: &'static str,
    /// Evidence scores: the prior probability.
    pub prior: Option<f64>,
    /// Starting amount: 0, or the prior's log-odds.
    pub base: f64,
    /// base + Σ contributions (points, or log-odds).
    pub total: f64,
    /// Evidence scores: the probability.
    pub probability: Option<f64>,
    /// Evidence scores: the ICD 203 word for the probability.
    pub estimative: Option<&'static str>,
    /// The band.
    pub band: Option<Decision>,
    /// How much of the evidence was known.
    pub coverage: Coverage,
    /// Per criterion.
    pub criteria: Vec<CriterionReport>,
    /// What it would take to reach the neighbouring bands.
    pub margins: Vec<Margin>,
}

/// Known and unknown criteria.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Criteria with known evidence.
    pub known: usize,
    /// All criteria.
    pub total: usize,
    /// Names of the criteria whose evidence was unknown.
    pub unknown: Vec<String>,
}

/// One criterion's result.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionReport {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// The reasoning behind it.
    pub about: Option<String>,
    /// `applied`, `no outcome`, `unknown`, or `unknown (default)`.
    pub status: &'static str,
    /// Points or log-odds added.
    pub contribution: f64,
    /// Evidence scores: the likelihood ratio (e^contribution).
    pub likelihood_ratio: Option<f64>,
    /// The outcome's condition as written (`else` for the fallback).
    pub outcome: Option<String>,
    /// For `per` and `ramp` weights: the count or input.
    pub input: Option<f64>,
    /// Why, with values filled in.
    pub reason: Option<String>,
    /// Where the criterion (or its applied outcome) is.
    pub rule: String,
    /// Values read.
    pub evidence: Vec<Evidence>,
    /// Evidence that was unknown.
    pub unknown: Vec<String>,
}

/// One value a criterion read.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// A case path, definition name or collection, as written.
    pub name: String,
    /// The definition's description, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value (null when unknown).
    pub value: Json,
    /// `known`, `missing`, `null` or `unknown`.
    pub state: &'static str,
    /// For collections: which items counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// For detail matches: each field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldReport>>,
    /// For definitions: the values they were computed from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Evidence>,
}

/// The items a collection counted and left out (0-based indices into the list).
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    /// The list, as written.
    pub list: String,
    /// Its length.
    pub items: usize,
    /// Counted.
    pub counted: Vec<usize>,
    /// The filter was false.
    pub excluded: Vec<usize>,
    /// The filter or value was unknown.
    pub unknown: Vec<usize>,
    /// `distinct`: value already counted.
    pub duplicates: Vec<usize>,
}

/// One field of a detail match.
#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    /// Field name.
    pub field: String,
    /// Matcher, as written.
    pub matcher: String,
    /// Claimed value.
    pub claimed: Json,
    /// Confirmed value.
    pub confirmed: Json,
    /// `match`, `mismatch` or `unknown`.
    pub result: &'static str,
    /// Similarity in 0..1.
    pub similarity: Option<f64>,
    /// Sides that were unknown, as `path (missing|null|not stated)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

/// The distance to a neighbouring band.
#[derive(Debug, Clone, Serialize)]
pub struct Margin {
    /// `up` or `down`.
    pub direction: &'static str,
    /// The neighbouring band.
    pub band: String,
    /// Its threshold, as written.
    pub threshold: String,
    /// Distance to the threshold, in points or log-odds.
    pub needed: f64,
    /// True when the score must move by more than `needed` (not just reach it).
    pub strictly_more: bool,
    /// Single-criterion changes that would be enough.
    pub ways: Vec<Way>,
}

/// One change that would cross a margin.
#[derive(Debug, Clone, Serialize)]
pub struct Way {
    /// Criterion name.
    pub criterion: String,
    /// What would have to be different.
    pub change: String,
    /// Its effect on the score.
    pub delta: f64,
}

impl Margin {
    /// The margin as a sentence: "over 1.08 log-odds less would make it plausible (below 80.0%)".
    pub fn sentence(&self, unit: &str) -> String {
        format!(
            "{}{} {unit} {} would make it {} ({})",
            if self.strictly_more { "over " } else { "" },
            format::number(self.needed.abs()),
            if self.direction == "up" {
                "more"
            } else {
                "less"
            },
            self.band,
            self.threshold
        )
    }
}

impl Report {
    /// Builds the report of an evaluation; `case_hash` identifies the case text.
    pub fn new(ev: &Evaluation<'_>, case_hash: &str) -> Report {
        let program = ev.program;
        let builder = Builder { ev, program };
        let case = match program.layout.records[0].tree.fields.get("id") {
            Some(crate::case::layout::Field::Slot(slot)) => match &ev.case.slots[*slot as usize] {
                Slot::Str(s, _) => Some(format::clean(s).into_owned()),
                Slot::Num(n) => Some(format::number(*n)),
                _ => None,
            },
            _ => None,
        };
        let scores = program
            .scores
            .iter()
            .zip(&ev.scores)
            .map(|(def, result)| {
                let criteria: Vec<CriterionReport> = def
                    .criteria
                    .iter()
                    .zip(&result.criteria)
                    .map(|(c, r)| builder.criterion(c, r, def.mode))
                    .collect();
                let evidence = matches!(def.mode, ScoreMode::Evidence { .. });
                ScoreReport {
                    name: def.name.clone(),
                    title: def.title.clone(),
                    mode: if evidence { "evidence" } else { "additive" },
                    prior: match def.mode {
                        ScoreMode::Evidence { prior } => Some(prior),
                        ScoreMode::Additive => None,
                    },
                    base: result.base.as_f64(),
                    total: result.total.as_f64(),
                    probability: result.probability,
                    estimative: result.probability.map(format::estimative),
                    band: def
                        .bands
                        .as_ref()
                        .zip(result.band.as_ref())
                        .map(|(d, r)| builder.decision(d, r, evidence)),
                    coverage: Coverage {
                        known: result.known,
                        total: criteria.len(),
                        unknown: criteria
                            .iter()
                            .filter(|c| c.status.starts_with("unknown"))
                            .map(|c| c.name.clone())
                            .collect(),
                    },
                    criteria,
                    margins: margins(program, def, result),
                }
            })
            .collect();
        Report {
            case,
            verdict: program
                .verdict
                .as_ref()
                .zip(ev.verdict.as_ref())
                .map(|(d, r)| builder.decision(d, r, false)),
            scores,
            provenance: Provenance {
                ruleset: program.meta.id.clone(),
                version: program.meta.version.clone(),
                rules_hash: program.meta.content_hash.clone(),
                case_hash: case_hash.to_string(),
                engine: format!("credence {}", env!("CARGO_PKG_VERSION")),
            },
        }
    }
}

struct Builder<'e, 'a> {
    ev: &'e Evaluation<'a>,
    program: &'a Program,
}

impl Builder<'_, '_> {
    fn criterion(
        &self,
        def: &crate::program::CriterionDef,
        result: &crate::eval::CriterionResult<'_>,
        mode: ScoreMode,
    ) -> CriterionReport {
        let program = self.program;
        let (status, outcome, reason_parts, span) = match result.status {
            Status::Applied(i) => {
                let o = &def.outcomes[i];
                let test = o
                    .guard
                    .map_or_else(|| "else".to_string(), |g| program.text(g).to_string());
                ("applied", Some(test), &o.reason[..], o.span)
            }
            Status::NoOutcome => ("no outcome", None, &[][..], def.span),
            Status::Unknown { defaulted, .. } => (
                if defaulted {
                    "unknown (default)"
                } else {
                    "unknown"
                },
                None,
                &def.unknown.reason[..],
                def.span,
            ),
        };
        let evidence: Vec<Evidence> = def
            .reads
            .iter()
            .zip(&result.evidence)
            .map(|(read, value)| self.evidence(read, *value))
            .collect();
        let mut unknown = Vec::new();
        collect_unknown(&evidence, status.starts_with("unknown"), &mut unknown);
        CriterionReport {
            name: def.name.clone(),
            title: def.title.clone(),
            about: def.about.clone(),
            status,
            contribution: result.contribution.as_f64(),
            likelihood_ratio: match mode {
                ScoreMode::Evidence { .. } => {
                    Some((result.contribution.as_f64().exp() * 100.0).round() / 100.0)
                }
                ScoreMode::Additive => None,
            },
            outcome,
            input: result.input,
            reason: render_text(reason_parts, &result.reason),
            rule: program.sources.line_ref(span),
            evidence,
            unknown,
        }
    }

    /// A decision's report; `probability` when thresholds are probabilities.
    fn decision(
        &self,
        def: &DecisionDef,
        result: &DecisionResult<'_>,
        probability: bool,
    ) -> Decision {
        let program = self.program;
        let row = &def.rows[result.row];
        let test = |r: &crate::program::RowDef| match &r.test {
            RowTestDef::Threshold { strict, shown, .. } => {
                let value = if probability {
                    format::percent(*shown)
                } else {
                    format::number(*shown)
                };
                format!("{} {value}", if *strict { ">" } else { ">=" })
            }
            RowTestDef::When(node) => program.text(*node).to_string(),
            RowTestDef::Else => "else".to_string(),
        };
        Decision {
            label: row.label.clone(),
            test: test(row),
            reason: render_text(&row.reason, &result.reason),
            rule: program.sources.line_ref(row.span),
            undecided: result
                .undecided
                .iter()
                .map(|i| test(&def.rows[*i]))
                .collect(),
            evidence: def
                .reads
                .iter()
                .zip(&result.evidence)
                .map(|(read, value)| self.evidence(read, *value))
                .collect(),
        }
    }

    fn evidence(&self, read: &Read, value: Value<'_>) -> Evidence {
        let program = self.program;
        let ev = self.ev;
        let mut evidence = Evidence {
            name: read.label.clone(),
            description: None,
            value: format::json(value),
            state: if value.is_unknown() {
                "unknown"
            } else {
                "known"
            },
            window: None,
            fields: None,
            inputs: Vec::new(),
        };
        match &program.nodes[read.node as usize] {
            Node::Slot(slot) => {
                evidence.state = match ev.case.slots[*slot as usize] {
                    Slot::Missing => "missing",
                    Slot::Null => "null",
                    _ => evidence.state,
                };
            }
            Node::Let(id) => {
                let def = &program.lets[*id as usize];
                evidence.description = def.description.clone();
                evidence.inputs = def
                    .reads
                    .iter()
                    .map(|r| {
                        let value = self.value_of(r);
                        self.evidence(r, value)
                    })
                    .collect();
                if let Value::Match(m) = value {
                    self.match_evidence(&mut evidence, m);
                }
            }
            Node::Match(m) => self.match_evidence(&mut evidence, *m),
            Node::Collect(c) => {
                if let Some(Some(marks)) = ev.windows.get(*c as usize) {
                    let def = &program.collections[*c as usize];
                    let pick = |want: Mark| -> Vec<usize> {
                        marks
                            .iter()
                            .enumerate()
                            .filter(|(_, m)| **m == want)
                            .map(|(i, _)| i)
                            .collect()
                    };
                    evidence.window = Some(Window {
                        list: program.text(def.list).to_string(),
                        items: marks.len(),
                        counted: pick(Mark::Counted),
                        excluded: pick(Mark::Excluded),
                        unknown: pick(Mark::Unknown),
                        duplicates: pick(Mark::Duplicate),
                    });
                }
            }
            _ => {}
        }
        evidence
    }

    /// The value of a read that may not have been evaluated directly (a let's input).
    fn value_of(&self, read: &Read) -> Value<'_> {
        let ev = self.ev;
        match &self.program.nodes[read.node as usize] {
            Node::Slot(slot) => Value::of_slot(&ev.case.slots[*slot as usize]),
            Node::Let(id) => ev.lets[*id as usize].unwrap_or(Value::Unknown),
            Node::Match(m) => Value::Match(*m),
            Node::Collect(c) => ev
                .collections
                .get(*c as usize)
                .copied()
                .flatten()
                .unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        }
    }

    /// A match's value is a summary of its fields; the fields are listed.
    fn match_evidence(&self, evidence: &mut Evidence, m: u32) {
        evidence.fields = self.fields(m);
        if let Some(fields) = &evidence.fields {
            let known = fields.iter().filter(|f| f.result != "unknown").count();
            let matched = fields.iter().filter(|f| f.result == "match").count();
            evidence.value = Json::String(format!(
                "{matched} of {known} known fields match ({} unknown)",
                fields.len() - known
            ));
        }
    }

    fn fields(&self, m: u32) -> Option<Vec<FieldReport>> {
        let result = self.ev.matches.get(m as usize)?.as_ref()?;
        let def = &self.program.matches[m as usize];
        Some(
            def.fields
                .iter()
                .zip(&result.fields)
                .zip(&result.values)
                .map(|((field, outcome), (claimed, confirmed))| FieldReport {
                    field: field.name.clone(),
                    matcher: matcher_text(field.matcher),
                    claimed: format::json(*claimed),
                    confirmed: format::json(*confirmed),
                    result: match outcome.matched {
                        Some(true) => "match",
                        Some(false) => "mismatch",
                        None => "unknown",
                    },
                    similarity: outcome.similarity.map(round4),
                    unknown: [field.claimed, field.confirmed]
                        .into_iter()
                        .filter_map(|node| self.unstated(node))
                        .collect(),
                })
                .collect(),
        )
    }

    /// `path (missing|null|not stated)` when a case path read by a match holds no usable value.
    fn unstated(&self, node: crate::program::NodeId) -> Option<String> {
        let Node::Slot(slot) = self.program.nodes[node as usize] else {
            return None;
        };
        let path = self.program.layout.path(0, slot);
        let state = match &self.ev.case.slots[slot as usize] {
            Slot::Missing => "missing",
            Slot::Null => "null",
            Slot::List(list) if list.is_empty() => "not stated",
            _ => return None,
        };
        Some(format!("{path} ({state})"))
    }
}

/// The unknown values among a criterion's evidence. The unstated sides of detail matches are
/// listed only for undecided criteria (`with_fields`), where they say what was missing.
fn collect_unknown(evidence: &[Evidence], with_fields: bool, out: &mut Vec<String>) {
    for e in evidence {
        let fields = e.fields.iter().flatten().filter(|_| with_fields);
        for entry in fields.flat_map(|f| &f.unknown) {
            if !out.contains(entry) {
                out.push(entry.clone());
            }
        }
        if e.inputs.is_empty() {
            let entry = match e.state {
                "known" => continue,
                "missing" => format!("{} (missing)", e.name),
                "null" => format!("{} (null)", e.name),
                _ => e.name.clone(),
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        } else if e.state != "known" || with_fields {
            collect_unknown(&e.inputs, with_fields, out);
        }
    }
}

fn matcher_text(matcher: crate::program::Matcher) -> String {
    use crate::program::Matcher::*;
    match matcher {
        Exact => "exact".into(),
        Nocase => "nocase".into(),
        Fuzzy(t) => format!("fuzzy {}", format::percent(t)),
        Within(t) => format!("within {}", format::number(t)),
        WithinPercent(t) => format!("within {}", format::percent(t)),
        Overlap(None) => "overlap".into(),
        Overlap(Some(t)) => format!("overlap {}", format::percent(t)),
    }
}

/// A reason text with its interpolated values written in.
fn render_text(parts: &[TextPart], values: &[Value<'_>]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let mut values = values.iter();
    let mut out = String::new();
    for part in parts {
        match part {
            TextPart::Text(t) => out.push_str(t),
            TextPart::Value(_) => {
                let value = values.next().copied().unwrap_or(Value::Unknown);
                match value {
                    Value::Str(s) => out.push_str(&format::clean(s)),
                    other => out.push_str(&format::text(other)),
                }
            }
        }
    }
    Some(out)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
