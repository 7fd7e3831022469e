//! What each fuzz target checks, shared with `tests/fuzz_regressions.rs`, which replays every
//! input the fuzzers ever found (`tests/fuzz/<target>/`) in the normal test suite.
#![allow(dead_code, reason = "each fuzz target uses one property")]

use std::sync::OnceLock;

use credence::Program;
use credence::fixture::coverage::Coverage;
use credence::fixture::{CaseRef, LoadedFixture, parse_fixture, run_loaded};
use credence::format_source;
use credence::{CompileError, Memory, Options, compile, compile_str};

/// The shipped rules, compiled once per process.
pub(crate) fn shipped() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let mut memory = Memory::default();
        memory.0.insert(
            "claims.cred".into(),
            include_str!("../../rules/claims.cred").into(),
        );
        memory.0.insert(
            "shared.cred".into(),
            include_str!("../../rules/shared.cred").into(),
        );
        memory.0.insert(
            "hypotheses.cred".into(),
            include_str!("../../rules/hypotheses.cred").into(),
        );
        memory.0.insert(
            "case.schema.json".into(),
            include_str!("../../rules/case.schema.json").into(),
        );
        match compile(&["claims.cred".into()], &memory, &Options::default()) {
            Ok(compiled) => compiled.program,
            Err(e) => panic!("the shipped rules do not compile: {e}"),
        }
    })
}

/// A small, complete case (the one the trace snapshots use).
pub(crate) const SMALL_CASE: &[u8] = include_bytes!("../../tests/data/fixtures/cases/small.json");

/// Rule text → compile: diagnostics or a program, never a panic; diagnostics render; a program
/// that compiles scores a case and renders its trace.
pub(crate) fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match compile_str("fuzz.cred", text, &Options::default()) {
        Ok(compiled) => {
            // Rendering is mostly miette's line wrapping: two per input exercise our part of it.
            for d in compiled.warnings.iter().take(2) {
                let _ = d.render(compiled.program.sources(), false);
            }
            for case in [&b"{}"[..], SMALL_CASE] {
                let _ =
                    credence::score_case(&compiled.program, case, credence::trace::text::render);
            }
        }
        Err(CompileError::Invalid(failed)) => {
            assert!(failed.diagnostics.iter().any(|d| d.is_error()));
            for d in failed.diagnostics.iter().take(2) {
                let _ = d.render(&failed.sources, false);
            }
            for d in &failed.diagnostics {
                let spans = std::iter::once(d.span).chain(d.notes.iter().map(|n| n.span));
                for span in spans {
                    let file = failed.sources.file(span.file);
                    assert!(
                        span.start <= span.end && span.end as usize <= file.text.len(),
                        "{} points outside {}: {}..{}",
                        d.code.as_str(),
                        file.name,
                        span.start,
                        span.end
                    );
                }
                let _ = d.to_json(&failed.sources);
            }
        }
        Err(CompileError::Read(e)) => panic!("an in-memory rule file cannot fail to read: {e}"),
    }
}

/// Case bytes → load, evaluate and render as text, Markdown, HTML, JSON, STIX and MISP with the
/// shipped rules: a result, or an error naming the place. Every value the JSON trace shows is
/// true of the case (`credence::trace::audit`), on everything and as of a day after the claim.
pub(crate) fn case(data: &[u8]) {
    let rendered = credence::score_case(shipped(), data, |trace| {
        let _ = credence::trace::text::render(trace);
        let _ = credence::trace::markdown::render(trace);
        let _ = credence::trace::html::render(trace, None);
        let document = serde_json::from_slice(data).unwrap_or_default();
        let _ = credence::trace::stix::render(trace, &document);
        let _ = credence::trace::misp::render(trace, &document);
        // The competing hypotheses: every export of the matrix, and the matrix coherent.
        if let Some(Ok(matrix)) = trace.hypotheses() {
            let _ = credence::trace::hypotheses::render::html(&matrix);
            let _ = credence::trace::hypotheses::export::csv(&matrix);
            let _ = credence::trace::hypotheses::export::achz(&matrix, "fuzz");
            let json = serde_json::to_value(&matrix).expect("the matrix is JSON");
            let findings = credence::trace::audit::hypotheses(&json);
            assert!(findings.is_empty(), "{findings:?}");
        }
        credence::trace::json::render(trace)
    });
    if let Ok(json) = &rendered {
        assert_true(data, json);
    }
    check_error(rendered.map(drop));
    // Judged a day after the claim: a result, no claim yet, or an error naming the place.
    let day = credence::as_of::When::AfterClaim(86_400_000);
    let judged = credence::score_case_as_of(shipped(), data, day, |trace| {
        let _ = credence::trace::text::render(trace);
    });
    check_error(judged.map(|_| ()));
    if let Some(known) = as_of_day(data)
        && let Ok(json) = credence::score_case(shipped(), &known, credence::trace::json::render)
    {
        assert_true(&known, &json);
    }
}

/// The case as known a day after its claim, as bytes to score.
fn as_of_day(data: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(data).ok()?;
    let profile = shipped().profile();
    let at = credence::as_of::When::AfterClaim(86_400_000)
        .resolve(&value, profile)
        .ok()?;
    let (known, _) = credence::as_of::as_of(&value, at, profile).ok()?;
    serde_json::to_vec(&known).ok()
}

/// Everything a JSON trace of `case` shows is so.
fn assert_true(case: &[u8], json: &str) {
    let trace: serde_json::Value = serde_json::from_str(json).expect("the trace is JSON");
    if let Err(findings) = credence::trace::audit::audit(shipped(), case, &trace) {
        panic!(
            "the trace shows what is not so: {}",
            findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
}

/// Case bytes → the judgement over time with the shipped rules: a result or an error naming
/// the place, and never more moments judged than the bound.
pub(crate) fn timeline(data: &[u8]) {
    match credence::timeline::timeline(shipped(), data) {
        Ok(timeline) => assert!(
            timeline.judged <= credence::timeline::MOST_MOMENTS + 1,
            "{} moments judged",
            timeline.judged
        ),
        Err(e) => check_error(Err(e)),
    }
}

/// Bytes → the language server: first as a raw stream of frames, then as the text of a rule
/// document in a whole session (open, hover, definition, references, completion, code
/// actions, formatting, a change, close). The server never panics, answers every request, and
/// ends cleanly.
pub(crate) fn lsp(data: &[u8]) {
    let mut input = data;
    let mut output = Vec::new();
    let _ = credence::lsp::serve(&mut input, &mut output);

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let uri = "file:///fuzz/unsaved/fuzz.cred";
    let line = |i: usize| data.get(i).map_or(0, |b| u32::from(*b % 32));
    let at = |i: usize| {
        serde_json::json!({"textDocument": {"uri": uri},
                           "position": {"line": line(i), "character": line(i + 1)}})
    };
    let mut references = at(4);
    references["context"] = serde_json::json!({"includeDeclaration": true});
    let changed: String = text.chars().rev().collect();
    let requests = [
        ("textDocument/hover", at(0)),
        ("textDocument/definition", at(2)),
        ("textDocument/references", references),
        ("textDocument/completion", at(6)),
        (
            "textDocument/codeAction",
            serde_json::json!({"textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": line(8), "character": 0}},
                "context": {"diagnostics": []}}),
        ),
        (
            "textDocument/formatting",
            serde_json::json!({"textDocument": {"uri": uri},
                "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
    ];
    let mut messages = vec![
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "cred", "version": 1, "text": text}}}),
    ];
    for (id, (method, params)) in requests.iter().enumerate() {
        messages.push(
            serde_json::json!({"jsonrpc": "2.0", "id": id + 1, "method": method, "params": params}),
        );
    }
    messages.push(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}]}}),
    );
    messages.push(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
        "textDocument": {"uri": uri}}}),
    );
    messages.push(serde_json::json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}));
    messages.push(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let mut stream = Vec::new();
    for message in &messages {
        let body = message.to_string();
        stream
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }
    let mut output = Vec::new();
    let ended = credence::lsp::serve(&mut stream.as_slice(), &mut output);
    assert!(
        matches!(ended, Ok(true)),
        "the session did not end cleanly: {ended:?}"
    );
    let replies = String::from_utf8_lossy(&output);
    for id in (1..=requests.len()).chain([99]) {
        assert!(
            replies.contains(&format!("\"id\":{id},")),
            "request {id} was not answered"
        );
    }
}

fn check_error(result: Result<(), credence::ScoreError>) {
    match result {
        Ok(()) | Err(credence::ScoreError::Eval(_)) => {}
        // A line in the text, or (read from a parsed document, as of a moment) a path.
        Err(credence::ScoreError::Case(e)) => assert!(
            (e.line >= 1 || e.path.as_deref().is_some_and(|p| !p.is_empty()))
                && !e.message.is_empty()
        ),
        Err(credence::ScoreError::Dates(e)) => {
            assert!(!e.path.is_empty() && !e.message.is_empty())
        }
        // The shipped rules declare their profile; fuzzed rules may not, and are told so.
        Err(credence::ScoreError::Profile(e)) => assert!(!e.to_string().is_empty()),
    }
}

/// The formatter is idempotent and keeps the meaning: the formatted text checks with the same
/// diagnostics and, when it compiles, to the same program, scoring a case the same way. It
/// refuses only files whose brackets `check` finds unbalanced.
pub(crate) fn format(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let once = match format_source(text) {
        Ok(once) => once,
        Err(_) => {
            let codes: Vec<&str> = match compile_str("fuzz.cred", text, &Options::default()) {
                Ok(compiled) => compiled.warnings.iter().map(|d| d.code.as_str()).collect(),
                Err(e) => e.diagnostics().iter().map(|d| d.code.as_str()).collect(),
            };
            assert!(
                codes.contains(&"E026") || codes.contains(&"E027"),
                "the formatter refused a file without bracket problems: {codes:?}"
            );
            return;
        }
    };
    assert_eq!(
        format_source(&once).as_deref(),
        Ok(once.as_str()),
        "formatting twice changed the text"
    );
    let before = compile_str("fuzz.cred", text, &Options::default());
    let after = compile_str("fuzz.cred", &once, &Options::default());
    match (before, after) {
        (Ok(a), Ok(b)) => {
            assert!(
                a.program.same_expressions(&b.program),
                "formatting changed the compiled program"
            );
            let score = |p| {
                credence::score_case(p, SMALL_CASE, |t| {
                    t.scores().map(|s| s.total()).collect::<Vec<_>>()
                })
                .map_err(|e| e.to_string())
            };
            assert_eq!(score(&a.program), score(&b.program));
        }
        (Err(a), Err(b)) => {
            // The same diagnostics; formatting may move two of them to one position.
            let codes = |e: &CompileError| {
                let mut codes: Vec<&str> =
                    e.diagnostics().iter().map(|d| d.code.as_str()).collect();
                codes.sort_unstable();
                codes
            };
            assert_eq!(codes(&a), codes(&b), "formatting changed the diagnostics");
        }
        (a, b) => panic!(
            "formatting changed whether the rules compile: {:?} → {:?}",
            a.err().map(|e| e.to_string()),
            b.err().map(|e| e.to_string())
        ),
    }
}

/// Fixture text → parse, score the case with the shipped rules, check the expectations, render
/// the golden trace and the report entry.
pub(crate) fn fixture(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = parse_fixture(text, "fuzz.json") else {
        return;
    };
    let case = match &file.case {
        CaseRef::Inline(value) => serde_json::to_vec(value).unwrap_or_default(),
        // Case paths name files; fuzzing reads none.
        CaseRef::Path(_) => SMALL_CASE.to_vec(),
    };
    let program = shipped();
    let mut coverage = Coverage::new(program);
    let loaded = LoadedFixture {
        name: file.name.clone().unwrap_or_else(|| "fuzz".into()),
        file,
        case,
    };
    let outcome = run_loaded(program, loaded, "fuzz.json", &mut coverage);
    let _ = serde_json::to_string(&outcome);
}
