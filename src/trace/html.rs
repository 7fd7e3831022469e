//! The HTML report, for reviewers: one self-contained page (no script, no external resource; a
//! content security policy forbids both), readable without JavaScript. The first screen holds
//! the verdict, each score with its probability and ICD 203 word, settled or open, what could
//! change it, and a timeline of the case; below come the replication wave as a histogram and the
//! full evidence, collapsible. Every string is escaped.

use std::fmt::Write;

use super::Trace;
use super::format::{self, html as esc};
use super::model::{
    CriterionView, DefinitionView, EvidenceView, FieldResult, ScoreView, WindowView,
};
use super::summary::Summary;
use crate::eval::value::Value;
use crate::eval::{EvidenceItem, EvidenceState, Handling, Mark, Outcome};
use crate::program::ScoreMode;
use crate::timeline::{Judgement, Timeline};

pub(super) const STYLE: &str = r#"
:root{--ink:#1d2430;--muted:#5b6575;--line:#d9dee6;--for:#1f7a4d;--against:#b3261e;--open:#9a5b00;--settled:#1f5fa8;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
main{max-width:1240px;margin:0 auto;padding:16px 20px}
header{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;border-bottom:2px solid var(--ink);padding-bottom:8px}
h1{font-size:15px;font-weight:600;margin:0;color:var(--muted)}h2{font-size:16px;margin:18px 0 6px}h3{font-size:14px;margin:12px 0 4px}
.verdict{font-size:24px;font-weight:700;margin:2px 0}.reason{margin:0;color:var(--ink)}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.badge.settled{background:var(--settled)}.badge.open{background:var(--open)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px;margin-top:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:var(--bg)}
.value{font-size:20px;font-weight:700}.word{color:var(--muted)}
ul.reasons{margin:4px 0 0;padding-left:0;list-style:none}ul.reasons li{margin:1px 0}
.for{color:var(--for);font-weight:600}.against{color:var(--against);font-weight:600}
.amount{display:inline-block;min-width:52px;font-variant-numeric:tabular-nums}
.changes li{margin:2px 0}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#eef1f5;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:4px 0 10px}th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 8px}summary{cursor:pointer;font-weight:600}
.muted{color:var(--muted)}.prov{font-size:12px;color:var(--muted);margin-top:6px}
svg text{font:11px system-ui,sans-serif;fill:var(--ink)}
"#;

/// Renders a trace as one HTML page; with the case's judgement over time
/// ([`crate::timeline::timeline`]), the page shows it.
pub fn render(trace: &Trace<'_>, over_time: Option<&Timeline>) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let case = trace.case_id().unwrap_or_else(|| "(no id)".into());
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}: {}</title><style>{STYLE}</style></head><body><main>\n",
        esc(trace.program().profile().title()),
        esc(&case)
    );
    let summary = trace.summary();
    first_screen(&mut out, trace, &summary, &case, over_time);
    windows(&mut out, trace);
    let _ = writeln!(out, "<h2>Detail</h2>");
    for score in trace.scores() {
        score_detail(&mut out, score);
    }
    let definitions: Vec<DefinitionView<'_, '_>> = trace.definitions().collect();
    if !definitions.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Definitions ({})</summary>",
            definitions.len()
        );
        for d in definitions {
            definition(&mut out, d);
        }
        let _ = writeln!(out, "</details>");
    }
    let _ = writeln!(out, "</main></body></html>");
    out
}

fn first_screen(
    out: &mut String,
    trace: &Trace<'_>,
    s: &Summary<'_, '_>,
    case: &str,
    over_time: Option<&Timeline>,
) {
    let _ = write!(
        out,
        "<header><div><h1>{} · {}</h1>",
        esc(trace.program().profile().title()),
        esc(case)
    );
    match &s.verdict {
        Some(v) => {
            let _ = write!(
                out,
                "<p class=\"verdict\" id=\"verdict\">{}</p>",
                esc(v.view.label())
            );
            if let Some(reason) = v.view.reason() {
                let _ = write!(out, "<p class=\"reason\">{}</p>", esc(&reason));
            }
            for line in super::summary::decided_by_lines(s) {
                let _ = write!(out, "<p class=\"decided muted\">{}</p>", esc(&line));
            }
            for line in super::summary::conflict_lines(v) {
                let _ = write!(out, "<p class=\"conflict against\">{}</p>", esc(&line));
            }
            let _ = write!(out, "</div><div>");
            if v.settled() {
                let _ = write!(
                    out,
                    "<span class=\"badge settled\" id=\"state\">settled</span><p class=\"muted\">No unknown evidence could change the verdict.</p>"
                );
            } else if v.possible.len() == 1 {
                let _ = write!(
                    out,
                    "<span class=\"badge open\" id=\"state\">open</span><p class=\"muted\">The evidence conflicts.</p>"
                );
            } else {
                let others: Vec<String> = v.possible[1..]
                    .iter()
                    .map(|l| format!("<b>{}</b>", esc(l)))
                    .collect();
                let _ = write!(
                    out,
                    "<span class=\"badge open\" id=\"state\">open</span><p class=\"muted\">Could become {} once unknown evidence is known.</p>",
                    others.join(" or ")
                );
            }
        }
        None => {
            let _ = write!(out, "</div><div>");
        }
    }
    let _ = writeln!(out, "</div></header>");
    if let Some(as_of) = trace.as_of() {
        let _ = writeln!(
            out,
            "<p class=\"muted\" id=\"as-of\"><b>As of {}</b>: {}</p>",
            esc(&format::timestamp(as_of.at)),
            esc(&super::summary::as_of_note(as_of))
        );
    }
    let _ = writeln!(out, "<div class=\"grid\">");
    for score in &s.scores {
        let view = score.view;
        let mode = view.mode();
        let _ = write!(
            out,
            "<section class=\"card score\"><h3>{} <span class=\"muted\">· {}</span></h3>",
            esc(view.name()),
            esc(view.title())
        );
        match view.probability() {
            Some(p) => {
                let _ = write!(
                    out,
                    "<span class=\"value\">{}</span> <span class=\"word\">{} (ICD 203)</span>",
                    format::percent(p),
                    format::estimative(p)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<span class=\"value\">{}</span>",
                    esc(&format::score_value(mode, view.value()))
                );
            }
        }
        if let Some(band) = view.band() {
            let _ = write!(out, " · band <b>{}</b>", esc(band.label()));
        }
        let note = super::summary::state_note(view);
        let (state, detail) = note.split_once(": ").unwrap_or((note.as_str(), ""));
        let _ = write!(
            out,
            " <span class=\"badge {state}\">{state}</span> <span class=\"muted\">{}</span>",
            esc(detail)
        );
        let _ = write!(out, "<ul class=\"reasons\">");
        for (class, criteria) in [
            ("for", &score.strongest_for),
            ("against", &score.strongest_against),
        ] {
            for c in criteria.iter() {
                let words = c.reason().unwrap_or_else(|| c.title().to_string());
                let _ = write!(
                    out,
                    "<li><span class=\"{class} amount\">{}</span> {}</li>",
                    esc(&c.amount()),
                    esc(&words)
                );
            }
        }
        let _ = write!(out, "</ul>");
        for m in &score.margins {
            let _ = write!(out, "<p class=\"muted\">{}</p>", esc(&m.describe(mode)));
        }
        let _ = writeln!(out, "</section>");
    }
    let _ = writeln!(out, "</div>");
    if !s.changes.is_empty() {
        let _ = writeln!(
            out,
            "<h2>What unknown evidence could change</h2><ul class=\"changes\">"
        );
        for c in s.changes.iter().take(6) {
            let when = match c.cause.condition() {
                Some(condition) => format!("if <code>{}</code>", esc(condition)),
                None => "if none of its conditions held".to_string(),
            };
            let amount = c
                .amount()
                .map(|a| format!(", {}", esc(&a)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<li>{when} ({}{amount}): {}</li>",
                esc(&c.cause.place(c.score)),
                esc(&c.effect())
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    if let Some(over_time) = over_time {
        timeline(out, trace, over_time);
    }
    let p = trace.provenance();
    let _ = writeln!(
        out,
        "<p class=\"prov\">Rules {} {} ({}) · case {} · {}</p>",
        esc(p.ruleset),
        esc(p.version),
        esc(p.rules_hash),
        esc(p.case_hash.unwrap_or("not hashed")),
        p.engine
    );
}

/// The judgement over time (`credence timeline`): an axis with a mark where each judgement
/// was reached, and a table of each stretch, what brought it, and the verdict and bands then;
/// a changed verdict is in bold, and the stretch in force at an as-of moment is marked.
fn timeline(out: &mut String, trace: &Trace<'_>, timeline: &Timeline) {
    let stretches = &timeline.stretches;
    let (Some(first), Some(last)) = (stretches.first(), stretches.last()) else {
        return;
    };
    let (first, last) = (first.at, last.at);
    let span = (last - first).max(1) as f64;
    let (width, left, right) = (1200.0, 10.0, 10.0);
    let rows = stretches.len().min(6);
    let height = 34 + rows as i32 * 15;
    let _ = writeln!(
        out,
        "<h2>The judgement over time</h2><svg id=\"timeline\" role=\"img\" aria-label=\"the judgement over time\" width=\"100%\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\">"
    );
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" y1=\"14\" x2=\"{}\" y2=\"14\" stroke=\"#1d2430\"/>",
        width - right
    );
    let mut previous: Option<&Judgement> = None;
    for (i, stretch) in stretches.iter().enumerate() {
        let x = left + (stretch.at - first) as f64 / span * (width - left - right);
        let y = 30 + (i % rows) as i32 * 15;
        let (anchor, text_x) = if x > width / 2.0 {
            ("end", x - 3.0)
        } else {
            ("start", x + 3.0)
        };
        let changed = verdict_of(&stretch.judgement) != previous.and_then(verdict_of);
        let colour = if changed { "#b3261e" } else { "#1f5fa8" };
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"14\" r=\"4\" fill=\"{colour}\"/><line x1=\"{x:.1}\" y1=\"14\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#d9dee6\"/><text x=\"{text_x:.1}\" y=\"{y}\" text-anchor=\"{anchor}\">{} <tspan fill=\"#5b6575\">{} (+{})</tspan></text>",
            y - 9,
            esc(verdict_of(&stretch.judgement).unwrap_or("no claim yet")),
            esc(&format::timestamp(stretch.at)),
            esc(&format::duration(stretch.at - first))
        );
        previous = Some(&stretch.judgement);
    }
    let _ = writeln!(out, "</svg>");
    let _ = writeln!(
        out,
        "<table id=\"judgements\"><tr><th>from</th><th>what arrived</th><th>verdict</th><th>scores</th></tr>"
    );
    let as_of = trace.as_of().map(|a| a.at);
    let profile = &trace.program().profile;
    let mut previous: Option<&Judgement> = None;
    for (i, stretch) in stretches.iter().enumerate() {
        let until = stretches.get(i + 1).map(|next| next.at);
        let current = as_of.is_some_and(|at| at >= stretch.at && until.is_none_or(|u| at < u));
        let arrived = stretch
            .arrived
            .first()
            .map(|(_, arrived)| crate::timeline::arrivals_text(arrived, profile, timeline.start))
            .unwrap_or_default();
        let nothing_yet = profile.nothing_yet();
        let verdict = verdict_of(&stretch.judgement).unwrap_or(&nothing_yet);
        let verdict = if verdict_of(&stretch.judgement) != previous.and_then(verdict_of) {
            format!("<b>{}</b>", esc(verdict))
        } else {
            esc(verdict)
        };
        let scores = match &stretch.judgement {
            Judgement::NoClaimYet => String::new(),
            Judgement::Scored { scores, .. } => scores
                .iter()
                .map(|s| {
                    let band = s
                        .band
                        .as_deref()
                        .map(|b| format!(", {b}"))
                        .unwrap_or_default();
                    let state = if s.settled { "settled" } else { "open" };
                    esc(&format!("{} {}{band} ({state})", s.name, s.value))
                })
                .collect::<Vec<_>>()
                .join("<br>"),
        };
        let marker = if current {
            " <span class=\"badge open\">as of</span>"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}{marker}</td><td>{}</td><td>{verdict}</td><td>{scores}</td></tr>",
            esc(&format::timestamp(stretch.at)),
            esc(&arrived)
        );
        previous = Some(&stretch.judgement);
    }
    let _ = writeln!(out, "</table>");
}

fn verdict_of(judgement: &Judgement) -> Option<&str> {
    match judgement {
        Judgement::NoClaimYet => None,
        Judgement::Scored { verdict, .. } => verdict.as_deref(),
    }
}

/// The replication wave: each window over a list with times, as a histogram of its items over
/// time, counted, excluded, duplicate and unknown items stacked.
fn windows(out: &mut String, trace: &Trace<'_>) {
    // Per list, the window that counted the most items: the wave, not a filter that excluded it.
    let mut chosen: Vec<(WindowView<'_, '_>, &str)> = Vec::new();
    for d in trace.definitions() {
        for w in d.evidence().filter_map(|e| e.window()) {
            if !w.has_times() || w.marks().is_empty() {
                continue;
            }
            let counted =
                |w: &WindowView<'_, '_>| w.count(Mark::Counted) + w.count(Mark::Duplicate);
            match chosen.iter_mut().find(|(c, _)| c.list() == w.list()) {
                Some(entry) if counted(&w) > counted(&entry.0) => *entry = (w, d.name()),
                Some(_) => {}
                None => chosen.push((w, d.name())),
            }
        }
    }
    for (w, name) in chosen {
        histogram(out, &w, name);
    }
}

const MARKS: [(Mark, &str, &str); 4] = [
    (Mark::Counted, "counted", "#1f7a4d"),
    (Mark::Duplicate, "duplicate", "#8fc1a5"),
    (Mark::Excluded, "excluded", "#c9ced6"),
    (Mark::Unknown, "unknown", "#e3a008"),
];

fn histogram(out: &mut String, w: &WindowView<'_, '_>, name: &str) {
    let times: Vec<(i64, Mark)> = (0..w.marks().len())
        .filter_map(|i| w.time(i).map(|t| (t, w.marks()[i])))
        .collect();
    let (Some(first), Some(last)) = (
        times.iter().map(|t| t.0).min(),
        times.iter().map(|t| t.0).max(),
    ) else {
        return;
    };
    const BINS: usize = 48;
    let span = (last - first).max(1);
    let mut counts = vec![[0usize; 4]; BINS];
    for (t, mark) in &times {
        let bin = (((t - first) as f64 / span as f64) * (BINS as f64 - 1.0)).round() as usize;
        let kind = MARKS.iter().position(|(m, _, _)| m == mark).unwrap_or(0);
        counts[bin.min(BINS - 1)][kind] += 1;
    }
    let tallest = counts
        .iter()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (width, height, left, bottom) = (1200.0, 150.0, 40.0, 30.0);
    let bar = (width - left) / BINS as f64;
    let _ = writeln!(
        out,
        "<h2>{} over time</h2><p class=\"muted\">{} of {} items of <code>{}</code> counted by <code>{}</code> (definition <code>{}</code>); each bar spans {}.</p>",
        esc(w.list()),
        w.count(Mark::Counted),
        w.marks().len(),
        esc(w.list()),
        esc(&w.expression()),
        esc(name),
        esc(&format::duration(span / BINS as i64))
    );
    let _ = writeln!(
        out,
        "<svg class=\"histogram\" role=\"img\" aria-label=\"histogram of {}\" width=\"100%\" viewBox=\"0 0 {width} {}\">",
        esc(w.list()),
        height + bottom
    );
    for (i, bin) in counts.iter().enumerate() {
        let mut y = height;
        for (kind, n) in bin.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let h = *n as f64 / tallest as f64 * (height - 10.0);
            y -= h;
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{n} {}</title></rect>",
                left + i as f64 * bar,
                bar - 1.0,
                MARKS[kind].2,
                MARKS[kind].1
            );
        }
    }
    let _ = writeln!(
        out,
        "<text x=\"{left}\" y=\"{}\">{}</text><text x=\"{width}\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"0\" y=\"12\">{tallest}</text>",
        height + 14.0,
        esc(&format::timestamp(first)),
        height + 14.0,
        esc(&format::timestamp(last))
    );
    let mut x = left + 300.0;
    for (_, label, colour) in MARKS {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{label}</text>",
            height + 18.0,
            x + 14.0,
            height + 27.0
        );
        x += 90.0;
    }
    let _ = writeln!(out, "</svg>");
}

fn score_detail(out: &mut String, s: ScoreView<'_, '_>) {
    let _ = writeln!(
        out,
        "<details><summary>{} · {} · {}</summary>",
        esc(s.name()),
        esc(s.title()),
        esc(&format::score_value(s.mode(), s.value()))
    );
    if let Some(band) = s.band() {
        let _ = writeln!(
            out,
            "<p>Band <b>{}</b> by <code>{}</code> ({}).</p>",
            esc(band.label()),
            esc(&band.test()),
            esc(&band.rule().to_string())
        );
    }
    let unit = match s.mode() {
        ScoreMode::Evidence { .. } => "ratio",
        ScoreMode::Additive => "points",
    };
    let _ = writeln!(
        out,
        "<table><tr><th>criterion</th><th>{unit}</th><th>outcome</th><th>why</th><th>evidence</th></tr>"
    );
    for c in s.criteria() {
        criterion(out, c);
    }
    let _ = writeln!(out, "</table></details>");
}

fn criterion(out: &mut String, c: CriterionView<'_, '_>) {
    let amount = match c.outcome() {
        Outcome::Unknown {
            handling: Handling::Skipped,
            ..
        } => "unknown".to_string(),
        _ => c.amount(),
    };
    let outcome = match c.outcome() {
        Outcome::Applied { .. } => {
            let mut text = format!("<code>{}</code>", esc(c.condition().unwrap_or("else")));
            if let Some(r) = c.refinement() {
                let _ = write!(text, " refined by <code>{}</code>", esc(r));
            }
            text
        }
        Outcome::NoOutcome => "no outcome applied".into(),
        Outcome::Unknown { handling, .. } => {
            let what = match handling {
                Handling::Skipped => "unknown, left out",
                Handling::Defaulted => "unknown, stated default",
            };
            format!("{what}: {}", esc(&c.unknown_paths().join(", ")))
        }
    };
    let mut why = c.reason().map(|r| esc(&r)).unwrap_or_default();
    for test in c.range_tests() {
        let _ = write!(
            why,
            "<br><code>{}</code> {}",
            esc(test.text()),
            esc(&test.explanation())
        );
    }
    for a in c.alternatives() {
        let when = if a.otherwise() {
            "otherwise".to_string()
        } else {
            format!("if <code>{}</code>", esc(a.condition()))
        };
        let _ = write!(
            why,
            "<br><span class=\"muted\">could be {} {when}</span>",
            esc(&format::amount(c.mode, a.contribution().max))
        );
    }
    let evidence: Vec<String> = c.evidence().map(evidence).collect();
    let _ = writeln!(
        out,
        "<tr><td title=\"{}\">{}<br><span class=\"muted\">{}</span></td><td class=\"num\">{}</td><td>{outcome}</td><td>{why}</td><td>{}</td></tr>",
        esc(c.about().unwrap_or("")),
        esc(c.title()),
        esc(&c.rule().to_string()),
        esc(&amount),
        evidence.join("<br>")
    );
}

fn evidence(e: EvidenceView<'_, '_>) -> String {
    format!("<code>{}</code> = {}", esc(e.name()), value(e.item))
}

fn value(item: EvidenceItem<'_>) -> String {
    match item.state {
        EvidenceState::Known => esc(&format::text(item.value)),
        EvidenceState::Missing => "<b>missing</b>".into(),
        EvidenceState::Null => "<b>null</b>".into(),
        EvidenceState::Unknown => "<b>unknown</b>".into(),
    }
}

fn definition(out: &mut String, d: DefinitionView<'_, '_>) {
    let shown = match d.value() {
        Value::Match(_) => "a detail match".to_string(),
        v => esc(&format::text(v)),
    };
    let _ = write!(out, "<p><code>{}</code>", esc(d.name()));
    if let Some(description) = d.description() {
        let _ = write!(out, " <span class=\"muted\">({})</span>", esc(description));
    }
    let from: Vec<String> = d.evidence().map(evidence).collect();
    let _ = writeln!(
        out,
        " = {shown}<br><span class=\"muted\">from</span> {}</p>",
        from.join(", ")
    );
    if let Some(fields) = d.fields() {
        let _ = writeln!(
            out,
            "<table><tr><th>field</th><th>matcher</th><th>claimed</th><th>confirmed</th><th>result</th></tr>"
        );
        for f in fields {
            let result = match f.result() {
                FieldResult::Match => "match",
                FieldResult::Mismatch => "<b>mismatch</b>",
                FieldResult::Unknown => "unknown",
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{result}{}</td></tr>",
                esc(&f.def.name),
                esc(f.matcher()),
                value(f.claimed),
                value(f.confirmed),
                esc(&format::similarity(f.outcome.similarity))
            );
        }
        let _ = writeln!(out, "</table>");
    }
}
