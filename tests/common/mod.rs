//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test crate uses some of the helpers")]

/// Every rule file in the repository: the shipped rules, the benchmark rule, the diagnostics corpus.
pub(crate) fn rule_files() -> Vec<String> {
    let mut files = vec![
        "rules/claims.cred".to_string(),
        "rules/shared.cred".into(),
        "rules/hypotheses.cred".into(),
        "benches/replication.cred".into(),
    ];
    let mut corpus: Vec<String> = std::fs::read_dir("tests/diagnostics")
        .expect("corpus")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "cred"))
        .map(|path| path.display().to_string())
        .collect();
    corpus.sort();
    files.extend(corpus);
    files
}

/// Runs the `credence` binary with `args`.
pub(crate) fn credence(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .output()
        .expect("credence runs")
}

/// Output bytes as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory for one test, removed with its contents when dropped.
pub(crate) struct Scratch(tempfile::TempDir);

impl Scratch {
    /// A new empty directory whose name starts with `credence-NAME-`.
    pub(crate) fn new(name: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(&format!("credence-{name}-"))
            .tempdir()
            .expect("scratch dir");
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        self.0.path()
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        self
    }
}
