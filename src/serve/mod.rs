//! `credence serve`: the engine as an HTTP service (docs/SERVICE.md). Rules are compiled once
//! and swapped atomically when they change; every decision is written to the decision log;
//! requests are bounded in size, concurrency, work and time.
//!
//! The HTTP stack is axum on tokio; scoring runs on blocking threads (a batch in parallel on
//! rayon's pool), so one slow case never holds the server's event loop.

mod handlers;
mod metrics;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::decisions::{CasePolicy, DecisionLog};
use crate::program::Program;
use crate::{Disk, Limits, Options as CompileOptions, compile};

/// How the service runs (`credence serve`'s options).
pub(crate) struct Settings {
    /// Where to listen.
    pub(crate) addr: SocketAddr,
    /// The rule files or directories, as given.
    pub(crate) rules: Vec<PathBuf>,
    /// Other directories includes may read from.
    pub(crate) allow: Vec<PathBuf>,
    /// Rule cost, case size and work limits.
    pub(crate) limits: Limits,
    /// The decision log, unless logging is off.
    pub(crate) log: Option<PathBuf>,
    /// What the log keeps of each case.
    pub(crate) cases: CasePolicy,
    /// The bearer token requests must carry (none: no authentication).
    pub(crate) token: Option<String>,
    /// Requests scored at once; more wait.
    pub(crate) concurrency: usize,
    /// Longest time a request may take, waiting included.
    pub(crate) timeout: Duration,
    /// Largest request body, in bytes.
    pub(crate) max_body: usize,
    /// How often the rule files are looked at for changes (zero: never).
    pub(crate) watch: Duration,
}

/// Why the rules could not be loaded: a sentence, and every diagnostic.
pub(crate) struct LoadError {
    pub(crate) message: String,
    pub(crate) diagnostics: Vec<crate::DiagnosticJson>,
}

/// The rules in force: the program, and what it was compiled from.
pub(crate) struct Loaded {
    pub(crate) program: Program,
    /// Every file read (rule files and schema), with its modification time and size.
    files: Vec<(PathBuf, Option<SystemTime>, u64)>,
    /// When they were loaded (RFC 3339, the machine's clock).
    pub(crate) loaded_at: String,
}

/// What every request shares.
pub(crate) struct State {
    /// The rules in force; a reload swaps the `Arc`, requests keep the one they started with.
    rules: RwLock<Arc<Loaded>>,
    pub(crate) log: Option<Mutex<DecisionLog>>,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) permits: Semaphore,
    pub(crate) settings: Settings,
}

impl State {
    /// The rules in force now.
    pub(crate) fn rules(&self) -> Arc<Loaded> {
        match self.rules.read() {
            Ok(rules) => Arc::clone(&rules),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Compiles the rules again and, when they compile, puts them in force: `Ok(true)` when
    /// they changed, `Ok(false)` when they are the same, the rendered diagnostics otherwise
    /// (the rules in force stay).
    pub(crate) fn reload(&self) -> Result<bool, LoadError> {
        let fresh = load(&self.settings)?;
        let changed = fresh.program.meta().content_hash != self.rules().program.meta().content_hash;
        if changed {
            let mut rules = match self.rules.write() {
                Ok(rules) => rules,
                Err(poisoned) => poisoned.into_inner(),
            };
            *rules = Arc::new(fresh);
        }
        Ok(changed)
    }

    /// What the rule files on disk look like now: each file's modification time and size, the
    /// files of the rules in force and any new one in a rule directory. A change shows here.
    fn on_disk(&self) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
        let mut paths: Vec<PathBuf> = self
            .rules()
            .files
            .iter()
            .map(|(p, _, _)| p.clone())
            .collect();
        for path in rule_files(&self.settings.rules) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        paths
            .into_iter()
            .map(|path| {
                let (modified, len) = stamp(&path);
                (path, modified, len)
            })
            .collect()
    }
}

/// Compiles the rules the settings name.
fn load(settings: &Settings) -> Result<Loaded, LoadError> {
    let files = rule_files(&settings.rules);
    let disk = Disk::new(
        &settings.rules,
        &settings.allow,
        settings.limits.rule_file_bytes,
    );
    let options = CompileOptions {
        limits: settings.limits,
        ..CompileOptions::default()
    };
    let compiled = compile(&files, &disk, &options).map_err(|e| LoadError {
        message: e.to_string(),
        diagnostics: match &e {
            crate::CompileError::Invalid(failed) => failed
                .diagnostics
                .iter()
                .map(|d| d.json(&failed.sources))
                .collect(),
            crate::CompileError::Read(_) => Vec::new(),
        },
    })?;
    let program = compiled.program;
    let mut read: Vec<PathBuf> = program
        .sources()
        .files()
        .iter()
        .map(|f| PathBuf::from(&*f.name))
        .collect();
    read.extend(
        program
            .declared_schema
            .iter()
            .map(|(path, _)| PathBuf::from(path)),
    );
    let files = read
        .into_iter()
        .map(|path| {
            let (modified, len) = stamp(&path);
            (path, modified, len)
        })
        .collect();
    Ok(Loaded {
        program,
        files,
        loaded_at: crate::time::format(now_ms()),
    })
}

/// The rule files a list of files and directories names.
fn rule_files(given: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in given {
        if path.is_dir() {
            files.extend(crate::check::rule_files_inside(path));
        } else {
            files.push(path.clone());
        }
    }
    files
}

/// A file's modification time and size (what a change shows in).
fn stamp(path: &std::path::Path) -> (Option<SystemTime>, u64) {
    std::fs::metadata(path).map_or((None, 0), |m| (m.modified().ok(), m.len()))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs the service until SIGTERM or Ctrl-C; the error says why it could not start.
pub(crate) fn run(settings: Settings) -> Result<(), String> {
    let loaded = load(&settings).map_err(|e| e.message)?;
    let log = match &settings.log {
        Some(path) => Some(Mutex::new(DecisionLog::open(path)?)),
        None => None,
    };
    let state = Arc::new(State {
        rules: RwLock::new(Arc::new(loaded)),
        log,
        metrics: metrics::Metrics::default(),
        permits: Semaphore::new(settings.concurrency.max(1)),
        settings,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(state))
}

async fn serve(state: Arc<State>) -> Result<(), String> {
    let addr = state.settings.addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let rules = state.rules();
    let meta = rules.program.meta();
    eprintln!(
        "credence: serving rules {} {} ({}) on http://{local}",
        meta.id, meta.version, meta.content_hash
    );
    tokio::spawn(watch(Arc::clone(&state)));
    let app = Router::new()
        .route("/v1/score", post(handlers::score))
        .route("/v1/timeline", post(handlers::timeline))
        .route("/v1/check", post(handlers::check))
        .route("/v1/rules", get(handlers::rules))
        .route("/v1/rules/reload", post(handlers::reload))
        .route("/health", get(handlers::health))
        .route("/metrics", get(handlers::metrics))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            handlers::guard,
        ))
        .layer(DefaultBodyLimit::max(state.settings.max_body))
        .with_state(Arc::clone(&state));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("the service stopped: {e}"))?;
    eprintln!("credence: stopped; every decision made is in the log");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C: the server then stops accepting and finishes what it has.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// Reloads the rules on SIGHUP, and when a rule file changes (looked at every `watch`).
async fn watch(state: Arc<State>) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut tick = tokio::time::interval(if state.settings.watch.is_zero() {
        Duration::from_secs(3600)
    } else {
        state.settings.watch
    });
    // The files as they were when a reload last failed: not tried again until they change.
    let mut failed: Option<Vec<(PathBuf, Option<SystemTime>, u64)>> = None;
    loop {
        #[cfg(unix)]
        let asked = async {
            match hangup.as_mut() {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let asked = std::future::pending::<()>();
        let forced = tokio::select! {
            () = asked => true,
            _ = tick.tick() => false,
        };
        let now = state.on_disk();
        let in_force = &state.rules().files;
        let unchanged =
            now.len() == in_force.len() && now.iter().zip(in_force).all(|(a, b)| a == b);
        if !forced && (state.settings.watch.is_zero() || unchanged || failed.as_ref() == Some(&now))
        {
            continue;
        }
        let reloading = Arc::clone(&state);
        let outcome = tokio::task::spawn_blocking(move || reloading.reload()).await;
        failed = match &outcome {
            Ok(Err(_)) => Some(now),
            _ => None,
        };
        match outcome {
            Ok(Ok(true)) => {
                let meta_rules = state.rules();
                let meta = meta_rules.program.meta();
                eprintln!(
                    "credence: reloaded rules {} {} ({})",
                    meta.id, meta.version, meta.content_hash
                );
            }
            Ok(Ok(false)) => {}
            Ok(Err(e)) => eprintln!(
                "credence: the changed rules do not compile ({}); the rules in force stay",
                e.message
            ),
            Err(e) => eprintln!("credence: reloading failed: {e}"),
        }
    }
}
