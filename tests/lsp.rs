//! The language server's golden tests: each `tests/lsp/*.json` is a session, the messages an
//! editor sends; `credence lsp` runs it, and everything it sends back is compared with a reviewed
//! snapshot. In the sessions, `${ROOT}` is the URI of `tests/lsp/workspace`, and a string
//! `${FILE:name|from|to|…}` is the text of a file there with each `from` replaced by its `to`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/workspace")
}

/// The `file:` URI of a path, escaped as the server escapes it.
fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Expands `${ROOT}` and `${FILE:…}` in every string of a message.
fn expand(value: &mut Value, root: &str) {
    match value {
        Value::String(s) => {
            if let Some(spec) = s.strip_prefix("${FILE:").and_then(|r| r.strip_suffix('}')) {
                let mut parts = spec.split('|');
                let name = parts.next().expect("a file name");
                let mut text =
                    std::fs::read_to_string(workspace().join(name)).expect("workspace file");
                let rest: Vec<&str> = parts.collect();
                for pair in rest.chunks(2) {
                    let [from, to] = pair else {
                        panic!("`{spec}`: replacements come in pairs")
                    };
                    assert!(text.contains(from), "`{from}` is not in {name}");
                    text = text.replacen(from, to, 1);
                }
                *s = text;
            } else {
                *s = s.replace("${ROOT}", root);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| expand(v, root)),
        Value::Object(fields) => fields.values_mut().for_each(|v| expand(v, root)),
        _ => {}
    }
}

/// Frames of `Content-Length` messages, parsed.
fn frames(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let header_end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header");
        let header = std::str::from_utf8(&bytes[..header_end]).expect("ASCII header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .expect("Content-Length")
            .parse()
            .expect("a length");
        let body = &bytes[header_end + 4..header_end + 4 + length];
        out.push(serde_json::from_slice(body).expect("a JSON message"));
        bytes = &bytes[header_end + 4 + length..];
    }
    out
}

/// Runs a session and returns what the server sent, with the workspace URI put back as
/// `${ROOT}`, and its exit code.
fn session(name: &str) -> (String, Option<i32>) {
    let script: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("tests/lsp/{name}.json")).expect("session file"),
    )
    .expect("a JSON list of messages");
    run(script.as_array().expect("a list"))
}

/// Runs the messages of a session (see [`session`]).
fn run(script: &[Value]) -> (String, Option<i32>) {
    let root = uri(&workspace());
    let mut input = Vec::new();
    for mut message in script.iter().cloned() {
        expand(&mut message, &root);
        message["jsonrpc"] = "2.0".into();
        let body = message.to_string();
        write!(input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("credence lsp starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("send the session");
    let out = child.wait_with_output().expect("credence lsp ends");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replies = frames(&out.stdout);
    let shown = serde_json::to_string_pretty(&replies)
        .expect("JSON")
        .replace(&root, "${ROOT}");
    (shown, out.status.code())
}

#[test]
fn initialize_negotiates_and_shutdown_ends_the_session() {
    let (replies, code) = session("initialize");
    assert_eq!(code, Some(0), "shutdown then exit");
    insta::assert_snapshot!("lsp_initialize", replies);
}

#[test]
fn diagnostics_are_published_as_the_document_changes_with_their_fixes() {
    let (replies, code) = session("diagnostics");
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("lsp_diagnostics", replies);
}

#[test]
fn hover_definition_and_references() {
    let (replies, code) = session("navigation");
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("lsp_navigation", replies);
}

#[test]
fn completion_of_case_paths_values_and_keywords() {
    let (replies, code) = session("completion");
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("lsp_completion", replies);
}

#[test]
fn formatting_or_why_not() {
    let (replies, code) = session("formatting");
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("lsp_formatting", replies);
}

#[test]
fn a_session_cut_short_exits_with_1_and_junk_gets_a_parse_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Content-Length: 9\r\n\r\n{not json")
        .expect("write");
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(1), "no shutdown before the end");
    let replies = frames(&out.stdout);
    assert_eq!(replies[0]["error"]["code"], -32700);
}

#[test]
fn an_open_document_over_the_rule_file_limit_is_refused_not_parsed() {
    let text = format!("# {}\n", "x".repeat(5 << 20));
    let script = serde_json::json!([
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "${ROOT}/unsaved/huge.cred", "languageId": "cred", "version": 1, "text": text}}},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"}
    ]);
    let (replies, code) = run(script.as_array().expect("a list"));
    assert_eq!(code, Some(0));
    let replies: Value = serde_json::from_str(&replies).expect("JSON");
    let published = &replies[1]["params"];
    assert_eq!(published["uri"], "${ROOT}/unsaved/huge.cred");
    let message = published["diagnostics"][0]["message"]
        .as_str()
        .expect("a message");
    assert!(
        message.contains("larger than the limit of 4 MiB"),
        "{message}"
    );
}

#[test]
fn hover_says_what_the_hypothesis_fields_mean_inside_a_hypotheses_block() {
    let text = "ruleset t { version \"1\" }\nhypotheses h \"Who\" {\n  groups claim.claimant\n  each directed \"{hypothesis.group} did it\"\n  one no_group \"No group\"\n  criterion c \"C\" {\n    when hypothesis.group == claim.claimant => lr 2 \"a\"\n    when hypothesis.kind == \"no_group\" => lr 1 \"b\"\n    else => lr 1 \"c\"\n  }\n}\n";
    let at = |line: u32, character: u32| {
        serde_json::json!({"textDocument": {"uri": "${ROOT}/unsaved/hypotheses.cred"},
                           "position": {"line": line, "character": character}})
    };
    let script = serde_json::json!([
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "${ROOT}/unsaved/hypotheses.cred", "languageId": "cred", "version": 1, "text": text}}},
        {"id": 2, "method": "textDocument/hover", "params": at(6, 21)},
        {"id": 3, "method": "textDocument/hover", "params": at(7, 10)},
        {"id": 4, "method": "textDocument/hover", "params": at(6, 40)},
        {"id": 5, "method": "shutdown"},
        {"method": "exit"}
    ]);
    let (replies, code) = run(script.as_array().expect("a list"));
    assert_eq!(code, Some(0));
    let replies: Value = serde_json::from_str(&replies).expect("JSON");
    let hover = |id: i64| {
        let reply = replies
            .as_array()
            .expect("replies")
            .iter()
            .find(|r| r["id"] == id)
            .expect("answered");
        reply["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        hover(2).starts_with("`hypothesis.group`: the group of the hypothesis being weighed"),
        "{}",
        hover(2)
    );
    assert!(
        hover(3).starts_with("`hypothesis.kind`: the kind of the hypothesis being weighed"),
        "{}",
        hover(3)
    );
    // `claim.claimant` on the same line is still a case path.
    assert!(
        hover(4).starts_with("case path `claim.claimant`"),
        "{}",
        hover(4)
    );
}

#[test]
fn a_very_long_chain_is_refused_and_every_request_on_it_answered() {
    let chain = vec!["x"; 50_000].join(" + ");
    let text = format!(
        "ruleset t {{ version \"1\" }}\nlet x = 1\nlet y = {chain}\nscore s {{ additive criterion c {{ when y > 1 => 1 \"a\" else => 0 \"b\" }} }}\n"
    );
    let at = |line: u32, character: u32| {
        serde_json::json!({"textDocument": {"uri": "${ROOT}/unsaved/chain.cred"},
                           "position": {"line": line, "character": character}})
    };
    let mut references = at(2, 9);
    references["context"] = serde_json::json!({"includeDeclaration": true});
    let script = serde_json::json!([
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "${ROOT}/unsaved/chain.cred", "languageId": "cred", "version": 1, "text": text}}},
        {"id": 2, "method": "textDocument/hover", "params": at(2, 9)},
        {"id": 3, "method": "textDocument/definition", "params": at(2, 9)},
        {"id": 4, "method": "textDocument/references", "params": references},
        {"id": 5, "method": "textDocument/completion", "params": at(2, 10)},
        {"id": 6, "method": "shutdown"},
        {"method": "exit"}
    ]);
    let (replies, code) = run(script.as_array().expect("a list"));
    assert_eq!(code, Some(0), "the server lived through the session");
    let replies: Value = serde_json::from_str(&replies).expect("JSON");
    let replies = replies.as_array().expect("replies");
    let published = replies
        .iter()
        .find(|r| r["method"] == "textDocument/publishDiagnostics")
        .expect("diagnostics");
    assert_eq!(published["params"]["diagnostics"][0]["code"], "E024");
    for id in 2..=6 {
        assert!(
            replies
                .iter()
                .any(|r| r["id"] == id && r.get("error").is_none()),
            "request {id} answered"
        );
    }
}

#[test]
fn odd_requests_are_answered_and_files_that_are_not_open_rules_are_not_read() {
    let script = serde_json::json!([
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"id": null, "method": "textDocument/hover", "params": {}},
        {"id": {"a": 1}, "method": "textDocument/hover", "params": {}},
        {"id": 2, "method": "initialize", "params": {"capabilities": {}}},
        {"id": 3, "method": "textDocument/formatting", "params": {
            "textDocument": {"uri": "file:///etc/passwd"},
            "options": {"tabSize": 2, "insertSpaces": true}}},
        {"id": 4, "method": "shutdown"},
        {"method": "exit"}
    ]);
    let (replies, code) = run(script.as_array().expect("a list"));
    assert_eq!(code, Some(0));
    let replies: Value = serde_json::from_str(&replies).expect("JSON");
    let replies = replies.as_array().expect("replies");
    let invalid: Vec<&Value> = replies
        .iter()
        .filter(|r| r["error"]["code"] == -32600)
        .collect();
    assert_eq!(
        invalid.len(),
        3,
        "two bad ids and a second initialize: {replies:?}"
    );
    assert_eq!(invalid[2]["id"], 2);
    let formatting = replies
        .iter()
        .find(|r| r["id"] == 3)
        .expect("formatting answered");
    assert_eq!(
        formatting["result"],
        Value::Null,
        "a file that is not a rule file is not read"
    );
}
