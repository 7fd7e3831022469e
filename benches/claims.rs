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
//! The generator and the baseline live in `benches/common/claims_data.rs`, shared with the peer
//! benchmark (`benches/peers`), which runs the same rule in other rule engines.
//!
//! Run: `cargo bench --bench claims`. Figures are recorded in docs/PERFORMANCE.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};

use credence::trace::model::FieldResult;
use credence::{Case as EngineCase, Mark as EngineMark, Options, Program, Trace, compile_str};

#[path = "common/claims_data.rs"]
mod claims_data;

use claims_data::{Baseline, Case, Mark, hand_written, parse_baseline, workload};

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
    b.assert_consistent(id);
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
/// --toggle-collect=claims::claims_data::hand_written target/release/deps/claims-… --bench`
/// counts exactly the instructions of the two evaluations, and
/// `--toggle-collect=credence::trace::text::render` those of rendering (docs/PERFORMANCE.md).
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
