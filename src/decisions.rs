//! The decision log: every decision the service makes (and, with `--log`, every one `score` and
//! `timeline` make), in an embedded SQLite database, so that anyone can later show which rules
//! gave which verdict on which evidence, and replay it byte for byte.
//!
//! A decision holds when and by what it was made, the rules' and the case's hashes, the moment
//! judged at, the verdict, whether it was settled, the scores, the case itself unless masked,
//! and the trace as JSON. Rule sets are stored once, by hash, with every file's text. Writes
//! are SQLite transactions in WAL mode: a process killed mid-write leaves a database that opens,
//! passes `PRAGMA integrity_check`, and holds only whole decisions.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::{Value as Json, json};

use crate::program::Program;

/// An open decision log.
pub struct DecisionLog {
    connection: Connection,
}

/// What to keep of each case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CasePolicy {
    /// The case as received, byte for byte (replay needs it).
    #[default]
    Whole,
    /// The case with the values at these paths (`claim.channel`, `posts`) replaced by
    /// `"(masked)"`: it can be read, not replayed.
    Masked(Vec<String>),
    /// No case at all.
    None,
}

/// One decision, as made.
#[derive(Debug, Clone)]
pub struct Decision {
    /// What made it: `serve`, `score` or `timeline`.
    pub source: String,
    /// The case's text, as scored.
    pub case: Vec<u8>,
    /// The moment judged at, as written (`claim+24h`), when not on everything.
    pub as_of: Option<String>,
    /// The JSON trace (one line).
    pub trace: String,
}

/// A logged decision, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// Its number in the log.
    pub id: i64,
    /// When it was made (RFC 3339, the machine's clock).
    pub at: String,
    /// What made it.
    pub source: String,
    /// The rule set's id.
    pub ruleset: String,
    /// Its version.
    pub version: String,
    /// Its content hash.
    pub rules_hash: String,
    /// The case's hash.
    pub case_hash: String,
    /// The case's id, as the trace shows it.
    pub case_id: Option<String>,
    /// The moment judged at, as written.
    pub as_of: Option<String>,
    /// The verdict.
    pub verdict: Option<String>,
    /// Whether it was settled.
    pub settled: Option<bool>,
    /// Each score's name, value and band.
    pub scores: Json,
    /// How the case was kept: `whole`, `masked` or `none`.
    pub case_kept: String,
    /// The case (whole or masked), when kept.
    pub case: Option<Vec<u8>>,
    /// The JSON trace.
    pub trace: String,
}

impl DecisionLog {
    /// Opens (or creates) the log at `path`: a regular file, never a link, a device or a FIFO
    /// (written through), and a path, never an SQLite URI.
    pub fn open(path: &Path) -> Result<DecisionLog, String> {
        // The log and the files SQLite keeps beside it (its write-ahead log, shared memory and
        // rollback journal) are written only as regular files of their own.
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let file = Path::new(&file);
            if let Ok(meta) = std::fs::symlink_metadata(file)
                && !meta.file_type().is_file()
            {
                let what = if suffix.is_empty() {
                    "the decision log"
                } else {
                    "a file SQLite keeps beside the decision log"
                };
                return Err(format!(
                    "{} is {}: {what} must be a regular file, and is not written through \
                     anything else",
                    file.display(),
                    crate::files::kind_of(meta.file_type())
                ));
            }
        }
        let problem = |e: rusqlite::Error| format!("the decision log {}: {e}", path.display());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(problem)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS rule_sets (
                     hash TEXT PRIMARY KEY,
                     ruleset TEXT NOT NULL,
                     version TEXT NOT NULL,
                     files TEXT NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS decisions (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     at TEXT NOT NULL,
                     source TEXT NOT NULL,
                     rules_hash TEXT NOT NULL REFERENCES rule_sets(hash),
                     case_hash TEXT NOT NULL,
                     case_id TEXT,
                     as_of TEXT,
                     verdict TEXT,
                     settled INTEGER,
                     scores TEXT NOT NULL,
                     case_kept TEXT NOT NULL,
                     case_text BLOB,
                     trace TEXT NOT NULL
                 );",
            )
            .map_err(problem)?;
        Ok(DecisionLog { connection })
    }

    /// Records `decisions`, made with `program`, in one transaction; their numbers, in order.
    pub fn record(
        &mut self,
        program: &Program,
        decisions: &[Decision],
        cases: &CasePolicy,
    ) -> Result<Vec<i64>, String> {
        let problem = |e: rusqlite::Error| format!("cannot write the decision log: {e}");
        let meta = program.meta();
        // The rule files in load order (the main file first), then the schema they declare.
        let files: Vec<Json> = program
            .source_files()
            .into_iter()
            .map(|(name, text)| json!({"name": name, "text": text}))
            .collect();
        let at = crate::time::format(now_ms());
        let transaction = self.connection.transaction().map_err(problem)?;
        transaction
            .execute(
                "INSERT OR IGNORE INTO rule_sets (hash, ruleset, version, files) VALUES (?1, ?2, ?3, ?4)",
                params![
                    meta.content_hash,
                    meta.id,
                    meta.version,
                    Json::Array(files).to_string()
                ],
            )
            .map_err(problem)?;
        let mut ids = Vec::with_capacity(decisions.len());
        for decision in decisions {
            let trace: Json = serde_json::from_str(&decision.trace).unwrap_or(Json::Null);
            // A timeline's verdict and scores are those of its last moment.
            let last = trace["moments"]
                .as_array()
                .and_then(|m| m.last())
                .map(|m| json!({"verdict": {"label": m["judgement"]["verdict"]}}));
            let verdict = match &last {
                Some(last) => &last["verdict"],
                None => &trace["verdict"],
            };
            let scores: Vec<Json> = trace["scores"]
                .as_array()
                .map(|scores| {
                    scores
                        .iter()
                        .map(|s| json!({"name": s["name"], "value": s["value"], "band": s["band"]["label"]}))
                        .collect()
                })
                .unwrap_or_default();
            let (kept, case) = match cases {
                CasePolicy::Whole => ("whole", Some(decision.case.clone())),
                CasePolicy::Masked(paths) => ("masked", Some(masked(&decision.case, paths))),
                CasePolicy::None => ("none", None),
            };
            transaction
                .execute(
                    "INSERT INTO decisions (at, source, rules_hash, case_hash, case_id, as_of, verdict, settled, scores, case_kept, case_text, trace)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        at,
                        decision.source,
                        meta.content_hash,
                        crate::case_hash(&decision.case),
                        trace["case"].as_str(),
                        decision.as_of,
                        verdict["label"].as_str(),
                        verdict["settled"].as_bool(),
                        Json::Array(scores).to_string(),
                        kept,
                        case,
                        decision.trace,
                    ],
                )
                .map_err(problem)?;
            ids.push(transaction.last_insert_rowid());
        }
        transaction.commit().map_err(problem)?;
        Ok(ids)
    }

    /// The latest `limit` decisions, newest first (traces left out).
    pub fn list(&self, limit: usize) -> Result<Vec<Logged>, String> {
        let mut statement = self
            .connection
            .prepare(&format!("{SELECT} ORDER BY d.id DESC LIMIT ?1"))
            .map_err(|e| e.to_string())?;
        let rows = statement
            .query_map(params![limit as i64], logged)
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
    }

    /// Decision `id`, when the log has it.
    pub fn get(&self, id: i64) -> Result<Option<Logged>, String> {
        self.connection
            .query_row(&format!("{SELECT} WHERE d.id = ?1"), params![id], logged)
            .optional()
            .map_err(|e| e.to_string())
    }

    /// Every decision in order, to `each` (for export).
    pub fn each(&self, mut each: impl FnMut(Logged) -> Result<(), String>) -> Result<(), String> {
        let mut statement = self
            .connection
            .prepare(&format!("{SELECT} ORDER BY d.id"))
            .map_err(|e| e.to_string())?;
        let rows = statement.query_map([], logged).map_err(|e| e.to_string())?;
        for row in rows {
            each(row.map_err(|e| e.to_string())?)?;
        }
        Ok(())
    }

    /// The files of rule set `hash`: (name, text), the main file first.
    pub fn rule_files(&self, hash: &str) -> Result<Vec<(String, String)>, String> {
        let files: String = self
            .connection
            .query_row(
                "SELECT files FROM rule_sets WHERE hash = ?1",
                params![hash],
                |row| row.get(0),
            )
            .map_err(|e| format!("rule set {hash}: {e}"))?;
        let files: Json = serde_json::from_str(&files).map_err(|e| e.to_string())?;
        Ok(files
            .as_array()
            .map(|files| {
                files
                    .iter()
                    .map(|f| {
                        (
                            f["name"].as_str().unwrap_or_default().to_string(),
                            f["text"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl DecisionLog {
    /// Scores a logged decision's case again with its stored rules, at its moment: the trace
    /// that gives now, to compare with the one stored. A case masked or not kept cannot be.
    pub fn replay(&self, logged: &Logged) -> Result<String, String> {
        let case = match (&logged.case, logged.case_kept.as_str()) {
            (Some(case), "whole") => case,
            _ => {
                return Err(format!(
                    "decision {} kept its case {}: it cannot be replayed",
                    logged.id,
                    if logged.case_kept == "masked" {
                        "masked"
                    } else {
                        "not at all"
                    }
                ));
            }
        };
        let files = self.rule_files(&logged.rules_hash)?;
        if files.is_empty() {
            return Err(format!("rule set {} has no files", logged.rules_hash));
        }
        // The same files in the same load order: the same program and hash.
        let program = crate::compile_sources(&files, &crate::Options::default())
            .map_err(|e| format!("the stored rules no longer compile: {e}"))?
            .program;
        if logged.source == "timeline" {
            return crate::timeline::json_of(&program, case)
                .map(|document| document.to_string())
                .map_err(|e| format!("the case no longer scores: {e}"));
        }
        let render = crate::trace::json::render_line;
        let trace = match &logged.as_of {
            None => crate::score_case(&program, case, render),
            Some(when) => {
                let when = crate::as_of::When::parse(when)?;
                crate::score_case_as_of(&program, case, when, render).map(|judged| match judged {
                    crate::Judged::Scored(trace) => trace,
                    crate::Judged::NoClaimYet(not_yet) => {
                        crate::trace::json::no_claim_yet(&not_yet, false)
                    }
                })
            }
        };
        trace.map_err(|e| format!("the case no longer scores: {e}"))
    }
}

impl Logged {
    /// The decision as one JSON object (for `log show` and `log export`): everything but the
    /// case's bytes, which are there as text when kept.
    pub fn json(&self) -> Json {
        json!({
            "id": self.id,
            "at": self.at,
            "source": self.source,
            "rules": {"ruleset": self.ruleset, "version": self.version, "rules_hash": self.rules_hash},
            "case_hash": self.case_hash,
            "case_id": self.case_id,
            "as_of": self.as_of,
            "verdict": self.verdict,
            "settled": self.settled,
            "scores": self.scores,
            "case_kept": self.case_kept,
            "case": self.case.as_deref().map(String::from_utf8_lossy),
            "trace": serde_json::from_str::<Json>(&self.trace).unwrap_or(Json::Null),
        })
    }
}

const SELECT: &str = "SELECT d.id, d.at, d.source, r.ruleset, r.version, d.rules_hash, d.case_hash, d.case_id, d.as_of, d.verdict, d.settled, d.scores, d.case_kept, d.case_text, d.trace FROM decisions d JOIN rule_sets r ON r.hash = d.rules_hash";

fn logged(row: &rusqlite::Row<'_>) -> rusqlite::Result<Logged> {
    let scores: String = row.get(11)?;
    Ok(Logged {
        id: row.get(0)?,
        at: row.get(1)?,
        source: row.get(2)?,
        ruleset: row.get(3)?,
        version: row.get(4)?,
        rules_hash: row.get(5)?,
        case_hash: row.get(6)?,
        case_id: row.get(7)?,
        as_of: row.get(8)?,
        verdict: row.get(9)?,
        settled: row.get(10)?,
        scores: serde_json::from_str(&scores).unwrap_or(Json::Null),
        case_kept: row.get(12)?,
        case: row.get(13)?,
        trace: row.get(14)?,
    })
}

/// The case with the values at `paths` replaced by `"(masked)"` (a case that is not JSON is
/// kept as nothing but that word).
fn masked(case: &[u8], paths: &[String]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Json>(case) else {
        return b"\"(masked)\"".to_vec();
    };
    for path in paths {
        let keys: Vec<&str> = path.split('.').collect();
        let Some((last, parents)) = keys.split_last() else {
            continue;
        };
        let parent = parents
            .iter()
            .try_fold(&mut value, |v, k| v.as_object_mut()?.get_mut(*k));
        if let Some(Json::Object(map)) = parent
            && let Some(slot) = map.get_mut(*last)
        {
            *slot = Json::String("(masked)".into());
        }
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The machine's clock, in milliseconds since the epoch (for the log's `at` only: no judgement
/// reads the clock).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
