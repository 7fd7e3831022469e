//! The Markdown report, for case files and pull requests: the summary first, then the detail.
//! Every string from the case or the rules is escaped (HTML entities, Markdown characters), and
//! rule text goes in code spans no backtick can end, so no renderer turns them into markup.

use std::fmt::Write;

use super::Trace;
use super::format::{self, markdown as md, markdown_code as code};
use super::model::{CriterionView, DefinitionView, EvidenceView, FieldResult, ScoreView};
use crate::eval::{EvidenceItem, EvidenceState, Handling, Mark, Outcome};
use crate::program::ScoreMode;

/// Renders a trace as Markdown.
pub fn render(trace: &Trace<'_>) -> String {
    render_with(trace, RulePaths::AsGiven)
}

/// How rule files are named in `file:line` references.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RulePaths {
    /// As they were given (`rules/claims.cred:32`), for a reader at the command line.
    AsGiven,
    /// Relative to the rule set's main file (`claims.cred:32`), for a document that leaves the
    /// machine (an export): the same wherever the rules were read from, and no local path in it.
    Relative,
}

/// Renders a trace as Markdown, naming rule files as `paths` says.
pub(crate) fn render_with(trace: &Trace<'_>, paths: RulePaths) -> String {
    let mut out = String::new();
    let s = trace.summary();
    let case = trace.case_id().unwrap_or_else(|| "(no id)".into());
    let title = trace.program().profile().title();
    let _ = writeln!(out, "# {}: {}\n", md(title), md(&case));
    if let Some(v) = &s.verdict {
        let _ = writeln!(out, "**Verdict: {}**", md(v.view.label()));
        if let Some(reason) = v.view.reason() {
            let _ = writeln!(out, "— {}", md(&reason));
        }
        out.push('\n');
        for line in super::summary::decided_by_lines(&s)
            .into_iter()
            .chain(super::summary::conflict_lines(v))
        {
            let _ = writeln!(out, "{}\n", md(&line));
        }
        if v.settled() {
            let _ = writeln!(
                out,
                "Settled: no unknown evidence could change the verdict.\n"
            );
        } else if v.possible.len() == 1 {
            let _ = writeln!(out, "Open: the evidence conflicts.\n");
        } else {
            let others: Vec<String> = v.possible[1..]
                .iter()
                .map(|l| format!("*{}*", md(l)))
                .collect();
            let _ = writeln!(
                out,
                "Open: once unknown evidence is known it could become {}.\n",
                others.join(" or ")
            );
        }
    }
    if let Some(as_of) = trace.as_of() {
        let _ = writeln!(
            out,
            "**As of {}**: {}\n",
            format::timestamp(as_of.at),
            md(&super::summary::as_of_note(as_of))
        );
    }
    let _ = writeln!(
        out,
        "| score | value | band | for | against |\n|---|---|---|---|---|"
    );
    for score in &s.scores {
        let view = score.view;
        let mode = view.mode();
        let value = match view.probability() {
            Some(p) => format!("{}, {}", format::percent(p), format::estimative(p)),
            None => format::score_value(mode, view.value()),
        };
        let band = view.band().map(|b| md(b.label())).unwrap_or_default();
        let state = md(&super::summary::state_note(view));
        let listed = |criteria: &[CriterionView<'_, '_>]| {
            criteria
                .iter()
                .map(|c| format!("{} {}", md(c.title()), c.amount()))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = writeln!(
            out,
            "| {} | {value} | {band} ({state}) | {} | {} |",
            md(view.name()),
            listed(&score.strongest_for),
            listed(&score.strongest_against)
        );
    }
    out.push('\n');
    for score in &s.scores {
        for m in &score.margins {
            let _ = writeln!(
                out,
                "- {}: {}",
                md(score.view.name()),
                md(&m.describe(score.view.mode()))
            );
        }
    }
    if !s.changes.is_empty() {
        let _ = writeln!(out, "\n**What unknown evidence could change:**\n");
        for c in &s.changes {
            let when = match c.cause.condition() {
                Some(condition) => format!("if {}", code(condition)),
                None => "if none of its conditions held".to_string(),
            };
            let amount = c.amount().map(|a| format!(", {a}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "- {when} ({}{amount}): {}",
                md(&c.cause.place(c.score)),
                md(&c.effect())
            );
        }
    }
    let p = trace.provenance();
    let _ = writeln!(
        out,
        "\n<sub>Rules {} {} ({}), case {}, {}.</sub>\n",
        md(p.ruleset),
        md(p.version),
        code(p.rules_hash),
        code(p.case_hash.unwrap_or("not hashed")),
        p.engine
    );
    let _ = writeln!(out, "## Detail\n");
    for score in trace.scores() {
        score_detail(&mut out, score, paths);
    }
    let definitions: Vec<DefinitionView<'_, '_>> = trace.definitions().collect();
    if !definitions.is_empty() {
        let _ = writeln!(out, "### Definitions\n");
        for d in definitions {
            definition(&mut out, d);
        }
    }
    out
}

fn score_detail(out: &mut String, s: ScoreView<'_, '_>, paths: RulePaths) {
    let _ = writeln!(out, "### {} ({})\n", md(s.title()), code(s.name()));
    if let Some(band) = s.band() {
        let _ = writeln!(
            out,
            "{}; band *{}* by {} ({}).\n",
            format::score_value(s.mode(), s.value()),
            md(band.label()),
            code(&band.test()),
            md(&rule_ref(band.rule_span(), s.program(), paths))
        );
    }
    let unit = match s.mode() {
        ScoreMode::Evidence { .. } => "ratio",
        ScoreMode::Additive => "points",
    };
    let _ = writeln!(
        out,
        "| criterion | {unit} | outcome | why | evidence |\n|---|---:|---|---|---|"
    );
    for c in s.criteria() {
        criterion_row(out, c, paths);
    }
    out.push('\n');
}

fn criterion_row(out: &mut String, c: CriterionView<'_, '_>, paths: RulePaths) {
    let amount = match c.outcome() {
        Outcome::Unknown {
            handling: Handling::Skipped,
            ..
        } => "unknown".to_string(),
        _ => c.amount(),
    };
    let outcome = match c.outcome() {
        Outcome::Applied { .. } => {
            let mut text = code(c.condition().unwrap_or("else"));
            if let Some(refinement) = c.refinement() {
                let _ = write!(text, ", refined by {}", code(refinement));
            }
            text
        }
        Outcome::NoOutcome => "no outcome applied".into(),
        Outcome::Unknown { handling, .. } => {
            let unknown = c.unknown_paths();
            let what = match handling {
                Handling::Skipped => "unknown, left out",
                Handling::Defaulted => "unknown, stated default",
            };
            if unknown.is_empty() {
                what.to_string()
            } else {
                format!("{what}: {}", md(&unknown.join(", ")))
            }
        }
    };
    let mut why = c.reason().map(|r| md(&r)).unwrap_or_default();
    for test in c.range_tests() {
        let _ = write!(why, "<br>{} {}", code(test.text()), md(&test.explanation()));
    }
    for alternative in c.alternatives() {
        let when = if alternative.otherwise() {
            "otherwise".to_string()
        } else {
            format!("if {}", code(alternative.condition()))
        };
        let _ = write!(
            why,
            "<br>could be {} {when}",
            format::amount(c.mode, alternative.contribution().max)
        );
    }
    let evidence: Vec<String> = c.evidence().map(evidence).collect();
    let _ = writeln!(
        out,
        "| {} ({}) | {amount} | {outcome} | {why} | {} |",
        md(c.title()),
        md(&rule_ref(c.rule_span(), c.program(), paths)),
        evidence.join("<br>")
    );
}

/// `file:line` of a rule, the file named as `paths` says.
fn rule_ref(
    span: crate::source::Span,
    program: &crate::program::Program,
    paths: RulePaths,
) -> String {
    match paths {
        RulePaths::AsGiven => program.sources.line_ref(span),
        RulePaths::Relative => program.sources.relative_line_ref(span),
    }
}

fn evidence(e: EvidenceView<'_, '_>) -> String {
    format!("{} = {}", code(e.name()), value(e.item))
}

fn value(item: EvidenceItem<'_>) -> String {
    match item.state {
        EvidenceState::Known => md(&format::text(item.value)),
        EvidenceState::Missing => "**missing**".into(),
        EvidenceState::Null => "**null**".into(),
        EvidenceState::Unknown => "**unknown**".into(),
    }
}

fn definition(out: &mut String, d: DefinitionView<'_, '_>) {
    let description = d
        .description()
        .map(|t| format!(" ({})", md(t)))
        .unwrap_or_default();
    let shown = match d.value() {
        crate::eval::value::Value::Match(_) => "a detail match".to_string(),
        v => md(&format::text(v)),
    };
    let _ = writeln!(out, "- {}{description} = {shown}", code(d.name()));
    let from: Vec<String> = d.evidence().map(evidence).collect();
    if !from.is_empty() {
        let _ = writeln!(out, "  - from {}", from.join(", "));
    }
    for window in d.evidence().filter_map(|e| e.window()) {
        let _ = writeln!(
            out,
            "  - {} items of {}: {} counted, {} excluded, {} duplicates, {} unknown",
            window.marks.len(),
            code(window.list()),
            window.count(Mark::Counted),
            window.count(Mark::Excluded),
            window.count(Mark::Duplicate),
            window.count(Mark::Unknown)
        );
    }
    if let Some(fields) = d.fields() {
        let _ = writeln!(
            out,
            "\n  | field | matcher | claimed | confirmed | result |\n  |---|---|---|---|---|"
        );
        for f in fields {
            let result = match f.result() {
                FieldResult::Match => "match",
                FieldResult::Mismatch => "**mismatch**",
                FieldResult::Unknown => "unknown",
            };
            let _ = writeln!(
                out,
                "  | {} | {} | {} | {} | {result}{} |",
                md(&f.def.name),
                md(f.matcher()),
                value(f.claimed),
                value(f.confirmed),
                format::similarity(f.outcome.similarity)
            );
        }
        out.push('\n');
    }
}
