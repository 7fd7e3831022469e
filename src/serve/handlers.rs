//! The service's endpoints (docs/SERVICE.md, docs/openapi.json).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Query, Request, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};
use subtle::ConstantTimeEq;

use super::{Loaded, State};
use crate::Judged;
use crate::as_of::When;
use crate::decisions::Decision;
use crate::trace::output::{self, Format};

type Shared = Arc<State>;

/// The query of `POST /v1/score` and `POST /v1/timeline`.
#[derive(serde::Deserialize)]
pub(crate) struct Asked {
    /// `claim+24h`, `start+6h` or an RFC 3339 time.
    as_of: Option<String>,
    /// `json` (the default), `text`, `markdown`, `html`, `stix`, `misp` or `csv`.
    format: Option<String>,
    /// `true`: with the matrix of the case's competing hypotheses.
    #[serde(default)]
    hypotheses: bool,
}

/// A JSON error answer: `{"error": message}` with `status`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

/// Authenticates (with a token) and counts every request.
pub(crate) async fn guard(
    Extract(state): Extract<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let endpoint = endpoint(request.uri().path());
    let response = match &state.settings.token {
        Some(token) if endpoint != "/health" => {
            let given = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let allowed =
                given.is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes())));
            if allowed {
                next.run(request).await
            } else {
                let mut refused = error(
                    StatusCode::UNAUTHORIZED,
                    "a bearer token is required: `Authorization: Bearer …`",
                );
                refused
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                refused
            }
        }
        _ => next.run(request).await,
    };
    state
        .metrics
        .request(endpoint, response.status().as_u16(), started.elapsed());
    response
}

/// The endpoint a path is, for metrics (anything else is `other`, so labels stay few).
fn endpoint(path: &str) -> &'static str {
    match path {
        "/v1/score" => "/v1/score",
        "/v1/timeline" => "/v1/timeline",
        "/v1/check" => "/v1/check",
        "/v1/rules" => "/v1/rules",
        "/v1/rules/reload" => "/v1/rules/reload",
        "/health" => "/health",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

/// Any other path.
pub(crate) async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint: see docs/SERVICE.md (POST /v1/score, /v1/timeline, /v1/check, /v1/rules/reload; GET /v1/rules, /health, /metrics)",
    )
}

/// `GET /health`: 200 while rules are in force (always, once the service has started).
pub(crate) async fn health(Extract(state): Extract<Shared>) -> Response {
    let rules = state.rules();
    axum::Json(json!({"status": "ok", "rules_hash": rules.program.meta().content_hash}))
        .into_response()
}

/// `GET /metrics`: Prometheus' text format.
pub(crate) async fn metrics(Extract(state): Extract<Shared>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.text(),
    )
        .into_response()
}

/// `GET /v1/rules`: the rules in force.
pub(crate) async fn rules(Extract(state): Extract<Shared>) -> Response {
    axum::Json(describe(&state.rules())).into_response()
}

fn describe(rules: &Loaded) -> Json {
    let meta = rules.program.meta();
    json!({
        "ruleset": meta.id,
        "version": meta.version,
        "rules_hash": meta.content_hash,
        "files": rules.program.sources().files().iter().map(|f| &*f.name).collect::<Vec<_>>(),
        "loaded_at": rules.loaded_at,
    })
}

/// `POST /v1/rules/reload`: compiles the rules again; rules that do not compile are refused
/// with their diagnostics, and the rules in force stay.
pub(crate) async fn reload(Extract(state): Extract<Shared>) -> Response {
    let reloading = Arc::clone(&state);
    match tokio::task::spawn_blocking(move || reloading.reload()).await {
        Ok(Ok(changed)) => {
            let mut answer = describe(&state.rules());
            answer["reloaded"] = Json::Bool(changed);
            axum::Json(answer).into_response()
        }
        Ok(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({
                "error": format!("the rules were not reloaded: {}", e.message),
                "diagnostics": e.diagnostics,
                "rules": describe(&state.rules()),
            })),
        )
            .into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("reloading failed: {e}"),
        ),
    }
}

/// `POST /v1/check`: the rule text of one file in the body (`?name=rules.cred`); every
/// diagnostic, as `credence check --format json` writes them. Includes are not read.
pub(crate) async fn check(Query(asked): Query<CheckQuery>, body: Bytes) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(StatusCode::BAD_REQUEST, "the rule text is not UTF-8");
    };
    let name = asked.name.unwrap_or_else(|| "rules.cred".to_string());
    if !name.ends_with(".cred") || name.contains('/') || name.contains('\\') {
        return error(
            StatusCode::BAD_REQUEST,
            "`name` is a file name ending in `.cred`",
        );
    }
    let outcome = crate::compile_str(&name, text, &crate::Options::default());
    let (ok, diagnostics) = match &outcome {
        Ok(compiled) => (
            true,
            compiled
                .warnings
                .iter()
                .map(|d| d.json(compiled.program.sources()))
                .collect::<Vec<_>>(),
        ),
        Err(crate::CompileError::Invalid(failed)) => (
            false,
            failed
                .diagnostics
                .iter()
                .map(|d| d.json(&failed.sources))
                .collect(),
        ),
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    axum::Json(json!({
        "format_version": crate::DIAGNOSTICS_FORMAT_VERSION,
        "ok": ok,
        "diagnostics": diagnostics,
    }))
    .into_response()
}

/// The query of `POST /v1/check`.
#[derive(serde::Deserialize)]
pub(crate) struct CheckQuery {
    /// The file's name in diagnostics.
    name: Option<String>,
}

/// One case's outcome: what to answer, the JSON trace to log, and its verdict; or what is
/// wrong with it.
enum Scored {
    Done {
        output: String,
        trace: String,
        verdict: Option<String>,
    },
    Failed(Vec<Json>),
}

/// `POST /v1/score`: one case, or a batch (a JSON array of cases, or JSON Lines), scored and
/// written as `format`, optionally as of a moment; every decision logged.
pub(crate) async fn score(
    Extract(state): Extract<Shared>,
    Query(asked): Query<Asked>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let format = match asked.format.as_deref().map(Format::named) {
        None => Format::Json,
        Some(Some(Format::Achz)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`format=achz` is a binary file: write it with `credence score --hypotheses --format achz`",
            );
        }
        Some(Some(format)) => format,
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`format` is one of json, text, markdown, html, stix, misp, csv",
            );
        }
    };
    let shape = output::Shape {
        brief: false,
        line: false,
        hypotheses: asked.hypotheses,
    };
    let as_of = match asked.as_of.as_deref().map(When::parse).transpose() {
        Ok(when) => when,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("`as_of`: {e}")),
    };
    let rules = state.rules();
    let profile = rules.program.profile();
    let needs = [
        (as_of.is_some(), crate::AS_OF_NEEDS),
        (
            matches!(format, Format::Stix | Format::Misp),
            crate::EXPORT_NEEDS,
        ),
    ];
    for (asked_for, need) in needs {
        if asked_for && let Err(e) = profile.provides(&need) {
            return error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
        }
    }
    let cases = match cases(&headers, &body) {
        Ok(cases) => cases,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let batch = cases.len() != 1 || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let scoring = Arc::clone(&rules);
    let outcomes = match within(&state, move || {
        use rayon::prelude::*;
        cases
            .into_par_iter()
            .map(|case| {
                let scored =
                    crate::batch::isolated(|| one(&scoring, &case, as_of, format, shape, batch))
                        .unwrap_or_else(|e| {
                            Scored::Failed(vec![json!({"message": e.to_string()})])
                        });
                (case, scored)
            })
            .collect::<Vec<_>>()
    })
    .await
    {
        Ok(outcomes) => outcomes,
        Err(answer) => return answer,
    };
    let decisions: Vec<Decision> = outcomes
        .iter()
        .filter_map(|(case, scored)| match scored {
            Scored::Done { trace, .. } => Some(Decision {
                source: "serve".into(),
                case: case.clone(),
                as_of: asked.as_of.clone(),
                trace: trace.clone(),
            }),
            Scored::Failed(_) => None,
        })
        .collect();
    let ids = match record(&state, &rules, decisions).await {
        Ok(ids) => ids,
        Err(answer) => return answer,
    };
    let mut ids = ids.into_iter();
    let mut answers = Vec::with_capacity(outcomes.len());
    for (index, (_, scored)) in outcomes.into_iter().enumerate() {
        answers.push(match scored {
            Scored::Done {
                output, verdict, ..
            } => {
                state.metrics.decision(verdict.as_deref());
                (index, Ok((output, ids.next())))
            }
            Scored::Failed(errors) => (index, Err(errors)),
        });
    }
    if !batch {
        return match answers.pop() {
            Some((_, Ok((output, id)))) => {
                let mut answer =
                    ([(header::CONTENT_TYPE, format.media_type())], output).into_response();
                if let Some(id) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
                    answer.headers_mut().insert("x-credence-decision", id);
                }
                answer
            }
            Some((_, Err(errors))) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({"error": "the case cannot be scored", "errors": errors})),
            )
                .into_response(),
            None => error(StatusCode::BAD_REQUEST, "no case in the body"),
        };
    }
    let items: Vec<Json> = answers
        .into_iter()
        .map(|(index, answer)| match answer {
            Ok((output, id)) => {
                let output = match format {
                    Format::Json | Format::Stix | Format::Misp => {
                        serde_json::from_str(&output).unwrap_or(Json::String(output))
                    }
                    _ => Json::String(output),
                };
                json!({"index": index, "decision": id, "output": output})
            }
            Err(errors) => json!({"index": index, "errors": errors}),
        })
        .collect();
    axum::Json(Json::Array(items)).into_response()
}

/// Scores one case: written as `format`, with its JSON trace and verdict.
fn one(
    rules: &Loaded,
    case: &[u8],
    as_of: Option<When>,
    format: Format,
    shape: output::Shape,
    line: bool,
) -> Scored {
    let program = &rules.program;
    let render = |trace: &crate::Trace<'_>| {
        let verdict = trace.verdict().map(|v| v.label().to_string());
        (
            output::write(
                trace,
                program,
                case,
                format,
                output::Shape { line, ..shape },
            ),
            crate::trace::json::render_line(trace),
            verdict,
        )
    };
    let scored = match as_of {
        None => crate::score_case(program, case, render),
        Some(when) => {
            crate::score_case_as_of(program, case, when, render).map(|judged| match judged {
                Judged::Scored(done) => done,
                Judged::NoClaimYet(not_yet) => (
                    Ok(output::nothing_yet(program, &not_yet, format, line)),
                    crate::trace::json::no_claim_yet(&not_yet, false),
                    None,
                ),
            })
        }
    };
    match scored {
        Ok((Ok(output), trace, verdict)) => Scored::Done {
            output,
            trace,
            verdict,
        },
        Ok((Err(e), _, _)) => Scored::Failed(vec![json!({"message": e})]),
        Err(e) => Scored::Failed(vec![problem(e)]),
    }
}

/// A case's problem as JSON: the path of the bad field, what is wrong, where in the text.
fn problem(e: crate::ScoreError) -> Json {
    match e {
        crate::ScoreError::Case(e) => json!({
            "path": e.path,
            "message": e.message,
            "line": (e.line >= 1).then_some(e.line),
            "column": (e.line >= 1).then_some(e.column),
        }),
        crate::ScoreError::Dates(e) => json!({"path": e.path, "message": e.message}),
        other => json!({"message": other.to_string()}),
    }
}

/// The cases of a body: a JSON array of cases, JSON Lines (`application/x-ndjson`, or several
/// non-empty lines that are each a JSON value), or one case.
fn cases(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err("the body is empty: send a case, a JSON array of cases, or JSON Lines".into());
    };
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-ndjson") || v.starts_with("application/jsonl")
        });
    if body[start] == b'[' && !ndjson {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not a JSON array of cases: {e}"))?;
        return Ok(items
            .into_iter()
            .map(|raw| raw.get().as_bytes().to_vec())
            .collect());
    }
    if ndjson || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        let lines: Vec<Vec<u8>> = body
            .split(|&b| b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
            .map(<[u8]>::to_vec)
            .collect();
        if lines.len() > 1 || ndjson {
            return Ok(lines);
        }
    }
    Ok(vec![body.to_vec()])
}

/// Runs `work` on a blocking thread, holding one of the service's permits, within its time
/// limit (waiting for a permit included); a JSON answer when it cannot.
async fn within<T: Send + 'static>(
    state: &State,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    let limit = state.settings.timeout;
    let run = async {
        let _permit = state.permits.acquire().await.map_err(|_| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service is shutting down",
            )
        })?;
        tokio::task::spawn_blocking(work).await.map_err(|e| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("scoring failed: {e}"),
            )
        })
    };
    match tokio::time::timeout(limit, run).await {
        Ok(done) => done,
        Err(_) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {} s", limit.as_secs_f64()),
        )),
    }
}

/// Writes decisions to the log (when logging); their numbers, in order.
async fn record(
    state: &Shared,
    rules: &Arc<Loaded>,
    decisions: Vec<Decision>,
) -> Result<Vec<i64>, Response> {
    if state.log.is_none() || decisions.is_empty() {
        return Ok(Vec::new());
    }
    let (state, rules) = (Arc::clone(state), Arc::clone(rules));
    let written = tokio::task::spawn_blocking(move || {
        let Some(log) = &state.log else {
            return Ok(Vec::new());
        };
        let mut log = log
            .lock()
            .map_err(|_| "the decision log is unusable after a failure".to_string())?;
        log.record(&rules.program, &decisions, &state.settings.cases)
    })
    .await;
    match written {
        Ok(Ok(ids)) => Ok(ids),
        Ok(Err(e)) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the decision was made but could not be logged, so it is not given: {e}"),
        )),
        Err(e) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

/// `POST /v1/timeline`: the judgement over time of one case (`?format=json` or `text`),
/// logged as one decision.
pub(crate) async fn timeline(
    Extract(state): Extract<Shared>,
    Query(asked): Query<Asked>,
    body: Bytes,
) -> Response {
    let text = match asked.format.as_deref() {
        None | Some("json") => false,
        Some("text") => true,
        Some(_) => return error(StatusCode::BAD_REQUEST, "`format` is json or text"),
    };
    let rules = state.rules();
    if let Err(e) = rules.program.profile().provides(&crate::TIMELINE_NEEDS) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    let case = body.to_vec();
    let judging = Arc::clone(&rules);
    let judged_case = case.clone();
    let judged = match within(&state, move || {
        let program = &judging.program;
        crate::timeline::timeline(program, &judged_case).map(|timeline| {
            let id = crate::timeline::case_id(&judged_case);
            let document =
                crate::timeline::render_json(id.as_deref(), program, &timeline.stretches);
            let shown = crate::timeline::render_text(id.as_deref(), program, &timeline);
            (document, shown)
        })
    })
    .await
    {
        Ok(judged) => judged,
        Err(answer) => return answer,
    };
    let (document, shown) = match judged {
        Ok(done) => done,
        Err(e) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(
                    json!({"error": "the case cannot be judged over time", "errors": [problem(e)]}),
                ),
            )
                .into_response();
        }
    };
    let decision = Decision {
        source: "timeline".into(),
        case,
        as_of: None,
        trace: document.to_string(),
    };
    let ids = match record(&state, &rules, vec![decision]).await {
        Ok(ids) => ids,
        Err(answer) => return answer,
    };
    let last = document["moments"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["judgement"]["verdict"].as_str());
    state.metrics.decision(last);
    let mut answer = if text {
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], shown).into_response()
    } else {
        axum::Json(document).into_response()
    };
    if let Some(id) = ids
        .first()
        .and_then(|id| HeaderValue::from_str(&id.to_string()).ok())
    {
        answer.headers_mut().insert("x-credence-decision", id);
    }
    answer
}
