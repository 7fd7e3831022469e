//! Explanation traces: an [`Evaluation`](crate::eval::Evaluation) turned into a self-contained
//! [`Report`], rendered as text for a terminal, Markdown for reviewers, or stable JSON for
//! machines.

pub mod format;
mod margin;
pub mod markdown;
mod report;
pub mod text;

pub use report::{
    Coverage, CriterionReport, Decision, Evidence, FieldReport, Margin, Provenance, Report,
    ScoreReport, Way, Window,
};
