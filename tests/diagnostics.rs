//! The diagnostics corpus: each file in `tests/diagnostics/` (or directory, through its
//! `main.cred`) states the diagnostics it must produce, in order, as
//! `# expect: CODE `underlined text`` or `# expect: CODE@LINE `underlined text``. The test
//! asserts each code is reported with exactly that text underlined (on that line), that nothing
//! else is reported, and snapshots the rendered output for review. The `structure_*` files are
//! malformed structure (braces, brackets, quotes, missing keywords, stray tokens): their first
//! diagnostic must underline the mistake itself, not a knock-on effect of it.

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

/// An expected diagnostic: its code, its line when stated, the text it underlines.
#[derive(Debug, PartialEq)]
struct Expected {
    code: String,
    line: Option<usize>,
    text: String,
}

/// The `# expect:` lines.
fn expectations(text: &str) -> Vec<Expected> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (code, quoted) = rest.split_once(' ').expect("`# expect: CODE `text``");
            let (code, line) = match code.split_once('@') {
                Some((code, line)) => (code, Some(line.parse().expect("`CODE@LINE`"))),
                None => (code, None),
            };
            Expected {
                code: code.to_string(),
                line,
                text: quoted.trim_matches('`').to_string(),
            }
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
        let got: Vec<Expected> = diagnostics
            .iter()
            .zip(
                expected
                    .iter()
                    .map(|e| e.line.is_some())
                    .chain(std::iter::repeat(false)),
            )
            .map(|(d, with_line)| Expected {
                code: d.code.as_str().to_string(),
                line: with_line.then(|| sources.file(d.span.file).line_col(d.span.start).0),
                text: sources.snippet(d.span).to_string(),
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
    let structure = files
        .iter()
        .filter(|f| f.to_string_lossy().contains("structure_"))
        .count();
    assert!(
        structure >= 15,
        "only {structure} malformed-structure files"
    );
    let missing: Vec<&str> = credence::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "no corpus file produces {missing:?}: add one for each"
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

/// Where every diagnostic of a corpus file carries a fix, applying the fixes (a few rounds, as
/// `check --fix` does) leaves a file that checks without errors.
#[test]
fn the_fixes_in_the_corpus_leave_files_that_check() {
    let mut fixed = 0;
    for file in corpus() {
        let name = file.display().to_string();
        let original = std::fs::read_to_string(&file).expect("readable");
        let options = Options {
            schema: schema(&original),
            ..Options::default()
        };
        let diagnostics = |text: &str| match credence::compile_str(&name, text, &options) {
            Ok(compiled) => compiled.warnings,
            Err(CompileError::Invalid(failed)) => failed.diagnostics,
            Err(e) => panic!("{name}: {e}"),
        };
        let first = diagnostics(&original);
        if first.is_empty() || first.iter().any(|d| d.patches.is_empty()) {
            continue;
        }
        let mut text = original.clone();
        for _ in 0..4 {
            let found = diagnostics(&text);
            let (next, count) = credence::apply_patches(
                &text,
                credence::FileId(0),
                &found,
                credence::Fix::Suggested,
            );
            if count == 0 {
                break;
            }
            text = next;
        }
        let left: Vec<String> = diagnostics(&text)
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code.as_str(), d.message))
            .collect();
        assert!(
            left.is_empty(),
            "{name} after its fixes still has {left:?}:\n{text}"
        );
        assert_ne!(text, original, "{name}: the fixes changed nothing");
        fixed += 1;
    }
    assert!(
        fixed >= 20,
        "only {fixed} corpus files are fixed by their patches"
    );
}
