//! Explanation traces: an [`Evaluation`] seen through typed views ([`model`]), summarised for a
//! reviewer ([`summary`]), and rendered as text for a terminal, Markdown or a self-contained
//! HTML page for reviewers (with an [`index`] page for a corpus), or stable JSON for machines.
//! Rendering formats; nothing else does.

pub mod audit;
pub mod format;
pub mod html;
pub mod hypotheses;
pub mod index;
mod interchange;
pub mod json;
mod json_writer;
pub mod markdown;
pub mod misp;
pub mod model;
pub mod output;
pub mod range_test;
pub mod stix;
pub mod summary;
pub mod text;

use crate::eval::Evaluation;
use crate::program::Program;
use model::{DecisionView, DefinitionView, ScoreView};

/// What the length of a trace's rendering grows with (see [`Trace::extent`]).
pub(crate) struct Extent {
    /// The criteria and definitions it explains.
    pub(crate) explained: usize,
    /// The items its windows list.
    pub(crate) items: usize,
}

/// The explanation of one scored case.
#[derive(Debug)]
pub struct Trace<'a> {
    evaluation: Evaluation<'a>,
    case_hash: Option<String>,
    as_of: Option<AsOf>,
}

/// A case judged as of a moment: the moment, and the evidence left out as not yet known.
#[derive(Debug, Clone)]
pub struct AsOf {
    /// The moment, milliseconds since the epoch.
    pub at: i64,
    /// Evidence that became known later, in document order.
    pub left_out: Vec<crate::as_of::Dated>,
}

/// Evidence left out as not yet known, one line per field or per list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The path, with `[]` for the items of a list.
    pub path: String,
    /// For a list: how many of its items.
    pub items: Option<usize>,
    /// When the first of them became known.
    pub first_known: i64,
    /// When the last of them became known.
    pub last_known: i64,
}

impl AsOf {
    /// What was left out, grouped: one entry per field, one per list.
    pub fn grouped(&self) -> Vec<LeftOut> {
        let mut out: Vec<LeftOut> = Vec::new();
        for d in &self.left_out {
            let is_item = matches!(d.path.last(), Some(crate::as_of::Step::Index(_)));
            let path = if is_item {
                d.list_text()
            } else {
                d.path_text()
            };
            match out
                .iter_mut()
                .find(|g| g.items.is_some() && is_item && g.path == path)
            {
                Some(group) => {
                    group.items = group.items.map(|n| n + 1);
                    group.first_known = group.first_known.min(d.known_at);
                    group.last_known = group.last_known.max(d.known_at);
                }
                None => out.push(LeftOut {
                    path,
                    items: is_item.then_some(1),
                    first_known: d.known_at,
                    last_known: d.known_at,
                }),
            }
        }
        out
    }
}

/// What produced a result, so it can be replayed.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'t> {
    /// Rule-set id.
    pub ruleset: &'t str,
    /// Rule-set version.
    pub version: &'t str,
    /// Hash of the rule files.
    pub rules_hash: &'t str,
    /// Hash of the case text, when given.
    pub case_hash: Option<&'t str>,
    /// Engine name and version.
    pub engine: &'static str,
}

/// A case's `id` as traces name it, made safe to print: a string, or a number written as one.
pub(crate) fn case_name(id: crate::eval::value::Value<'_>) -> Option<String> {
    match id {
        crate::eval::value::Value::Str(s) => Some(format::clean(s).into_owned()),
        crate::eval::value::Value::Num(n) => Some(format::number(n)),
        _ => None,
    }
}

/// This engine, as named in provenance.
pub const ENGINE: &str = concat!("credence ", env!("CARGO_PKG_VERSION"));

impl<'a> Trace<'a> {
    /// The trace of an evaluation.
    pub fn new(evaluation: Evaluation<'a>) -> Trace<'a> {
        Trace {
            evaluation,
            case_hash: None,
            as_of: None,
        }
    }

    /// Marks the trace as judged on what was known at a moment.
    pub fn with_as_of(mut self, as_of: AsOf) -> Trace<'a> {
        self.as_of = Some(as_of);
        self
    }

    /// The moment the case was judged at, when it was judged as of one.
    pub fn as_of(&self) -> Option<&AsOf> {
        self.as_of.as_ref()
    }

    /// Names the case text by its hash in the provenance (see [`crate::case_hash`]).
    pub fn with_case_hash(mut self, hash: String) -> Trace<'a> {
        self.case_hash = Some(hash);
        self
    }

    /// What evaluation recorded.
    pub fn evaluation(&self) -> &Evaluation<'a> {
        &self.evaluation
    }

    /// The case's competing hypotheses weighed side by side, when the rule set declares a
    /// `hypotheses` block (on the same evidence as the trace: as of its moment, if any).
    pub fn hypotheses(&self) -> Option<Result<hypotheses::Matrix, crate::EvalError>> {
        let ev = &self.evaluation;
        crate::eval::hypotheses::weigh(ev.program, ev.case)
            .map(|weighed| weighed.map(|h| hypotheses::Matrix::new(&h)))
    }

    /// The program that produced it.
    pub fn program(&self) -> &'a Program {
        self.evaluation.program
    }

    /// What the length of a rendering grows with, for sizing its text up front.
    pub(crate) fn extent(&self) -> Extent {
        let program = self.program();
        let criteria: usize = program.scores.iter().map(|s| s.criteria.len()).sum();
        let windows = &self.evaluation.windows;
        Extent {
            explained: criteria + program.lets.len(),
            items: windows.iter().flatten().map(|w| w.marks.len()).sum(),
        }
    }

    /// The case's `id`, made safe to print.
    pub fn case_id(&self) -> Option<String> {
        case_name(self.evaluation.case_id.value)
    }

    /// The combined verdict.
    pub fn verdict(&self) -> Option<DecisionView<'_, 'a>> {
        let (def, result) = (
            self.program().verdict.as_ref()?,
            self.evaluation.verdict.as_ref()?,
        );
        Some(DecisionView {
            ev: &self.evaluation,
            def,
            result,
            probability: false,
        })
    }

    /// Every score, in order.
    pub fn scores(&self) -> impl Iterator<Item = ScoreView<'_, 'a>> + '_ {
        let ev = &self.evaluation;
        self.program()
            .scores
            .iter()
            .zip(&ev.scores)
            .enumerate()
            .map(move |(index, (def, result))| ScoreView {
                ev,
                index,
                def,
                result,
            })
    }

    /// The score called `name`.
    pub fn score(&self, name: &str) -> Option<ScoreView<'_, 'a>> {
        self.scores().find(|s| s.name() == name)
    }

    /// The definitions evaluated for this case, in program order.
    pub fn definitions(&self) -> impl Iterator<Item = DefinitionView<'_, 'a>> + '_ {
        model::definitions(&self.evaluation)
    }

    /// What produced this result.
    pub fn provenance(&self) -> Provenance<'_> {
        let meta = &self.program().meta;
        Provenance {
            ruleset: &meta.id,
            version: &meta.version,
            rules_hash: &meta.content_hash,
            case_hash: self.case_hash.as_deref(),
            engine: ENGINE,
        }
    }

    /// The summary a reviewer reads first.
    pub fn summary(&self) -> summary::Summary<'_, 'a> {
        summary::Summary::of(self)
    }
}
