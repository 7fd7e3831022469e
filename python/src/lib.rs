//! Python bindings of Credence: the module `credence._credence`, re-exported by the `credence`
//! package (`python/credence/__init__.py`). Rules compile once (from files or from text) and
//! travel to other processes by pickling their text; each case is scored by the same engine as
//! the command line, and its trace is built as Python objects in the shape of
//! `credence score --format json` (docs/TRACE.md), with no JSON text in between. Batches run
//! on shared, bounded worker pools without the GIL; Arrow record batches go in and come out.

mod objects;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use credence::as_of::When;
use credence::batch::{self, Record};
use credence::trace::json as trace_json;
use credence::trace::output::{self, Format};
use credence::{Disk, Judged, Limits, NotYet, Options, Program, ScoreError, Trace};
use pyo3::exceptions::{PyException, PyKeyError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3_arrow::PyRecordBatch;
use rayon::prelude::*;

pyo3::create_exception!(
    _credence,
    CompileError,
    PyException,
    "The rules could not be compiled: `diagnostics` lists every problem as a dict (code, \
     severity, message, file, line, column, text, label, help)."
);

pyo3::create_exception!(
    _credence,
    CaseError,
    PyValueError,
    "A case could not be scored: `errors` lists each problem as a dict (path, message)."
);

/// Compiled rules: score cases with them.
#[pyclass(frozen, module = "credence")]
struct Rules {
    program: Program,
}

/// One problem with a case: the path of the bad field, when there is one, and what is wrong.
type Problem = (Option<String>, String);

fn problem(e: ScoreError) -> Problem {
    match e {
        ScoreError::Case(e) => (e.path.clone(), e.message.clone()),
        ScoreError::Dates(e) => (Some(e.path.clone()), e.message.clone()),
        ScoreError::Eval(e) => (None, e.to_string()),
        ScoreError::Profile(e) => (None, e.to_string()),
    }
}

/// What scoring one case gives: its trace, or, judged as of a moment before its claim was
/// known, the record that there is nothing to judge yet.
enum Outcome<'t, 'a> {
    Scored(&'t Trace<'a>),
    NotYet(&'t NotYet),
}

/// Cases scored between two looks for an interrupt: small enough that Ctrl-C is honoured
/// within about a second, large enough to keep every core busy.
const CHUNK_CASES: usize = 256;

/// Bytes of cases in one chunk, at most (plus one case).
const CHUNK_BYTES: usize = 32 << 20;

/// The worker pools batches share: one per thread count asked for, built on first use and
/// kept, so there are at most as many pools as the machine has cores (never one per call).
static POOLS: Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());

/// The shared pool of `threads` workers (all cores when not given).
fn shared_pool(threads: Option<usize>) -> PyResult<Arc<rayon::ThreadPool>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = match threads {
        None => cores,
        Some(n) if (1..=cores).contains(&n) => n,
        Some(n) => {
            return Err(PyValueError::new_err(format!(
                "threads is {n}: it must be between 1 and {cores}, the cores this process may use"
            )));
        }
    };
    let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, pool)) = pools.iter().find(|(n, _)| *n == threads) {
        return Ok(pool.clone());
    }
    let pool = Arc::new(batch::pool(threads).map_err(|e| PyRuntimeError::new_err(e.to_string()))?);
    pools.push((threads, pool.clone()));
    Ok(pool)
}

/// What is wrong with a case of `len` bytes under the size limit cases have on the command
/// line, when it is over it.
fn over_limit(len: usize, limit: u64) -> Option<String> {
    (len as u64 > limit)
        .then(|| format!("the case is {len} bytes, over the limit of {limit} bytes"))
}

/// A case within that limit.
fn within_limit(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, Problem> {
    match over_limit(bytes.len(), limit) {
        Some(message) => Err((None, message)),
        None => Ok(bytes),
    }
}

/// The JSON trace, as serde sees it (for building Python objects).
struct TraceDocument<'t, 'a>(&'t Trace<'a>);

impl serde::Serialize for TraceDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        trace_json::serialize(self.0, serializer)
    }
}

/// The no-claim-yet record, as serde sees it.
struct NotYetDocument<'t>(&'t NotYet);

impl serde::Serialize for NotYetDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        trace_json::serialize_no_claim_yet(self.0, serializer)
    }
}

/// An outcome as Python objects (dicts, lists, str, int, float, bool, None), built directly.
fn to_python(py: Python<'_>, outcome: Outcome<'_, '_>) -> PyResult<Py<PyAny>> {
    let built = match outcome {
        Outcome::Scored(trace) => objects::to_python(py, &TraceDocument(trace)),
        Outcome::NotYet(not_yet) => objects::to_python(py, &NotYetDocument(not_yet)),
    };
    built.map(Bound::unbind)
}

impl Rules {
    /// Scores one case (as of a moment, when given) and hands the outcome to `explain`.
    fn judge<T>(
        &self,
        json: &[u8],
        when: Option<When>,
        explain: impl Fn(Outcome<'_, '_>) -> T,
    ) -> Result<T, Problem> {
        let program = &self.program;
        let scored = |trace: &Trace<'_>| explain(Outcome::Scored(trace));
        match when {
            None => credence::score_case(program, json, scored).map_err(problem),
            Some(when) => match credence::score_case_as_of(program, json, when, scored) {
                Ok(Judged::Scored(done)) => Ok(done),
                Ok(Judged::NoClaimYet(not_yet)) => Ok(explain(Outcome::NotYet(&not_yet))),
                Err(e) => Err(problem(e)),
            },
        }
    }

    /// Scores one case into Python objects: the evaluation runs without the GIL, which is
    /// taken back only to build the objects.
    fn score_to_python(
        &self,
        json: &[u8],
        when: Option<When>,
    ) -> Result<PyResult<Py<PyAny>>, Problem> {
        self.judge(json, when, |outcome| {
            Python::attach(|py| to_python(py, outcome))
        })
    }

    /// Scores a chunk of cases on `pool`: each one's trace, or its problem (a case that could
    /// not be read keeps the problem it came with).
    fn score_chunk(
        &self,
        pool: &rayon::ThreadPool,
        chunk: &[(usize, Result<Vec<u8>, Problem>)],
        when: Option<When>,
    ) -> PyResult<Vec<Result<Py<PyAny>, Problem>>> {
        let records = chunk.iter().filter_map(|(index, read)| {
            let bytes = read.as_ref().ok()?.clone();
            Some(Ok(Record::Case {
                line: index + 1,
                bytes,
            }))
        });
        let mut scored = Vec::with_capacity(chunk.len());
        batch::run::<_, std::io::Error>(
            pool,
            records,
            |record| match record {
                Record::Case { bytes, .. } => self.score_to_python(bytes, when),
                Record::TooLong { .. } => Err((None, "the case is too long".into())),
            },
            |_, outcome| {
                scored.push(outcome.unwrap_or_else(|e| Err((None, e.to_string()))));
                Ok(())
            },
        )
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        let mut scored = scored.into_iter();
        chunk
            .iter()
            .map(|(_, read)| match read {
                Ok(_) => match scored.next() {
                    Some(Ok(built)) => built.map(Ok),
                    Some(Err(problem)) => Ok(Err(problem)),
                    None => Ok(Err((None, "the case was not scored".into()))),
                },
                Err(problem) => Ok(Err(problem.clone())),
            })
            .collect()
    }

    /// Scores `cases` into `list`, chunk by chunk, looking for an interrupt between chunks.
    fn score_into<'py>(
        &self,
        py: Python<'py>,
        cases: &Bound<'py, PyAny>,
        when: Option<When>,
        pool: &rayon::ThreadPool,
        list: &Bound<'py, PyList>,
    ) -> PyResult<()> {
        let mut items = cases.try_iter()?.enumerate();
        loop {
            // A chunk of cases read from Python, each on its own: a bad one is its own error.
            let mut chunk: Vec<(usize, Result<Vec<u8>, Problem>)> = Vec::new();
            let mut bytes = 0;
            while chunk.len() < CHUNK_CASES && bytes < CHUNK_BYTES {
                let Some((index, case)) = items.next() else {
                    break;
                };
                let read = match case.and_then(|case| case_bytes(py, &case)) {
                    Ok(bytes) => within_limit(bytes, self.program.limits().case_bytes),
                    // An interrupt is not a bad case.
                    Err(e) if !e.is_instance_of::<PyException>(py) => return Err(e),
                    Err(e) => Err((None, e.value(py).to_string())),
                };
                bytes += read.as_ref().map_or(0, Vec::len);
                chunk.push((index, read));
            }
            if chunk.is_empty() {
                return Ok(());
            }
            let outcomes = py.detach(|| self.score_chunk(pool, &chunk, when))?;
            for ((index, _), outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    Ok(trace) => list.append(trace)?,
                    Err(problem) => {
                        let entry = PyDict::new(py);
                        entry.set_item("index", index)?;
                        entry.set_item("errors", problems(py, &[problem])?)?;
                        list.append(entry)?;
                    }
                }
            }
            py.check_signals()?;
        }
    }

    /// The columns `score_arrow` returns: fixed ones, one per score, the trace when asked.
    fn arrow_schema(&self, with_trace: bool) -> PyResult<Schema> {
        let mut fields = vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("verdict", DataType::Utf8, true),
            Field::new("settled", DataType::Boolean, true),
        ];
        for name in self.program.score_names() {
            if ARROW_FIXED.contains(&name) {
                return Err(PyValueError::new_err(format!(
                    "score `{name}` has the name of a fixed column of score_arrow's result"
                )));
            }
            fields.push(Field::new(name, DataType::Float64, true));
        }
        if with_trace {
            fields.push(Field::new("trace", DataType::Utf8, true));
        }
        fields.push(Field::new("error", DataType::Utf8, true));
        Ok(Schema::new(fields))
    }
}

/// The columns of `score_arrow`'s result that are not scores.
const ARROW_FIXED: [&str; 5] = ["id", "verdict", "settled", "trace", "error"];

/// One row of `score_arrow`'s result.
#[derive(Default)]
struct ArrowRow {
    id: Option<String>,
    verdict: Option<String>,
    settled: Option<bool>,
    scores: Vec<Option<f64>>,
    trace: Option<String>,
    error: Option<String>,
}

impl ArrowRow {
    fn of(outcome: Outcome<'_, '_>, score_names: &[&str], with_trace: bool) -> ArrowRow {
        match outcome {
            Outcome::Scored(trace) => {
                let summary = trace.summary();
                ArrowRow {
                    id: trace.case_id(),
                    verdict: trace.verdict().map(|v| v.label().to_string()),
                    settled: summary.verdict.as_ref().map(|v| v.settled()),
                    scores: score_names
                        .iter()
                        .map(|name| trace.score(name).map(|s| s.value()))
                        .collect(),
                    trace: with_trace
                        .then(|| trace_json::render_line(trace).trim_end().to_string()),
                    error: None,
                }
            }
            Outcome::NotYet(not_yet) => ArrowRow {
                id: not_yet.case.clone(),
                scores: vec![None; score_names.len()],
                trace: with_trace.then(|| {
                    trace_json::no_claim_yet(not_yet, false)
                        .trim_end()
                        .to_string()
                }),
                ..ArrowRow::default()
            },
        }
    }

    fn failed(message: String, score_names: &[&str]) -> ArrowRow {
        ArrowRow {
            scores: vec![None; score_names.len()],
            error: Some(message),
            ..ArrowRow::default()
        }
    }
}

/// A column of case JSON, as bytes per row (`None` for a null).
fn case_column(array: &ArrayRef) -> Option<Vec<Option<&[u8]>>> {
    let rows = match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(str::as_bytes))
            .collect(),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .map(|s| s.map(str::as_bytes))
            .collect(),
        DataType::Utf8View => array
            .as_string_view()
            .iter()
            .map(|s| s.map(str::as_bytes))
            .collect(),
        DataType::Binary => array.as_binary::<i32>().iter().collect(),
        DataType::LargeBinary => array.as_binary::<i64>().iter().collect(),
        DataType::BinaryView => array.as_binary_view().iter().collect(),
        _ => return None,
    };
    Some(rows)
}

/// The problems of a case as one line: `path: message; …`.
fn problem_line((path, message): &Problem) -> String {
    match path {
        Some(path) => format!("`{path}`: {message}"),
        None => message.clone(),
    }
}

#[pymethods]
impl Rules {
    /// The rule set's id, version and content hash.
    #[getter]
    fn ruleset(&self) -> (String, String, String) {
        let meta = self.program.meta();
        (
            meta.id.clone(),
            meta.version.clone(),
            meta.content_hash.clone(),
        )
    }

    /// The names of the rule set's scores, in the order traces list them (and `score_arrow`'s
    /// columns).
    #[getter]
    fn score_names(&self) -> Vec<String> {
        self.program.score_names().map(str::to_string).collect()
    }

    /// The rule set as text: (name, text) of each rule file in load order, then the case schema
    /// its header declares. `compile_sources` of these gives the same rules and hash.
    #[getter]
    fn sources(&self) -> Vec<(String, String)> {
        self.program.source_files()
    }

    /// Scores one case (a dict, or JSON as str or bytes) and returns its trace as a dict, in
    /// the shape of `credence score --format json`. `as_of` judges the case on what was known
    /// at a moment: an RFC 3339 time, `"claim+24h"` or `"start+6h"`. Raises `CaseError`.
    #[pyo3(signature = (case, as_of=None))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        case: &Bound<'py, PyAny>,
        as_of: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let when = as_of.map(parse_when).transpose()?;
        let json = within_limit(case_bytes(py, case)?, self.program.limits().case_bytes)
            .map_err(|problem| case_error(py, &[problem]))?;
        py.detach(|| self.score_to_python(&json, when))
            .map_err(|problem| case_error(py, &[problem]))?
    }

    /// Scores one case and writes its trace as `format`, exactly as `credence score --format`
    /// prints it: `"text"`, `"json"`, `"markdown"`, `"html"`, `"stix"` (a STIX 2.1 bundle),
    /// `"misp"` (a MISP event) or `"csv"` (the hypotheses matrix). `hypotheses=True` adds the
    /// matrix of the case's competing hypotheses, as `--hypotheses` does. `as_of` as for
    /// `score`. Raises `CaseError`, or `ValueError` for an unknown format, an export the format
    /// cannot hold, or hypotheses the rule set does not declare.
    #[pyo3(signature = (case, format="text", as_of=None, hypotheses=false))]
    fn render(
        &self,
        py: Python<'_>,
        case: &Bound<'_, PyAny>,
        format: &str,
        as_of: Option<&str>,
        hypotheses: bool,
    ) -> PyResult<String> {
        let format = Format::named(format)
            .filter(|f| *f != Format::Achz)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "unknown format `{format}`: text, json, markdown, html, stix, misp or csv"
                ))
            })?;
        let shape = output::Shape {
            hypotheses,
            ..output::Shape::default()
        };
        let when = as_of.map(parse_when).transpose()?;
        let json = within_limit(case_bytes(py, case)?, self.program.limits().case_bytes)
            .map_err(|problem| case_error(py, &[problem]))?;
        let program = &self.program;
        let written = py.detach(|| {
            self.judge(&json, when, |outcome| match outcome {
                Outcome::Scored(trace) => output::write(trace, program, &json, format, shape),
                Outcome::NotYet(not_yet) => {
                    Ok(output::nothing_yet(program, not_yet, format, false))
                }
            })
        });
        match written {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(refused)) => Err(PyValueError::new_err(refused)),
            Err(problem) => Err(case_error(py, &[problem])),
        }
    }

    /// Scores many cases in parallel on the engine's batch path, without holding the GIL, and
    /// returns a list in input order: each case's trace as a dict, or, for a case that could not
    /// be scored (or is not a case: `None`, a set, a dict that cannot be written as JSON),
    /// `{"index": i, "errors": [{"path": …, "message": …}]}`: one bad case never loses another's
    /// result. `threads` picks the shared pool of that many workers (default: one per core).
    /// Cases are scored in chunks; an interrupt (Ctrl-C) between chunks raises
    /// `KeyboardInterrupt` with the results so far in its `results` attribute.
    #[pyo3(signature = (cases, as_of=None, threads=None))]
    fn score_many<'py>(
        &self,
        py: Python<'py>,
        cases: &Bound<'py, PyAny>,
        as_of: Option<&str>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let when = as_of.map(parse_when).transpose()?;
        let pool = shared_pool(threads)?;
        if cases.is_instance_of::<PyString>()
            || cases.is_instance_of::<PyBytes>()
            || cases.is_instance_of::<PyDict>()
        {
            return Err(PyTypeError::new_err(
                "score_many takes an iterable of cases (a list of dicts, say); score() scores one case",
            ));
        }
        let list = PyList::empty(py);
        let outcome = self.score_into(py, cases, when, &pool, &list);
        match outcome {
            Ok(()) => Ok(list),
            // An interrupt (Ctrl-C) wherever it lands: the results so far go with it.
            Err(interrupt) if !interrupt.is_instance_of::<PyException>(py) => {
                let _ = interrupt.value(py).setattr("results", &list);
                Err(interrupt)
            }
            Err(e) => Err(e),
        }
    }

    /// Scores an Arrow record batch (anything with `__arrow_c_array__`: a `pyarrow.RecordBatch`,
    /// say) whose column `column` holds one case's JSON per row (string or binary), in parallel
    /// without the GIL, and returns a `pyarrow.RecordBatch` with a row per case in input order:
    /// `id`, `verdict`, `settled`, one float64 column per score (the probability of an evidence
    /// score, the points of an additive one), `trace` (the JSON trace, one line; left out with
    /// `trace=False`) and `error` (what was wrong with a case that could not be scored; its
    /// other columns are null).
    #[pyo3(signature = (batch, column="case", as_of=None, threads=None, trace=true))]
    fn score_arrow<'py>(
        &self,
        py: Python<'py>,
        batch: PyRecordBatch,
        column: &str,
        as_of: Option<&str>,
        threads: Option<usize>,
        trace: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let when = as_of.map(parse_when).transpose()?;
        let pool = shared_pool(threads)?;
        let schema = Arc::new(self.arrow_schema(trace)?);
        let input = batch.into_inner();
        let array = input.column_by_name(column).ok_or_else(|| {
            PyKeyError::new_err(format!("the record batch has no column `{column}`"))
        })?;
        let cases = case_column(array).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "column `{column}` is {}: cases are JSON as string or binary",
                array.data_type()
            ))
        })?;
        let names: Vec<&str> = self.program.score_names().collect();
        let limit = self.program.limits().case_bytes;
        let rows: Vec<ArrowRow> = py.detach(|| {
            pool.install(|| {
                cases
                    .par_iter()
                    .map(|case| {
                        let Some(json) = case else {
                            return ArrowRow::failed("the case is null".into(), &names);
                        };
                        if let Some(message) = over_limit(json.len(), limit) {
                            return ArrowRow::failed(message, &names);
                        }
                        let scored = batch::isolated(|| {
                            self.judge(json, when, |outcome| ArrowRow::of(outcome, &names, trace))
                        });
                        match scored {
                            Ok(Ok(row)) => row,
                            Ok(Err(problem)) => ArrowRow::failed(problem_line(&problem), &names),
                            Err(internal) => ArrowRow::failed(internal.to_string(), &names),
                        }
                    })
                    .collect()
            })
        });
        let batch = arrow_batch(schema, &rows, names.len(), trace)?;
        PyRecordBatch::new(batch).into_pyarrow(py)
    }

    /// Pickles as the rule set's text and hash: unpickling compiles the text again and checks
    /// that it gives the same hash (so rules travel to worker processes).
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py.import("credence._credence")?.getattr("_rebuild")?;
        let arguments = (
            self.program.source_files(),
            self.program.meta().content_hash.clone(),
        )
            .into_pyobject(py)?;
        Ok((rebuild, arguments))
    }

    fn __repr__(&self) -> String {
        let meta = self.program.meta();
        format!("<credence.Rules {} {}>", meta.id, meta.version)
    }
}

/// Builds the record batch of `score_arrow`'s rows.
fn arrow_batch(
    schema: Arc<Schema>,
    rows: &[ArrowRow],
    scores: usize,
    with_trace: bool,
) -> PyResult<RecordBatch> {
    let text = |pick: fn(&ArrowRow) -> Option<&str>| {
        let mut builder = StringBuilder::with_capacity(rows.len(), 0);
        for row in rows {
            builder.append_option(pick(row));
        }
        Arc::new(builder.finish()) as ArrayRef
    };
    let mut settled = BooleanBuilder::with_capacity(rows.len());
    for row in rows {
        settled.append_option(row.settled);
    }
    let mut columns = vec![
        text(|r| r.id.as_deref()),
        text(|r| r.verdict.as_deref()),
        Arc::new(settled.finish()) as ArrayRef,
    ];
    for index in 0..scores {
        let mut values = Float64Builder::with_capacity(rows.len());
        for row in rows {
            values.append_option(row.scores[index]);
        }
        columns.push(Arc::new(values.finish()));
    }
    if with_trace {
        columns.push(text(|r| r.trace.as_deref()));
    }
    columns.push(text(|r| r.error.as_deref()));
    RecordBatch::try_new(schema, columns).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// Compiles rule files (a path, or a list of paths; a directory means all its `.cred` files)
/// and returns `Rules`. Raises `CompileError` with every diagnostic, or `OSError` when a file
/// cannot be read.
#[pyfunction]
fn compile(paths: &Bound<'_, PyAny>) -> PyResult<Rules> {
    let given: Vec<PathBuf> = if let Ok(one) = paths.extract::<PathBuf>() {
        vec![one]
    } else {
        paths.extract()?
    };
    let mut files = Vec::new();
    for path in &given {
        files.extend(rule_files(path)?);
    }
    let limits = Limits::default();
    let disk = Disk::new(&files, &[], limits.rule_file_bytes);
    let options = Options {
        limits,
        ..Options::default()
    };
    compiled(credence::compile(&files, &disk, &options))
}

/// Compiles rules given as text: a dict of name to text (or a list of (name, text) pairs),
/// such as `Rules.sources` gives. Every `.cred` entry is a rule file; `include` and a header's
/// `schema` name other entries. Raises `CompileError` with every diagnostic.
#[pyfunction]
fn compile_sources(sources: &Bound<'_, PyAny>) -> PyResult<Rules> {
    let files: Vec<(String, String)> = match sources.cast::<PyDict>() {
        Ok(dict) => dict
            .iter()
            .map(|(name, text)| Ok((name.extract()?, text.extract()?)))
            .collect::<PyResult<_>>()?,
        Err(_) => sources.extract()?,
    };
    compiled(credence::compile_sources(&files, &Options::default()))
}

/// Unpickles `Rules`: compiles the text again and checks the hash.
#[pyfunction]
fn _rebuild(sources: Vec<(String, String)>, hash: String) -> PyResult<Rules> {
    let options = Options::default();
    let rules = compiled(credence::compile_sources(&sources, &options))?;
    let rebuilt = &rules.program.meta().content_hash;
    if *rebuilt != hash {
        return Err(PyValueError::new_err(format!(
            "the pickled rules hash to {rebuilt}, not {hash}: they were altered"
        )));
    }
    Ok(rules)
}

/// Rules, or the Python error of a failed compilation.
fn compiled(result: Result<credence::Compiled, credence::CompileError>) -> PyResult<Rules> {
    match result {
        Ok(compiled) => Ok(Rules {
            program: compiled.program,
        }),
        Err(credence::CompileError::Read(e)) => {
            Err(pyo3::exceptions::PyOSError::new_err(e.to_string()))
        }
        Err(credence::CompileError::Invalid(failed)) => Python::attach(|py| {
            let diagnostics = PyList::empty(py);
            for d in &failed.diagnostics {
                let json = d.to_json(&failed.sources);
                diagnostics.append(objects::to_python(py, &json)?)?;
            }
            let error = CompileError::new_err(failed.to_string());
            error.value(py).setattr("diagnostics", diagnostics)?;
            Err(error)
        }),
    }
}

/// A rule file as given, or the `.cred` files of a directory, sorted.
fn rule_files(path: &Path) -> PyResult<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cred"))
        .collect();
    files.sort();
    Ok(files)
}

fn parse_when(text: &str) -> PyResult<When> {
    When::parse(text).map_err(PyValueError::new_err)
}

/// A case's JSON bytes: a dict (or list) is serialised with Python's `json`; str and bytes are
/// taken as JSON text.
fn case_bytes(py: Python<'_>, case: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = case.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = case.cast::<PyString>() {
        return text.to_cow().map(|t| t.as_bytes().to_vec()).map_err(|_| {
            PyValueError::new_err("the case text is not valid Unicode (it holds a lone surrogate)")
        });
    }
    if case.is_instance_of::<PyDict>() {
        // Python's own writer: it refuses cycles, and a structure too deep for it is an error
        // for this case (RecursionError), not for the batch.
        let text = py
            .import("json")?
            .call_method1("dumps", (case,))
            .map_err(|e| {
                PyValueError::new_err(format!(
                    "the case cannot be written as JSON: {}",
                    e.value(py)
                ))
            })?;
        return Ok(text.extract::<String>()?.into_bytes());
    }
    Err(PyTypeError::new_err(
        "a case is a dict, or JSON text as str or bytes",
    ))
}

fn problems<'py>(py: Python<'py>, list: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (path, message) in list {
        let entry = PyDict::new(py);
        entry.set_item("path", path)?;
        entry.set_item("message", message)?;
        out.append(entry)?;
    }
    Ok(out)
}

fn case_error(py: Python<'_>, list: &[Problem]) -> PyErr {
    let message = list.iter().map(problem_line).collect::<Vec<_>>().join("; ");
    let error = CaseError::new_err(message);
    if let Ok(errors) = problems(py, list) {
        let _ = error.value(py).setattr("errors", errors);
    }
    error
}

#[pymodule]
fn _credence(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Rules>()?;
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_function(wrap_pyfunction!(compile_sources, m)?)?;
    m.add_function(wrap_pyfunction!(_rebuild, m)?)?;
    m.add("CompileError", m.py().get_type::<CompileError>())?;
    m.add("CaseError", m.py().get_type::<CaseError>())?;
    Ok(())
}
