//! Credence: a rule engine that scores claims of responsibility and explains every point.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text → tree) → [`check`] (names, types, schema → [`program::Program`]) →
//! [`case`] (JSON → the values the program reads) → [`eval`] (program × case → [`eval::Evaluation`])
//! → [`trace`] (evaluation → report → text or JSON). [`fixture`] runs rule fixtures for CI.
#![warn(missing_docs)]

pub mod batch;
pub mod case;
pub mod check;
pub mod diagnostic;
pub mod eval;
pub mod files;
pub mod fixture;
pub mod limits;
pub mod ops;
pub mod program;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod time;
pub mod trace;

use sha2::{Digest, Sha256};

/// `sha256:` hash of a case's text, as shown in provenance.
pub fn case_hash(json: &[u8]) -> String {
    format!("sha256:{}", check::hex(&Sha256::digest(json)))
}

/// Why a case could not be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreError {
    /// The case data is malformed (the error names the path of the bad field).
    Case(case::CaseError),
    /// Scoring it needs more work than the budget allows.
    Eval(eval::EvalError),
}

impl std::fmt::Display for ScoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScoreError::Case(e) => e.fmt(f),
            ScoreError::Eval(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ScoreError {}

/// Loads and evaluates one case and hands its trace to `explain` (a trace borrows the case,
/// which lives only for this call): the whole job for an embedding application.
pub fn score_case<T>(
    program: &program::Program,
    json: &[u8],
    explain: impl FnOnce(&trace::Trace<'_>) -> T,
) -> Result<T, ScoreError> {
    let case = case::load_case(&program.layout, &program.limits, json).map_err(ScoreError::Case)?;
    let evaluation = eval::evaluate(program, &case).map_err(ScoreError::Eval)?;
    let trace = trace::Trace::new(evaluation).with_case_hash(case_hash(json));
    Ok(explain(&trace))
}
