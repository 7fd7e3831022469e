//! No panic on hostile input: truncated rule files, corrupted case bytes, and case fields of the
//! wrong type must give diagnostics or path-naming errors, never a crash.

use credence::{Options, compile_str};
use serde_json::Value;

mod common;

/// Every prefix of every rule file (cut at character boundaries) checks without panicking.
#[test]
fn truncated_rule_files_give_diagnostics() {
    let files = common::rule_files();
    let mut failures = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let cuts = text
            .char_indices()
            .map(|(i, _)| i)
            .step_by(7)
            .chain(std::iter::once(text.len()));
        for cut in cuts {
            if let Err(failed) = compile_str("cut.cred", &text[..cut], &Options::default()) {
                failures += 1;
                let credence::CompileError::Invalid(failed) = failed else {
                    panic!("{file} cut at {cut}: {failed}");
                };
                assert!(
                    !failed.diagnostics.is_empty(),
                    "{file} cut at {cut}: failed without a diagnostic"
                );
                for d in &failed.diagnostics {
                    assert!(
                        d.span.end as usize <= cut.max(1),
                        "{file} cut at {cut}: span past the end"
                    );
                    let _ = d.render(&failed.sources, false);
                }
            }
        }
    }
    assert!(
        failures > 100,
        "truncation should break most prefixes ({failures})"
    );
}

fn program() -> credence::Program {
    let mut memory = credence::Memory::default();
    for file in ["claims.cred", "shared.cred", "hypotheses.cred"] {
        let text = std::fs::read_to_string(format!("rules/{file}")).expect("rules");
        memory.0.insert(file.into(), text);
    }
    let schema = std::fs::read_to_string("rules/case.schema.json").expect("schema");
    memory.0.insert("case.schema.json".into(), schema);
    credence::compile(&["claims.cred".into()], &memory, &Options::default())
        .expect("shipped rules check")
        .program
}

/// Corrupting any byte of a case gives an error or a result, never a panic.
#[test]
fn corrupted_case_bytes_never_panic() {
    let program = program();
    let case = std::fs::read("tests/data/fixtures/cases/small.json").expect("case");
    let (mut scored, mut rejected) = (0, 0);
    for position in (0..case.len()).step_by(2) {
        for replacement in [b'"', b'{', b']', b'0', b'x', b',', b'n', 0xFF] {
            let mut bytes = case.clone();
            bytes[position] = replacement;
            match credence::score_case(&program, &bytes, credence::trace::text::render) {
                Ok(_) => scored += 1,
                Err(credence::ScoreError::Case(error)) => {
                    rejected += 1;
                    assert!(error.line >= 1 && !error.message.is_empty());
                }
                Err(other) => panic!("position {position}: {other}"),
            }
        }
    }
    assert!(
        scored > 0 && rejected > 0,
        "scored {scored}, rejected {rejected}"
    );
}

fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn set(value: &mut Value, path: &[String], new: Value) {
    let mut node = value;
    for seg in path {
        node = match node {
            Value::Array(items) => &mut items[seg.parse::<usize>().expect("index")],
            other => &mut other[seg.as_str()],
        };
    }
    *node = new;
}

/// Every field replaced by a value of every other type: a path-naming error or a result.
#[test]
fn fields_of_the_wrong_type_are_named_or_scored() {
    let program = program();
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/fixtures/cases/small.json").expect("case"),
    )
    .expect("json");
    let mut paths = Vec::new();
    leaves(&case, &mut Vec::new(), &mut paths);
    let replacements = [
        Value::Null,
        Value::from(7),
        Value::from("text"),
        Value::from(true),
        serde_json::json!([1, [2]]),
        serde_json::json!({"a": {"b": 1}}),
    ];
    for path in &paths {
        for replacement in &replacements {
            let mut mutated = case.clone();
            set(&mut mutated, path, replacement.clone());
            let bytes = serde_json::to_vec(&mutated).expect("serialise");
            match credence::score_case(&program, &bytes, credence::trace::text::render) {
                Ok(_) => {}
                Err(
                    error @ (credence::ScoreError::Eval(_)
                    | credence::ScoreError::Dates(_)
                    | credence::ScoreError::Profile(_)),
                ) => {
                    panic!("{path:?}: {error}")
                }
                Err(credence::ScoreError::Case(error)) => {
                    let named = error.path.clone().unwrap_or_default();
                    let top = &path[0];
                    assert!(
                        named.starts_with(top.as_str()),
                        "{path:?} = {replacement}: error names `{named}`: {error}"
                    );
                }
            }
        }
    }
}
