//! The output formats of a scored case, and the one place that writes a trace in each: the
//! command line (`credence score --format …`) and the service (`POST /v1/score?format=…`) both
//! write through here, so the two never differ.

use super::hypotheses::{self, Matrix};
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
    /// The matrix of competing hypotheses as CSV (with `--hypotheses`).
    Csv,
    /// The matrix of competing hypotheses as an ACH project file, gzipped UTF-16 XML (with
    /// `--hypotheses`; binary, so the command line only).
    Achz,
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
            Format::Csv => "text/csv; charset=utf-8",
            Format::Achz => "application/gzip",
        }
    }
}

/// How a scored case is written besides its format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// Text only: the summary, not the detail.
    pub brief: bool,
    /// JSON on one line (a batch).
    pub line: bool,
    /// With the matrix of the case's competing hypotheses (the rule set's `hypotheses` block).
    pub hypotheses: bool,
}

/// Writes `trace`, of the case `case` (its bytes) scored with `program`, as `format`, shaped
/// by `shape`. An export the format cannot hold is refused with the reason; so is the ACH
/// file, which is binary ([`write_bytes`] writes it).
pub fn write(
    trace: &Trace<'_>,
    program: &Program,
    case: &[u8],
    format: Format,
    shape: Shape,
) -> Result<String, String> {
    let matrix = matrix(trace, format, shape)?;
    let m = matrix.as_ref();
    // The interchange formats also describe the case (claimant, channel, dates), from the
    // document itself: rules need not read those fields.
    let document = || serde_json::from_slice(case).unwrap_or_default();
    let with_matrix = |written: String, section: fn(&Matrix) -> String| match m {
        Some(m) => format!("{written}\n{}", section(m)),
        None => written,
    };
    match format {
        Format::Text if shape.brief => Ok(with_matrix(text::summary(trace), hypotheses::render::text)),
        Format::Text => Ok(with_matrix(text::render(trace), hypotheses::render::text)),
        Format::Markdown => Ok(with_matrix(markdown::render(trace), hypotheses::render::markdown)),
        // The HTML page shows the judgement over time.
        Format::Html => {
            let page = html::render(trace, crate::timeline::timeline(program, case).ok().as_ref());
            Ok(match (m, page.rfind("</main>")) {
                (Some(m), Some(end)) => {
                    format!("{}{}{}", &page[..end], hypotheses::render::html(m), &page[end..])
                }
                _ => page,
            })
        }
        Format::Json => Ok(json::render_with(trace, m, shape.line)),
        Format::Stix => stix::render_with(trace, &document(), m, shape.line),
        Format::Misp => misp::render_with(trace, &document(), m, shape.line),
        Format::Csv => Ok(m.map(hypotheses::export::csv).unwrap_or_default()),
        Format::Achz => Err("an ACH file is binary: write it with `credence score --hypotheses --format achz RULES CASE > case.achz`".into()),
    }
}

/// Writes as [`write`] does, and the ACH file too.
pub fn write_bytes(
    trace: &Trace<'_>,
    program: &Program,
    case: &[u8],
    format: Format,
    shape: Shape,
) -> Result<Vec<u8>, String> {
    if format != Format::Achz {
        return write(trace, program, case, format, shape).map(String::into_bytes);
    }
    let matrix = matrix(trace, format, shape)?.ok_or("no matrix of hypotheses to write")?;
    let project = format!(
        "{}: {}",
        program.profile().title(),
        trace.case_id().unwrap_or_else(|| "(no id)".into())
    );
    Ok(hypotheses::export::achz(&matrix, &project))
}

/// The matrix the shape asks for, or why there is none: the rule set declares no hypotheses,
/// or the case needs more work than the budget allows. The CSV and ACH formats hold only the
/// matrix, so they need it.
fn matrix(trace: &Trace<'_>, format: Format, shape: Shape) -> Result<Option<Matrix>, String> {
    let needed = matches!(format, Format::Csv | Format::Achz);
    if !shape.hypotheses && !needed {
        return Ok(None);
    }
    if needed && !shape.hypotheses {
        return Err(format!(
            "the {} format holds the matrix of competing hypotheses: add `--hypotheses`",
            if format == Format::Csv { "csv" } else { "achz" }
        ));
    }
    match trace.hypotheses() {
        None => Err(hypotheses::undeclared(trace.program())),
        Some(Err(e)) => Err(e.to_string()),
        Some(Ok(m)) => Ok(Some(m)),
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
        Format::Text | Format::Csv | Format::Achz => {
            format!("Case {}: as of {at}, {sentence}.\n", format::clean(case))
        }
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
