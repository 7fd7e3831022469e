//! The output formats of a scored case, and the one place that writes a trace in each: the
//! command line (`credence score --format …`) and the service (`POST /v1/score?format=…`) both
//! write through here, so the two never differ.

use super::{Trace, format, html, json, markdown, misp, stix, text};
use crate::program::Program;

/// How a scored case is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The explanation trace, for a terminal: a summary, then the detail.
    Text,
    /// Stable JSON (one object per line for batches); see docs/TRACE.md.
    Json,
    /// A Markdown report for reviewers.
    Markdown,
    /// A self-contained HTML page for reviewers.
    Html,
    /// A STIX 2.1 bundle per case; see docs/INTERCHANGE.md.
    Stix,
    /// A MISP event (core format) per case; see docs/INTERCHANGE.md.
    Misp,
}

impl Format {
    /// The format named `name` (`json`, `text`, …).
    pub fn named(name: &str) -> Option<Format> {
        clap::ValueEnum::from_str(name, true).ok()
    }

    /// Its media type, for a service's answers.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Json | Format::Stix | Format::Misp => "application/json",
        }
    }
}

/// Writes `trace`, of the case `case` (its bytes) scored with `program`, as `format`:
/// `brief` keeps the text to its summary, `line` writes JSON on one line (a batch). An
/// export the format cannot hold is refused with the reason.
pub fn write(
    trace: &Trace<'_>,
    program: &Program,
    case: &[u8],
    format: Format,
    brief: bool,
    line: bool,
) -> Result<String, String> {
    // The interchange formats also describe the case (claimant, channel, dates), from the
    // document itself: rules need not read those fields.
    let document = || serde_json::from_slice(case).unwrap_or_default();
    match format {
        Format::Text if brief => Ok(text::summary(trace)),
        Format::Text => Ok(text::render(trace)),
        Format::Markdown => Ok(markdown::render(trace)),
        // The HTML page shows the judgement over time.
        Format::Html => Ok(html::render(
            trace,
            crate::timeline::timeline(program, case).ok().as_ref(),
        )),
        Format::Json if line => Ok(json::render_line(trace)),
        Format::Json => Ok(json::render(trace)),
        Format::Stix if line => stix::render_line(trace, &document()),
        Format::Stix => stix::render(trace, &document()),
        Format::Misp if line => misp::render_line(trace, &document()),
        Format::Misp => misp::render(trace, &document()),
    }
}

/// What a case judged before its claim was known is written as: there is no judgement.
pub fn nothing_yet(
    program: &Program,
    not_yet: &crate::NotYet,
    format: Format,
    line: bool,
) -> String {
    let at = format::timestamp(not_yet.at);
    let sentence = not_yet.sentence();
    let case = not_yet.case.as_deref().unwrap_or("(no id)");
    let title = program.profile().title();
    match format {
        // Before the claim there is no judgement to export.
        Format::Json | Format::Stix | Format::Misp => json::no_claim_yet(not_yet, !line),
        Format::Text => format!("Case {}: as of {at}, {sentence}.\n", format::clean(case)),
        Format::Markdown => format!(
            "# {}: {}\n\n**As of {at}**: {sentence}.\n",
            format::markdown(title),
            format::markdown(case)
        ),
        Format::Html => format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{}</title><p>Case {}: as of {at}, {sentence}.</p></html>\n",
            format::html(title),
            format::html(case)
        ),
    }
}
