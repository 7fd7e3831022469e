//! The trace-truth check: every value a JSON trace shows ([`super::json`]) is derived again,
//! independently, and compared. Evidence values are evaluated afresh, one at a time, by an
//! evaluator that shares nothing with the one that made the trace; values read from the case
//! are also looked up in the case document itself; each criterion's outcome, contribution and
//! reason, each band and the verdict are recomputed from the shown numbers by the rules'
//! thresholds (exactly, for likelihood ratios); contributions must add up to the totals.
//!
//! `cargo test` runs it over every shipped fixture and real case, and the fuzzers over every
//! case they make. A finding names the place in the JSON trace and what is wrong with it.

use serde_json::Value as Json;

use super::format;
use crate::case::Case;
use crate::eval::value::Value;
use crate::eval::{EvidenceItem, EvidenceState, Mark, Probe};
use crate::program::{
    CriterionDef, DecisionDef, Node, Points, Program, Read, RowTestDef, ScoreDef, ScoreMode,
    TextPart, WeightDef, per_units, ramp_position,
};
use crate::ratio::Ratio;

/// Something a trace shows that is not so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where in the JSON trace: `scores[0].criteria[3].evidence[1]`.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// Checks the JSON trace `trace` of the case `case` (the bytes that were scored) against
/// `program`; every finding, or `Ok` when everything the trace shows is so.
pub fn audit(program: &Program, case: &[u8], trace: &Json) -> Result<(), Vec<Finding>> {
    let fail = |message: String| {
        Err(vec![Finding {
            place: String::new(),
            message,
        }])
    };
    let loaded: Case = match program.load(case) {
        Ok(loaded) => loaded,
        Err(e) => return fail(format!("the case does not load: {e}")),
    };
    let document: Json = match serde_json::from_slice(case) {
        Ok(document) => document,
        Err(e) => return fail(format!("the case is not JSON: {e}")),
    };
    let probe = match Probe::new(program, &loaded) {
        Ok(probe) => probe,
        Err(e) => return fail(format!("the case does not evaluate: {e}")),
    };
    let mut auditor = Auditor {
        program,
        probe,
        document,
        findings: Vec::new(),
    };
    auditor.trace(trace);
    if auditor.findings.is_empty() {
        Ok(())
    } else {
        Err(auditor.findings)
    }
}

struct Auditor<'a> {
    program: &'a Program,
    probe: Probe<'a>,
    document: Json,
    findings: Vec<Finding>,
}

/// The contribution a criterion's outcome gives, recomputed from its weight.
struct Expected {
    status: &'static str,
    row: Option<usize>,
    refinement: Option<usize>,
    units: Option<Points>,
    written_ratio: Option<f64>,
    reason: Option<String>,
}

impl<'a> Auditor<'a> {
    fn finding(&mut self, place: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            place: place.to_string(),
            message: message.into(),
        });
    }

    /// Checks `shown == expected`, naming `what` otherwise.
    fn same(&mut self, place: &str, what: &str, shown: &Json, expected: &Json) {
        if shown != expected {
            self.finding(place, format!("{what} is {shown}, but is {expected}"));
        }
    }

    fn trace(&mut self, trace: &Json) {
        let program = self.program;
        let scores = trace["scores"].as_array().map_or(&[][..], Vec::as_slice);
        if scores.len() != program.scores.len() {
            self.finding(
                "scores",
                format!(
                    "shows {} scores, the rules have {}",
                    scores.len(),
                    program.scores.len()
                ),
            );
        }
        let mut band_rows = Vec::with_capacity(scores.len());
        for (index, (def, shown)) in program.scores.iter().zip(scores).enumerate() {
            band_rows.push(self.score(&format!("scores[{index}]"), def, shown));
        }
        match (&program.verdict, trace.get("verdict")) {
            (Some(def), Some(shown)) if !shown.is_null() => {
                if let Some(row) = self.decision("verdict", def, shown, None) {
                    self.decided_by(def, row, &band_rows, shown);
                }
            }
            (Some(_), _) => {
                self.finding("verdict", "the rules have a verdict the trace leaves out")
            }
            (None, Some(shown)) if !shown.is_null() => {
                self.finding("verdict", "the rules have no verdict")
            }
            (None, _) => {}
        }
        if let Some(definitions) = trace["definitions"].as_object() {
            for (name, shown) in definitions {
                self.definition(&format!("definitions.{name}"), name, shown);
            }
        }
    }

    /// Checks a score; the band row that applies, as recomputed.
    fn score(&mut self, place: &str, def: &'a ScoreDef, shown: &Json) -> Option<usize> {
        self.same(
            place,
            "the name",
            &shown["name"],
            &Json::from(def.name.as_str()),
        );
        let criteria = shown["criteria"].as_array().map_or(&[][..], Vec::as_slice);
        if criteria.len() != def.criteria.len() {
            self.finding(place, "does not show every criterion");
            return None;
        }
        let mut sum = match def.mode {
            ScoreMode::Evidence { prior } => Points::from_f64((prior / (1.0 - prior)).ln()),
            ScoreMode::Additive => Points(0),
        };
        // The exact odds of the total, from the prior and each ratio as the rules wrote it.
        let mut odds = match def.mode {
            ScoreMode::Evidence { prior } => Ratio::odds(prior),
            ScoreMode::Additive => None,
        };
        for (index, (criterion, shown)) in def.criteria.iter().zip(criteria).enumerate() {
            let place = format!("{place}.criteria[{index}]");
            let expected = self.criterion(&place, def.mode, criterion, shown);
            if let Some(units) = expected.units {
                sum = sum + units;
            }
            odds = match (expected.units, expected.written_ratio) {
                (Some(Points(0)), _) if expected.status != "applied" => odds,
                (_, Some(ratio)) => odds
                    .zip(Ratio::of_decimal(ratio))
                    .and_then(|(o, r)| o.times(r)),
                _ => None,
            };
        }
        let total = match def.mode {
            ScoreMode::Evidence { .. } => units(&shown["log_odds"]["total"]),
            ScoreMode::Additive => units(&shown["value"]["points"]),
        };
        if total != Some(sum) {
            self.finding(
                place,
                format!(
                    "the contributions add up to {sum}, but the total shown is {}",
                    total.map_or("missing".into(), |t| t.to_string())
                ),
            );
        }
        if let ScoreMode::Evidence { .. } = def.mode {
            let p = odds.map_or(1.0 / (1.0 + (-sum.as_f64()).exp()), Ratio::probability);
            let shown_p = shown["value"]["probability"].as_f64().unwrap_or(f64::NAN);
            if (shown_p - p).abs() > 1e-12 {
                self.finding(place, format!("the probability is {shown_p}, but is {p}"));
            }
            self.same(
                place,
                "the estimative word",
                &shown["value"]["estimative"],
                &Json::from(format::estimative(p)),
            );
        }
        let bands = def.bands.as_ref()?;
        let total = crate::eval::ScoreTotal::new(sum, odds);
        self.decision(&format!("{place}.band"), bands, &shown["band"], Some(total))
    }

    /// Recomputes a criterion's outcome from its rows, each condition evaluated afresh, and
    /// checks what the trace shows of it.
    fn criterion(
        &mut self,
        place: &str,
        mode: ScoreMode,
        def: &'a CriterionDef,
        shown: &Json,
    ) -> Expected {
        self.same(
            place,
            "the name",
            &shown["name"],
            &Json::from(def.name.as_str()),
        );
        self.evidence(&format!("{place}.evidence"), &def.reads, &shown["evidence"]);
        let expected = self.expected(def);
        let outcome = &shown["outcome"];
        self.same(
            place,
            "the outcome",
            &outcome["status"],
            &Json::from(expected.status),
        );
        if let Some(row) = expected.row {
            let condition = match def.outcomes[row].guard {
                Some(guard) => self.program.expression(guard),
                None => "else",
            };
            self.same(
                place,
                "the row",
                &outcome["condition"],
                &Json::from(condition),
            );
        }
        if expected.status == "applied" {
            let refinement = expected.refinement.and_then(|r| {
                let row = &def.outcomes[expected.row?];
                Some(self.program.expression(row.refinements[r].guard))
            });
            self.same(
                place,
                "the refinement",
                &outcome["refinement"],
                &Json::from(refinement),
            );
        }
        let contribution = &shown["contribution"];
        let shown_units = match mode {
            ScoreMode::Evidence { .. } => units(&contribution["log_odds"]),
            ScoreMode::Additive => units(&contribution["points"]),
        };
        if let Some(expected_units) = expected.units
            && shown_units != Some(expected_units)
        {
            self.finding(
                place,
                format!(
                    "contributes {}, but its weight gives {expected_units}",
                    shown_units.map_or("nothing".into(), |u| u.to_string())
                ),
            );
        }
        if let (ScoreMode::Evidence { .. }, Some(ratio)) = (mode, expected.written_ratio)
            && contribution["ratio"].as_f64() != Some(ratio)
        {
            self.finding(
                place,
                format!(
                    "shows the ratio {}, but the rules wrote {ratio}",
                    contribution["ratio"]
                ),
            );
        }
        self.same(
            place,
            "the reason",
            &shown["reason"],
            &Json::from(expected.reason.clone()),
        );
        expected
    }

    fn expected(&self, def: &'a CriterionDef) -> Expected {
        let unknown = |row: Option<usize>| Expected {
            status: "unknown",
            row,
            refinement: None,
            units: Some(def.unknown.default.map_or(Points(0), |d| d.units)),
            written_ratio: def.unknown.default.map_or(Some(1.0), |d| Some(d.written)),
            reason: self.reason(&def.unknown.reason),
        };
        for (index, row) in def.outcomes.iter().enumerate() {
            let holds = row
                .guard
                .map_or(Some(true), |g| self.probe.value(g).truth());
            match holds {
                Some(false) => continue,
                None => return unknown(Some(index)),
                Some(true) => {}
            }
            let refinement = row
                .refinements
                .iter()
                .position(|r| self.probe.value(r.guard).truth() == Some(true));
            let (weight, reason) = match refinement {
                Some(r) => (&row.refinements[r].weight, &row.refinements[r].reason),
                None => (&row.weight, &row.reason),
            };
            let input = weight.input().map(|node| self.probe.value(node));
            if input.is_some_and(|v| v.as_range().is_none()) {
                return unknown(Some(index));
            }
            let point = input.and_then(|v| v.as_number());
            let (units, written_ratio) = match weight {
                WeightDef::Fixed(amount) => (Some(amount.units), Some(amount.written)),
                WeightDef::Per { amount, max, .. } => match point {
                    Some(n) => {
                        let used = per_units(n, *max);
                        (
                            Some(Points::from_units(amount.units.0 as f64 * used)),
                            (used.fract() == 0.0).then(|| amount.written.powf(used)),
                        )
                    }
                    None => (None, None),
                },
                WeightDef::Ramp { x, y, .. } => match point {
                    Some(n) => {
                        let t = ramp_position(n, *x);
                        let (y0, y1) = (y[0].units.0 as f64, y[1].units.0 as f64);
                        let ratio = match t {
                            0.0 => Some(y[0].written),
                            1.0 => Some(y[1].written),
                            _ => None,
                        };
                        (Some(Points::from_units(y0 + t * (y1 - y0))), ratio)
                    }
                    None => (None, None),
                },
            };
            return Expected {
                status: "applied",
                row: Some(index),
                refinement,
                units,
                written_ratio,
                reason: self.reason(reason),
            };
        }
        Expected {
            status: "no_outcome",
            row: None,
            refinement: None,
            units: Some(Points(0)),
            written_ratio: Some(1.0),
            reason: None,
        }
    }

    /// A reason text with its values evaluated afresh.
    fn reason(&self, parts: &[TextPart]) -> Option<String> {
        let values: Vec<Value<'a>> = crate::program::text_values(parts)
            .map(|node| self.probe.value(node))
            .collect();
        super::model::render_text(parts, &values)
    }

    /// Recomputes which row of a table applies: conditions afresh, thresholds from the total
    /// (its exact odds when known), and checks the label, rule, evidence and reason shown.
    fn decision(
        &mut self,
        place: &str,
        def: &'a DecisionDef,
        shown: &Json,
        total: Option<crate::eval::ScoreTotal>,
    ) -> Option<usize> {
        let mut chosen = None;
        for (index, row) in def.rows.iter().enumerate() {
            let applies = match &row.test {
                RowTestDef::Threshold { .. } => total.map(|t| t.reaches(&row.test)),
                test => self.probe.condition(test).flatten(),
            };
            // `when C => "a" unless D` applies while D is unknown, C being true.
            let holds_but_for_unknown = applies.is_none()
                && row.conflict.is_none()
                && row
                    .unless
                    .is_some_and(|u| self.probe.value(u.condition).truth() == Some(true));
            if applies == Some(true) || holds_but_for_unknown {
                chosen = Some(index);
                break;
            }
        }
        let Some(index) = chosen else {
            self.finding(place, "no row of the table applies");
            return None;
        };
        let row = &def.rows[index];
        self.same(
            place,
            "the label",
            &shown["label"],
            &Json::from(row.label.as_str()),
        );
        let rule = self.program.sources.line_ref(row.span);
        self.same(place, "the rule", &shown["rule"], &Json::from(rule));
        self.evidence(&format!("{place}.evidence"), &def.reads, &shown["evidence"]);
        self.same(
            place,
            "the reason",
            &shown["reason"],
            &Json::from(self.reason(&row.reason)),
        );
        Some(index)
    }

    /// Checks what the verdict says decided it and what conflicts keep it open: the scores
    /// its row and the rows before it read, and each of their bands set by an override that
    /// contrary evidence outweighed; a verdict with a conflict is never settled.
    fn decided_by(
        &mut self,
        def: &DecisionDef,
        row: usize,
        band_rows: &[Option<usize>],
        shown: &Json,
    ) {
        let program = self.program;
        let mut read: Vec<u32> = Vec::new();
        for earlier in &def.rows[..=row] {
            if let RowTestDef::When(node) = earlier.test {
                for id in program.scores_read(node) {
                    if !read.contains(&id) {
                        read.push(id);
                    }
                }
            }
        }
        let names: Vec<&str> = read
            .iter()
            .map(|&id| program.scores[id as usize].name.as_str())
            .collect();
        self.same(
            "verdict",
            "decided_by",
            &shown["decided_by"],
            &Json::from(names),
        );
        let expected: Vec<Json> = read
            .iter()
            .filter_map(|&id| {
                let score = &program.scores[id as usize];
                let band = &score.bands.as_ref()?.rows[band_rows.get(id as usize).copied()??];
                let overridden = band.conflict.as_ref()?;
                Some(serde_json::json!({"score": score.name, "label": overridden.label}))
            })
            .collect();
        let conflicts = shown["conflicts"].as_array().map_or(&[][..], Vec::as_slice);
        let shown_conflicts: Vec<Json> = conflicts
            .iter()
            .map(|c| serde_json::json!({"score": c["score"], "label": c["overridden"]["label"]}))
            .collect();
        self.same(
            "verdict",
            "the conflicts",
            &Json::from(shown_conflicts),
            &Json::from(expected.clone()),
        );
        if !expected.is_empty() && shown["settled"] != Json::Bool(false) {
            self.finding("verdict", "is shown settled, but evidence conflicts");
        }
    }

    /// Checks each value shown as read against a fresh read of it (and, for a case path,
    /// against the case document), and each window's items against a fresh run.
    fn evidence(&mut self, place: &str, reads: &[Read], shown: &Json) {
        let shown = shown.as_array().map_or(&[][..], Vec::as_slice);
        if shown.len() != reads.len() {
            self.finding(
                place,
                format!(
                    "shows {} values read, the rules read {}",
                    shown.len(),
                    reads.len()
                ),
            );
            return;
        }
        for (index, (read, e)) in reads.iter().zip(shown).enumerate() {
            let place = format!("{place}[{index}]");
            self.same(
                &place,
                "the name",
                &e["name"],
                &Json::from(read.label.as_str()),
            );
            let item = self.probe.read(read);
            self.item(&format!("{place} ({})", read.label), e, item);
            if read.slot.is_some() {
                self.document(&place, &read.label, e);
            }
            if let Node::Collect(id) = self.program.nodes[read.node as usize] {
                self.window(&place, id, &e["window"]);
            }
        }
    }

    fn item(&mut self, place: &str, shown: &Json, expected: EvidenceItem<'_>) {
        self.same(place, "the state", &shown["state"], &state(expected.state));
        self.same(
            place,
            "the value",
            &shown["value"],
            &super::json::value(expected.value),
        );
    }

    /// A case path's value against the case document itself. A field inside a `null` object is
    /// not known either: it reads as null, as the loader reads it.
    fn document(&mut self, place: &str, path: &str, shown: &Json) {
        let raw = path.split('.').try_fold(&self.document, |v, key| match v {
            Json::Null => Some(v),
            _ => v.as_object()?.get(key),
        });
        let agrees = match raw {
            None => shown["state"] == "missing",
            Some(Json::Null) => shown["state"] == "null",
            Some(raw) => shown["state"] == "known" && raw_agrees(raw, &shown["value"]),
        };
        if !agrees {
            self.finding(
                place,
                format!(
                    "shows {path} as {} ({}), but the case has {}",
                    shown["value"],
                    shown["state"],
                    raw.map_or("nothing".into(), Json::to_string)
                ),
            );
        }
    }

    fn window(&mut self, place: &str, id: u32, shown: &Json) {
        let Some(marks) = self.probe.marks(id) else {
            if !shown.is_null() {
                self.finding(place, "shows a window the collection did not run");
            }
            return;
        };
        self.same(
            place,
            "the window's size",
            &shown["items"],
            &Json::from(marks.len()),
        );
        for (key, mark) in [
            ("counted", Mark::Counted),
            ("excluded", Mark::Excluded),
            ("duplicates", Mark::Duplicate),
            ("unknown", Mark::Unknown),
        ] {
            let expected: Vec<usize> = (0..marks.len()).filter(|i| marks[*i] == mark).collect();
            self.same(
                place,
                &format!("the window's {key} items"),
                &shown[key],
                &Json::from(expected),
            );
        }
    }

    fn definition(&mut self, place: &str, name: &str, shown: &Json) {
        let program = self.program;
        let Some(def) = program.lets.iter().find(|l| l.name == name) else {
            self.finding(place, "no such definition");
            return;
        };
        let value = self.probe.value(def.node);
        let expected = EvidenceItem {
            value,
            state: if value.is_unknown() {
                EvidenceState::Unknown
            } else {
                EvidenceState::Known
            },
        };
        self.item(place, shown, expected);
        self.evidence(&format!("{place}.evidence"), &def.reads, &shown["evidence"]);
        let Node::Match(id) = program.nodes[def.node as usize] else {
            return;
        };
        let fields = shown["fields"].as_array().map_or(&[][..], Vec::as_slice);
        let defs = &program.matches[id as usize].fields;
        if fields.len() != defs.len() {
            self.finding(place, "does not show every field of the match");
        }
        for (index, (field, shown)) in defs.iter().zip(fields).enumerate() {
            let place = format!("{place}.fields[{index}]");
            self.same(
                &place,
                "the field",
                &shown["field"],
                &Json::from(field.name.as_str()),
            );
            let Some((claimed, confirmed, outcome)) = self.probe.field(id, index) else {
                continue;
            };
            self.item(&format!("{place}.claimed"), &shown["claimed"], claimed);
            self.item(
                &format!("{place}.confirmed"),
                &shown["confirmed"],
                confirmed,
            );
            self.document(
                &format!("{place}.claimed"),
                &field.claimed.label,
                &shown["claimed"],
            );
            self.document(
                &format!("{place}.confirmed"),
                &field.confirmed.label,
                &shown["confirmed"],
            );
            let result = match outcome.matched {
                Some(true) => "match",
                Some(false) => "mismatch",
                None => "unknown",
            };
            self.same(&place, "the result", &shown["result"], &Json::from(result));
        }
    }
}

fn state(state: EvidenceState) -> Json {
    serde_json::to_value(state).unwrap_or_default()
}

/// An amount shown in points or log-odds, in fixed-point units.
fn units(shown: &Json) -> Option<Points> {
    shown.as_f64().map(Points::from_f64)
}

/// Whether a value shown agrees with the case document's raw value: times as instants, ranges
/// end by end (a range whose ends are equal is that value), lists item by item or by count.
fn raw_agrees(raw: &Json, shown: &Json) -> bool {
    let instant = |v: &Json| v.as_str().and_then(|s| crate::time::parse(s).ok());
    let number = |v: &Json| v.as_f64();
    match raw {
        Json::String(s) => match (crate::time::parse(s), instant(shown)) {
            (Ok(t), Some(u)) => t == u,
            _ => shown.as_str() == Some(s),
        },
        Json::Number(_) => number(raw) == number(shown),
        Json::Bool(_) => raw == shown,
        Json::Array(items) => match shown {
            Json::Array(shown) => {
                shown.len() == items.len() && items.iter().zip(shown).all(|(r, s)| raw_agrees(r, s))
            }
            _ => shown["items"].as_u64() == Some(items.len() as u64),
        },
        Json::Object(map) if map.contains_key("earliest") || map.contains_key("latest") => {
            let end = |key: &str| map.get(key).and_then(instant);
            match (end("earliest"), end("latest"), instant(shown)) {
                (Some(a), Some(b), Some(t)) if a == b => t == a,
                (earliest, latest, _) => {
                    earliest == instant(&shown["earliest"]) && latest == instant(&shown["latest"])
                }
            }
        }
        Json::Object(map) if map.contains_key("min") || map.contains_key("max") => {
            let end = |key: &str| map.get(key).and_then(|v| v.as_f64());
            match (end("min"), end("max"), number(shown)) {
                (Some(a), Some(b), Some(n)) if a == b => n == a,
                (min, max, _) => min == number(&shown["min"]) && max == number(&shown["max"]),
            }
        }
        // A record read whole is not a value a rule compares; nothing to check.
        Json::Object(_) | Json::Null => true,
    }
}

/// Checks the matrix of competing hypotheses a JSON trace shows (`hypotheses`, written with
/// `--hypotheses`) against itself, re-derived from its cells: each hypothesis's log-odds is the
/// sum of its cells' (each ratio as printed, so within their rounding), its probability is its
/// odds over the sum of all, the probabilities sum to one and the printed ones to 100, the
/// leader is the likeliest, a row is non-diagnostic exactly when its cells are all the same, and
/// a settled leader holds a majority with nothing that could change it. Every finding.
pub fn hypotheses(matrix: &Json) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut find = |place: String, message: String| findings.push(Finding { place, message });
    let columns = matrix["hypotheses"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let rows = matrix["rows"].as_array().map_or(&[][..], Vec::as_slice);
    let number = |v: &Json| v.as_f64().unwrap_or(f64::NAN);
    // Σ ln(ratio) per column, from the cells.
    let mut sums = vec![0.0; columns.len()];
    for (r, row) in rows.iter().enumerate() {
        let cells = row["cells"].as_array().map_or(&[][..], Vec::as_slice);
        if cells.len() != columns.len() {
            find(
                format!("hypotheses.rows[{r}]"),
                format!("{} cells for {} hypotheses", cells.len(), columns.len()),
            );
            continue;
        }
        for (sum, cell) in sums.iter_mut().zip(cells) {
            *sum += number(&cell["ratio"]).ln();
        }
        let same = cells
            .iter()
            .all(|c| c["ratio"] == cells[0]["ratio"] && c["could_be"] == cells[0]["could_be"]);
        if row["diagnostic"] == Json::Bool(same) {
            find(
                format!("hypotheses.rows[{r}].diagnostic"),
                format!(
                    "the cells are {}the same under every hypothesis",
                    if same { "" } else { "not " }
                ),
            );
        }
    }
    let odds: Vec<f64> = sums.iter().map(|s| s.exp()).collect();
    let total: f64 = odds.iter().sum();
    let mut printed = 0.0;
    for (h, (column, odds)) in columns.iter().zip(&odds).enumerate() {
        let place = format!("hypotheses.hypotheses[{h}]");
        let shown = number(&column["log_odds"]);
        // A printed ratio (four significant digits) is within 0.05 % of the ratio applied, so
        // its log within 5e-4; a probability moves at most a quarter as fast as a log-odds
        // difference, which two columns' errors make.
        let tolerance = 5e-4 * rows.len() as f64 + 1e-6;
        if (shown - sums[h]).abs() > tolerance {
            find(
                place.clone(),
                format!("log-odds {shown}, but its cells add up to {}", sums[h]),
            );
        }
        let p = number(&column["probability"]);
        if (p - odds / total).abs() > tolerance / 2.0 {
            find(
                place.clone(),
                format!(
                    "probability {p}, but its odds over all give {}",
                    odds / total
                ),
            );
        }
        if column["estimative"].as_str() != Some(format::estimative(p)) {
            find(
                place.clone(),
                format!("the word {} for {p}", column["estimative"]),
            );
        }
        printed += column["shown"]
            .as_str()
            .and_then(|s| s.strip_suffix('%'))
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
    }
    let sum: f64 = columns.iter().map(|c| number(&c["probability"])).sum();
    if !columns.is_empty() && (sum - 1.0).abs() > 1e-9 {
        find(
            "hypotheses".into(),
            format!("the probabilities add up to {sum}, not 1"),
        );
    }
    if !columns.is_empty() && (printed - 100.0).abs() > 1e-6 {
        find(
            "hypotheses".into(),
            format!("the printed probabilities add up to {printed}%, not 100%"),
        );
    }
    let top = columns
        .iter()
        .map(|c| number(&c["probability"]))
        .fold(f64::MIN, f64::max);
    match matrix["leader"].as_str() {
        Some(id) => match columns.iter().find(|c| c["id"] == id) {
            Some(leader) if number(&leader["probability"]) < top - 1e-12 => {
                find(
                    "hypotheses.leader".into(),
                    format!("{id} is not the likeliest"),
                );
            }
            Some(leader) => {
                let settled = matrix["settled"] == Json::Bool(true);
                let open_for = [
                    (
                        number(&leader["probability"]) <= 0.5,
                        "it holds no majority",
                    ),
                    (
                        matrix["changes"].as_array().is_some_and(|c| !c.is_empty()),
                        "unknown evidence could change it",
                    ),
                    (
                        matrix["conflicts"]
                            .as_array()
                            .is_some_and(|c| !c.is_empty()),
                        "known evidence conflicts",
                    ),
                ];
                for (holds, why) in open_for {
                    if settled && holds {
                        find("hypotheses.settled".into(), format!("settled, but {why}"));
                    }
                }
            }
            None => find("hypotheses.leader".into(), format!("no hypothesis {id}")),
        },
        None => {
            let level = columns
                .iter()
                .filter(|c| number(&c["probability"]) >= top - 1e-9)
                .count();
            if !columns.is_empty() && level < 2 {
                find(
                    "hypotheses.leader".into(),
                    "no leader, but one hypothesis is likeliest".into(),
                );
            }
            if matrix["settled"] == Json::Bool(true) {
                find(
                    "hypotheses.settled".into(),
                    "settled without a leader".into(),
                );
            }
        }
    }
    findings
}
