//! The peer benchmark: the rule of `benches/claims.cred` run end to end (the JSON bytes of a case
//! in, a total, a band and a verdict out) by Credence and by embeddable rule engines from
//! crates.io, over the same 4,000 generated claims per workload as `cargo bench --bench claims`,
//! against the same hand-written Rust baseline (`benches/common/claims_data.rs`, shared with that
//! benchmark).
//!
//! Rows of each workload:
//! - `hand-written`: serde's derived parse of the case, then the rule written by hand in Rust.
//! - `credence`: `Program::load` and `credence::evaluate`.
//! - `credence-json`: the same, and the JSON trace written (`credence::trace::json::render`), as
//!   `credence score --format json` gives it.
//! - `rhai`, `regorus`, `cel`, `zen`: each engine parses the JSON itself as its users would and
//!   runs the same rule written in its own language (`benches/peers/rules/`), compiled once
//!   before anything is timed. Where the engine lacks something the rule needs (string
//!   similarity, RFC 3339 times, a distinct count), a native Rust function is registered the way
//!   a user of that engine would; the rule files and the functions below say which.
//!
//! Before anything is timed, every engine's result for every case of every workload is compared
//! with the baseline's (the total, the band, the verdict, each criterion's contribution or skip,
//! the distinct accounts, the matched details and each detail field's result), and the run
//! panics on the first disagreement, naming the engine and the case.
//!
//! Run from `benches/peers`: `cargo bench --bench peers`. Figures are recorded in
//! docs/PERFORMANCE.md ("Peer engines"). Set `PEERS_WORKLOADS=mixed,few` (any of mixed, few,
//! many) to run fewer workloads; the default is all three.

use std::collections::HashSet;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};

use credence::trace::model::FieldResult;
use credence::{Options, Program, Trace, compile_str};

#[path = "../../common/claims_data.rs"]
mod claims_data;

use claims_data::{Baseline, hand_written, parse_baseline, workload};

// ---- What an engine says of a case -----------------------------------------------------------

/// One engine's judgement of one case, in the baseline's terms.
#[derive(Debug)]
struct Outcome {
    total: f64,
    band: String,
    verdict: String,
    /// timing, replication, channel, details; `None` when skipped as unknown.
    contributions: [Option<f64>; 4],
    accounts: usize,
    matched: usize,
    /// attacker_name, weapon, target, killed, attackers: matched, or `None` when unknown.
    fields: [Option<bool>; 5],
}

/// Panics, naming the engine and the case, unless `got` says what the baseline says.
fn assert_agrees(engine: &str, workload: &str, id: usize, got: &Outcome, want: &Baseline<'_>) {
    want.assert_consistent(id);
    let fail = |what: String| -> ! {
        panic!(
            "{engine} disagrees with the hand-written baseline on case {id} of the {workload} \
             workload (bench-{id}): {what}"
        )
    };
    // Credence keeps amounts in ten-thousandths, as benches/claims.rs allows for.
    if (got.total - want.total).abs() >= 1e-3 {
        fail(format!("total {} against {}", got.total, want.total));
    }
    if got.band != want.band {
        fail(format!("band {:?} against {:?}", got.band, want.band));
    }
    if got.verdict != want.verdict {
        fail(format!(
            "verdict {:?} against {:?}",
            got.verdict, want.verdict
        ));
    }
    let criteria = ["timing", "replication", "channel", "details"];
    for ((name, got), want) in criteria
        .iter()
        .zip(got.contributions)
        .zip(want.contributions)
    {
        let same = match (got, want) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-3,
            (None, None) => true,
            _ => false,
        };
        if !same {
            fail(format!("criterion {name}: {got:?} against {want:?}"));
        }
    }
    if got.accounts != want.accounts {
        fail(format!(
            "accounts {} against {}",
            got.accounts, want.accounts
        ));
    }
    if got.matched != want.matched {
        fail(format!("matched {} against {}", got.matched, want.matched));
    }
    let fields = ["attacker_name", "weapon", "target", "killed", "attackers"];
    for ((name, got), want) in fields.iter().zip(got.fields).zip(want.fields) {
        if got != want.matched {
            fail(format!("detail {name}: {got:?} against {:?}", want.matched));
        }
    }
}

// ---- Credence --------------------------------------------------------------------------------

fn credence_program() -> Program {
    let rules = include_str!("../../claims.cred");
    compile_str("benches/claims.cred", rules, &Options::default())
        .expect("benchmark rules check")
        .program
}

fn credence_outcome(trace: &Trace<'_>) -> Outcome {
    let score = trace.scores().next().expect("one score");
    let mut contributions = [None; 4];
    for (slot, criterion) in contributions.iter_mut().zip(score.criteria()) {
        *slot = (!criterion.outcome().is_unknown()).then(|| criterion.contribution().as_f64());
    }
    let (mut accounts, mut matched, mut fields) = (0, 0, [None; 5]);
    for def in trace.definitions() {
        match def.name() {
            "accounts" => accounts = def.value().as_number().expect("a count") as usize,
            "matched" => matched = def.value().as_number().unwrap_or(0.0) as usize,
            "details" => {
                for (slot, field) in fields.iter_mut().zip(def.fields().expect("a match")) {
                    *slot = match field.result() {
                        FieldResult::Match => Some(true),
                        FieldResult::Mismatch => Some(false),
                        FieldResult::Unknown => None,
                    };
                }
            }
            _ => {}
        }
    }
    Outcome {
        total: score.total().as_f64(),
        band: score
            .band()
            .map(|d| d.label())
            .unwrap_or_default()
            .to_string(),
        verdict: trace
            .verdict()
            .map(|d| d.label())
            .unwrap_or_default()
            .to_string(),
        contributions,
        accounts,
        matched,
        fields,
    }
}

// ---- Rhai ------------------------------------------------------------------------------------

struct RhaiRule {
    engine: rhai::Engine,
    ast: rhai::AST,
}

impl RhaiRule {
    fn new() -> Self {
        let mut engine = rhai::Engine::new();
        // Native: Rhai has no date-time type. RFC 3339 (offsets included) to nanoseconds since
        // the epoch, with jiff as the baseline parses; `()` (missing or null) stays unknown.
        engine.register_fn(
            "parse_time",
            |text: &str| -> Result<rhai::INT, Box<rhai::EvalAltResult>> {
                let at: jiff::Timestamp = text.parse().map_err(|e: jiff::Error| e.to_string())?;
                rhai::INT::try_from(at.as_nanosecond())
                    .map_err(|_| format!("time out of range: {text}").into())
            },
        );
        engine.register_fn("parse_time", |_: ()| ());
        // Native: Rhai has no string similarity; the measure of `fuzzy 90%`.
        engine.register_fn("similarity", |a: &str, b: &str| {
            strsim::normalized_levenshtein(a, b)
        });
        let ast = engine
            .compile(include_str!("../rules/claims.rhai"))
            .expect("the Rhai script compiles");
        Self { engine, ast }
    }

    fn run(&self, json: &str) -> rhai::Map {
        let case = self
            .engine
            .parse_json(json, true)
            .expect("Rhai parses the case");
        let mut scope = rhai::Scope::new();
        scope.push("input", case);
        self.engine
            .eval_ast_with_scope::<rhai::Map>(&mut scope, &self.ast)
            .expect("the Rhai script runs")
    }

    fn outcome(result: &rhai::Map) -> Outcome {
        let get = |key: &str| {
            result
                .get(key)
                .unwrap_or_else(|| panic!("Rhai result {key}"))
        };
        let number = |key: &str| -> Option<f64> {
            let value = get(key);
            (!value.is_unit()).then(|| value.as_float().expect("a float"))
        };
        let fields = get("fields").clone().into_array().expect("an array");
        Outcome {
            total: number("total").expect("a total"),
            band: get("band").to_string(),
            verdict: get("verdict").to_string(),
            contributions: [
                number("timing"),
                number("replication"),
                number("channel"),
                number("details"),
            ],
            accounts: get("accounts").as_int().expect("a count") as usize,
            matched: get("matched").as_int().expect("a count") as usize,
            fields: std::array::from_fn(|i| {
                (!fields[i].is_unit()).then(|| fields[i].as_bool().expect("a bool"))
            }),
        }
    }
}

// ---- Rego (regorus) --------------------------------------------------------------------------

struct RegoRule {
    engine: regorus::Engine,
}

impl RegoRule {
    fn new() -> Self {
        let mut engine = regorus::Engine::new();
        // Native: Rego has no string similarity; the measure of `fuzzy 90%`.
        engine
            .add_extension(
                "similarity".to_string(),
                2,
                Box::new(|args: Vec<regorus::Value>| {
                    let (a, b) = (args[0].as_string()?, args[1].as_string()?);
                    Ok(regorus::Value::from(strsim::normalized_levenshtein(a, b)))
                }),
            )
            .expect("the extension registers");
        engine
            .add_policy(
                "claims.rego".to_string(),
                include_str!("../rules/claims.rego").to_string(),
            )
            .expect("the Rego policy parses");
        Self { engine }
    }

    fn run(&mut self, json: &str) -> regorus::Value {
        let input = regorus::Value::from_json_str(json).expect("regorus parses the case");
        self.engine.set_input(input);
        self.engine
            .eval_rule("data.claims.result".to_string())
            .expect("the Rego policy evaluates")
    }

    fn outcome(result: &regorus::Value) -> Outcome {
        let defined = |v: &regorus::Value| *v != regorus::Value::Undefined;
        let number = |v: &regorus::Value| v.as_f64().expect("a number");
        let criteria = &result["criteria"];
        let criterion = |name: &str| {
            let v = &criteria[name];
            defined(v).then(|| number(v))
        };
        let fields = &result["fields"];
        let names = ["attacker_name", "weapon", "target", "killed", "attackers"];
        assert!(defined(result), "the Rego result is undefined");
        Outcome {
            total: number(&result["total"]),
            band: result["band"].as_string().expect("a band").to_string(),
            verdict: result["verdict"]
                .as_string()
                .expect("a verdict")
                .to_string(),
            contributions: [
                criterion("timing"),
                criterion("replication"),
                criterion("channel"),
                criterion("details"),
            ],
            accounts: result["accounts"].as_u64().expect("a count") as usize,
            matched: result["matched"].as_u64().expect("a count") as usize,
            fields: names.map(|name| {
                let v = &fields[name];
                defined(v).then(|| *v.as_bool().expect("a bool"))
            }),
        }
    }
}

// ---- CEL (the cel crate) ---------------------------------------------------------------------

struct CelRule {
    root: cel::Context<'static, 'static>,
    steps: Vec<(String, cel::Program)>,
}

/// The named expressions of `rules/claims.cel`: a line `name = expression` starts one.
fn cel_steps(source: &str) -> Vec<(String, String)> {
    let mut steps: Vec<(String, String)> = Vec::new();
    for line in source.lines() {
        let start = line.split_once(" = ").filter(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
        match (start, steps.last_mut()) {
            (Some((name, expression)), _) => steps.push((name.to_string(), expression.into())),
            (None, Some((_, expression))) if !line.trim_start().starts_with("//") => {
                expression.push('\n');
                expression.push_str(line);
            }
            _ => {}
        }
    }
    steps
}

impl CelRule {
    fn new() -> Self {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::lists)
            .expect("lists extension");
        env.add_extension(cel::extensions::math)
            .expect("math extension");
        let env = Arc::new(env);
        let steps = cel_steps(include_str!("../rules/claims.cel"))
            .into_iter()
            .map(|(name, source)| {
                let program = env
                    .compile(&source)
                    .unwrap_or_else(|e| panic!("CEL expression {name}: {e}"));
                (name, program)
            })
            .collect();
        let mut root = cel::Context::with_env(env);
        // Native: CEL has no string similarity; the measure of `fuzzy 90%`.
        root.add_function("similarity", |a: Arc<String>, b: Arc<String>| {
            strsim::normalized_levenshtein(&a, &b)
        })
        .expect("similarity registers");
        // Native: Unicode lower case (the strings extension's lowerAscii() is ASCII only).
        root.add_function("lower", |s: Arc<String>| Arc::new(s.to_lowercase()))
            .expect("lower registers");
        Self { root, steps }
    }

    /// Each named expression's value, in order.
    fn run(&self, json: &str) -> Vec<cel::Value> {
        let case: serde_json::Value = serde_json::from_str(json).expect("serde_json parses");
        let mut scope = self.root.new_inner_scope();
        scope.add_variable_from_value("case", cel::to_value(case).expect("a CEL value"));
        let mut values = Vec::with_capacity(self.steps.len());
        for (name, program) in &self.steps {
            let value = program
                .execute(&scope)
                .unwrap_or_else(|e| panic!("CEL expression {name}: {e}"));
            scope.add_variable_from_value(name.as_str(), value.clone());
            values.push(value);
        }
        values
    }

    fn outcome(&self, values: &[cel::Value]) -> Outcome {
        let get = |key: &str| {
            let i = self.steps.iter().position(|(name, _)| name == key);
            &values[i.unwrap_or_else(|| panic!("CEL step {key}"))]
        };
        let number = |key: &str| match get(key) {
            cel::Value::Null => None,
            cel::Value::Float(f) => Some(*f),
            other => panic!("CEL {key}: {other:?}"),
        };
        let text = |key: &str| match get(key) {
            cel::Value::String(s) => s.to_string(),
            other => panic!("CEL {key}: {other:?}"),
        };
        let count = |key: &str| match get(key) {
            cel::Value::Int(n) => *n as usize,
            other => panic!("CEL {key}: {other:?}"),
        };
        let cel::Value::List(fields) = get("fields") else {
            panic!("CEL fields");
        };
        Outcome {
            total: number("total").expect("a total"),
            band: text("band"),
            verdict: text("verdict"),
            contributions: [
                number("timing"),
                number("replication"),
                number("channel"),
                number("details"),
            ],
            accounts: count("accounts"),
            matched: count("matched"),
            fields: std::array::from_fn(|i| match &fields[i] {
                cel::Value::Null => None,
                cel::Value::Bool(b) => Some(*b),
                other => panic!("CEL field: {other:?}"),
            }),
        }
    }
}

// ---- Zen (GoRules) ---------------------------------------------------------------------------

/// The custom node of `rules/claims.jdm.json` (kind `claimsNative`), for what Zen's expression
/// language lacks: a distinct count (of the list named by `config.distinct`) and the normalized
/// Levenshtein similarity of `fuzzy 90%` (of the two strings named by `config.similarity`; Zen's
/// built-in `fuzzyMatch` is Damerau–Levenshtein, another measure). Its output is
/// `{accounts, name_similarity}`.
#[derive(Debug)]
struct ClaimsNative;

impl zen_engine::nodes::custom::CustomNodeAdapter for ClaimsNative {
    fn handle(
        &self,
        request: zen_engine::nodes::custom::CustomNodeRequest,
    ) -> Pin<Box<dyn Future<Output = zen_engine::nodes::NodeResult> + '_>> {
        Box::pin(async move {
            let config = &request.node.config;
            let list = config["distinct"].as_str().expect("config.distinct");
            let accounts = match request.input.dot(list) {
                Some(zen_engine::Variable::Array(items)) => {
                    let items = items.borrow();
                    let distinct: HashSet<&str> = items.iter().filter_map(|v| v.as_str()).collect();
                    distinct.len()
                }
                _ => 0,
            };
            let pair = &config["similarity"];
            let (a, b) = (
                pair[0].as_str().expect("a path"),
                pair[1].as_str().expect("a path"),
            );
            let similarity = match (request.input.dot(a), request.input.dot(b)) {
                (Some(a), Some(b)) => match (a.as_str(), b.as_str()) {
                    (Some(a), Some(b)) => serde_json::json!(strsim::normalized_levenshtein(a, b)),
                    _ => serde_json::Value::Null,
                },
                _ => serde_json::Value::Null,
            };
            let output = serde_json::json!({ "accounts": accounts, "name_similarity": similarity });
            Ok(zen_engine::nodes::NodeResponse {
                output: output.into(),
                trace_data: None,
            })
        })
    }
}

struct ZenRule {
    decision: zen_engine::Decision,
    runtime: tokio::runtime::Runtime,
}

impl ZenRule {
    fn new() -> Self {
        let content: zen_engine::model::GraphContent =
            serde_json::from_str(include_str!("../rules/claims.jdm.json")).expect("the JDM graph");
        let mut decision = zen_engine::Decision::from(content).with_adapter(Arc::new(ClaimsNative));
        decision.validate().expect("the JDM graph is valid");
        decision.compile();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        Self { decision, runtime }
    }

    fn run(&self, json: &str) -> zen_engine::Variable {
        let input: zen_engine::Variable = serde_json::from_str(json).expect("Zen parses the case");
        self.runtime
            .block_on(self.decision.evaluate(input))
            .unwrap_or_else(|e| panic!("the Zen decision evaluates: {e}"))
            .result
    }

    fn outcome(result: &zen_engine::Variable) -> Outcome {
        let result = result.to_value();
        let number = |v: &serde_json::Value| {
            (!v.is_null()).then(|| v.as_f64().unwrap_or_else(|| panic!("Zen number {v}")))
        };
        let text = |key: &str| result[key].as_str().expect("a string").to_string();
        let count = |key: &str| result[key].as_u64().expect("a count") as usize;
        let fields = result["fields"].as_array().expect("fields");
        Outcome {
            total: number(&result["total"]).expect("a total"),
            band: text("band"),
            verdict: text("verdict"),
            contributions: [
                number(&result["timing"]),
                number(&result["replication"]),
                number(&result["channel"]),
                number(&result["details"]),
            ],
            accounts: count("accounts"),
            matched: count("matched"),
            fields: std::array::from_fn(|i| fields[i].as_bool()),
        }
    }
}

// ---- Benchmarks ------------------------------------------------------------------------------

struct Engines {
    program: Program,
    rhai: RhaiRule,
    rego: RegoRule,
    cel: CelRule,
    zen: ZenRule,
}

/// Every engine against the baseline on every case of a workload; prints how long each took.
fn check(engines: &mut Engines, name: &str, json: &[String]) {
    let baselines: Vec<_> = json.iter().map(|j| parse_baseline(j.as_bytes())).collect();
    let baselines: Vec<Baseline<'_>> = baselines.iter().map(hand_written).collect();
    let timed = |engine: &str, run: &mut dyn FnMut(&str) -> Outcome| {
        let start = Instant::now();
        for (id, (json, want)) in json.iter().zip(&baselines).enumerate() {
            assert_agrees(engine, name, id, &run(json), want);
        }
        eprintln!(
            "{name}: {engine} agrees with the baseline on all {} cases ({:.2?} for the check)",
            json.len(),
            start.elapsed()
        );
    };
    let program = &engines.program;
    timed("credence", &mut |json| {
        let case = program.load(json.as_bytes()).expect("the case loads");
        let trace = Trace::new(credence::evaluate(program, &case).expect("within budget"));
        credence_outcome(&trace)
    });
    let rhai = &engines.rhai;
    timed("rhai", &mut |json| RhaiRule::outcome(&rhai.run(json)));
    let rego = &mut engines.rego;
    timed("regorus", &mut |json| RegoRule::outcome(&rego.run(json)));
    let cel = &engines.cel;
    timed("cel", &mut |json| cel.outcome(&cel.run(json)));
    let zen = &engines.zen;
    timed("zen", &mut |json| ZenRule::outcome(&zen.run(json)));
}

fn benches(c: &mut Criterion) {
    let selected = std::env::var("PEERS_WORKLOADS").unwrap_or_else(|_| "mixed,few,many".into());
    let workloads: Vec<(&str, Vec<String>)> = [
        ("mixed 0-200 posts", "mixed", 7, 0..=200),
        ("few 0-10 posts", "few", 11, 0..=10),
        ("many 180-200 posts", "many", 13, 180..=200),
    ]
    .into_iter()
    .filter(|(_, key, _, _)| selected.split(',').any(|s| s.trim() == *key))
    .map(|(name, _, seed, posts)| (name, workload(seed, posts)))
    .collect();
    let mut engines = Engines {
        program: credence_program(),
        rhai: RhaiRule::new(),
        rego: RegoRule::new(),
        cel: CelRule::new(),
        zen: ZenRule::new(),
    };
    for (name, json) in &workloads {
        check(&mut engines, name, json);
    }
    for (name, json) in &workloads {
        let mut group = c.benchmark_group(format!("peers {name}: from JSON bytes, 4,000"));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(1));
        group.bench_function("hand-written", |b| {
            b.iter(|| {
                for json in json {
                    let case = parse_baseline(black_box(json.as_bytes()));
                    black_box(hand_written(&case).total);
                }
            })
        });
        let program = &engines.program;
        group.bench_function("credence", |b| {
            b.iter(|| {
                for json in json {
                    let case = program.load(black_box(json.as_bytes())).expect("loads");
                    black_box(credence::evaluate(program, &case).expect("within budget"));
                }
            })
        });
        group.bench_function("credence-json", |b| {
            b.iter(|| {
                for json in json {
                    let case = program.load(black_box(json.as_bytes())).expect("loads");
                    let evaluation = credence::evaluate(program, &case).expect("within budget");
                    black_box(credence::trace::json::render(&Trace::new(evaluation)));
                }
            })
        });
        let rhai = &engines.rhai;
        group.bench_function("rhai", |b| {
            b.iter(|| {
                for json in json {
                    black_box(rhai.run(black_box(json)));
                }
            })
        });
        let rego = &mut engines.rego;
        group.bench_function("regorus", |b| {
            b.iter(|| {
                for json in json {
                    black_box(rego.run(black_box(json)));
                }
            })
        });
        let cel = &engines.cel;
        group.bench_function("cel", |b| {
            b.iter(|| {
                for json in json {
                    black_box(cel.run(black_box(json)));
                }
            })
        });
        let zen = &engines.zen;
        group.bench_function("zen", |b| {
            b.iter(|| {
                for json in json {
                    black_box(zen.run(black_box(json)));
                }
            })
        });
        group.finish();
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
