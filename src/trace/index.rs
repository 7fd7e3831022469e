//! The index page of a corpus report (`credence report`): one line per case with its verdict,
//! settled or open, and each score, linking to the case's own HTML report; cases that could not
//! be scored are listed with the reason. Self-contained like the case pages, and every string is
//! escaped.

use std::fmt::Write;

use super::Trace;
use super::format::{self, html as esc};
use super::html::STYLE;

/// One line of the index.
pub struct IndexEntry {
    /// The case's name in the corpus (a file stem, a fixture name, `batch:3`).
    pub name: String,
    /// Its page, relative to the index; none when the case could not be scored.
    pub page: Option<String>,
    /// What the rules made of it, or why it could not be scored.
    pub outcome: Result<Judgement, String>,
}

/// A case's judgement, as the index shows it.
pub struct Judgement {
    /// The verdict, if the rules have one.
    pub verdict: Option<String>,
    /// True when no unknown evidence could change the verdict.
    pub settled: bool,
    /// Each score: its name, value (`95.5% (almost certain)`, `25 points`) and band.
    pub scores: Vec<(String, String, Option<String>)>,
}

impl Judgement {
    /// The judgement a trace holds.
    pub fn of(trace: &Trace<'_>) -> Judgement {
        let summary = trace.summary();
        Judgement {
            verdict: summary.verdict.as_ref().map(|v| v.view.label().to_string()),
            settled: summary.verdict.as_ref().is_none_or(|v| v.settled()),
            scores: trace
                .scores()
                .map(|s| {
                    (
                        s.name().to_string(),
                        format::score_value(s.mode(), s.value()),
                        s.band().map(|b| b.label().to_string()),
                    )
                })
                .collect(),
        }
    }
}

/// The index page: `heading` (the rule set's report title, made plural), `title` (the rule set
/// and corpus), then a table of `entries` in order.
pub fn render(heading: &str, title: &str, entries: &[IndexEntry]) -> String {
    let mut out = String::with_capacity(4096 + entries.len() * 256);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}s: {}</title><style>{STYLE}</style></head><body><main>\n\
         <header><div><h1>{}s</h1><p class=\"verdict\">{}</p></div></header>\n",
        esc(heading),
        esc(title),
        esc(heading),
        esc(title)
    );
    let scored = entries.iter().filter(|e| e.outcome.is_ok()).count();
    let _ = writeln!(
        out,
        "<p class=\"muted\" id=\"counts\">{} cases: {scored} scored, {} could not be scored.</p>",
        entries.len(),
        entries.len() - scored
    );
    let _ = writeln!(
        out,
        "<table id=\"cases\"><thead><tr><th>case</th><th>verdict</th><th>state</th><th>scores</th></tr></thead><tbody>"
    );
    for entry in entries {
        let name = match &entry.page {
            Some(page) => format!("<a href=\"{}\">{}</a>", esc(page), esc(&entry.name)),
            None => esc(&entry.name),
        };
        match &entry.outcome {
            Ok(j) => {
                let state = if j.settled { "settled" } else { "open" };
                let scores: Vec<String> = j
                    .scores
                    .iter()
                    .map(|(score, value, band)| {
                        let band = band
                            .as_ref()
                            .map(|b| format!(" · {}", esc(b)))
                            .unwrap_or_default();
                        format!("{} {}{band}", esc(score), esc(value))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "<tr><td>{name}</td><td>{}</td><td><span class=\"badge {state}\">{state}</span></td><td>{}</td></tr>",
                    esc(j.verdict.as_deref().unwrap_or("(no verdict)")),
                    scores.join("<br>")
                );
            }
            Err(reason) => {
                let _ = writeln!(
                    out,
                    "<tr class=\"error\"><td>{name}</td><td colspan=\"3\" class=\"against\">not scored: {}</td></tr>",
                    esc(reason)
                );
            }
        }
    }
    let _ = writeln!(out, "</tbody></table></main></body></html>");
    out
}
