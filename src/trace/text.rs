//! The text trace, for a terminal: a summary that fits on one screen, then the detail. Case text
//! is made safe to print; evidence values are quoted.

use std::fmt::Write;

use super::Trace;
use super::format::{self, clean};
use super::model::{
    CriterionView, DecisionView, DefinitionView, EvidenceView, FieldResult, ScoreView, WindowView,
};
use super::summary::Summary;
use crate::eval::{EvidenceItem, EvidenceState, Handling, Mark, Outcome};
use crate::program::ScoreMode;
use crate::time::Rfc3339;

/// How many item numbers a window line lists before eliding.
const SHOWN_ITEMS: usize = 8;

/// Renders the whole trace: the summary, then the detail.
pub fn render(trace: &Trace<'_>) -> String {
    // About 300–450 bytes for each criterion and definition explained (the shipped pack's
    // 73 take 20–25 KB): allocated once, not grown and copied as it is written.
    let mut out = String::with_capacity(1024 + 512 * trace.extent().explained);
    write_summary(&mut out, trace);
    out.push('\n');
    detail(&mut out, trace);
    out
}

/// Renders the summary alone: verdict, scores, what could change them, provenance.
pub fn summary(trace: &Trace<'_>) -> String {
    let mut out = String::with_capacity(2 * 1024);
    write_summary(&mut out, trace);
    out
}

fn write_summary(out: &mut String, trace: &Trace<'_>) {
    let s = trace.summary();
    let case = trace.case_id().unwrap_or_else(|| "(no id)".into());
    match &s.verdict {
        Some(v) => {
            let _ = writeln!(out, "Case {case}: {}", v.view.label().to_uppercase());
            if let Some(reason) = v.view.reason() {
                let _ = writeln!(out, "  {reason}");
            }
            for line in super::summary::decided_by_lines(&s) {
                let _ = writeln!(out, "  {line}");
            }
            for line in super::summary::conflict_lines(v) {
                let _ = writeln!(out, "  {line}");
            }
            if v.settled() {
                let _ = writeln!(
                    out,
                    "  Settled: no unknown evidence could change the verdict."
                );
            } else if v.possible.len() > 1 {
                let others: Vec<String> =
                    v.possible[1..].iter().map(|l| format!("\"{l}\"")).collect();
                let _ = writeln!(
                    out,
                    "  Open: once unknown evidence is known it could become {}.",
                    or_list(&others)
                );
            } else {
                let _ = writeln!(out, "  Open: the evidence conflicts.");
            }
        }
        None => {
            let _ = writeln!(out, "Case {case}");
        }
    }
    if let Some(as_of) = trace.as_of() {
        let note = super::summary::as_of_note(as_of);
        let _ = writeln!(
            out,
            "  As of {}: {}",
            format::timestamp(as_of.at),
            clean(&note)
        );
    }
    out.push('\n');
    for score in &s.scores {
        score_summary(out, score);
    }
    changes(out, &s);
    let p = trace.provenance();
    let _ = writeln!(
        out,
        "Provenance: rules {} {} ({}), case {}, {}",
        p.ruleset,
        p.version,
        p.rules_hash,
        p.case_hash.unwrap_or("not hashed"),
        p.engine
    );
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => "nothing else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn score_summary(out: &mut String, s: &super::summary::ScoreSummary<'_, '_>) {
    let view = s.view;
    let mode = view.mode();
    let _ = writeln!(out, "  {}: {}", view.name(), view.title());
    out.push_str("    ");
    match view.probability() {
        Some(p) => {
            let _ = write!(
                out,
                "{} ({}, ICD 203)",
                format::percent(p),
                format::estimative(p)
            );
        }
        None => out.push_str(&format::score_value(mode, view.value())),
    }
    if let Some(band) = view.band() {
        out.push_str(", band ");
        out.push_str(band.label());
    }
    out.push_str(" (");
    out.push_str(&super::summary::state_note(view));
    out.push_str(")\n");
    for (label, criteria) in [("for", &s.strongest_for), ("against", &s.strongest_against)] {
        for (i, c) in criteria.iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            let words = c.reason().unwrap_or_else(|| c.title().to_string());
            let _ = writeln!(
                out,
                "    {head:<8} {:>7}  {}: {words}",
                c.amount(),
                c.name()
            );
        }
    }
    for m in &s.margins {
        let _ = writeln!(out, "    margin   {}", m.describe(mode));
    }
}

fn changes(out: &mut String, s: &Summary<'_, '_>) {
    if s.changes.is_empty() {
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "\n  What unknown evidence could change:");
    for c in s.changes.iter().take(6) {
        match c.cause.condition() {
            Some(condition) => {
                out.push_str("    - if `");
                out.push_str(&clean(condition));
                out.push('`');
            }
            None => out.push_str("    - if none of its conditions held"),
        }
        out.push_str(" (");
        out.push_str(&c.cause.place(c.score));
        if let Some(amount) = c.amount() {
            out.push_str(", ");
            out.push_str(&amount);
        }
        out.push_str("): ");
        out.push_str(&c.effect());
        out.push('\n');
    }
    if s.changes.len() > 6 {
        let _ = writeln!(out, "    … and {} more in the detail", s.changes.len() - 6);
    }
    out.push('\n');
}

fn contribution_range(mode: ScoreMode, b: crate::eval::Bounds) -> String {
    if b.is_exact() {
        format::amount(mode, b.min)
    } else {
        format!(
            "{} to {}",
            format::amount(mode, b.min),
            format::amount(mode, b.max)
        )
    }
}

fn detail(out: &mut String, trace: &Trace<'_>) {
    let _ = writeln!(out, "Detail\n{}", "─".repeat(72));
    if let Some(verdict) = trace.verdict() {
        match verdict.title() {
            Some(title) => {
                let _ = writeln!(out, "Verdict ({title}): {}", verdict.label());
            }
            None => {
                let _ = writeln!(out, "Verdict: {}", verdict.label());
            }
        }
        decision_lines(out, &verdict, "  ");
        out.push('\n');
    }
    for score in trace.scores() {
        score_detail(out, score);
        out.push('\n');
    }
    let definitions: Vec<DefinitionView<'_, '_>> = trace.definitions().collect();
    if !definitions.is_empty() {
        let _ = writeln!(out, "Definitions");
        for d in definitions {
            definition(out, d);
        }
    }
}

fn decision_lines(out: &mut String, d: &DecisionView<'_, '_>, indent: &str) {
    if let Some(reason) = d.reason() {
        let _ = writeln!(out, "{indent}because: {reason}");
    }
    let _ = writeln!(out, "{indent}rule: {} (`{}`)", d.rule(), d.test());
    for undecided in d.undecided() {
        let _ = writeln!(out, "{indent}undecided (evidence unknown): `{undecided}`");
    }
    read_line(out, indent, "read: ", d.evidence());
}

fn score_detail(out: &mut String, s: ScoreView<'_, '_>) {
    let _ = writeln!(out, "Score {}: {}", s.name(), s.title());
    match s.mode() {
        ScoreMode::Evidence { prior } => {
            let added = (s.total() - s.base()).as_f64();
            let _ = writeln!(
                out,
                "  from a prior of {}: log-odds {} {} {} = {} → {}",
                format::percent(prior),
                format::number(s.base().as_f64()),
                if added < 0.0 { "-" } else { "+" },
                format::number(added.abs()),
                format::number(s.total().as_f64()),
                format::score_value(s.mode(), s.value())
            );
        }
        ScoreMode::Additive => {
            let _ = writeln!(out, "  {}", format::score_value(s.mode(), s.value()));
        }
    }
    if let Some(band) = s.band() {
        let _ = writeln!(out, "  band: {}", band.label());
        decision_lines(out, &band, "    ");
    }
    let (known, total) = s.coverage();
    let _ = writeln!(out, "  criteria with known evidence: {known} of {total}");
    out.push('\n');
    for c in s.criteria() {
        criterion(out, c);
    }
}

fn criterion(out: &mut String, c: CriterionView<'_, '_>) {
    let mode = c.mode;
    let amount = match c.outcome() {
        Outcome::Unknown {
            handling: Handling::Skipped,
            ..
        } => "?".to_string(),
        _ => c.amount(),
    };
    let _ = writeln!(
        out,
        "  {amount:>7}  {} ({})  [{}]",
        c.name(),
        c.title(),
        c.rule()
    );
    let pad = "           ";
    match c.outcome() {
        Outcome::Applied { .. } => {
            let _ = writeln!(out, "{pad}when `{}`", c.condition().unwrap_or("else"));
            if let Some(refinement) = c.refinement() {
                let _ = writeln!(out, "{pad}refined: `{refinement}`");
            }
        }
        Outcome::NoOutcome => {
            let _ = writeln!(out, "{pad}no outcome applied");
        }
        Outcome::Unknown { handling, .. } => {
            let what = match handling {
                Handling::Skipped => "UNKNOWN: left out of the score",
                Handling::Defaulted => "UNKNOWN: scored with its stated default",
            };
            let _ = writeln!(
                out,
                "{pad}{what} (at `{}`)",
                c.condition().unwrap_or("else")
            );
        }
    }
    if let Some(reason) = c.reason() {
        let _ = writeln!(out, "{pad}reason: {reason}");
    }
    read_line(out, pad, "read: ", c.evidence());
    for test in c.range_tests() {
        let _ = writeln!(out, "{pad}range: `{}` {}", test.text(), test.explanation());
    }
    let unknown = c.unknown_paths();
    if !unknown.is_empty() && c.outcome().is_unknown() {
        let _ = writeln!(out, "{pad}unknown evidence: {}", unknown.join(", "));
    }
    for alternative in c.alternatives() {
        let when = if alternative.otherwise() {
            "otherwise".to_string()
        } else {
            format!("if `{}`", clean(alternative.condition()))
        };
        let _ = writeln!(
            out,
            "{pad}could be {} {when}",
            contribution_range(mode, alternative.contribution())
        );
    }
}

/// `{indent}{head}name = value, name = value` and a line break, when anything was read.
fn read_line<'t, 'a: 't>(
    out: &mut String,
    indent: &str,
    head: &str,
    evidence: impl Iterator<Item = EvidenceView<'t, 'a>>,
) {
    let mut any = false;
    for e in evidence {
        if any {
            out.push_str(", ");
        } else {
            out.push_str(indent);
            out.push_str(head);
            any = true;
        }
        out.push_str(e.name());
        out.push_str(" = ");
        write_value(out, e.item);
    }
    if any {
        out.push('\n');
    }
}

/// An evidence value as the trace shows it, written at the end of `out`.
fn write_value(out: &mut String, item: EvidenceItem<'_>) {
    match item.state {
        EvidenceState::Known => format::write_text(out, item.value),
        EvidenceState::Missing => out.push_str("MISSING"),
        EvidenceState::Null => out.push_str("NULL (not known)"),
        EvidenceState::Unknown => out.push_str("unknown"),
    }
}

fn value_text(item: EvidenceItem<'_>) -> String {
    let mut out = String::new();
    write_value(&mut out, item);
    out
}

fn definition(out: &mut String, d: DefinitionView<'_, '_>) {
    out.push_str("  ");
    out.push_str(d.name());
    if let Some(description) = d.description() {
        out.push_str(" (");
        out.push_str(description);
        out.push(')');
    }
    out.push_str(" = ");
    match d.value() {
        crate::eval::value::Value::Match(_) => out.push_str("a detail match"),
        v => format::write_text(out, v),
    }
    out.push('\n');
    read_line(
        out,
        "      ",
        "from ",
        d.evidence().filter(|e| e.window().is_none()),
    );
    for e in d.evidence() {
        if let Some(window) = e.window() {
            window_lines(out, window, e.item);
        }
    }
    if let Some(fields) = d.fields() {
        for f in fields {
            let result = match f.result() {
                FieldResult::Match => "match",
                FieldResult::Mismatch => "MISMATCH",
                FieldResult::Unknown => "unknown",
            };
            let _ = writeln!(
                out,
                "      {:<16} {:<12} claimed {:<24} confirmed {:<24} {result}{}",
                f.def.name,
                f.matcher(),
                value_text(f.claimed),
                value_text(f.confirmed),
                format::similarity(f.outcome.similarity)
            );
        }
    }
}

fn window_lines(out: &mut String, w: WindowView<'_, '_>, value: EvidenceItem<'_>) {
    let total = w.marks.len();
    out.push_str("      ");
    out.push_str(&w.expression());
    out.push_str(" = ");
    write_value(out, value);
    let _ = write!(
        out,
        ": {} of {total} items of `{}` counted",
        w.count(Mark::Counted),
        w.list()
    );
    write_span(out, &w, Mark::Counted);
    for (mark, word) in [
        (Mark::Excluded, "excluded"),
        (Mark::Duplicate, "duplicates"),
        (Mark::Unknown, "unknown"),
    ] {
        let n = w.count(mark);
        if n > 0 {
            let _ = write!(out, "; {n} {word} (");
            for (i, item) in w.items(mark).take(SHOWN_ITEMS).enumerate() {
                out.push_str(if i == 0 { "#" } else { " #" });
                out.push_str(itoa::Buffer::new().format(item));
            }
            if n > SHOWN_ITEMS {
                let _ = write!(out, " … {} more", n - SHOWN_ITEMS);
            }
            out.push(')');
            write_span(out, &w, mark);
        }
    }
    out.push('\n');
}

/// ` from T1 to T2` for the items of a window treated as `mark`, when items have times.
fn write_span(out: &mut String, w: &WindowView<'_, '_>, mark: Mark) {
    let bounds =
        w.items(mark)
            .filter_map(|i| w.time(i))
            .fold(None, |bounds: Option<(i64, i64)>, t| {
                Some(bounds.map_or((t, t), |(first, last)| (first.min(t), last.max(t))))
            });
    match bounds {
        Some((first, last)) if first == last => {
            out.push_str(" at ");
            out.push_str(Rfc3339(first).ascii().as_str());
        }
        Some((first, last)) => {
            out.push_str(" from ");
            out.push_str(Rfc3339(first).ascii().as_str());
            out.push_str(" to ");
            out.push_str(Rfc3339(last).ascii().as_str());
        }
        None => {}
    }
}
