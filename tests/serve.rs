//! `credence serve` over loopback with a real HTTP client: every endpoint, the decision log
//! and its replay, reloads good and bad, limits, authentication, a reload under load, SIGKILL
//! under load, and a graceful SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::Scratch;

/// A running service, killed when dropped.
struct Service {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `credence serve` on a free port with the decision log in `dir`; waits until it
/// answers.
fn start(dir: &Path, rules: &str, extra: &[&str]) -> Service {
    let log = dir.join("decisions.db");
    let mut args = vec![
        "serve".to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--log-db".into(),
        log.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(rules.to_string());
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("credence serve starts");
    // The first line names the address it listens on.
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("the service said nothing: {:?}", child.try_wait()));
    let port: u16 = first
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port in `{first}`"));
    // Keep draining what it says, so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Service { child, port, log }
}

/// An HTTP answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request, the connection closed after it.
fn request(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("writes");
    stream.write_all(body).expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_lowercase(), v.to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
    {
        body = unchunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn unchunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..end]).expect("size").trim(), 16)
                .expect("hex size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
    out
}

fn post(port: u16, target: &str, body: &[u8]) -> Answer {
    request(port, "POST", target, &[], body)
}

fn get(port: u16, target: &str) -> Answer {
    request(port, "GET", target, &[], b"")
}

fn case(name: &str) -> Vec<u8> {
    std::fs::read(format!("fixtures/real/{name}.json")).expect("case")
}

/// Checks `value` against the OpenAPI document's schema `name` (docs/openapi.json), with the
/// engine's own JSON Schema validator.
fn conforms(value: &Value, name: &str) {
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/openapi.json").expect("openapi"))
            .expect("JSON");
    let defs = document["components"]["schemas"]
        .to_string()
        .replace("#/components/schemas/", "#/$defs/");
    let schema = format!(r##"{{"$defs": {defs}, "$ref": "#/$defs/{name}"}}"##);
    let schema = credence::Schema::parse(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    let violations = schema.validate(value);
    assert!(violations.is_empty(), "{name}: {violations:?}");
}

fn credence(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

#[test]
fn every_endpoint_answers_as_the_command_line_does() {
    let dir = Scratch::new("serve-endpoints");
    let service = start(&dir, "rules/", &[]);
    let port = service.port;
    let health = get(port, "/health");
    assert_eq!(health.status, 200);
    conforms(&health.json(), "Health");
    assert!(
        std::panic::catch_unwind(|| conforms(&serde_json::json!({"status": "ok"}), "Health"))
            .is_err(),
        "the check can fail"
    );
    let rules = get(port, "/v1/rules").json();
    conforms(&rules, "Rules");
    assert_eq!(rules["ruleset"], "claims_of_responsibility");
    // One case: the JSON trace, byte for byte what `credence score --format json` writes.
    let scored = post(port, "/v1/score", &case("paris-2015"));
    assert_eq!(scored.status, 200);
    assert_eq!(scored.header("content-type"), Some("application/json"));
    let cli = credence(&[
        "score",
        "--format",
        "json",
        "rules/",
        "fixtures/real/paris-2015.json",
    ]);
    assert_eq!(scored.body, cli.stdout);
    conforms(&scored.json(), "Trace");
    let id = scored
        .header("x-credence-decision")
        .expect("decision id")
        .to_string();
    // As of a moment, as text.
    let early = post(
        port,
        "/v1/score?format=text&as_of=claim%2B24h",
        &case("paris-2015"),
    );
    assert!(
        early
            .text()
            .starts_with("Case paris-2015: CREDIBLE CLAIM: INSPIRED ATTACK"),
        "{}",
        early.text()
    );
    // A batch: a JSON array and JSON Lines, a bad case reported in its place.
    let array = format!(
        "[{}, {{\"claim\": {{\"published_at\": \"yesterday\"}}}}, {}]",
        String::from_utf8_lossy(&case("trebes-2018")),
        String::from_utf8_lossy(&case("munich-2016"))
    );
    let batch = post(port, "/v1/score", array.as_bytes()).json();
    conforms(&batch, "Batch");
    let items = batch.as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["output"]["case"], "trebes-2018");
    assert_eq!(items[1]["errors"][0]["path"], "claim.published_at");
    assert_eq!(items[2]["output"]["case"], "munich-2016");
    let lines: Vec<u8> = [case("trebes-2018"), case("paris-2015")]
        .iter()
        .map(|c| {
            serde_json::from_slice::<Value>(c)
                .expect("json")
                .to_string()
                + "\n"
        })
        .collect::<String>()
        .into_bytes();
    let streamed = request(
        port,
        "POST",
        "/v1/score",
        &[("Content-Type", "application/x-ndjson")],
        &lines,
    )
    .json();
    assert_eq!(streamed[1]["output"]["case"], "paris-2015");
    // The competing hypotheses, as the command line writes them.
    let matrix = post(port, "/v1/score?hypotheses=true", &case("mumbai-2008"));
    conforms(&matrix.json(), "Trace");
    let cli = credence(&[
        "score",
        "--hypotheses",
        "--format",
        "json",
        "rules/",
        "fixtures/real/mumbai-2008.json",
    ]);
    assert_eq!(matrix.body, cli.stdout);
    let csv = post(
        port,
        "/v1/score?hypotheses=true&format=csv",
        &case("mumbai-2008"),
    );
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.text().starts_with("row,title,diagnostic,"),
        "{}",
        csv.text()
    );
    assert_eq!(
        post(port, "/v1/score?format=achz", &case("mumbai-2008")).status,
        400
    );
    // STIX, the timeline, a check, the metrics, mistakes.
    assert_eq!(
        post(port, "/v1/score?format=stix", &case("paris-2015")).json()["type"],
        "bundle"
    );
    let timeline = post(port, "/v1/timeline", &case("paris-2015")).json();
    conforms(&timeline, "Timeline");
    assert_eq!(timeline["case"], "paris-2015");
    let checked = post(port, "/v1/check?name=t.cred", b"ruleset t { version \"1\" }\nscore s {\n  criterion c {\n    when claim.x == 1 => 1 \"x\"\n    else => 0\n  }\n  bands { else => \"x\" }\n}\nlet y = 1 +\n");
    let checked = checked.json();
    conforms(&checked, "Check");
    assert_eq!(checked["ok"], false);
    assert_eq!(checked["diagnostics"][0]["code"], "E001");
    assert_eq!(
        post(port, "/v1/score?format=pdf", &case("paris-2015")).status,
        400
    );
    assert_eq!(
        post(port, "/v1/score?as_of=tomorrow", &case("paris-2015")).status,
        400
    );
    let bad_case = post(port, "/v1/score", b"{\"claim\": 3}");
    assert_eq!(bad_case.status, 422);
    conforms(&bad_case.json(), "CaseErrors");
    assert_eq!(bad_case.json()["errors"][0]["path"], "claim");
    let bad_format = post(port, "/v1/score?format=pdf", &case("paris-2015"));
    conforms(&bad_format.json(), "Error");
    assert_eq!(get(port, "/nothing").status, 404);
    let metrics = get(port, "/metrics").text();
    assert!(
        metrics.contains("credence_requests_total{endpoint=\"/v1/score\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("credence_decisions_total{verdict=\"credible claim: directed attack\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("credence_request_duration_seconds_bucket{le=\"+Inf\"}"),
        "{metrics}"
    );
    // The decision log holds the first decision, and replays it byte for byte.
    let db = service.log.display().to_string();
    let shown = credence(&["log", "--log-db", &db, "show", &id]);
    let shown: Value = serde_json::from_slice(&shown.stdout).expect("json");
    assert_eq!(shown["source"], "serve");
    assert_eq!(shown["case_id"], "paris-2015");
    // The log's place may also follow the action, as users type it.
    let replay = credence(&["log", "replay", &id, "--log-db", &db]);
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replay.stdout)
    );
    let exported = credence(&["log", "--log-db", &db, "export"]);
    let exported = String::from_utf8_lossy(&exported.stdout).into_owned();
    // paris, paris as of, trebes, munich, trebes, paris, mumbai with its hypotheses (JSON
    // and CSV), the STIX paris, the timeline.
    assert_eq!(exported.lines().count(), 10, "{exported}");
}

#[test]
fn a_bad_reload_keeps_the_rules_in_force_and_a_good_one_swaps_them() {
    let dir = Scratch::new("serve-reload");
    std::fs::create_dir_all(dir.join("rules")).expect("dir");
    for file in [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ] {
        std::fs::copy(Path::new("rules").join(file), dir.join("rules").join(file)).expect("copy");
    }
    let rules = dir.join("rules");
    let service = start(&dir, rules.to_str().expect("utf-8"), &["--watch", "0"]);
    let port = service.port;
    let before = get(port, "/v1/rules").json()["rules_hash"].clone();
    let claims = rules.join("claims.cred");
    let text = std::fs::read_to_string(&claims).expect("rules");
    std::fs::write(&claims, format!("{text}\nscore broken {{\n")).expect("write");
    let refused = post(port, "/v1/rules/reload", b"");
    assert_eq!(refused.status, 422);
    conforms(&refused.json(), "ReloadRefused");
    assert_eq!(refused.json()["diagnostics"][0]["code"], "E026");
    assert_eq!(get(port, "/v1/rules").json()["rules_hash"], before);
    assert_eq!(post(port, "/v1/score", &case("paris-2015")).status, 200);
    std::fs::write(
        &claims,
        text.replace("version     \"3.1.0\"", "version     \"3.1.1\""),
    )
    .expect("write");
    let swapped = post(port, "/v1/rules/reload", b"").json();
    assert_eq!(swapped["reloaded"], true);
    assert_eq!(swapped["version"], "3.1.1");
    assert_ne!(swapped["rules_hash"], before);
}

#[test]
fn rules_that_do_not_compile_stop_the_service_before_it_starts() {
    let dir = Scratch::new("serve-bad-rules");
    let rules = dir.join("broken.cred");
    std::fs::write(&rules, "score broken {\n").expect("write");
    let output = credence(&[
        "serve",
        "--no-log",
        "--listen",
        "127.0.0.1:0",
        rules.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1), "exit 1, as `credence check`");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("E026"), "the diagnostic is shown: {stderr}");
    assert!(!stderr.contains("serving"), "nothing was served: {stderr}");
}

#[test]
fn limits_and_authentication() {
    let dir = Scratch::new("serve-limits");
    std::fs::write(dir.join("token"), "open sesame\n").expect("token");
    let token = dir.join("token");
    let service = start(
        &dir,
        "rules/",
        &[
            "--token-file",
            token.to_str().expect("utf-8"),
            "--max-body",
            "1",
            "--no-log",
        ],
    );
    let port = service.port;
    assert_eq!(get(port, "/health").status, 200, "health needs no token");
    let refused = get(port, "/v1/rules");
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        request(
            port,
            "GET",
            "/v1/rules",
            &[("Authorization", "Bearer open sesame!")],
            b""
        )
        .status,
        401
    );
    let bearer = [("Authorization", "Bearer open sesame")];
    assert_eq!(request(port, "GET", "/v1/rules", &bearer, b"").status, 200);
    let huge = vec![b' '; 2 << 20];
    assert_eq!(
        request(port, "POST", "/v1/score", &bearer, &huge).status,
        413
    );
}

/// Reloads while clients score: no request fails, and every decision is logged once.
#[test]
fn a_reload_under_load_fails_no_request() {
    let dir = Scratch::new("serve-reload-load");
    let service = start(&dir, "rules/", &["--watch", "0"]);
    let port = service.port;
    let until = Instant::now() + Duration::from_secs(3);
    let clients: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let mut done = 0;
                while Instant::now() < until {
                    let answer = post(port, "/v1/score", &case("trebes-2018"));
                    assert_eq!(answer.status, 200, "{}", answer.text());
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut reloads = 0;
    while Instant::now() < until {
        assert_eq!(post(port, "/v1/rules/reload", b"").status, 200);
        reloads += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let scored: usize = clients.into_iter().map(|c| c.join().expect("client")).sum();
    assert!(scored > 0 && reloads > 0);
    let exported = credence(&[
        "log",
        "--log-db",
        &service.log.display().to_string(),
        "export",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&exported.stdout).lines().count(),
        scored
    );
}

/// SIGKILL while clients score: the log opens, passes SQLite's integrity check, and holds
/// only whole decisions (every one with its trace and rules).
#[cfg(unix)]
#[test]
fn sigkill_under_load_leaves_a_whole_log() {
    let dir = Scratch::new("serve-kill");
    let mut service = start(&dir, "rules/", &[]);
    let port = service.port;
    let clients: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
                        return;
                    };
                    let body = case("paris-2015");
                    let head = format!(
                        "POST /v1/score HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    if stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body)).is_err() {
                        return;
                    }
                    let mut sink = Vec::new();
                    let _ = stream.read_to_end(&mut sink);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    service.child.kill().expect("SIGKILL");
    let _ = service.child.wait();
    for client in clients {
        let _ = client.join();
    }
    let db = rusqlite::Connection::open(&service.log).expect("the log opens");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    let (decisions, whole): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(CASE WHEN json_valid(d.trace) AND r.hash IS NOT NULL THEN 1 END)
             FROM decisions d LEFT JOIN rule_sets r ON r.hash = d.rules_hash",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("count");
    assert!(decisions > 0, "some decisions were made before the kill");
    assert_eq!(decisions, whole);
}

/// SIGTERM: the service stops accepting, finishes what it has, and exits 0.
#[cfg(unix)]
#[test]
fn sigterm_stops_gracefully() {
    let dir = Scratch::new("serve-term");
    let mut service = start(&dir, "rules/", &[]);
    assert_eq!(
        post(service.port, "/v1/score", &case("paris-2015")).status,
        200
    );
    // Sent with the `kill` command (the tests use no unsafe code).
    let killed = Command::new("kill")
        .args(["-TERM", &service.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = service.child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
}
