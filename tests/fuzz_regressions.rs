//! Every input a fuzzer found a fault with (`tests/fuzz/<target>/`), replayed on stable with
//! the same property the fuzz target checks (`fuzz/fuzz_targets/properties.rs`).

#[path = "../fuzz/fuzz_targets/properties.rs"]
mod properties;

fn replay(target: &str, property: fn(&[u8])) {
    let dir = std::path::Path::new("tests/fuzz").join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    for input in inputs {
        let data = std::fs::read(&input).expect("readable");
        let outcome = std::panic::catch_unwind(|| property(&data));
        assert!(outcome.is_ok(), "{} fails again", input.display());
    }
}

#[test]
fn rules_inputs() {
    replay("rules", properties::rules);
}

#[test]
fn case_inputs() {
    replay("case", properties::case);
}

#[test]
fn format_inputs() {
    replay("format", properties::format);
}

#[test]
fn fixture_inputs() {
    replay("fixture", properties::fixture);
}

#[test]
fn timeline_inputs() {
    replay("timeline", properties::timeline);
}

#[test]
fn lsp_inputs() {
    replay("lsp", properties::lsp);
}
