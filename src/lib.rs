//! Credence: a rule engine that scores claims of responsibility and explains every point.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text → tree) → [`check`] (names, types, schema → [`program::Program`]) →
//! [`case`] (JSON → the values the program reads) → [`eval`] (program × case → [`eval::Evaluation`])
//! → [`trace`] (evaluation → report → text or JSON). [`fixture`] runs rule fixtures for CI.
#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod diagnostic;
pub mod eval;
pub mod fixture;
pub mod program;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod trace;

use sha2::{Digest, Sha256};

/// `sha256:` hash of a case's text, as shown in provenance.
pub fn case_hash(json: &[u8]) -> String {
    format!("sha256:{}", check::hex(&Sha256::digest(json)))
}

/// Loads, evaluates and explains one case: the whole job for an embedding application.
pub fn score_case(
    program: &program::Program,
    json: &[u8],
) -> Result<trace::Report, case::CaseError> {
    let case = case::load_case(&program.layout, json)?;
    let evaluation = eval::evaluate(program, &case);
    Ok(trace::Report::new(&evaluation, &case_hash(json)))
}
