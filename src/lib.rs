//! Credence: a rule engine that scores claims of responsibility and explains every point.
//!
//! Analysts write criteria in rule files (`*.cred`); Credence compiles them, scores a case
//! (JSON) against them, and explains the result: every criterion, the evidence it read, its
//! contribution, what was unknown, and what unknown evidence could still change the verdict.
//!
//! ```
//! let rules = r#"
//!     ruleset speed { version "1" }
//!     score fast {
//!       additive
//!       criterion delay {
//!         when claim.published_at - incident.started_at <= 6h => 10 "claimed within hours"
//!         else => 0 "claimed later"
//!         unknown => skip "the times are not known"
//!       }
//!       bands { >= 10 => "fast"  else => "slow" }
//!     }
//! "#;
//! let compiled = credence::compile_str("speed.cred", rules, &credence::Options::default())?;
//! let case = br#"{"incident": {"started_at": "2018-03-23T09:10:00Z"},
//!                 "claim": {"published_at": "2018-03-23T13:00:00Z"}}"#;
//! let band = credence::score_case(&compiled.program, case, |trace| {
//!     trace.score("fast").and_then(|s| s.band()).map(|b| b.label().to_string())
//! })?;
//! assert_eq!(band.as_deref(), Some("fast"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pipeline, one module per stage: syntax (text → tree) → checking (names, types, schema,
//! costs → a [`Program`]) → case loading (JSON → only the values the program reads, a
//! [`Case`]) → evaluation ([`evaluate`] → an [`Evaluation`]) → the [`Trace`] and its renderers
//! ([`trace::text`], [`trace::markdown`], [`trace::html`], [`trace::json`]). [`fixture`] runs
//! rule fixtures for CI, [`batch`] scores JSON Lines in parallel, [`cli`] is the command line.

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod batch;
pub mod calibrate;
mod case;
mod check;
pub mod cli;
pub mod decisions;
mod diagnostic;
mod eval;
mod files;
pub mod fixture;
mod limits;
pub mod lsp;
mod ops;
mod profile;
mod program;
mod ratio;
mod schema;
mod serve;
mod source;
mod syntax;
mod time;
pub mod timeline;
pub mod trace;

pub use case::{CASE_FORMAT, Case, CaseError, as_of};
pub use check::{
    CompileError, Compiled, Disk, Failed, FileSource, Memory, Options, compile, compile_sources,
    compile_str,
};
pub use diagnostic::{
    Code, DIAGNOSTICS_FORMAT_VERSION, Diagnostic, DiagnosticJson, Fix, Label, Patch, Severity,
    apply_patches,
};
pub use eval::interval::Interval;
pub use eval::value::Value;
pub use eval::{
    Bounds, EvalError, Evaluation, EvidenceItem, EvidenceState, Handling, Mark, Outcome, evaluate,
};
pub use files::FileError;
pub use limits::Limits;
pub use profile::{Baseline, Category, Profile, Stance};
pub use program::{Metadata, Points, Program, ScoreMode};
pub use schema::{Schema, Violation};
pub use source::{FileId, SourceFile, SourceMap, Span};
pub use syntax::{Unbalanced, format_source};
pub use trace::Trace;

use sha2::{Digest, Sha256};

/// `sha256:` hash of a case's text, as shown in provenance.
pub fn case_hash(json: &[u8]) -> String {
    format!("sha256:{}", check::hex(&Sha256::digest(json)))
}

/// Why a case could not be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreError {
    /// The case data is malformed (the error names the path of the bad field).
    Case(CaseError),
    /// Scoring it needs more work than the budget allows.
    Eval(EvalError),
    /// Judging it as of a moment needs a time it does not have, or has malformed.
    Dates(as_of::DateError),
    /// The command needs a part of the rule set's `profile` that it does not declare.
    Profile(NeedsProfile),
}

/// What a command needs from a rule set's `profile` (docs/LANGUAGE.md, "The profile").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsProfile {
    /// What cannot be done without it (`judging a case as of a moment`).
    pub what: &'static str,
    /// The profile entries it needs (`date …`, `subject …`).
    pub entries: &'static str,
    /// The part of a profile that provides it.
    pub(crate) part: profile::Part,
}

impl std::fmt::Display for NeedsProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} needs the rule set's `profile` to declare {} (docs/LANGUAGE.md, \"The profile\")",
            self.what, self.entries
        )
    }
}

impl std::error::Error for NeedsProfile {}

/// What judging as of a moment needs.
pub(crate) const AS_OF_NEEDS: NeedsProfile = NeedsProfile {
    what: "judging a case as of a moment",
    entries: "how its evidence is dated (`date …`), and what `claim` and `start` are (`subject …`, `start …`)",
    part: profile::Part::Dating,
};

/// What a timeline needs.
pub(crate) const TIMELINE_NEEDS: NeedsProfile = NeedsProfile {
    what: "a timeline",
    entries: "how the case's evidence is dated (`date …`), what the claim is (`subject …`) and, to begin at the case's start, `start …`",
    part: profile::Part::Dating,
};

/// What STIX and MISP exports need.
pub(crate) const EXPORT_NEEDS: NeedsProfile = NeedsProfile {
    what: "a STIX or MISP export",
    entries: "the score that is the claim's probability (`probability …`) and the one whose band is its category, with what each category says of the claim (`category … { … }`)",
    part: profile::Part::Judgement,
};

/// What calibration needs.
pub(crate) const CALIBRATION_NEEDS: NeedsProfile = NeedsProfile {
    what: "calibration",
    entries: "the score whose band is the judgement's category, with what each category says of the claim (`category … { … }`), and how evidence is dated for the early view (`subject …`, `date …`)",
    part: profile::Part::Calibration,
};

impl std::fmt::Display for ScoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScoreError::Case(e) => e.fmt(f),
            ScoreError::Eval(e) => e.fmt(f),
            ScoreError::Dates(e) => e.fmt(f),
            ScoreError::Profile(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ScoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScoreError::Case(e) => Some(e),
            ScoreError::Eval(e) => Some(e),
            ScoreError::Dates(e) => Some(e),
            ScoreError::Profile(e) => Some(e),
        }
    }
}

/// Loads and evaluates one case and hands its trace to `explain` (a trace borrows the case,
/// which lives only for this call): the whole job for an embedding application.
pub fn score_case<T>(
    program: &Program,
    json: &[u8],
    explain: impl FnOnce(&Trace<'_>) -> T,
) -> Result<T, ScoreError> {
    let case = program.load(json).map_err(ScoreError::Case)?;
    let evaluation = evaluate(program, &case).map_err(ScoreError::Eval)?;
    let trace = Trace::new(evaluation).with_case_hash(case_hash(json));
    Ok(explain(&trace))
}

/// A case judged as of a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged<T> {
    /// The claim was known: what `explain` made of the trace.
    Scored(T),
    /// The claim became known after the moment: there is nothing to judge yet.
    NoClaimYet(NotYet),
}

/// A case judged at a moment before its claim was known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotYet {
    /// The case's `id`, as a trace names it ([`Trace::case_id`]).
    pub case: Option<String>,
    /// What the claim is called (the profile's subject: `claim of responsibility`).
    pub subject: String,
    /// The moment, milliseconds since the epoch.
    pub at: i64,
    /// When the claim became known.
    pub known_at: i64,
    /// When the claim says it was published (the latest possible time, for a range), when
    /// that is known and differs from when it became known.
    pub published_at: Option<i64>,
}

impl NotYet {
    /// In words: `no claim of responsibility is known yet (the claim was published …)`.
    pub fn sentence(&self) -> String {
        let known = trace::format::timestamp(self.known_at);
        let subject = &self.subject;
        match self.published_at {
            Some(published) => format!(
                "no {subject} is known yet (the claim was published {}, and became known {known})",
                trace::format::timestamp(published)
            ),
            None => format!("no {subject} is known yet (the claim was published {known})"),
        }
    }
}

/// Like [`score_case`], judging the case on what was known at `when` (docs/CASE_FORMAT.md):
/// evidence that became known later is left out, and the trace lists it.
pub fn score_case_as_of<T>(
    program: &Program,
    json: &[u8],
    when: as_of::When,
    explain: impl FnOnce(&Trace<'_>) -> T,
) -> Result<Judged<T>, ScoreError> {
    let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
        ScoreError::Case(CaseError {
            path: None,
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })
    })?;
    score_as_of_with(program, &program.profile, value, json, when, explain)
}

/// [`score_case_as_of`] with the evidence dated, and `claim` and `start` read, by `profile`
/// (a baseline rule set is judged by the profile of the rules it is compared with). `value` is
/// `json` parsed.
pub(crate) fn score_as_of_with<T>(
    program: &Program,
    profile: &Profile,
    value: serde_json::Value,
    json: &[u8],
    when: as_of::When,
    explain: impl FnOnce(&Trace<'_>) -> T,
) -> Result<Judged<T>, ScoreError> {
    profile
        .provides(&AS_OF_NEEDS)
        .map_err(ScoreError::Profile)?;
    let at = when.resolve(&value, profile).map_err(ScoreError::Dates)?;
    let dated = as_of::dated(&value, profile).map_err(ScoreError::Dates)?;
    judge_as_of(
        program,
        profile,
        &value,
        &dated,
        at,
        case_hash(json),
        explain,
    )
}

/// Judges a parsed case whose evidence is dated (`dated`) on what was known at `at`.
pub(crate) fn judge_as_of<T>(
    program: &Program,
    profile: &Profile,
    value: &serde_json::Value,
    dated: &[as_of::Dated],
    at: i64,
    case_hash: String,
    explain: impl FnOnce(&Trace<'_>) -> T,
) -> Result<Judged<T>, ScoreError> {
    let (known, left_out) = as_of::known_at(value, dated, at);
    let subject = profile.subject.as_ref();
    let subject_path: Vec<as_of::Step> = subject
        .map(|s| s.path.iter().map(|k| as_of::Step::Key(k.clone())).collect())
        .unwrap_or_default();
    if let Some((subject, claim)) =
        subject.and_then(|s| Some((s, left_out.iter().find(|d| d.path == subject_path)?)))
    {
        let case = value.get("id").and_then(|id| match id {
            serde_json::Value::String(s) => trace::case_name(Value::Str(s)),
            serde_json::Value::Number(n) => {
                n.as_f64().and_then(|n| trace::case_name(Value::Num(n)))
            }
            _ => None,
        });
        // The claim is dated by its own `known_at` when it has one: then it may have been
        // published earlier than it became known.
        let time_path = subject.time.join(".");
        let published_at = subject
            .time
            .iter()
            .try_fold(value, |v, k| v.get(k))
            .and_then(|t| as_of::time_of(t, &time_path).ok().flatten())
            .filter(|published| *published != claim.known_at);
        return Ok(Judged::NoClaimYet(NotYet {
            case,
            subject: subject.noun.clone(),
            at,
            known_at: claim.known_at,
            published_at,
        }));
    }
    let case = program.load_value(&known).map_err(ScoreError::Case)?;
    let evaluation = evaluate(program, &case).map_err(ScoreError::Eval)?;
    let trace = Trace::new(evaluation)
        .with_case_hash(case_hash)
        .with_as_of(trace::AsOf { at, left_out });
    Ok(Judged::Scored(explain(&trace)))
}
