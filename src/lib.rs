//! Credence: a rule engine that scores claims of responsibility and explains every point.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text → tree) → [`check`] (names, types, schema → [`program::Program`]) →
//! [`case`] (JSON → the values the program reads) → [`eval`] (program × case → [`eval::Evaluation`])
//! → [`trace`] (evaluation → report → text or JSON).
#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod diagnostic;
pub mod eval;
pub mod program;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod trace;
