//! The text trace: what a reviewer reads in a terminal, without the rules at hand.

use std::fmt::Write;

use super::format;
use super::report::{CriterionReport, Decision, Evidence, Report, ScoreReport};

/// How many item indices a window line lists before eliding.
const SHOWN_ITEMS: usize = 12;

/// Renders a report as plain text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let case = report.case.as_deref().unwrap_or("(no id)");
    match &report.verdict {
        Some(v) => {
            let _ = writeln!(out, "Case {case}: {}", v.label.to_uppercase());
            decision_lines(&mut out, v, "  ");
        }
        None => {
            let _ = writeln!(out, "Case {case}");
        }
    }
    for score in &report.scores {
        out.push('\n');
        score_lines(&mut out, score);
    }
    let p = &report.provenance;
    let _ = writeln!(
        out,
        "\nProvenance: rules {} {} ({}), case {}, {}",
        p.ruleset, p.version, p.rules_hash, p.case_hash, p.engine
    );
    out
}

fn decision_lines(out: &mut String, d: &Decision, indent: &str) {
    if let Some(reason) = &d.reason {
        let _ = writeln!(out, "{indent}because: {reason}");
    }
    let _ = writeln!(out, "{indent}rule: {} (`{}`)", d.rule, d.test);
    for undecided in &d.undecided {
        let _ = writeln!(out, "{indent}undecided (evidence unknown): `{undecided}`");
    }
}

fn score_lines(out: &mut String, s: &ScoreReport) {
    let title = s
        .title
        .as_deref()
        .map(|t| format!(": {t}"))
        .unwrap_or_default();
    let _ = writeln!(out, "Score {}{title}", s.name);
    match (s.probability, s.prior) {
        (Some(p), Some(prior)) => {
            let _ = writeln!(
                out,
                "  probability {} ({}, ICD 203), from a prior of {}",
                format::percent(p),
                format::estimative(p),
                format::percent(prior)
            );
            let _ = writeln!(
                out,
                "  log-odds: prior {} + criteria {} = {}",
                format::signed(s.base),
                format::signed(s.total - s.base),
                format::signed(s.total)
            );
        }
        _ => {
            let _ = writeln!(out, "  points: {}", format::number(s.total));
        }
    }
    if let Some(band) = &s.band {
        let _ = writeln!(out, "  band: {}", band.label);
        decision_lines(out, band, "    ");
    }
    let c = &s.coverage;
    let _ = write!(
        out,
        "  coverage: {} of {} criteria known ({:.0}%)",
        c.known,
        c.total,
        if c.total == 0 {
            100.0
        } else {
            c.known as f64 * 100.0 / c.total as f64
        }
    );
    if c.unknown.is_empty() {
        out.push('\n');
    } else {
        let _ = writeln!(out, "; unknown: {}", c.unknown.join(", "));
    }
    let unit = if s.probability.is_some() {
        "log-odds"
    } else {
        "points"
    };
    let _ = writeln!(out, "\n  {:>8}  criterion", unit);
    for criterion in &s.criteria {
        criterion_lines(out, criterion);
    }
    for margin in &s.margins {
        let _ = writeln!(out, "\n  margin: {}", margin.sentence(unit));
        if margin.ways.is_empty() {
            let _ = writeln!(out, "    no single criterion could do it alone");
        }
        for way in &margin.ways {
            let _ = writeln!(
                out,
                "    - {}: {} ({})",
                way.criterion,
                way.change,
                format::signed(way.delta)
            );
        }
    }
}

fn criterion_lines(out: &mut String, c: &CriterionReport) {
    let amount = match c.status {
        "unknown" => "?".to_string(),
        _ => format::signed(c.contribution),
    };
    let ratio = c
        .likelihood_ratio
        .filter(|_| c.status != "unknown")
        .map(|r| format!(" ×{}", format::number(r)))
        .unwrap_or_default();
    let title = c
        .title
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let _ = writeln!(out, "  {amount:>8}  {}{title}{ratio}  [{}]", c.name, c.rule);
    let status = match c.status {
        "applied" => c
            .outcome
            .as_deref()
            .map(|o| format!("when `{o}`"))
            .unwrap_or_default(),
        "no outcome" => "no outcome applied".to_string(),
        "unknown" => "UNKNOWN: left out of the score".to_string(),
        _ => "UNKNOWN: scored with its stated default".to_string(),
    };
    let _ = writeln!(out, "            {status}");
    if let Some(reason) = &c.reason {
        let _ = writeln!(out, "            reason: {reason}");
    }
    if !c.unknown.is_empty() {
        let _ = writeln!(
            out,
            "            unknown evidence: {}",
            c.unknown.join(", ")
        );
    }
    let mut shown = Vec::new();
    for e in &c.evidence {
        evidence_lines(out, e, "            ", &mut shown);
    }
}

/// Writes one piece of evidence; details (inputs, windows, match fields) only the first time
/// `shown` meets its name.
fn evidence_lines<'r>(out: &mut String, e: &'r Evidence, indent: &str, shown: &mut Vec<&'r str>) {
    let value = match e.state {
        "missing" => "MISSING".to_string(),
        "null" => "NULL (not known)".to_string(),
        "unknown" => "unknown".to_string(),
        _ => format::json_text(&e.value),
    };
    let description = e
        .description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let expandable = e.window.is_some() || e.fields.is_some() || !e.inputs.is_empty();
    if expandable && shown.contains(&e.name.as_str()) {
        let _ = writeln!(out, "{indent}· {} = {value} (as above)", e.name);
        return;
    }
    shown.push(&e.name);
    let _ = writeln!(out, "{indent}· {}{description} = {value}", e.name);
    if let Some(w) = &e.window {
        let mut parts = vec![format!(
            "{} of {} items of `{}` counted",
            w.counted.len(),
            w.items,
            w.list
        )];
        if !w.excluded.is_empty() {
            parts.push(format!(
                "{} excluded {}",
                w.excluded.len(),
                indices(&w.excluded)
            ));
        }
        if !w.duplicates.is_empty() {
            parts.push(format!(
                "{} duplicates {}",
                w.duplicates.len(),
                indices(&w.duplicates)
            ));
        }
        if !w.unknown.is_empty() {
            parts.push(format!(
                "{} unknown {}",
                w.unknown.len(),
                indices(&w.unknown)
            ));
        }
        let _ = writeln!(out, "{indent}    {}", parts.join("; "));
    }
    if let Some(fields) = &e.fields {
        for f in fields {
            let similarity = format::similarity(f.similarity);
            let _ = writeln!(
                out,
                "{indent}    {:<16} {:<12} claimed {} vs confirmed {}: {}{similarity}",
                f.field,
                f.matcher,
                format::json_text(&f.claimed),
                format::json_text(&f.confirmed),
                f.result.to_uppercase()
            );
        }
    }
    let deeper = format!("{indent}    ");
    for input in &e.inputs {
        evidence_lines(out, input, &deeper, shown);
    }
}

fn indices(list: &[usize]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(SHOWN_ITEMS)
        .map(|i| format!("#{i}"))
        .collect();
    let more = list.len().saturating_sub(SHOWN_ITEMS);
    if more > 0 {
        format!("({} … and {more} more)", shown.join(" "))
    } else {
        format!("({})", shown.join(" "))
    }
}
