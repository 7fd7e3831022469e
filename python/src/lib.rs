//! Python bindings of Credence: the module `credence._credence`, re-exported by the `credence`
//! package (`python/credence/__init__.py`). Rules compile once; each case is scored by the same
//! engine as the command line, and its trace comes back as Python data in the shape of
//! `credence score --format json` (docs/TRACE.md).

use std::path::{Path, PathBuf};

use credence::as_of::When;
use credence::batch::{self, Record};
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
    }
}

impl Rules {
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
        let json = case_bytes(py, case)?;
        let trace = py
            .detach(|| self.score_bytes(&json, when))
            .map_err(|(path, message)| case_error(py, &[(path, message)]))?;
        loads(py, &trace)
    }

    /// Scores many cases in parallel on the engine's batch path, without holding the GIL, and
    /// returns a list in input order: each case's trace as a dict, or, for a case that could not
    /// be scored, `{"index": i, "errors": [{"path": …, "message": …}]}`: one bad case never
    /// loses another's result.
    #[pyo3(signature = (cases, as_of=None))]
    fn score_many<'py>(
        &self,
        py: Python<'py>,
        cases: &Bound<'py, PyAny>,
        as_of: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let when = as_of.map(parse_when).transpose()?;
        let mut records = Vec::new();
        for (index, case) in cases.try_iter()?.enumerate() {
            records.push(Record::Case {
                line: index + 1,
                bytes: case_bytes(py, &case?)?,
            });
        }
        let outcomes = py.detach(|| -> std::io::Result<Vec<Result<String, Problem>>> {
            let pool = batch::pool().map_err(std::io::Error::other)?;
            let mut outcomes = Vec::with_capacity(records.len());
            batch::run::<_, std::io::Error>(
                &pool,
                records.into_iter().map(Ok),
                |record| match record {
                    Record::Case { bytes, .. } => self.score_bytes(bytes, when),
                    Record::TooLong { .. } => Err((None, "the case is too long".into())),
                },
                |_, outcome| {
                    outcomes.push(outcome.unwrap_or_else(|e| Err((None, e.to_string()))));
                    Ok(())
                },
            )?;
            Ok(outcomes)
        })?;
        let list = PyList::empty(py);
        for (index, outcome) in outcomes.into_iter().enumerate() {
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
        Ok(list)
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
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    if case.is_instance_of::<PyDict>() {
        let text = py.import("json")?.call_method1("dumps", (case,))?;
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
