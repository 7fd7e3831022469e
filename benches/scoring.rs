//! Scoring a case with 200 posts: the compiled rule (with its full trace) against the same
//! rule hand-written in Rust producing the same trace data.
//!
//! Run: `cargo bench --bench scoring`. Figures are recorded in docs/PERFORMANCE.md.

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;

use credence::evaluate;
use credence::{Options, compile_str};

const POSTS: usize = 200;

/// A deterministic case: 200 posts over 30 hours around the claim, 140 accounts, 12 countries.
fn case_json() -> String {
    let countries = [
        "SY", "IQ", "FR", "BE", "GB", "US", "DE", "TR", "RU", "ID", "PK", "ES",
    ];
    let claim = 1_521_820_800i64; // 2018-03-23T16:00:00Z
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let posts: Vec<String> = (0..POSTS)
        .map(|i| {
            let offset = (next() % (30 * 3600)) as i64 - 2 * 3600;
            let at = jiff::Timestamp::from_second(claim + offset).expect("valid time");
            format!(
                r#"{{"at":"{at}","account":"acct{:03}","lang":"fr","country":"{}","time_verified":{}}}"#,
                next() % 140,
                countries[i % countries.len()],
                next() % 3 == 0
            )
        })
        .collect();
    format!(
        r#"{{"id":"bench","incident":{{"started_at":"2018-03-23T09:10:00Z","location":{{"city":"Trebes","country":"FR"}}}},
"claim":{{"channel":"amaq","channel_class":"official_agency","published_at":"2018-03-23T16:00:00Z","wording":"boilerplate"}},
"posts":[{}]}}"#,
        posts.join(",")
    )
}

// ---- The baseline: the same rule, hand-written -------------------------------------------

#[derive(Deserialize)]
struct Case {
    incident: Incident,
    claim: Claim,
    posts: Vec<Post>,
}

#[derive(Deserialize)]
struct Incident {
    started_at: jiff::Timestamp,
}

#[derive(Deserialize)]
struct Claim {
    channel_class: Option<String>,
    published_at: jiff::Timestamp,
}

#[derive(Deserialize)]
struct Post {
    at: Option<jiff::Timestamp>,
    account: Option<String>,
    country: Option<String>,
    time_verified: Option<bool>,
}

/// How a window treated one post (the same information as the engine's trace).
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Excluded,
    Counted,
    Unknown,
    Duplicate,
}

/// The baseline's trace: contributions, evidence values and window marks.
struct Trace<'c> {
    contributions: [f64; 3],
    total: f64,
    probability: f64,
    band: &'static str,
    evidence: Vec<Evidence<'c>>,
    windows: [Vec<Mark>; 3],
}

#[expect(
    dead_code,
    reason = "produced for parity with the engine's trace, then black-boxed"
)]
enum Evidence<'c> {
    Str(Option<&'c str>),
    Time(jiff::Timestamp),
    Count(usize),
}

fn distinct_within<'c>(
    case: &'c Case,
    field: impl Fn(&'c Post) -> Option<&'c str>,
    marks: &mut Vec<Mark>,
) -> usize {
    let start = case.claim.published_at;
    let end = start + jiff::SignedDuration::from_hours(24);
    let mut seen = HashSet::with_capacity(case.posts.len());
    for post in &case.posts {
        let mark = match post.at {
            None => Mark::Unknown,
            Some(at) if at < start || at > end => Mark::Excluded,
            Some(_) => match field(post) {
                None => Mark::Unknown,
                Some(value) if seen.insert(value) => Mark::Counted,
                Some(_) => Mark::Duplicate,
            },
        };
        marks.push(mark);
    }
    seen.len()
}

fn hand_written(case: &Case) -> Trace<'_> {
    let n = case.posts.len();
    let mut windows = [
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    ];
    let accounts = distinct_within(case, |p| p.account.as_deref(), &mut windows[0]);
    let countries = distinct_within(case, |p| p.country.as_deref(), &mut windows[1]);
    let mut early = 0;
    for post in &case.posts {
        let before = post.at.map(|at| at < case.incident.started_at);
        let mark = match (before, post.time_verified) {
            (Some(false), _) | (_, Some(false)) => Mark::Excluded,
            (Some(true), Some(true)) => {
                early += 1;
                Mark::Counted
            }
            _ => Mark::Unknown,
        };
        windows[2].push(mark);
    }
    let channel = if case.claim.channel_class.as_deref() == Some("official_agency") {
        4f64.ln()
    } else {
        0.5f64.ln()
    };
    let delay = case
        .claim
        .published_at
        .duration_since(case.incident.started_at);
    let timing = if delay <= jiff::SignedDuration::from_hours(6) {
        2f64.ln()
    } else {
        0.0
    };
    let replication = if early >= 1 {
        5f64.ln()
    } else if accounts >= 1 {
        let t = ((accounts as f64 - 50.0) / 450.0).clamp(0.0, 1.0);
        t * 1.5f64.ln()
    } else {
        0.0
    };
    let contributions = [channel, timing, replication];
    let total: f64 = contributions.iter().sum();
    let probability = 1.0 / (1.0 + (-total).exp());
    Trace {
        contributions,
        total,
        probability,
        band: if probability >= 0.8 {
            "likely"
        } else {
            "unlikely"
        },
        evidence: vec![
            Evidence::Str(case.claim.channel_class.as_deref()),
            Evidence::Time(case.claim.published_at),
            Evidence::Time(case.incident.started_at),
            Evidence::Count(early),
            Evidence::Count(accounts),
            Evidence::Count(countries),
        ],
        windows,
    }
}

// ---- Benchmarks ---------------------------------------------------------------------------

fn benches(c: &mut Criterion) {
    let rules = std::fs::read_to_string("benches/replication.cred").expect("benchmark rules");
    let program = compile_str("benches/replication.cred", &rules, &Options::default())
        .expect("benchmark rules check")
        .program;
    let json = case_json();
    let case = program.load(json.as_bytes()).expect("benchmark case loads");
    let typed: Case = serde_json::from_slice(json.as_bytes()).expect("baseline case parses");

    // Both must agree before their speed is compared.
    let engine = evaluate(&program, &case).expect("within budget");
    let baseline = hand_written(&typed);
    let engine_total = credence::Trace::new(engine)
        .scores()
        .next()
        .map(|s| s.total().as_f64())
        .expect("one score");
    assert!(
        (engine_total - baseline.total).abs() < 1e-3,
        "engine {engine_total} vs baseline {}",
        baseline.total
    );
    assert_eq!(baseline.evidence.len(), 6);
    assert!(baseline.windows.iter().all(|w| w.len() == POSTS));
    assert!(
        baseline.contributions.len() == 3
            && !baseline.band.is_empty()
            && baseline.probability > 0.0
    );

    let mut group = c.benchmark_group("evaluate 200 posts");
    group.bench_function("hand-written Rust (baseline)", |b| {
        b.iter(|| black_box(hand_written(black_box(&typed))))
    });
    group.bench_function("compiled rules with trace", |b| {
        b.iter(|| black_box(evaluate(black_box(&program), black_box(&case))))
    });
    group.finish();

    let mut group = c.benchmark_group("load and evaluate 200 posts");
    group.bench_function("serde + hand-written Rust (baseline)", |b| {
        b.iter(|| {
            let case: Case = serde_json::from_slice(black_box(json.as_bytes())).expect("parses");
            black_box(hand_written(&case).total)
        })
    });
    group.bench_function("layout loader + compiled rules with trace", |b| {
        b.iter(|| {
            let case = program.load(black_box(json.as_bytes())).expect("loads");
            black_box(evaluate(&program, &case).expect("within budget"));
        })
    });
    group.finish();

    c.bench_function("render report (text) of 200 posts", |b| {
        let trace = credence::Trace::new(evaluate(&program, &case).expect("within budget"));
        b.iter(|| black_box(credence::trace::text::render(black_box(&trace))))
    });
}

criterion_group!(scoring, benches);
criterion_main!(scoring);
