//! The JSON trace, for machines: stable field order, a format version, typed values (durations
//! in seconds with a display text, whole numbers as integers, timestamps in RFC 3339), and each
//! definition listed once under `definitions`, which evidence refers to by name.
//! `docs/TRACE.md` documents the shape.

use serde_json::{Value as Json, json};

use super::Trace;
use super::format;
use super::model::{
    AlternativeView, CriterionView, DecisionView, DefinitionView, EvidenceView, ScoreView,
    WindowView,
};
use super::range_test::{End, RangeTestView};
use super::summary::{Margin, Summary};
use crate::eval::value::{Value, items};
use crate::eval::{Bounds, EvidenceItem, EvidenceState, Handling, Mark, Outcome};
use crate::program::{Points, ScoreMode};

/// The version of the JSON shape; it changes when a field changes meaning or goes.
pub const FORMAT_VERSION: u32 = 2;

/// The trace as indented JSON.
pub fn render(trace: &Trace<'_>) -> String {
    serde_json::to_string_pretty(&document(trace)).unwrap_or_default() + "\n"
}

/// The trace as one line of JSON (for JSON Lines).
pub fn render_line(trace: &Trace<'_>) -> String {
    serde_json::to_string(&document(trace)).unwrap_or_default() + "\n"
}

/// The trace as a JSON value.
pub fn document(trace: &Trace<'_>) -> Json {
    let summary = trace.summary();
    let p = trace.provenance();
    json!({
        "format_version": FORMAT_VERSION,
        "case": trace.case_id(),
        "as_of": trace.as_of().map(|a| json!({
            "at": format::timestamp(a.at),
            "left_out": a.grouped().iter().map(|g| json!({
                "path": g.path,
                "items": g.items,
                "first_known": format::timestamp(g.first_known),
                "last_known": format::timestamp(g.last_known),
            })).collect::<Vec<_>>(),
        })),
        "verdict": verdict(&summary),
        "scores": summary.scores.iter().map(|s| score(s.view, &s.margins, &s.strongest_for, &s.strongest_against)).collect::<Vec<_>>(),
        "changes": summary.changes.iter().map(|c| json!({
            "where": c.cause.place(c.score),
            "if": c.cause.condition(),
            "contribution": c.amount(),
            "score": c.score.map(|s| s.name()),
            "total": c.score.zip(c.total).map(|(s, t)| amount_json(s.mode(), t)),
            "band": c.band,
            "verdict": c.verdict,
        })).collect::<Vec<_>>(),
        "definitions": trace.definitions().map(|d| (d.name().to_string(), definition(d))).collect::<serde_json::Map<_, _>>(),
        "provenance": {
            "ruleset": p.ruleset,
            "version": p.version,
            "rules_hash": p.rules_hash,
            "case_hash": p.case_hash,
            "engine": p.engine,
        },
    })
}

fn verdict(summary: &Summary<'_, '_>) -> Json {
    match &summary.verdict {
        None => Json::Null,
        Some(v) => {
            let mut object = decision(v.view);
            object["settled"] = json!(v.settled());
            object["possible"] = json!(v.possible);
            object
        }
    }
}

fn decision(d: DecisionView<'_, '_>) -> Json {
    json!({
        "label": d.label(),
        "reason": d.reason(),
        "test": d.test(),
        "rule": d.rule(),
        "undecided": d.undecided().collect::<Vec<_>>(),
        "evidence": d.evidence().map(evidence).collect::<Vec<_>>(),
    })
}

fn score(
    s: ScoreView<'_, '_>,
    margins: &[Margin<'_, '_>],
    strongest_for: &[CriterionView<'_, '_>],
    strongest_against: &[CriterionView<'_, '_>],
) -> Json {
    let mode = s.mode();
    let (known, total) = s.coverage();
    let unknown: Vec<&str> = s
        .criteria()
        .filter(|c| c.outcome().is_unknown())
        .map(|c| c.name())
        .collect();
    json!({
        "name": s.name(),
        "title": s.title(),
        "mode": match mode { ScoreMode::Evidence { .. } => "evidence", ScoreMode::Additive => "additive" },
        "prior": match mode { ScoreMode::Evidence { prior } => Some(prior), ScoreMode::Additive => None },
        "value": amount_json(mode, s.total()),
        "log_odds": match mode {
            ScoreMode::Evidence { .. } => json!({"base": s.base().as_f64(), "total": s.total().as_f64()}),
            ScoreMode::Additive => Json::Null,
        },
        "possible": bounds(mode, s.possible()),
        "settled": s.settled(),
        "band": s.band().map(decision),
        "coverage": {"known": known, "total": total, "unknown": unknown},
        "strongest": {
            "for": strongest_for.iter().map(|c| c.name()).collect::<Vec<_>>(),
            "against": strongest_against.iter().map(|c| c.name()).collect::<Vec<_>>(),
        },
        "margins": margins.iter().map(|m| json!({
            "direction": m.direction,
            "band": m.band,
            "threshold": m.threshold,
            "distance": m.distance,
            "strictly": m.strictly,
            "growth": m.growth.iter().map(|g| json!({"criterion": g.criterion.name(), "to": number(g.to)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "criteria": s.criteria().map(criterion).collect::<Vec<_>>(),
    })
}

/// A score's value in its unit: `{"probability": …, "estimative": …}` or `{"points": …}`.
fn amount_json(mode: ScoreMode, total: Points) -> Json {
    match crate::eval::probability(mode, total) {
        Some(p) => json!({"probability": p, "estimative": format::estimative(p)}),
        None => json!({"points": number(total.as_f64())}),
    }
}

fn bounds(mode: ScoreMode, b: Bounds) -> Json {
    json!({"min": amount_json(mode, b.min), "max": amount_json(mode, b.max)})
}

fn criterion(c: CriterionView<'_, '_>) -> Json {
    let outcome = match c.outcome() {
        Outcome::Applied { .. } => json!({
            "status": "applied",
            "condition": c.condition(),
            "refinement": c.refinement(),
        }),
        Outcome::NoOutcome => json!({"status": "no_outcome"}),
        Outcome::Unknown { handling, .. } => json!({
            "status": "unknown",
            "condition": c.condition(),
            "handling": handling,
        }),
    };
    let contributes = !matches!(
        c.outcome(),
        Outcome::Unknown {
            handling: Handling::Skipped,
            ..
        }
    );
    json!({
        "name": c.name(),
        "title": c.title(),
        "about": c.about(),
        "rule": c.rule(),
        "outcome": outcome,
        "contribution": contribution(c.mode, c.contribution()),
        "contributes": contributes,
        "possible": {"min": contribution(c.mode, c.possible().min), "max": contribution(c.mode, c.possible().max)},
        "input": c.input().map(number),
        "reason": c.reason(),
        "evidence": c.evidence().map(evidence).collect::<Vec<_>>(),
        "unknown": c.unknown_paths(),
        "alternatives": c.alternatives().map(alternative).collect::<Vec<_>>(),
        "range_tests": c.range_tests().map(range_test).collect::<Vec<_>>(),
    })
}

fn range_test(t: RangeTestView<'_, '_>) -> Json {
    let operands = t.operands();
    json!({
        "test": t.text(),
        "row": t.row(),
        "holds": t.holds(),
        "left": {"text": operands[0].0, "value": value(operands[0].1)},
        "right": {"text": operands[1].0, "value": value(operands[1].1)},
        "decided_by": t.deciders().iter().map(|d| json!({
            "operand": d.operand,
            "end": match d.end { End::Lower => "lower", End::Upper => "upper" },
            "value": value(d.value),
        })).collect::<Vec<_>>(),
        "explanation": t.explanation(),
    })
}

/// A contribution: `{"log_odds": …, "ratio": …}` or `{"points": …}`.
fn contribution(mode: ScoreMode, amount: Points) -> Json {
    match mode {
        ScoreMode::Evidence { .. } => json!({
            "log_odds": amount.as_f64(),
            "ratio": (amount.as_f64().exp() * 10_000.0).round() / 10_000.0,
        }),
        ScoreMode::Additive => json!({"points": number(amount.as_f64())}),
    }
}

fn alternative(a: AlternativeView<'_, '_>) -> Json {
    json!({
        "condition": a.condition(),
        "reason": a.reason(),
        "contribution_min": a.contribution().min.as_f64(),
        "contribution_max": a.contribution().max.as_f64(),
        "ratio": a.likelihood_ratio(),
    })
}

fn evidence(e: EvidenceView<'_, '_>) -> Json {
    let mut object = json!({"name": e.name(), "state": e.item.state, "value": value(e.item.value)});
    if e.definition().is_some() {
        object["definition"] = json!(e.name());
    }
    if let Some(w) = e.window() {
        object["window"] = window(w);
    }
    object
}

fn item(i: EvidenceItem<'_>) -> Json {
    json!({"state": i.state, "value": value(i.value)})
}

fn definition(d: DefinitionView<'_, '_>) -> Json {
    let known = !d.value().is_unknown();
    let mut object = json!({
        "description": d.description(),
        "state": if known { EvidenceState::Known } else { EvidenceState::Unknown },
        "value": value(d.value()),
        "evidence": d.evidence().map(evidence).collect::<Vec<_>>(),
    });
    if let Some(fields) = d.fields() {
        object["fields"] = fields
            .map(|f| {
                json!({
                    "field": f.def.name,
                    "matcher": f.matcher(),
                    "claimed": item(f.claimed),
                    "confirmed": item(f.confirmed),
                    "result": f.result(),
                    "similarity": f.outcome.similarity.map(|s| (s * 10_000.0).round() / 10_000.0),
                })
            })
            .collect::<Vec<_>>()
            .into();
    }
    object
}

fn window(w: WindowView<'_, '_>) -> Json {
    let indices = |mark: Mark| w.items(mark).collect::<Vec<_>>();
    let mut object = json!({
        "list": w.list(),
        "expression": w.expression(),
        "items": w.marks.len(),
        "counted": indices(Mark::Counted),
        "excluded": indices(Mark::Excluded),
        "duplicates": indices(Mark::Duplicate),
        "unknown": indices(Mark::Unknown),
    });
    if w.def.time_slot.is_some() {
        object["times"] = (0..w.marks.len())
            .map(|i| w.time(i).map(format::timestamp))
            .collect::<Vec<_>>()
            .into();
    }
    object
}

/// A number: an integer when it is whole, so counts read as counts.
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// An open end of a range is absent.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A value, typed.
pub fn value(v: Value<'_>) -> Json {
    match v {
        Value::Unknown => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Num(n) => number(n),
        Value::Str(s) => json!(s),
        Value::Time(t) => json!(format::timestamp(t)),
        Value::Dur(d) => json!({"seconds": number(d as f64 / 1000.0), "text": format::duration(d)}),
        Value::NumRange(r) => json!({
            "min": finite(r.lo).map(number),
            "max": finite(r.hi).map(number),
            "text": format::text(v),
        }),
        Value::TimeRange(r) => json!({
            "earliest": finite(r.lo).map(|t| format::timestamp(t as i64)),
            "latest": finite(r.hi).map(|t| format::timestamp(t as i64)),
            "text": format::text(v),
        }),
        Value::DurRange(r) => json!({
            "min_seconds": finite(r.lo).map(|d| number(d / 1000.0)),
            "max_seconds": finite(r.hi).map(|d| number(d / 1000.0)),
            "text": format::text(v),
        }),
        Value::List(list) if list.stride == 1 => items(v).map(value).collect::<Vec<_>>().into(),
        Value::List(list) => json!({"items": list.len()}),
        Value::Match(_) => json!("detail match"),
    }
}
