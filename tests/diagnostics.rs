//! The diagnostics corpus: each file in `tests/diagnostics/` (or directory, through its
//! `main.cred`) states the diagnostics it must produce as `# expect: CODE `underlined text``.
//! The test asserts each code is reported with exactly that text underlined, that nothing else
//! is reported, and snapshots the rendered output for review.

use std::path::{Path, PathBuf};

use credence::Schema;
use credence::{CompileError, Disk, Options};

fn corpus() -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir("tests/diagnostics")
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .map(|p| if p.is_dir() { p.join("main.cred") } else { p })
        .filter(|p| p.extension().is_some_and(|x| x == "cred"))
        .collect();
    entries.sort();
    entries
}

/// `(code, underlined text)` pairs from `# expect:` lines.
fn expectations(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (code, quoted) = rest.split_once(' ').expect("`# expect: CODE `text``");
            (code.to_string(), quoted.trim_matches('`').to_string())
        })
        .collect()
}

fn schema(text: &str) -> Option<Schema> {
    let path = text.lines().find_map(|l| l.strip_prefix("# schema: "))?;
    Some(Schema::parse(&std::fs::read_to_string(path).expect("schema file")).expect("valid schema"))
}

#[test]
fn every_diagnostic_underlines_the_stated_text() {
    let files = corpus();
    let mut codes = std::collections::BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let expected = expectations(&text);
        assert!(
            !expected.is_empty(),
            "{}: no `# expect:` line",
            file.display()
        );
        let options = Options {
            schema: schema(&text),
            ..Options::default()
        };
        let files = std::slice::from_ref(file);
        let disk = Disk::new(files, &[], options.limits.rule_file_bytes);
        let result = credence::compile(files, &disk, &options);
        let (sources, diagnostics) = match &result {
            Ok(compiled) => (compiled.program.sources(), &compiled.warnings),
            Err(CompileError::Invalid(failed)) => (&failed.sources, &failed.diagnostics),
            Err(e) => panic!("{}: {e}", file.display()),
        };
        let got: Vec<(String, String)> = diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.as_str().to_string(),
                    sources.snippet(d.span).to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", file.display());
        let rendered: String = diagnostics
            .iter()
            .map(|d| d.render(sources, false))
            .collect();
        for d in diagnostics {
            assert!(
                d.help.is_some(),
                "{}: {} has no help",
                file.display(),
                d.code.as_str()
            );
            codes.insert(d.code.as_str());
        }
        let name = snapshot_name(file);
        insta::assert_snapshot!(name, rendered);
    }
    assert!(
        codes.len() >= 15,
        "only {} distinct kinds covered: {codes:?}",
        codes.len()
    );
}

fn snapshot_name(file: &Path) -> String {
    let stem = if file.file_name().is_some_and(|n| n == "main.cred") {
        file.parent().and_then(Path::file_name)
    } else {
        file.file_stem()
    };
    stem.map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The rule pack before refinements existed (1.0) joined primary and secondary evidence in one
/// row; the checker must point at the criteria where an unknown secondary fact erased the rest.
#[test]
fn the_previous_rule_pack_is_warned_about_erased_evidence() {
    let files = [PathBuf::from("tests/data/rules-1.0/claims.cred")];
    let options = Options::default();
    let disk = Disk::new(&files, &[], options.limits.rule_file_bytes);
    let compiled = credence::compile(&files, &disk, &options).expect("the 1.0 pack compiles");
    let flagged: Vec<&str> = compiled
        .warnings
        .iter()
        .filter(|d| d.code.as_str() == "W002")
        .filter_map(|d| {
            let (_, rest) = d.message.split_once("in criterion `")?;
            rest.split('`').next()
        })
        .collect();
    for criterion in ["channel", "delay", "self_identification"] {
        assert!(
            flagged.contains(&criterion),
            "`{criterion}` not flagged: {flagged:?}"
        );
    }
}
