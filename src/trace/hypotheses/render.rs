//! The matrix of competing hypotheses as text for a terminal, as Markdown and as an HTML
//! section: the probabilities, the judgement, evidence rows against hypothesis columns, and
//! each row's reasons with the hypotheses they apply to.

use std::fmt::Write;

use super::super::format;
use super::{Matrix, Row};

/// The matrix as text.
pub fn text(m: &Matrix) -> String {
    let mut out = String::new();
    let title = m.title.as_deref().unwrap_or(&m.name);
    let _ = writeln!(out, "Competing hypotheses: {title}");
    let _ = writeln!(out, "  {}", m.summary);
    for change in m.changes.iter().skip(1) {
        let _ = writeln!(out, "  Also: {}.", change.sentence);
    }
    for conflict in m.conflicts.iter().skip(1) {
        let _ = writeln!(out, "  Also in conflict: {}.", conflict.sentence);
    }
    out.push('\n');
    let width = m
        .hypotheses
        .iter()
        .map(|h| h.shown.len())
        .max()
        .unwrap_or(0);
    for h in &m.hypotheses {
        let lead = if m.leader.as_deref() == Some(h.id.as_str()) {
            "  ← leader"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<4}{:>width$}  {:<20}{}{lead}",
            h.id, h.shown, h.estimative, h.title
        );
    }
    let _ = writeln!(
        out,
        "  The probabilities add up to 100%: the hypotheses start level and each row weighs them against one another."
    );
    if m.groups_left_out > 0 {
        let _ = writeln!(
            out,
            "  {} more group(s) named by the case were left out (at most {} are weighed).",
            m.groups_left_out,
            crate::eval::hypotheses::MAX_GROUPS
        );
    }
    out.push('\n');
    let label_width = m
        .rows
        .iter()
        .map(|r| r.title.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 44);
    let cell_width = m
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| cell_text(c).chars().count()))
        .chain(m.hypotheses.iter().map(|h| h.id.len()))
        .max()
        .unwrap_or(2)
        + 2;
    let _ = write!(out, "  {:<label_width$}", "Evidence");
    for h in &m.hypotheses {
        let _ = write!(out, "{:>cell_width$}", h.id);
    }
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "  {:<label_width$}", truncate(&row.title, label_width));
        for cell in &row.cells {
            let _ = write!(out, "{:>cell_width$}", cell_text(cell));
        }
        if !row.diagnostic {
            out.push_str("   non-diagnostic");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "  ×N: the likelihood ratio of the row's evidence under the hypothesis; ? unknown (could be ×a–×b once known); non-diagnostic: the same under every hypothesis."
    );
    out.push('\n');
    for row in &m.rows {
        let _ = writeln!(out, "  {} ({})", row.title, format::clean(&row.rule));
        for (shown, ids, reason) in reasons(row) {
            let _ = writeln!(out, "    {shown:<8} {ids}: {reason}");
        }
    }
    out
}

/// The matrix as a Markdown section.
pub fn markdown(m: &Matrix) -> String {
    let md = format::markdown;
    let mut out = String::new();
    let title = m.title.as_deref().unwrap_or(&m.name);
    let _ = writeln!(out, "## Competing hypotheses: {}\n", md(title));
    let _ = writeln!(out, "{}\n", md(&m.summary));
    for change in m.changes.iter().skip(1) {
        let _ = writeln!(out, "- Also: {}.", md(&change.sentence));
    }
    for conflict in m.conflicts.iter().skip(1) {
        let _ = writeln!(out, "- Also in conflict: {}.", md(&conflict.sentence));
    }
    if m.changes.len() > 1 || m.conflicts.len() > 1 {
        out.push('\n');
    }
    out.push_str("| | Hypothesis | Probability | |\n|---|---|---|---|\n");
    for h in &m.hypotheses {
        let lead = if m.leader.as_deref() == Some(h.id.as_str()) {
            "**leader**"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} ({}) | {lead} |",
            h.id,
            md(&h.title),
            h.shown,
            h.estimative
        );
    }
    out.push_str("\nThe probabilities add up to 100%: the hypotheses start level and each row weighs them against one another.\n\n");
    out.push_str("| Evidence |");
    for h in &m.hypotheses {
        let _ = write!(out, " {} |", h.id);
    }
    out.push_str("\n|---|");
    for _ in &m.hypotheses {
        out.push_str("---|");
    }
    out.push('\n');
    for row in &m.rows {
        let note = if row.diagnostic {
            ""
        } else {
            " *(non-diagnostic)*"
        };
        let _ = write!(out, "| {}{note} |", md(&row.title));
        for cell in &row.cells {
            let _ = write!(out, " {} |", cell_text(cell));
        }
        out.push('\n');
    }
    out.push_str("\n×N: the likelihood ratio of the row's evidence under the hypothesis; ? unknown (could be ×a–×b once known); non-diagnostic: the same under every hypothesis.\n\n");
    for row in &m.rows {
        let _ = writeln!(
            out,
            "**{}** ({})\n",
            md(&row.title),
            format::markdown_code(&row.rule)
        );
        for (shown, ids, reason) in reasons(row) {
            let _ = writeln!(out, "- {shown} {ids}: {}", md(&reason));
        }
        out.push('\n');
    }
    out
}

/// The matrix as an HTML section (escaped; no script).
pub fn html(m: &Matrix) -> String {
    let esc = format::html;
    let mut out = String::new();
    let title = m.title.as_deref().unwrap_or(&m.name);
    let _ = writeln!(
        out,
        "<section id=\"hypotheses\"><h2>Competing hypotheses: {}</h2>",
        esc(title)
    );
    let _ = writeln!(out, "<p><strong>{}</strong></p>", esc(&m.summary));
    for change in m.changes.iter().skip(1) {
        let _ = writeln!(out, "<p>Also: {}.</p>", esc(&change.sentence));
    }
    for conflict in m.conflicts.iter().skip(1) {
        let _ = writeln!(out, "<p>Also in conflict: {}.</p>", esc(&conflict.sentence));
    }
    out.push_str(
        "<table><thead><tr><th></th><th>Hypothesis</th><th>Probability</th></tr></thead><tbody>\n",
    );
    for h in &m.hypotheses {
        let lead = if m.leader.as_deref() == Some(h.id.as_str()) {
            " <strong>leader</strong>"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{} ({}){lead}</td></tr>",
            esc(&h.id),
            esc(&h.title),
            esc(&h.shown),
            esc(h.estimative)
        );
    }
    out.push_str("</tbody></table>\n<p>The probabilities add up to 100%: the hypotheses start level and each row weighs them against one another.</p>\n");
    out.push_str("<table><thead><tr><th>Evidence</th>");
    for h in &m.hypotheses {
        let _ = write!(out, "<th title=\"{}\">{}</th>", esc(&h.title), esc(&h.id));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &m.rows {
        let note = if row.diagnostic {
            ""
        } else {
            " <em>(non-diagnostic)</em>"
        };
        let _ = write!(out, "<tr><td>{}{note}</td>", esc(&row.title));
        for cell in &row.cells {
            let _ = write!(
                out,
                "<td title=\"{}\">{}</td>",
                esc(cell.reason.as_deref().unwrap_or("")),
                esc(&cell_text(cell))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n<p>×N: the likelihood ratio of the row's evidence under the hypothesis; ? unknown (could be ×a–×b once known); non-diagnostic: the same under every hypothesis.</p>\n");
    for row in &m.rows {
        let _ = writeln!(
            out,
            "<details><summary>{} <code>{}</code></summary><ul>",
            esc(&row.title),
            esc(&row.rule)
        );
        for (shown, ids, reason) in reasons(row) {
            let _ = writeln!(
                out,
                "<li>{} {}: {}</li>",
                esc(&shown),
                esc(&ids),
                esc(&reason)
            );
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</section>\n");
    out
}

/// A cell as the matrix prints it: `×3`, `?` for unknown, with the ratios it could take.
fn cell_text(cell: &super::Cell) -> String {
    let base = if cell.state == "unknown" {
        "?".to_string()
    } else {
        cell.shown.clone()
    };
    match cell.could_be {
        Some([lo, hi]) => format!(
            "{base} ({}–{})",
            format::ratio(lo),
            format::ratio(hi).trim_start_matches('×')
        ),
        None => base,
    }
}

/// A row's distinct reasons, each with its ratio and the hypotheses it applies to, in column
/// order of first use.
fn reasons(row: &Row) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, Vec<&str>, String)> = Vec::new();
    for cell in &row.cells {
        let shown = cell_text(cell);
        let mut reason =
            format::clean(cell.reason.as_deref().unwrap_or("(no reason given)")).into_owned();
        if !cell.unknown.is_empty() {
            reason = format!("{reason} (unknown: {})", cell.unknown.join(", "));
        }
        match out.iter_mut().find(|(s, _, r)| *s == shown && *r == reason) {
            Some((_, ids, _)) => ids.push(&cell.hypothesis),
            None => out.push((shown, vec![&cell.hypothesis], reason)),
        }
    }
    out.into_iter()
        .map(|(shown, ids, reason)| (shown, ids.join(" "), reason))
        .collect()
}

/// `text` cut to `width` characters, with `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
