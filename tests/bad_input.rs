//! The bad-input corpus: what a careless user or an attacker feeds Credence. Each class asserts
//! the exit code, that the message names the place (file, line, field path or rule line), that
//! nothing is printed from a file that is not a rule file, and, for batches, that every good
//! record still gets its result. Inputs are built in a scratch directory; nothing outside it is
//! written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::Scratch;

fn credence_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("credence starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // A child that stops reading early closes the pipe; that is not a test failure.
        let _ = pipe.write_all(input);
    }
    child.wait_with_output().expect("credence finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory holding a copy of the shipped rules in `rules/` and the small case.
fn scratch(name: &str) -> Scratch {
    let dir = Scratch::new(name);
    std::fs::create_dir_all(dir.join("rules")).expect("scratch dir");
    for file in [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ] {
        std::fs::copy(Path::new("rules").join(file), dir.join("rules").join(file))
            .expect("copy rules");
    }
    dir
}

fn small() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string("tests/data/fixtures/cases/small.json").expect("small case"),
    )
    .expect("json")
}

fn line(value: &Value) -> String {
    serde_json::to_string(value).expect("serialise")
}

/// Writes a JSON Lines batch: a good case, `bad`, and a good case.
fn sandwich(dir: &Path, name: &str, bad: &[u8]) -> String {
    let mut first = small();
    first["id"] = "good-1".into();
    let mut last = small();
    last["id"] = "good-2".into();
    let mut bytes = line(&first).into_bytes();
    bytes.push(b'\n');
    bytes.extend_from_slice(bad);
    bytes.push(b'\n');
    bytes.extend_from_slice(line(&last).as_bytes());
    bytes.push(b'\n');
    std::fs::write(dir.join(name), bytes).expect("write batch");
    name.to_string()
}

/// Scores a batch in JSON mode: both good cases scored, line 2 reported with `names`.
fn assert_batch_survives(dir: &Path, batch: &str, names: &[&str], extra: &[&str]) {
    let mut args = vec!["score", "--format", "json", "rules/", batch];
    args.extend_from_slice(extra);
    let out = credence_in(dir, &args, None);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(lines[0]["case"], "good-1");
    assert_eq!(lines[2]["case"], "good-2");
    assert_eq!(lines[1]["line"], 2, "the bad record keeps its place");
    assert!(
        stderr.contains(&format!("{batch}:2")),
        "names the line: {stderr}"
    );
    for name in names {
        assert!(stderr.contains(name), "names `{name}`: {stderr}");
    }
    assert!(
        stderr.contains("1 case could not be scored; 2 scored"),
        "{stderr}"
    );
}

fn check(dir: &Path, file: &str, contents: &[u8]) -> Output {
    let path = dir.join("rules").join(file);
    std::fs::write(&path, contents).expect("write rule file");
    credence_in(dir, &["check", &format!("rules/{file}")], None)
}

fn assert_diagnostic(out: &Output, code: &str, place: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(code), "no {code}: {stderr}");
    assert!(stderr.contains(place), "does not name {place}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// ---- Case data -------------------------------------------------------------------------

#[test]
fn an_empty_case_file() {
    let dir = scratch("empty");
    std::fs::write(dir.join("empty.json"), "").expect("write");
    let out = credence_in(&dir, &["score", "rules/", "empty.json"], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("empty.json:1:0"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = scratch("bom");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(line(&small()).as_bytes());
    std::fs::write(dir.join("bom.json"), &bytes).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "bom.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    bytes.push(b'\n');
    bytes.extend(line(&small()).as_bytes());
    std::fs::write(dir.join("bom.jsonl"), &bytes).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "bom.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn crlf_and_blank_lines_in_json_lines() {
    let dir = scratch("crlf");
    let case = line(&small());
    let batch = format!("{case}\r\n\r\n   \r\n{case}\r\n");
    std::fs::write(dir.join("crlf.jsonl"), batch).expect("write");
    let out = credence_in(
        &dir,
        &["score", "--format", "json", "rules/", "crlf.jsonl"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);
}

#[test]
fn invalid_utf8_in_a_field_the_rules_read() {
    let dir = scratch("utf8-read");
    let bad = b"{\"id\":\"bad\",\"claim\":{\"channel_class\":\"\xff\xfe\"}}";
    let batch = sandwich(&dir, "utf8.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["claim.channel_class"], &[]);
}

/// JSON is UTF-8 text: a case with bad bytes where no rule looks is refused all the same, so
/// it loads, or does not, the same way whether scored whole, as of a moment or audited.
#[test]
fn invalid_utf8_in_a_field_no_rule_reads() {
    let dir = scratch("utf8-unread");
    let bad = b"{\"id\":\"bad\",\"junk\":\"\xff\xfe\"}";
    let batch = sandwich(&dir, "unread.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["not UTF-8", "column 21"], &[]);
    let as_of = ["--as-of", "claim+24h"];
    assert_batch_survives(&dir, &batch, &["unread.jsonl:2"], &as_of);
    // Half a surrogate pair is no character either; a whole pair (an emoji) is one.
    let bad = br#"{"id":"bad","junk":"\ud800"}"#;
    let batch = sandwich(&dir, "half.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["hex escape"], &[]);
    let mut pair = small();
    pair["junk"] = "\u{1F600}".into();
    let escaped = line(&pair).replace('\u{1F600}', r"\ud83d\ude00");
    std::fs::write(dir.join("pair.json"), escaped).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "pair.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A number too large for a float where no rule looks is refused all the same, as it is when
/// the case is judged as of a moment (which parses the whole document); a tiny one, a long
/// integer and digits inside a string are fine.
#[test]
fn number_out_of_range_in_a_field_no_rule_reads() {
    let dir = scratch("number-unread");
    let bad = br#"{"id":"bad","junk":7777777777777777777777777e7777}"#;
    let batch = sandwich(&dir, "huge.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["number out of range", "column 49"], &[]);
    let as_of = ["--as-of", "claim+24h"];
    assert_batch_survives(&dir, &batch, &["number out of range"], &as_of);
    let mut fine = small();
    fine["tiny"] = Value::Null;
    fine["long"] = Value::Null;
    fine["text"] = "1e999 and 1234567890".into();
    let document = line(&fine)
        .replace("\"tiny\":null", "\"tiny\":1e-999")
        .replace("\"long\":null", &format!("\"long\":{}", "9".repeat(200)));
    std::fs::write(dir.join("fine.json"), document).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "fine.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn deep_json_nesting() {
    let dir = scratch("nesting");
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let read = format!(r#"{{"id":"deep","claim":{{"channel_class":{nested}}}}}"#);
    let batch = sandwich(&dir, "deep.jsonl", read.as_bytes());
    assert_batch_survives(&dir, &batch, &["claim.channel_class", "found a list"], &[]);
    // Values no rule reads are skipped without recursion, however deep.
    let mut unread = small();
    unread["junk"] = Value::Null;
    let document = line(&unread).replace("\"junk\":null", &format!("\"junk\":{nested}"));
    std::fs::write(dir.join("unread.json"), document).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "unread.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn numbers_too_large_for_a_double() {
    let dir = scratch("huge-number");
    let bad = br#"{"id":"huge","incident":{"facts":{"killed":1e400}}}"#;
    let batch = sandwich(&dir, "huge.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["incident.facts.killed"], &[]);
}

#[test]
fn binary_garbage() {
    let dir = scratch("garbage");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(dir.join("garbage.json"), &garbage).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "garbage.json"], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("garbage.json:1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_truncated_case() {
    let dir = scratch("truncated");
    let case = line(&small());
    let batch = sandwich(&dir, "cut.jsonl", &case.as_bytes()[..case.len() / 2]);
    assert_batch_survives(&dir, &batch, &["EOF"], &[]);
}

#[test]
fn null_and_array_cases() {
    let dir = scratch("null");
    let batch = sandwich(&dir, "null.jsonl", b"null");
    assert_batch_survives(&dir, &batch, &["must be a JSON object"], &[]);
    let batch = sandwich(&dir, "array.jsonl", b"[1, 2]");
    assert_batch_survives(&dir, &batch, &["expected an object"], &[]);
}

#[test]
fn duplicate_keys_in_fields_the_rules_read() {
    let dir = scratch("duplicates");
    let bad =
        br#"{"id":"dup","claim":{"channel_class":"supporter","channel_class":"official_agency"}}"#;
    let batch = sandwich(&dir, "dup.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["claim.channel_class", "appears twice"], &[]);
}

#[test]
fn a_string_over_the_limit() {
    let dir = scratch("long-string");
    let bad = format!(
        r#"{{"id":"long","claim":{{"channel":"{}"}}}}"#,
        "x".repeat(2 << 20)
    );
    let batch = sandwich(&dir, "long.jsonl", bad.as_bytes());
    assert_batch_survives(&dir, &batch, &["claim.channel", "over the limit"], &[]);
}

#[test]
fn a_list_over_the_limit() {
    let dir = scratch("long-list");
    let posts = vec!["{}"; 100_001].join(",");
    let bad = format!(r#"{{"id":"many","posts":[{posts}]}}"#);
    let batch = sandwich(&dir, "many.jsonl", bad.as_bytes());
    assert_batch_survives(&dir, &batch, &["`posts`", "more than 100000 items"], &[]);
}

#[test]
fn a_line_over_the_case_size_is_skipped_not_held() {
    let dir = scratch("long-line");
    let bad = format!(r#"{{"id":"big","padding":"{}"}}"#, "x".repeat(3 << 20));
    let batch = sandwich(&dir, "big.jsonl", bad.as_bytes());
    assert_batch_survives(
        &dir,
        &batch,
        &["over the limit of 1 MiB"],
        &["--max-case-size", "1"],
    );
}

#[test]
fn timestamps_malformed_and_at_the_edges_of_rfc_3339() {
    let dir = scratch("timestamps");
    let bad = br#"{"id":"when","claim":{"published_at":"yesterday"}}"#;
    let batch = sandwich(&dir, "when.jsonl", bad);
    assert_batch_survives(&dir, &batch, &["claim.published_at", "\"yesterday\""], &[]);
    let mut edge = small();
    edge["claim"]["published_at"] = "9999-12-31T23:59:59Z".into();
    edge["incident"]["started_at"] = "2024-05-01T10:00:00.123456789012Z".into();
    std::fs::write(dir.join("edge.json"), line(&edge)).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "edge.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("9999-12-31T23:59:59Z"));
}

#[test]
fn wrong_types_at_every_path_the_shipped_rules_read() {
    let dir = scratch("wrong-types");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("rules/case.schema.json").expect("schema"))
            .expect("json");
    // Every scalar property of the claim and incident objects the schema describes.
    let mut paths = Vec::new();
    for top in ["claim", "incident"] {
        let properties = schema["properties"][top]["properties"]
            .as_object()
            .expect("properties");
        for (name, property) in properties {
            let scalar = ["string", "number", "integer", "boolean"]
                .iter()
                .any(|t| property["type"].to_string().contains(t));
            if scalar {
                paths.push((top, name.clone()));
            }
        }
    }
    assert!(paths.len() >= 8, "{paths:?}");
    let mut batch = String::new();
    let good = line(&small());
    for (top, name) in &paths {
        let mut case = small();
        case[*top][name.as_str()] = serde_json::json!({"not": "a value"});
        batch.push_str(&line(&case));
        batch.push('\n');
        batch.push_str(&good);
        batch.push('\n');
    }
    std::fs::write(dir.join("types.jsonl"), &batch).expect("write");
    let out = credence_in(
        &dir,
        &["score", "--format", "json", "rules/", "types.jsonl"],
        None,
    );
    let stderr = text(&out.stderr);
    let outputs: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(outputs.len(), paths.len() * 2);
    for (index, (top, name)) in paths.iter().enumerate() {
        let (bad, good) = (&outputs[index * 2], &outputs[index * 2 + 1]);
        assert_eq!(
            good["case"], "synthetic-small",
            "good line after {top}.{name}"
        );
        if let Some(errors) = bad["errors"].as_array() {
            let named = errors[0]["path"].as_str().unwrap_or_default();
            assert!(
                named.starts_with(&format!("{top}.{name}")),
                "{top}.{name}: error names `{named}`"
            );
        }
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_pathological_case_over_the_work_budget() {
    let dir = scratch("budget");
    std::fs::write(
        dir.join("rules/quadratic.cred"),
        "ruleset q { version \"1\" }\nlet pairs = count(p in posts where any(q in posts where q.account == p.account))\nscore s { criterion c { when pairs > 0 => 1 else => 0 } }\n",
    )
    .expect("rules");
    std::fs::create_dir_all(dir.join("q")).expect("dir");
    std::fs::rename(
        dir.join("rules/quadratic.cred"),
        dir.join("q/quadratic.cred"),
    )
    .expect("mv");
    let posts = (0..3000)
        .map(|i| format!(r#"{{"account":"a{i}"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let bad = format!(r#"{{"id":"slow","posts":[{posts}]}}"#);
    let good = r#"{"id":"fast","posts":[{"account":"a"}]}"#;
    std::fs::write(dir.join("slow.jsonl"), format!("{good}\n{bad}\n{good}\n")).expect("write");
    let out = credence_in(
        &dir,
        &[
            "score",
            "--format",
            "json",
            "--max-work",
            "1000000",
            "q/",
            "slow.jsonl",
        ],
        None,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("slow.jsonl:2") && stderr.contains("work budget"),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout).matches("\"fast\"").count(), 2);
}

#[test]
fn a_malformed_first_line_on_standard_input_does_not_hide_the_rest() {
    let dir = scratch("stdin");
    let mut input = b"{\"id\": broken\r\n".to_vec();
    for _ in 0..3 {
        input.extend(line(&small()).as_bytes());
        input.extend(b"\r\n");
    }
    let out = credence_in(
        &dir,
        &["score", "--format", "json", "rules/", "-"],
        Some(&input),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("stdin:1"), "{stderr}");
    assert!(
        stderr.contains("1 case could not be scored; 3 scored"),
        "{stderr}"
    );
}

#[test]
fn long_names_in_a_fuzzy_match_are_compared_in_linear_time() {
    let dir = scratch("fuzzy");
    let mut case = small();
    case["claim"]["details"]["attacker_names"] = serde_json::json!(["a".repeat(100_000)]);
    case["incident"]["facts"]["attacker_names"] =
        serde_json::json!([format!("{}b", "a".repeat(99_999))]);
    std::fs::write(dir.join("names.json"), line(&case)).expect("write");
    let started = std::time::Instant::now();
    let out = credence_in(&dir, &["score", "rules/", "names.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Generous: the quadratic comparison took minutes; this is about termination, not speed.
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn case_text_cannot_forge_trace_lines_or_escape_sequences() {
    let dir = scratch("escapes");
    let mut case = small();
    case["id"] = "x\nCase forged: CREDIBLE CLAIM\u{1b}[31m".into();
    case["claim"]["channel"] = "amaq\n  reason: forged\u{1b}]0;title\u{7}".into();
    std::fs::write(dir.join("escapes.json"), line(&case)).expect("write");
    let out = credence_in(&dir, &["score", "rules/", "escapes.json"], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !stdout.contains('\u{1b}'),
        "an escape sequence reached the terminal"
    );
    assert!(!stdout.contains("\nCase forged"), "{stdout}");
    assert!(
        stdout.contains("\\u{1b}"),
        "escaped, still visible: {stdout}"
    );
}

// ---- Rule files --------------------------------------------------------------------------

#[test]
fn an_empty_rule_file() {
    let dir = scratch("empty-rules");
    let out = check(&dir, "empty.cred", b"");
    assert_diagnostic(&out, "E020", "rules/empty.cred");
}

#[test]
fn a_rule_file_that_is_not_utf8_or_is_garbage() {
    let dir = scratch("garbage-rules");
    let out = check(&dir, "latin1.cred", b"ruleset r { version \"caf\xe9\" }\n");
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains(
            "rules/latin1.cred`: it is not UTF-8 text (invalid byte at line 1, column 25)"
        ),
        "{}",
        text(&out.stderr)
    );
    let garbage: String = (0..2000u32)
        .filter_map(|i| char::from_u32(33 + i * 7919 % 90))
        .collect();
    let out = check(&dir, "garbage.cred", garbage.as_bytes());
    assert_diagnostic(&out, "E001", "rules/garbage.cred:1:");
}

#[test]
fn an_unclosed_block_that_used_to_loop_forever() {
    let dir = scratch("loop");
    let out = check(&dir, "loop.cred", b"score s {)}");
    assert_diagnostic(&out, "E027", "rules/loop.cred:1:10");
}

#[test]
fn nesting_that_used_to_overflow_the_stack() {
    let dir = scratch("deep-rules");
    let head = "ruleset r { version \"1\" }\n";
    let tail = "\nscore s { criterion c { when x > 0 => 1 else => 0 } }\n";
    let parens = format!(
        "{head}let x = {}1{}{tail}",
        "(".repeat(2000),
        ")".repeat(2000)
    );
    assert_diagnostic(
        &check(&dir, "parens.cred", parens.as_bytes()),
        "E024",
        "parens.cred:2:",
    );
    let nots = format!(
        "{head}let y = {}true\nlet x = count_true(y){tail}",
        "not ".repeat(10_000)
    );
    assert_diagnostic(
        &check(&dir, "nots.cred", nots.as_bytes()),
        "E024",
        "nots.cred:2:",
    );
    let lets: String = (1..4000)
        .map(|i| format!("let a{i} = a{} + 1\n", i - 1))
        .collect();
    let chain = format!("{head}let a0 = claim.n\n{lets}let x = a3999{tail}");
    assert_diagnostic(
        &check(&dir, "chain.cred", chain.as_bytes()),
        "E024",
        "chain.cred:",
    );
    let sum = format!("{head}let x = claim.n{}{tail}", " + claim.n".repeat(4000));
    assert_diagnostic(
        &check(&dir, "sum.cred", sum.as_bytes()),
        "E024",
        "sum.cred:2:",
    );
    // 200,000 terms (400 KB): refused while parsing, before a tree deep enough to overflow
    // the stack when dropped is built (it aborted the process after reporting E024).
    let long = format!("{head}let x = 1{}{tail}", "+1".repeat(200_000));
    assert_diagnostic(
        &check(&dir, "long.cred", long.as_bytes()),
        "E024",
        "long.cred:2:",
    );
    let ands = format!("{head}let x = true{}{tail}", " and true".repeat(50_000));
    assert_diagnostic(
        &check(&dir, "ands.cred", ands.as_bytes()),
        "E024",
        "ands.cred:2:",
    );
    let counts = format!(
        "{head}let x = {}true{}{tail}",
        "count(p in posts where ".repeat(257),
        ")".repeat(257)
    );
    assert_diagnostic(
        &check(&dir, "counts.cred", counts.as_bytes()),
        "E024",
        "counts.cred:2:",
    );
}

#[test]
fn rules_whose_cost_is_cubic_in_the_list_length() {
    let dir = scratch("cubic");
    let rules = "ruleset r { version \"1\" }\nlet x = count(p in posts where any(q in posts where count(r in posts where r.a == q.a) > 1))\nscore s { criterion c { when x > 0 => 1 else => 0 } }\n";
    let out = check(&dir, "cubic.cred", rules.as_bytes());
    assert_diagnostic(&out, "E025", "cubic.cred:2:");
    assert!(text(&out.stderr).contains("3n³"));
}

#[test]
fn a_diagnostic_past_column_65535() {
    let dir = scratch("wide");
    let rules = format!(
        "ruleset r {{ version \"1\" }}\nlet x = {}@\nscore s {{ criterion c {{ when x > 0 => 1 else => 0 }} }}\n",
        " ".repeat(70_000)
    );
    let out = check(&dir, "wide.cred", rules.as_bytes());
    assert_diagnostic(&out, "E001", "rules/wide.cred:2:70009");
    assert!(text(&out.stderr).contains("too long to show"));
}

#[test]
fn includes_and_schemas_stay_inside_the_rule_set() {
    let dir = scratch("containment");
    let head = "ruleset r { version \"1\" }\nscore s { criterion c { when claim.a == 1 => 1 else => 0 } }\n";
    let out = check(
        &dir,
        "passwd.cred",
        format!("{head}include \"../../../../../../etc/passwd\"\n").as_bytes(),
    );
    assert_diagnostic(&out, "E010", "not a rule file");
    assert!(!text(&out.stderr).contains("root:"), "echoed /etc/passwd");
    let out = check(
        &dir,
        "shadow.cred",
        format!("{head}include \"/etc/shadow\"\n").as_bytes(),
    );
    assert_diagnostic(&out, "E010", "not a rule file");
    std::fs::write(dir.join("outside.cred"), "const X = 1\n").expect("write");
    let out = check(
        &dir,
        "escape.cred",
        format!("{head}include \"../outside.cred\"\n").as_bytes(),
    );
    assert_diagnostic(&out, "E010", "is outside");
    let allowed = credence_in(
        &dir,
        &["check", "--allow-path", ".", "rules/escape.cred"],
        None,
    );
    assert!(
        !text(&allowed.stderr).contains("E010"),
        "{}",
        text(&allowed.stderr)
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/zero", dir.join("rules/zero.cred")).expect("link");
        let out = check(
            &dir,
            "zero.cred.main.cred",
            format!("{head}include \"zero.cred\"\n").as_bytes(),
        );
        assert_diagnostic(&out, "E010", "is outside");
    }
}

#[cfg(unix)]
#[test]
fn fifos_named_by_rules_and_fixtures_are_refused_without_blocking() {
    let dir = scratch("fifo");
    let fifo = |path: &Path| {
        let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
        assert!(status.success());
    };
    fifo(&dir.join("rules/fifo.cred"));
    let out = check(
        &dir,
        "uses-fifo.cred",
        b"ruleset r { version \"1\" }\ninclude \"fifo.cred\"\nscore s { criterion c { when claim.a == 1 => 1 else => 0 } }\n",
    );
    assert_diagnostic(&out, "E010", "a FIFO");
    fifo(&dir.join("rules/schema.json"));
    let out = check(
        &dir,
        "fifo-schema.cred",
        b"ruleset r { version \"1\" schema \"schema.json\" }\nscore s { criterion c { when claim.a == 1 => 1 else => 0 } }\n",
    );
    assert_diagnostic(&out, "E022", "a FIFO");
    std::fs::remove_file(dir.join("rules/fifo.cred")).expect("rm");
    std::fs::remove_file(dir.join("rules/schema.json")).expect("rm");
    std::fs::remove_file(dir.join("rules/uses-fifo.cred")).expect("rm");
    std::fs::remove_file(dir.join("rules/fifo-schema.cred")).expect("rm");
    std::fs::create_dir_all(dir.join("fx")).expect("dir");
    fifo(&dir.join("fx/case.json"));
    std::fs::write(dir.join("fx/f.json"), r#"{"case": "case.json"}"#).expect("write");
    let out = credence_in(&dir, &["test", "rules/", "fx/f.json"], None);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stdout).contains("fx/case.json`: it is a FIFO"),
        "{}",
        text(&out.stdout)
    );
}

#[cfg(unix)]
#[test]
fn the_decision_log_is_never_written_through_a_link_a_fifo_or_a_device() {
    let dir = scratch("log-special");
    std::fs::write(dir.join("case.json"), line(&small())).expect("case");
    std::fs::write(dir.join("target"), "untouched\n").expect("target");
    std::os::unix::fs::symlink("target", dir.join("link.db")).expect("link");
    let status = Command::new("mkfifo")
        .arg(dir.join("fifo.db"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    for (db, kind) in [
        ("link.db", "a link"),
        ("fifo.db", "a FIFO"),
        ("/dev/null", "a device"),
    ] {
        let args = ["score", "--log", "--log-db", db, "rules/", "case.json"];
        let out = credence_in(&dir, &args, None);
        assert_eq!(out.status.code(), Some(4), "{db}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&format!("{db} is {kind}")), "{stderr}");
        let served = credence_in(
            &dir,
            &["serve", "--listen", "127.0.0.1:0", "--log-db", db, "rules/"],
            None,
        );
        assert_eq!(served.status.code(), Some(4), "{db}");
        assert!(
            text(&served.stderr).contains(kind),
            "{}",
            text(&served.stderr)
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("target")).expect("target"),
        "untouched\n"
    );
    assert!(
        std::fs::symlink_metadata(dir.join("link.db"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
}

/// SQLite keeps files beside the log (`-wal`, `-shm`, `-journal`): a link put there is refused
/// by name, left in place, and nothing is written through it.
#[cfg(unix)]
#[test]
fn the_files_beside_the_decision_log_are_never_written_through_a_link() {
    let dir = scratch("log-sidecars");
    std::fs::write(dir.join("case.json"), line(&small())).expect("case");
    std::fs::write(dir.join("target"), "untouched\n").expect("target");
    for suffix in ["-wal", "-shm", "-journal"] {
        let db = format!("log{suffix}.db");
        let sidecar = format!("{db}{suffix}");
        std::os::unix::fs::symlink("target", dir.join(&sidecar)).expect("link");
        let args = ["score", "--log", "--log-db", &db, "rules/", "case.json"];
        let out = credence_in(&dir, &args, None);
        assert_eq!(out.status.code(), Some(4), "{sidecar}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{sidecar} is a link: a file SQLite keeps beside")),
            "{stderr}"
        );
        assert!(
            std::fs::symlink_metadata(dir.join(&sidecar))
                .expect("link")
                .file_type()
                .is_symlink(),
            "{sidecar} left as it was"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("target")).expect("target"),
        "untouched\n"
    );
}

#[test]
fn files_that_are_not_rule_files_on_the_command_line() {
    let dir = scratch("not-rules");
    let out = credence_in(&dir, &["check", "/etc/passwd"], None);
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`/etc/passwd` is not a rule file"),
        "{stderr}"
    );
    assert!(!stderr.contains("root:"), "{stderr}");
    std::fs::create_dir_all(dir.join("nothing")).expect("dir");
    let out = credence_in(&dir, &["check", "nothing"], None);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("`nothing` has no `.cred` files"));
}

// ---- Fixtures, reports and outputs --------------------------------------------------------

fn fixture_dir(dir: &Path) -> PathBuf {
    let fx = dir.join("fx");
    std::fs::create_dir_all(fx.join("cases")).expect("dir");
    std::fs::write(fx.join("cases/small.json"), line(&small())).expect("case");
    fx
}

#[test]
fn fixture_cases_stay_inside_the_corpus() {
    let dir = scratch("fixture-containment");
    let fx = fixture_dir(&dir);
    std::fs::write(dir.join("outside.json"), line(&small())).expect("write");
    std::fs::write(fx.join("escape.json"), r#"{"case": "../outside.json"}"#).expect("write");
    let out = credence_in(&dir, &["test", "rules/", "fx/"], None);
    assert_eq!(out.status.code(), Some(5));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ERROR  escape: fx/escape.json") && stdout.contains("is outside"),
        "{stdout}"
    );
}

#[test]
fn fixture_names_cannot_leave_the_golden_directory_or_collide() {
    let dir = scratch("golden-names");
    let fx = fixture_dir(&dir);
    let marker = std::env::temp_dir().join(format!("credence-escaped-{}", std::process::id()));
    let escaped = format!("../../../../../../../../{}", marker.display());
    std::fs::write(
        fx.join("a.json"),
        serde_json::json!({"name": escaped, "case": "cases/small.json"}).to_string(),
    )
    .expect("write");
    std::fs::write(
        fx.join("b.json"),
        serde_json::json!({"name": marker.display().to_string(), "case": "cases/small.json"})
            .to_string(),
    )
    .expect("write");
    std::fs::write(
        fx.join("c.json"),
        r#"{"name": "same", "case": "cases/small.json"}"#,
    )
    .expect("w");
    std::fs::write(
        fx.join("d.json"),
        r#"{"name": "same", "case": "cases/small.json"}"#,
    )
    .expect("w");
    let out = credence_in(
        &dir,
        &["test", "rules/", "fx/", "--golden", "gold", "--bless"],
        None,
    );
    assert_eq!(out.status.code(), Some(5));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("is not a safe file name"), "{stdout}");
    assert!(
        stdout.contains(
            "ERROR  same: fx/d.json: the fixture name `same` is already used by fx/c.json"
        ),
        "{stdout}"
    );
    assert!(!marker.exists() && !marker.with_extension("trace").exists());
    let golden: Vec<_> = std::fs::read_dir(dir.join("gold")).expect("gold").collect();
    assert_eq!(golden.len(), 1, "only the first `same` was blessed");
}

#[test]
fn reports_are_checked_before_running_and_never_replace_special_files() {
    let dir = scratch("reports");
    fixture_dir(&dir);
    std::fs::write(dir.join("fx/f.json"), r#"{"case": "cases/small.json"}"#).expect("w");
    let run = |extra: &[&str]| {
        let mut args = vec!["test", "rules/", "fx/"];
        args.extend_from_slice(extra);
        credence_in(&dir, &args, None)
    };
    let out = run(&["--report", "xml=x.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown report format `xml`"));
    assert!(!text(&out.stdout).contains("running"), "nothing ran");
    for bad in ["nan", "120", "-1"] {
        assert_eq!(
            run(&["--min-coverage", bad]).status.code(),
            Some(2),
            "{bad}"
        );
    }
    assert_eq!(run(&["--no-such-flag"]).status.code(), Some(2));
    std::fs::create_dir_all(dir.join("adir")).expect("dir");
    let out = run(&["--report", "json=adir"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("`adir`: it is a directory"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let out = run(&["--report", "json=-"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is the output");
    assert_eq!(report["totals"]["passed"], 1);
    assert!(
        !dir.join("-").exists(),
        "`-` is standard output, not a file"
    );
    #[cfg(unix)]
    {
        let out = run(&["--report", "junit=/dev/null"]);
        assert_eq!(out.status.code(), Some(0));
        let null = std::fs::metadata("/dev/null").expect("/dev/null");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            null.file_type().is_char_device(),
            "/dev/null is still a device"
        );
    }
}

#[test]
fn control_characters_in_fixture_names_and_todos_keep_junit_well_formed() {
    let dir = scratch("junit");
    fixture_dir(&dir);
    std::fs::write(
        dir.join("fx/f.json"),
        serde_json::json!({"case": "cases/small.json", "todo": "waits for \u{1}\u{1b}[31m fix", "description": "\u{0}"}).to_string(),
    )
    .expect("w");
    let out = credence_in(
        &dir,
        &["test", "rules/", "fx/", "--report", "junit=j.xml"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let xml = std::fs::read_to_string(dir.join("j.xml")).expect("junit");
    roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert!(xml.contains("\\u{1b}"));
}

#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    let dir = scratch("pipe");
    let batch: String = std::iter::repeat_n(line(&small()) + "\n", 200).collect();
    std::fs::write(dir.join("many.jsonl"), batch).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["score", "rules/", "many.jsonl"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(out.status.code(), Some(141));
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn fmt_writes_through_symlinks_and_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("fmt");
    let real = dir.join("rules/real.cred");
    std::fs::write(
        &real,
        "ruleset m { version \"1\" }\nscore s {\ncriterion c {\nwhen claim.a == 1 => 1\n}\n}\n",
    )
    .expect("w");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink("real.cred", dir.join("rules/link.cred")).expect("link");
    let out = credence_in(&dir, &["fmt", "rules/link.cred"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let link = std::fs::symlink_metadata(dir.join("rules/link.cred")).expect("link");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let meta = std::fs::metadata(&real).expect("real");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&real)
            .expect("read")
            .contains("\n  criterion c {")
    );
}

/// A secret only the environment holds: no output may ever show it.
const SECRET: &str = "credence-test-secret-0b1d";

fn credence_with_secret(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .current_dir(dir)
        .env("CREDENCE_TEST_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .expect("credence runs")
}

fn assert_no_secret(out: &Output) {
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(!all.contains(SECRET), "the environment leaked: {all}");
}

#[test]
fn a_link_out_of_the_rules_directory_is_refused_by_every_command() {
    let dir = scratch("link-out");
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("rules/zz.cred")).expect("link");
    std::fs::write(dir.join("case.json"), line(&small())).expect("case");
    fixture_dir(&dir);
    std::fs::write(dir.join("fx/f.json"), r#"{"case": "cases/small.json"}"#).expect("w");
    for args in [
        &["check", "rules/"][..],
        &["check", "--fix", "rules/"],
        &["score", "rules/", "case.json"],
        &["test", "rules/", "fx/"],
        &["timeline", "rules/", "case.json"],
    ] {
        let out = credence_with_secret(&dir, args);
        assert_no_secret(&out);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("`rules/zz.cred`: it is a link out of `rules/`"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // Named on its own, it still leads to a file that is not a rule file.
    let out = credence_with_secret(&dir, &["check", "rules/zz.cred"]);
    assert_no_secret(&out);
    assert!(
        text(&out.stderr).contains("which is not a rule file"),
        "{}",
        text(&out.stderr)
    );
    // The language server never reads it either.
    let session = serde_json::json!([
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": format!("file://{}", dir.join("rules/claims.cred").display()),
            "languageId": "cred", "version": 1,
            "text": std::fs::read_to_string(dir.join("rules/claims.cred")).expect("rules")}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"}
    ]);
    let mut input = Vec::new();
    for message in session.as_array().expect("messages") {
        let body = message.to_string();
        write!(input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("frame");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .arg("lsp")
        .env("CREDENCE_TEST_SECRET", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lsp");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("send");
    let out = child.wait_with_output().expect("lsp ends");
    assert_eq!(out.status.code(), Some(0));
    assert_no_secret(&out);
}

#[test]
fn fixes_write_only_to_rule_files_inside_the_rules() {
    let dir = scratch("fix-links");
    let outside = dir.join("script.sh");
    let script = "echo $(date)\n";
    std::fs::write(&outside, script).expect("script");
    // A rule file named by the user that is a link to a rule file elsewhere: never rewritten.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    std::fs::write(
        elsewhere.join("other.cred"),
        "ruleset o { version \"1\" }\nscore s { criterion c { when claim.a == 1 && claim.b == 2 => 1 else => 0 } }\n",
    )
    .expect("w");
    std::os::unix::fs::symlink("../elsewhere/other.cred", dir.join("rules/other.cred"))
        .expect("link");
    let before = std::fs::read_to_string(elsewhere.join("other.cred")).expect("read");
    let out = credence_in(&dir, &["check", "--fix", "rules/other.cred"], None);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("it is a link to a file elsewhere"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("other.cred")).expect("read"),
        before
    );
    assert_eq!(std::fs::read_to_string(&outside).expect("script"), script);
}

#[test]
fn rewritten_files_keep_their_links_group_and_protection() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("rewrite");
    let messy =
        "ruleset m { version \"1\" }\nscore s {\ncriterion c {\nwhen claim.a == 1 => 1\n}\n}\n";
    // A read-only file is refused, not replaced.
    let locked = dir.join("rules/locked.cred");
    std::fs::write(&locked, messy).expect("w");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = credence_in(&dir, &["fmt", "rules/locked.cred"], None);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("it is read-only"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&locked).expect("read"), messy);
    // A file with another hard link is rewritten in place: both names see the new text.
    let shared = dir.join("rules/shared-link.cred");
    let twin = dir.join("twin.cred");
    std::fs::write(&shared, messy).expect("w");
    std::fs::hard_link(&shared, &twin).expect("hard link");
    let out = credence_in(&dir, &["fmt", "rules/shared-link.cred"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&shared).expect("read");
    assert!(formatted.contains("\n  criterion c {"), "{formatted}");
    assert_eq!(std::fs::read_to_string(&twin).expect("twin"), formatted);
    assert_eq!(std::fs::metadata(&shared).expect("meta").nlink(), 2);
    // The group is kept (the owner's primary group, or another it is a member of).
    let grouped = dir.join("rules/grouped.cred");
    std::fs::write(&grouped, messy).expect("w");
    let gid = std::fs::metadata(&grouped).expect("meta").gid();
    let out = credence_in(&dir, &["fmt", "rules/grouped.cred"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(&grouped).expect("meta").gid(), gid);
    // A temporary file of a write killed long ago is removed by the next write there.
    let stale = dir.join("rules/.credence-killed.tmp");
    std::fs::write(&stale, "half").expect("w");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .and_then(|f| f.set_modified(old))
        .expect("age it");
    std::fs::write(&grouped, messy).expect("w");
    let out = credence_in(&dir, &["fmt", "rules/grouped.cred"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stale.exists(), "the stale temporary file is gone");
}

#[test]
fn golden_and_report_directories_hold_only_files_of_their_own() {
    let dir = scratch("golden-links");
    fixture_dir(&dir);
    std::fs::write(dir.join("fx/f.json"), r#"{"case": "cases/small.json"}"#).expect("w");
    std::fs::create_dir_all(dir.join("gold")).expect("gold");
    let outside = dir.join("outside.txt");
    std::fs::write(&outside, "keep me\n").expect("w");
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("gold/f.trace")).expect("link");
    // Comparing does not read through the link (nor print what it leads to).
    let out = credence_with_secret(&dir, &["test", "rules/", "fx/", "--golden", "gold"]);
    assert_no_secret(&out);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stdout).contains("it is a link"),
        "{}",
        text(&out.stdout)
    );
    // Blessing does not write through it.
    std::fs::remove_file(dir.join("gold/f.trace")).expect("rm");
    std::os::unix::fs::symlink(&outside, dir.join("gold/f.trace")).expect("link");
    let out = credence_in(
        &dir,
        &["test", "rules/", "fx/", "--golden", "gold", "--bless"],
        None,
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&outside).expect("read"),
        "keep me\n"
    );
    // A report page already in the output directory as a link is not written through.
    std::fs::create_dir_all(dir.join("report")).expect("report");
    std::os::unix::fs::symlink(&outside, dir.join("report/small.html")).expect("link");
    let out = credence_in(
        &dir,
        &["report", "rules/", "fx/cases/small.json", "--out", "report"],
        None,
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("it is a link"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&outside).expect("read"),
        "keep me\n"
    );
}

#[test]
fn file_names_and_todos_cannot_forge_lines_or_drive_the_terminal() {
    let dir = scratch("forged-names");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).expect("dir");
    let forged = "x\nverdict changed: 99   score changed, same verdict: 0\n\u{1b}[2J";
    std::fs::write(corpus.join(format!("{forged}.json")), "{not json").expect("case");
    let out = credence_in(&dir, &["diff", "rules/", "rules/", "corpus/"], None);
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(
        !all.lines().any(|l| l.starts_with("verdict changed: 99")),
        "a file name forged a line: {all}"
    );
    assert!(
        !all.contains('\u{1b}'),
        "an escape sequence reached the terminal: {all}"
    );
    assert!(
        all.contains("\\u{a}verdict changed: 99"),
        "the name is shown escaped: {all}"
    );
    // A fixture's `todo` with escape codes.
    fixture_dir(&dir);
    std::fs::write(
        dir.join("fx/t.json"),
        serde_json::json!({"case": "cases/small.json", "todo": "later \u{1b}[31mred\u{1b}[0m",
                           "expect": {"verdict": "nothing like it"}})
        .to_string(),
    )
    .expect("w");
    let out = credence_in(&dir, &["test", "rules/", "fx/"], None);
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("todo   t: later \\u{1b}[31mred"), "{all}");
    assert!(!all.contains('\u{1b}'), "{all}");
}

#[test]
fn a_missing_input_exits_4_for_every_command() {
    let dir = scratch("missing-input");
    for args in [
        &["score", "rules/", "nope.json"][..],
        &["timeline", "rules/", "nope.json"],
        &["test", "rules/", "nope.json"],
        &["report", "--out", "out", "rules/", "nope.json"],
        &["calibrate", "rules/", "nope.json"],
        &["diff", "rules/", "rules/", "nope.json"],
        &["check", "rules/nope.cred"],
        &["fmt", "rules/nope.cred"],
    ] {
        let out = credence_in(&dir, args, None);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("nope."),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn exports_refuse_times_their_formats_cannot_hold_and_name_no_empty_actor() {
    let dir = scratch("export-edges");
    let mut case: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/real/trebes-2018.json").expect("case"),
    )
    .expect("JSON");
    case["claim"]["published_at"] = "0000-01-01T00:00:00Z".into();
    std::fs::write(dir.join("year0.json"), case.to_string()).expect("w");
    for format in ["stix", "misp"] {
        let out = credence_in(
            &dir,
            &["score", "--format", format, "rules/", "year0.json"],
            None,
        );
        assert_eq!(out.status.code(), Some(3), "{format}");
        assert!(
            text(&out.stderr).contains("outside the years 0001 to 9999"),
            "{}",
            text(&out.stderr)
        );
    }
    case["claim"]["published_at"] = "2018-03-23T16:00:00Z".into();
    case["claim"]["claimant"] = "  ".into();
    std::fs::write(dir.join("blank.json"), case.to_string()).expect("w");
    let out = credence_in(
        &dir,
        &["score", "--format", "stix", "rules/", "blank.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bundle: Value = serde_json::from_slice(&out.stdout).expect("bundle");
    let actor = bundle["objects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["type"] == "threat-actor"))
        .expect("an actor");
    assert_eq!(actor["name"], "unknown claimant");
}

#[test]
fn known_at_times_are_checked_the_same_with_or_without_as_of() {
    let dir = scratch("known-at");
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/real/opera-2018.json").expect("case"),
    )
    .expect("JSON");
    /// A case file, the change that breaks it, and the message that names the problem.
    type Broken<'a> = (&'a str, &'a dyn Fn(&mut Value), &'a str);
    let cases: [Broken<'_>; 3] = [
        (
            "inverted.json",
            &|c| {
                c["known_at"]["incident.attacker.prior_contact"] = serde_json::json!(
                    {"earliest": "2023-10-25T00:00:00Z", "latest": "2023-10-01T00:00:00Z"})
            },
            "`known_at.incident.attacker.prior_contact`: `earliest` is after `latest`",
        ),
        (
            "malformed.json",
            &|c| c["known_at"]["incident.attacker.prior_contact"] = "last year".into(),
            "`known_at.incident.attacker.prior_contact`: expected an RFC 3339 timestamp",
        ),
        (
            "own.json",
            &|c| c["incident"]["attacker"]["known_at"] = "not a time".into(),
            "`incident.attacker.known_at`: expected an RFC 3339 timestamp",
        ),
    ];
    for (name, change, message) in cases {
        let mut case = base.clone();
        change(&mut case);
        std::fs::write(dir.join(name), case.to_string()).expect("w");
        for extra in [&[][..], &["--as-of", "claim+24h"]] {
            let mut args = vec!["score", "rules/", name];
            args.extend_from_slice(extra);
            let out = credence_in(&dir, &args, None);
            assert_eq!(out.status.code(), Some(3), "{name} {extra:?}");
            assert!(
                text(&out.stderr).contains(message),
                "{name} {extra:?}: {}",
                text(&out.stderr)
            );
        }
    }
    // A claim that became known after it was published says both.
    let mut late = base;
    late["claim"]["known_at"] = "2018-05-20T00:00:00Z".into();
    std::fs::write(dir.join("late.json"), late.to_string()).expect("w");
    let out = credence_in(
        &dir,
        &[
            "score",
            "--as-of",
            "2018-05-15T00:00:00Z",
            "rules/",
            "late.json",
        ],
        None,
    );
    assert!(
        text(&out.stdout).contains(
            "the claim was published 2018-05-12T23:59:59Z, and became known 2018-05-20T00:00:00Z"
        ),
        "{}",
        text(&out.stdout)
    );
}

/// A case judged as of a moment is read from its parsed document: its errors name the path,
/// never a made-up position such as line 0.
#[test]
fn a_bad_value_in_a_case_judged_as_of_a_moment_names_its_path() {
    let dir = scratch("as-of-path");
    let mut case = small();
    case["incident"]["facts"]["killed"] = "many".into();
    std::fs::write(dir.join("bad.json"), line(&case)).expect("write");
    let out = credence_in(
        &dir,
        &["score", "--as-of", "claim+24h", "rules/", "bad.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("error: bad.json: invalid case: `incident.facts.killed`: expected a number"),
        "{stderr}"
    );
    assert!(!stderr.contains(":0:0"), "{stderr}");
}

/// A baseline the profile names is read as an included file is: inside the rule directory (or
/// `--allow-path`), never elsewhere.
#[test]
fn a_baseline_outside_the_rule_directory_is_refused() {
    let dir = scratch("baseline-outside");
    std::fs::write(
        dir.join("outside.cred"),
        "ruleset outside { version \"1\" }\n",
    )
    .expect("write");
    let claims = dir.join("rules/claims.cred");
    let rules = std::fs::read_to_string(&claims).expect("rules");
    let rules = rules
        .replace(
            "\"baselines/official-channel/baseline.cred\"",
            "\"../outside.cred\"",
        )
        .replace(
            "  baseline \"within 12 h means directed, else inspired\" \"baselines/within-12h/baseline.cred\"\n",
            "",
        );
    std::fs::write(&claims, rules).expect("write");
    std::fs::create_dir_all(dir.join("corpus")).expect("dir");
    std::fs::copy(
        "fixtures/real/trebes-2018.json",
        dir.join("corpus/trebes.json"),
    )
    .expect("copy");
    let out = credence_in(&dir, &["calibrate", "rules/", "corpus/"], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the baseline `official channel means credible`")
            && stderr.contains("it is outside"),
        "{stderr}"
    );
}
