//! Helpers shared by the integration tests.

/// Every rule file in the repository: the shipped rules, the benchmark rule, the diagnostics corpus.
pub(crate) fn rule_files() -> Vec<String> {
    let mut files = vec![
        "rules/claims.cred".to_string(),
        "rules/shared.cred".into(),
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
