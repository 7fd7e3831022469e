//! A compiled rule set travels as text (`Program::source_files` → `compile_sources`): the
//! decision log stores it that way and the Python package pickles it that way, so the copy must
//! be the same program, with the same hash and the same traces.

use std::path::PathBuf;

use credence::{Disk, Limits, Options, compile, compile_sources, score_case};

fn shipped() -> credence::Program {
    let files: Vec<PathBuf> = [
        "rules/claims.cred",
        "rules/shared.cred",
        "rules/hypotheses.cred",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let limits = Limits::default();
    let disk = Disk::new(&files, &[], limits.rule_file_bytes);
    compile(&files, &disk, &Options::default())
        .expect("the shipped rules compile")
        .program
}

#[test]
fn a_rule_set_compiled_again_from_its_sources_is_the_same_program() {
    let original = shipped();
    let sources = original.source_files();
    let names: Vec<&str> = sources.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "rules/claims.cred",
            "rules/shared.cred",
            "rules/hypotheses.cred",
            "rules/case.schema.json"
        ],
        "rule files in load order (the includer first), then the schema its header declares"
    );
    let copy = compile_sources(&sources, &Options::default())
        .expect("the sources compile")
        .program;
    assert_eq!(copy.meta().content_hash, original.meta().content_hash);
    assert!(copy.same_expressions(&original));
    for case in ["fixtures/trebes-2018.json", "fixtures/real/opera-2018.json"] {
        let json = std::fs::read(case).expect("case");
        let trace = |program| score_case(program, &json, credence::trace::json::render);
        assert_eq!(
            trace(&copy).expect("scores"),
            trace(&original).expect("scores"),
            "{case}"
        );
    }
}

#[test]
fn a_changed_file_changes_the_hash_and_a_missing_include_is_an_error() {
    let mut sources = shipped().source_files();
    let original = compile_sources(&sources, &Options::default())
        .expect("compiles")
        .program;
    sources[1].1.push_str("\n# an added comment\n");
    let changed = compile_sources(&sources, &Options::default())
        .expect("compiles")
        .program;
    assert_ne!(changed.meta().content_hash, original.meta().content_hash);
    sources.remove(1);
    let Err(error) = compile_sources(&sources, &Options::default()) else {
        panic!("claims.cred includes shared.cred, which is not given");
    };
    assert!(error.to_string().contains("shared.cred"), "{error}");
}
