//! The Markdown report: a self-contained document for reviewers (case files, pull requests).

use std::fmt::Write;

use super::format;
use super::report::{Decision, Evidence, Report, ScoreReport};

/// Renders a report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let case = report.case.as_deref().unwrap_or("(no id)");
    let _ = writeln!(out, "# Claim assessment: {case}\n");
    if let Some(v) = &report.verdict {
        let _ = writeln!(out, "**Verdict: {}**\n", v.label);
        decision(&mut out, v);
    }
    for score in &report.scores {
        score_section(&mut out, score);
    }
    let p = &report.provenance;
    let _ = writeln!(out, "## Provenance\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| rules | {} {} |", p.ruleset, p.version);
    let _ = writeln!(out, "| rules hash | `{}` |", p.rules_hash);
    let _ = writeln!(out, "| case hash | `{}` |", p.case_hash);
    let _ = writeln!(out, "| engine | {} |", p.engine);
    out
}

fn decision(out: &mut String, d: &Decision) {
    if let Some(reason) = &d.reason {
        let _ = writeln!(out, "{}\n", escape(reason));
    }
    let _ = writeln!(out, "Decided by `{}` ({}).", d.test, d.rule);
    for undecided in &d.undecided {
        let _ = writeln!(out, "Not decidable for lack of evidence: `{undecided}`.");
    }
    out.push('\n');
}

fn score_section(out: &mut String, s: &ScoreReport) {
    let title = s.title.as_deref().unwrap_or(&s.name);
    let _ = writeln!(out, "## {title} (`{}`)\n", s.name);
    match (s.probability, s.prior) {
        (Some(p), Some(prior)) => {
            let _ = writeln!(
                out,
                "**{}, {}** (ICD 203), from a prior of {}.",
                format::percent(p),
                format::estimative(p),
                format::percent(prior)
            );
        }
        _ => {
            let _ = writeln!(out, "**{} points.**", format::number(s.total));
        }
    }
    if let Some(band) = &s.band {
        let _ = writeln!(
            out,
            "Band: **{}** (`{}`, {}).",
            band.label, band.test, band.rule
        );
    }
    let c = &s.coverage;
    let unknown = if c.unknown.is_empty() {
        String::new()
    } else {
        format!(" Unknown: {}.", c.unknown.join(", "))
    };
    let _ = writeln!(
        out,
        "Evidence known for {} of {} criteria.{unknown}\n",
        c.known, c.total
    );
    let unit = if s.probability.is_some() {
        "log-odds (ratio)"
    } else {
        "points"
    };
    let _ = writeln!(out, "| criterion | {unit} | why |\n|---|---:|---|");
    for criterion in &s.criteria {
        let amount = match (criterion.status, criterion.likelihood_ratio) {
            ("unknown", _) => "unknown".to_string(),
            (_, Some(ratio)) => format!(
                "{} (×{})",
                format::signed(criterion.contribution),
                format::number(ratio)
            ),
            _ => format::signed(criterion.contribution),
        };
        let title = criterion.title.as_deref().unwrap_or(&criterion.name);
        let why = criterion
            .reason
            .as_deref()
            .unwrap_or(match criterion.status {
                "no outcome" => "no outcome applied",
                _ => "",
            });
        let _ = writeln!(out, "| {} | {amount} | {} |", escape(title), escape(why));
    }
    let _ = writeln!(out, "\n### Evidence read\n");
    for criterion in &s.criteria {
        let _ = writeln!(out, "- **{}** ({})", criterion.name, criterion.rule);
        for e in &criterion.evidence {
            evidence(out, e, 1);
        }
    }
    if !s.margins.is_empty() {
        let _ = writeln!(out, "\n### What would change it\n");
    }
    for m in &s.margins {
        let _ = writeln!(out, "- {}:", m.sentence(unit.trim_end_matches(" (ratio)")));
        if m.ways.is_empty() {
            let _ = writeln!(out, "  no single criterion could do it alone");
        }
        for way in &m.ways {
            let _ = writeln!(
                out,
                "  - {}: {} ({})",
                way.criterion,
                escape(&way.change),
                format::signed(way.delta)
            );
        }
    }
    out.push('\n');
}

fn evidence(out: &mut String, e: &Evidence, depth: usize) {
    let indent = "  ".repeat(depth);
    let value = match e.state {
        "known" => format!("`{}`", format::json_text(&e.value)),
        state => format!("**{state}**"),
    };
    let _ = writeln!(out, "{indent}- `{}` = {value}", e.name);
    if let Some(w) = &e.window {
        let _ = writeln!(
            out,
            "{indent}  - {} of {} items counted, {} excluded, {} duplicates, {} unknown",
            w.counted.len(),
            w.items,
            w.excluded.len(),
            w.duplicates.len(),
            w.unknown.len()
        );
    }
    for f in e.fields.iter().flatten() {
        let similarity = format::similarity(f.similarity);
        let _ = writeln!(
            out,
            "{indent}  - {} ({}): claimed `{}`, confirmed `{}`: {}{similarity}",
            f.field,
            f.matcher,
            format::json_text(&f.claimed),
            format::json_text(&f.confirmed),
            f.result
        );
    }
    for input in &e.inputs {
        evidence(out, input, depth + 1);
    }
}

/// Escapes characters that would break a Markdown table cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
