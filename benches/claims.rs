//! The fuller benchmark (issue #11): `benches/claims.cred` (timing, replication over a 24-hour
//! window, channel, and five detail matches into a total, bands and a verdict) against the
//! same rule hand-written in Rust over serde structs, producing the same trace data: each
//! criterion's contribution and the values it read, the possible range of the total, a mark
//! for every post in the window, and each detail field's result and similarity.
//!
//! The data: 4,000 generated claims (a fixed seed), with 0–200 posts each in the `mixed`
//! workload, 0–10 in `few` and 180–200 in `many`; a fifth of the timestamps carry non-UTC
//! offsets; claimed details are sometimes missing or wrong, and attacker names come in
//! transliteration variants. Before anything is timed, every case's engine trace is checked
//! against the baseline's: totals, bands, verdicts, window marks, field results.
//!
//! Run: `cargo bench --bench claims`. Figures are recorded in docs/PERFORMANCE.md.

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use serde::Deserialize;

use credence::trace::model::FieldResult;
use credence::{Case as EngineCase, Mark as EngineMark, Options, Program, Trace, compile_str};

const CASES: usize = 4_000;

// ---- Data ---------------------------------------------------------------------------------

/// A small deterministic generator (PCG-style), so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// An RFC 3339 time, with a non-UTC offset one time in five.
fn time(rng: &mut Rng, seconds: i64) -> String {
    let offsets = [3600 * 2, -3600 * 5, 3600 * 5 + 1800, -3600 * 3];
    let ts = jiff::Timestamp::from_second(seconds).expect("valid time");
    if rng.chance(20) {
        let offset = offsets[rng.below(offsets.len() as u64) as usize];
        let offset = jiff::tz::Offset::from_seconds(offset).expect("offset");
        ts.display_with_offset(offset).to_string()
    } else {
        ts.to_string()
    }
}

const NAMES: [(&str, [&str; 3]); 4] = [
    (
        "Mohammed al-Hashimi",
        [
            "Muhammad al-Hashimi",
            "mohammed AL-HASHIMI",
            "Mohamed al Hashimi",
        ],
    ),
    (
        "Abdelhamid Abaaoud",
        [
            "Abdel Hamid Abaaoud",
            "ABDELHAMID ABAAOUD",
            "Abdulhamid Abaaoud",
        ],
    ),
    (
        "Redouane Lakdim",
        ["Radouane Lakdim", "redouane lakdim", "Redwane Lakdim"],
    ),
    (
        "Yusuf Ibrahim",
        ["Youssef Ibrahim", "YUSUF IBRAHIM", "Yousef Ibrahim"],
    ),
];
const WEAPONS: [&str; 4] = ["knife", "rifle", "handgun", "explosive belt"];
const TARGETS: [&str; 4] = ["police", "supermarket", "concert hall", "church"];
const CHANNELS: [&str; 4] = [
    "official_agency",
    "supporter",
    "unknown",
    "official_statement",
];

/// One claim with `posts` posts.
fn case_json(rng: &mut Rng, id: usize, posts: usize) -> String {
    let start = 1_500_000_000 + rng.below(200_000_000) as i64;
    let published = start + rng.below(48 * 3600) as i64;
    let (name, variants) = NAMES[rng.below(NAMES.len() as u64) as usize];
    let weapon = WEAPONS[rng.below(4) as usize];
    let target = TARGETS[rng.below(4) as usize];
    let killed = 1 + rng.below(60);
    let attackers = 1 + rng.below(4);
    let mut details = Vec::new();
    // Each claimed detail: right, a variant or off, wrong, or missing.
    match rng.below(10) {
        0..=3 => details.push(format!(r#""attacker_name":"{name}""#)),
        4..=6 => details.push(format!(
            r#""attacker_name":"{}""#,
            variants[rng.below(3) as usize]
        )),
        7 => details.push(r#""attacker_name":"Abu Bakr al-Faransi""#.to_string()),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""weapon":"{}""#, weapon.to_uppercase())),
        6..=7 => details.push(format!(r#""weapon":"{}""#, WEAPONS[rng.below(4) as usize])),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""target":"{target}""#)),
        6 => details.push(r#""target":"embassy""#.to_string()),
        _ => {}
    }
    match rng.below(10) {
        0..=4 => details.push(format!(
            r#""killed":{}"#,
            killed + rng.below(1 + killed / 5)
        )),
        5..=6 => details.push(format!(r#""killed":{}"#, killed * 3 + 10)),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""attackers":{attackers}"#)),
        6 => details.push(format!(r#""attackers":{}"#, attackers + 1)),
        _ => {}
    }
    let channel = if rng.chance(10) {
        String::new()
    } else {
        format!(r#""channel_class":"{}","#, CHANNELS[rng.below(4) as usize])
    };
    let accounts = 1 + rng.below(1 + posts as u64);
    let posts: Vec<String> = (0..posts)
        .map(|_| {
            let at = published - 2 * 3600 + rng.below(30 * 3600) as i64;
            let account = if rng.chance(3) {
                String::new()
            } else {
                format!(r#""account":"acct{}","#, rng.below(accounts))
            };
            format!(
                r#"{{{account}"at":"{}","lang":"fr","country":"FR"}}"#,
                time(rng, at)
            )
        })
        .collect();
    format!(
        r#"{{"id":"bench-{id}","description":"generated","incident":{{"started_at":"{}","location":{{"city":"X","country":"FR"}},"facts":{{"attacker_name":"{name}","weapon":"{weapon}","target":"{target}","killed":{killed},"attackers":{attackers}}}}},"claim":{{{channel}"published_at":"{}","channel":"amaq","details":{{{}}}}},"posts":[{}]}}"#,
        time(rng, start),
        time(rng, published),
        details.join(","),
        posts.join(",")
    )
}

/// A workload: 4,000 claims whose post counts lie in `posts`.
fn workload(seed: u64, posts: std::ops::RangeInclusive<usize>) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..CASES)
        .map(|id| {
            let n = *posts.start() + rng.below((posts.end() - posts.start() + 1) as u64) as usize;
            case_json(&mut rng, id, n)
        })
        .collect()
}

// ---- The baseline: the same rule, hand-written ---------------------------------------------

#[derive(Deserialize)]
struct Case {
    incident: Incident,
    claim: Claim,
    #[serde(default)]
    posts: Vec<Post>,
}

#[derive(Deserialize)]
struct Incident {
    started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    facts: Details,
}

#[derive(Deserialize)]
struct Claim {
    channel_class: Option<String>,
    published_at: Option<jiff::Timestamp>,
    #[serde(default)]
    details: Details,
}

#[derive(Deserialize, Default)]
struct Details {
    attacker_name: Option<String>,
    weapon: Option<String>,
    target: Option<String>,
    killed: Option<f64>,
    attackers: Option<f64>,
}

#[derive(Deserialize)]
struct Post {
    at: Option<jiff::Timestamp>,
    account: Option<String>,
}

/// How the window treated one post (the same information as the engine's trace).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mark {
    Excluded,
    Counted,
    Unknown,
    Duplicate,
}

/// One detail field: matched (`None` when a side is missing) and how similar.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Field {
    matched: Option<bool>,
    similarity: Option<f64>,
}

/// The baseline's trace: what each criterion read and gave, the window's marks, the fields.
struct Baseline<'c> {
    /// timing, replication, channel, details; `None` when skipped as unknown.
    contributions: [Option<f64>; 4],
    total: f64,
    /// The range the total could take over the unknown criteria's outcomes.
    possible: (f64, f64),
    band: &'static str,
    verdict: &'static str,
    delay: Option<jiff::SignedDuration>,
    accounts: usize,
    matched: usize,
    channel: Option<&'c str>,
    marks: Vec<Mark>,
    fields: [Field; 5],
}

fn nocase(a: &Option<String>, b: &Option<String>) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let same = a
                .chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase));
            Field {
                matched: Some(same),
                similarity: Some(if same { 1.0 } else { 0.0 }),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

fn fuzzy(a: &Option<String>, b: &Option<String>, threshold: f64) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let s = strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase());
            Field {
                matched: Some(s >= threshold),
                similarity: Some(s),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

fn within(a: Option<f64>, b: Option<f64>, tolerance: impl Fn(f64) -> f64) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let difference = (a - b).abs();
            Field {
                matched: Some(difference <= tolerance(b) + f64::EPSILON),
                similarity: Some(1.0 - (difference / b.abs().max(1.0)).min(1.0)),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

fn hand_written(case: &Case) -> Baseline<'_> {
    // timing
    let delay = match (case.claim.published_at, case.incident.started_at) {
        (Some(p), Some(s)) => Some(p.duration_since(s)),
        _ => None,
    };
    let timing = delay.map(|d| {
        if d <= jiff::SignedDuration::from_hours(6) {
            30.0
        } else if d <= jiff::SignedDuration::from_hours(24) {
            15.0
        } else {
            0.0
        }
    });
    // replication: distinct accounts in [published, published + 24 h]
    let mut marks = Vec::with_capacity(case.posts.len());
    let mut seen = HashSet::with_capacity(case.posts.len());
    for post in &case.posts {
        let inside = match (post.at, case.claim.published_at) {
            (Some(at), Some(start)) => {
                Some(at >= start && at <= start + jiff::SignedDuration::from_hours(24))
            }
            _ => None,
        };
        marks.push(match (inside, post.account.as_deref()) {
            (Some(false), _) => Mark::Excluded,
            (None, _) | (Some(true), None) => Mark::Unknown,
            (Some(true), Some(account)) => {
                if seen.insert(account) {
                    Mark::Counted
                } else {
                    Mark::Duplicate
                }
            }
        });
    }
    let accounts = seen.len();
    let replication = if accounts >= 1 {
        let t = ((accounts as f64 - 10.0) / 90.0).clamp(0.0, 1.0);
        5.0 + t * 20.0
    } else {
        0.0
    };
    // channel
    let channel = case.claim.channel_class.as_deref();
    let channel_points = channel.map(|c| match c {
        "official_agency" => 15.0,
        "supporter" => 5.0,
        _ => 0.0,
    });
    // details
    let (claimed, confirmed) = (&case.claim.details, &case.incident.facts);
    let fields = [
        fuzzy(&claimed.attacker_name, &confirmed.attacker_name, 0.9),
        nocase(&claimed.weapon, &confirmed.weapon),
        nocase(&claimed.target, &confirmed.target),
        within(claimed.killed, confirmed.killed, |f| f.abs() * 0.2),
        within(claimed.attackers, confirmed.attackers, |_| 0.0),
    ];
    let known = fields.iter().filter(|f| f.matched.is_some()).count();
    let matched = fields.iter().filter(|f| f.matched == Some(true)).count();
    let details = (known > 0).then(|| {
        if matched >= 1 {
            6.0 * matched.min(5) as f64
        } else {
            0.0
        }
    });
    let contributions = [timing, Some(replication), channel_points, details];
    let total: f64 = contributions.iter().flatten().sum();
    // The possible range: each skipped criterion could give any of its rows' amounts.
    let ranges = [(0.0, 30.0), (0.0, 25.0), (0.0, 15.0), (0.0, 30.0)];
    let possible =
        contributions
            .iter()
            .zip(ranges)
            .fold((0.0, 0.0), |(lo, hi), (c, (min, max))| match c {
                Some(c) => (lo + c, hi + c),
                None => (lo + min, hi + max),
            });
    let band = if total >= 70.0 {
        "credible"
    } else if total >= 40.0 {
        "plausible"
    } else {
        "doubtful"
    };
    let verdict = match band {
        "credible" => "credible claim",
        "plausible" => "plausible claim",
        _ => "doubtful claim",
    };
    Baseline {
        contributions,
        total,
        possible,
        band,
        verdict,
        delay,
        accounts,
        matched,
        channel,
        marks,
        fields,
    }
}

/// The baseline's parse: serde's derived deserializer (not inlined, so that profiles can count it).
#[inline(never)]
fn parse_baseline(json: &[u8]) -> Case {
    serde_json::from_slice(json).expect("baseline parses")
}

// ---- Parity --------------------------------------------------------------------------------

fn mark(m: EngineMark) -> Mark {
    match m {
        EngineMark::Excluded => Mark::Excluded,
        EngineMark::Counted => Mark::Counted,
        EngineMark::Unknown => Mark::Unknown,
        EngineMark::Duplicate => Mark::Duplicate,
    }
}

/// Checks that the engine's trace of a case says what the baseline says.
fn assert_same(trace: &Trace<'_>, b: &Baseline<'_>, id: usize) {
    let score = trace.scores().next().expect("one score");
    assert!(
        (score.total().as_f64() - b.total).abs() < 1e-3,
        "case {id}: total {} vs {}",
        score.total().as_f64(),
        b.total
    );
    let possible = score.possible();
    assert!(
        (possible.min.as_f64() - b.possible.0).abs() < 1e-3
            && (possible.max.as_f64() - b.possible.1).abs() < 1e-3,
        "case {id}: possible {:?} vs {:?}",
        (possible.min.as_f64(), possible.max.as_f64()),
        b.possible
    );
    assert_eq!(score.band().map(|d| d.label()), Some(b.band), "case {id}");
    assert_eq!(
        trace.verdict().map(|d| d.label()),
        Some(b.verdict),
        "case {id}"
    );
    for (criterion, expected) in score.criteria().zip(b.contributions) {
        let got = (!criterion.outcome().is_unknown()).then(|| criterion.contribution().as_f64());
        match (got, expected) {
            (Some(g), Some(e)) => assert!((g - e).abs() < 1e-3, "case {id}: {}", criterion.name()),
            (g, e) => assert_eq!(g.is_some(), e.is_some(), "case {id}: {}", criterion.name()),
        }
    }
    for def in trace.definitions() {
        match def.name() {
            "accounts" => {
                assert_eq!(
                    def.value().as_number(),
                    Some(b.accounts as f64),
                    "case {id}"
                );
                let window = def
                    .evidence()
                    .find_map(|e| e.window())
                    .expect("the accounts window");
                let marks: Vec<Mark> = window.marks().iter().copied().map(mark).collect();
                assert_eq!(marks, b.marks, "case {id}: window marks");
            }
            "matched" => assert_eq!(
                def.value().as_number().unwrap_or(0.0),
                b.matched as f64,
                "case {id}"
            ),
            "details" => {
                for (field, expected) in def.fields().expect("a match").zip(b.fields) {
                    let result = match expected.matched {
                        Some(true) => FieldResult::Match,
                        Some(false) => FieldResult::Mismatch,
                        None => FieldResult::Unknown,
                    };
                    assert_eq!(field.result(), result, "case {id}: {}", field.name());
                    match (field.similarity(), expected.similarity) {
                        (Some(s), Some(e)) => {
                            assert!((s - e).abs() < 1e-9, "case {id}: {}", field.name())
                        }
                        (s, e) => {
                            assert_eq!(s.is_some(), e.is_some(), "case {id}: {}", field.name())
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let _ = (b.delay, b.channel);
}

// ---- Benchmarks ----------------------------------------------------------------------------

struct Loaded {
    name: &'static str,
    json: Vec<String>,
    engine: Vec<EngineCase>,
    typed: Vec<Case>,
}

fn load(program: &Program, name: &'static str, json: Vec<String>) -> Loaded {
    let engine: Vec<EngineCase> = json
        .iter()
        .map(|j| program.load(j.as_bytes()).expect("case loads"))
        .collect();
    let typed: Vec<Case> = json
        .iter()
        .map(|j| serde_json::from_str(j).expect("baseline parses"))
        .collect();
    for (id, (case, typed)) in engine.iter().zip(&typed).enumerate() {
        let trace = Trace::new(credence::evaluate(program, case).expect("within budget"));
        assert_same(&trace, &hand_written(typed), id);
    }
    Loaded {
        name,
        json,
        engine,
        typed,
    }
}

fn benches(c: &mut Criterion) {
    let rules = std::fs::read_to_string("benches/claims.cred").expect("benchmark rules");
    let program = compile_str("benches/claims.cred", &rules, &Options::default())
        .expect("benchmark rules check")
        .program;
    let workloads = [
        load(&program, "mixed 0-200 posts", workload(7, 0..=200)),
        load(&program, "few 0-10 posts", workload(11, 0..=10)),
        load(&program, "many 180-200 posts", workload(13, 180..=200)),
    ];
    for w in &workloads {
        let mut group = c.benchmark_group(format!("claims {}: evaluate 4,000", w.name));
        group.sample_size(10);
        group.bench_function("hand-written Rust (baseline)", |b| {
            b.iter(|| {
                for case in &w.typed {
                    black_box(hand_written(black_box(case)));
                }
            })
        });
        group.bench_function("compiled rules with trace", |b| {
            b.iter(|| {
                for case in &w.engine {
                    black_box(credence::evaluate(black_box(&program), black_box(case)))
                        .expect("within budget");
                }
            })
        });
        group.finish();
    }
    // End to end, as users get it: JSON bytes in, a judgement out, and the JSON trace written.
    for w in &workloads[..2] {
        let mut group = c.benchmark_group(format!("claims {}: from JSON bytes, 4,000", w.name));
        group.sample_size(10);
        group.bench_function("serde + hand-written Rust (baseline)", |b| {
            b.iter(|| {
                for json in &w.json {
                    let case = parse_baseline(black_box(json.as_bytes()));
                    black_box(hand_written(&case).total);
                }
            })
        });
        group.bench_function("layout loader + compiled rules with trace", |b| {
            b.iter(|| {
                for json in &w.json {
                    let case = program.load(black_box(json.as_bytes())).expect("loads");
                    black_box(credence::evaluate(&program, &case).expect("within budget"));
                }
            })
        });
        group.bench_function("the same, the JSON trace written", |b| {
            b.iter(|| {
                for json in &w.json {
                    let case = program.load(black_box(json.as_bytes())).expect("loads");
                    let evaluation = credence::evaluate(&program, &case).expect("within budget");
                    black_box(credence::trace::json::render(&Trace::new(evaluation)));
                }
            })
        });
        group.finish();
    }
    let mixed = &workloads[0];
    let mut group = c.benchmark_group("claims mixed 0-200 posts: render 4,000 traces");
    group.sample_size(10);
    let traces: Vec<Trace<'_>> = mixed
        .engine
        .iter()
        .map(|case| Trace::new(credence::evaluate(&program, case).expect("within budget")))
        .collect();
    group.bench_function("text", |b| {
        b.iter(|| {
            for trace in &traces {
                black_box(credence::trace::text::render(black_box(trace)));
            }
        })
    });
    group.bench_function("JSON", |b| {
        b.iter(|| {
            for trace in &traces {
                black_box(credence::trace::json::render(black_box(trace)));
            }
        })
    });
    group.finish();
}

/// Instruction counts, for callgrind: with `CLAIMS_PROFILE=few|mixed|many` set, the binary
/// skips criterion, evaluates that workload once with each side and renders each trace as text
/// and JSON, so that `valgrind --tool=callgrind --toggle-collect=credence::eval::evaluate
/// --toggle-collect=claims::hand_written target/release/deps/claims-… --bench` counts exactly
/// the instructions of the two evaluations, and `--toggle-collect=credence::trace::text::render`
/// those of rendering (docs/PERFORMANCE.md).
fn profile(workload_name: &str) {
    let rules = std::fs::read_to_string("benches/claims.cred").expect("benchmark rules");
    let program = compile_str("benches/claims.cred", &rules, &Options::default())
        .expect("benchmark rules check")
        .program;
    let json = match workload_name {
        "few" => workload(11, 0..=10),
        "many" => workload(13, 180..=200),
        _ => workload(7, 0..=200),
    };
    let engine: Vec<EngineCase> = json
        .iter()
        .map(|j| program.load(j.as_bytes()).expect("case loads"))
        .collect();
    let typed: Vec<Case> = json.iter().map(|j| parse_baseline(j.as_bytes())).collect();
    for case in &typed {
        black_box(hand_written(black_box(case)));
    }
    for case in &engine {
        let trace =
            Trace::new(credence::evaluate(&program, black_box(case)).expect("within budget"));
        black_box(credence::trace::text::render(&trace));
        black_box(credence::trace::json::render(&trace));
    }
}

criterion_group!(claims, benches);

fn main() {
    match std::env::var("CLAIMS_PROFILE") {
        Ok(workload) => profile(&workload),
        Err(_) => {
            claims();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
