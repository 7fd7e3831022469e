//! Python bindings of Credence: the module `credence._credence`, re-exported by the `credence`
//! package (`python/credence/__init__.py`). Rules compile once; each case is scored by the same
//! engine as the command line, and its trace comes back as Python data in the shape of
//! `credence score --format json` (docs/TRACE.md).

use std::path::{Path, PathBuf};

use credence::as_of::When;
use credence::batch::{self, Record};
use credence::trace::output::{self, Format};
use credence::{Disk, Judged, Limits, Options, Program, ScoreError};
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

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

/// Cases scored between two looks for an interrupt: small enough that Ctrl-C is honoured
/// within about a second, large enough to keep every core busy.
const CHUNK_CASES: usize = 256;

/// Bytes of cases in one chunk, at most (plus one case).
const CHUNK_BYTES: usize = 32 << 20;

/// The worker threads every `score_many` call shares (not a new pool per call).
static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, String>> = std::sync::OnceLock::new();

/// A case within the size limit cases have on the command line.
fn within_limit(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, Problem> {
    if bytes.len() as u64 > limit {
        return Err((
            None,
            format!(
                "the case is {} bytes, over the limit of {limit} bytes",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

impl Rules {
    /// Scores a chunk of cases on the shared pool: each one's JSON trace, or its problem (a
    /// case that could not be read keeps the problem it came with).
    fn score_chunk(
        &self,
        chunk: &[(usize, Result<Vec<u8>, Problem>)],
        when: Option<When>,
    ) -> PyResult<Vec<Result<String, Problem>>> {
        let pool = POOL
            .get_or_init(|| batch::pool().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.clone()))?;
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
                Record::Case { bytes, .. } => self.score_bytes(bytes, when),
                Record::TooLong { .. } => Err((None, "the case is too long".into())),
            },
            |_, outcome| {
                scored.push(outcome.unwrap_or_else(|e| Err((None, e.to_string()))));
                Ok(())
            },
        )
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        let mut scored = scored.into_iter();
        Ok(chunk
            .iter()
            .map(|(_, read)| match read {
                Ok(_) => scored
                    .next()
                    .unwrap_or_else(|| Err((None, "the case was not scored".into()))),
                Err(problem) => Err(problem.clone()),
            })
            .collect())
    }

    /// Scores `cases` into `list`, chunk by chunk, looking for an interrupt between chunks.
    fn score_into<'py>(
        &self,
        py: Python<'py>,
        cases: &Bound<'py, PyAny>,
        when: Option<When>,
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
            let outcomes = py.detach(|| self.score_chunk(&chunk, when))?;
            for ((index, _), outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    Ok(trace) => list.append(loads(py, &trace)?)?,
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

    /// Scores one case: its JSON trace, or what is wrong with it.
    fn score_bytes(&self, json: &[u8], as_of: Option<When>) -> Result<String, Problem> {
        let render = credence::trace::json::render_line;
        let Some(when) = as_of else {
            return credence::score_case(&self.program, json, render).map_err(problem);
        };
        match credence::score_case_as_of(&self.program, json, when, render).map_err(problem)? {
            Judged::Scored(trace) => Ok(trace),
            Judged::NoClaimYet(not_yet) => Ok(credence::trace::json::no_claim_yet(&not_yet, false)),
        }
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

    /// Scores one case (a dict, or JSON as str or bytes) and returns its trace as a dict, in
    /// the shape of `credence score --format json`. `as_of` judges the case on what was known
    /// at a moment: an RFC 3339 time, `"claim+24h"` or `"start+6h"`. Raises `CaseError`.
    #[pyo3(signature = (case, as_of=None))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        case: &Bound<'py, PyAny>,
        as_of: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let when = as_of.map(parse_when).transpose()?;
        let json = within_limit(case_bytes(py, case)?, self.program.limits().case_bytes)
            .map_err(|problem| case_error(py, &[problem]))?;
        let trace = py
            .detach(|| self.score_bytes(&json, when))
            .map_err(|(path, message)| case_error(py, &[(path, message)]))?;
        loads(py, &trace)
    }

    /// Scores many cases in parallel on the engine's batch path, without holding the GIL, and
    /// returns a list in input order: each case's trace as a dict, or, for a case that could not
    /// be scored (or is not a case: `None`, a set, a dict that cannot be written as JSON),
    /// `{"index": i, "errors": [{"path": …, "message": …}]}`: one bad case never loses another's
    /// result. Cases are scored in chunks; an interrupt (Ctrl-C) between chunks raises
    /// `KeyboardInterrupt` with the results so far in its `results` attribute.
    #[pyo3(signature = (cases, as_of=None))]
    fn score_many<'py>(
        &self,
        py: Python<'py>,
        cases: &Bound<'py, PyAny>,
        as_of: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let when = as_of.map(parse_when).transpose()?;
        if cases.is_instance_of::<PyString>()
            || cases.is_instance_of::<PyBytes>()
            || cases.is_instance_of::<PyDict>()
        {
            return Err(PyTypeError::new_err(
                "score_many takes an iterable of cases (a list of dicts, say); score() scores one case",
            ));
        }
        let list = PyList::empty(py);
        let outcome = self.score_into(py, cases, when, &list);
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

    /// Scores one case and writes its trace as `format`, exactly as `credence score --format`
    /// prints it: `"text"`, `"json"`, `"markdown"`, `"html"`, `"stix"` (a STIX 2.1 bundle) or
    /// `"misp"` (a MISP event). `as_of` as for `score`. Raises `CaseError`, or `ValueError` for
    /// an unknown format or an export the format cannot hold.
    #[pyo3(signature = (case, format="text", as_of=None))]
    fn render(
        &self,
        py: Python<'_>,
        case: &Bound<'_, PyAny>,
        format: &str,
        as_of: Option<&str>,
    ) -> PyResult<String> {
        let format = Format::named(format).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown format `{format}`: text, json, markdown, html, stix or misp"
            ))
        })?;
        let when = as_of.map(parse_when).transpose()?;
        let json = within_limit(case_bytes(py, case)?, self.program.limits().case_bytes)
            .map_err(|problem| case_error(py, &[problem]))?;
        let program = &self.program;
        let written = py.detach(|| {
            let write = |trace: &credence::Trace<'_>| {
                output::write(trace, program, &json, format, false, false)
            };
            match when {
                None => credence::score_case(program, &json, write),
                Some(when) => {
                    credence::score_case_as_of(program, &json, when, write).map(|judged| {
                        match judged {
                            Judged::Scored(written) => written,
                            Judged::NoClaimYet(not_yet) => {
                                Ok(output::nothing_yet(program, &not_yet, format, false))
                            }
                        }
                    })
                }
            }
        });
        match written {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(refused)) => Err(PyValueError::new_err(refused)),
            Err(e) => Err(case_error(py, &[problem(e)])),
        }
    }

    fn __repr__(&self) -> String {
        let meta = self.program.meta();
        format!("<credence.Rules {} {}>", meta.id, meta.version)
    }
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
    match credence::compile(&files, &disk, &options) {
        Ok(compiled) => Ok(Rules {
            program: compiled.program,
        }),
        Err(credence::CompileError::Read(e)) => {
            Err(pyo3::exceptions::PyOSError::new_err(e.to_string()))
        }
        Err(credence::CompileError::Invalid(failed)) => Python::attach(|py| {
            let diagnostics = PyList::empty(py);
            for d in &failed.diagnostics {
                diagnostics.append(loads(py, &d.to_json(&failed.sources).to_string())?)?;
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

/// JSON text as Python data.
fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (json,))
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
    let message = list
        .iter()
        .map(|(path, message)| match path {
            Some(path) => format!("`{path}`: {message}"),
            None => message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
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
    m.add("CompileError", m.py().get_type::<CompileError>())?;
    m.add("CaseError", m.py().get_type::<CaseError>())?;
    Ok(())
}
