//! The one-case command as users run it: `credence score rules/ fixtures/real/trebes-2018.json`,
//! a process started for one case, compiling the shipped rules every time (`--no-cache`) against
//! reading them compiled from the cache, which the second run of the same rules does
//! (docs/PERFORMANCE.md, "One case on the command line"). Both runs must print the same trace.

use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};

fn score(cache: &std::path::Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_credence"))
        .env("XDG_CACHE_HOME", cache)
        .env_remove("CREDENCE_CACHE")
        .arg("score")
        .args(extra)
        .args(["rules/", "fixtures/real/trebes-2018.json"])
        .output()
        .expect("credence runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn one_case(c: &mut Criterion) {
    let cache = tempfile::tempdir().expect("cache directory");
    let compiled = score(cache.path(), &["--no-cache"]);
    // The first run keeps the compiled rules; every later one reads them.
    assert_eq!(score(cache.path(), &[]), compiled);
    assert_eq!(
        score(cache.path(), &[]),
        compiled,
        "the cached run says the same"
    );
    let mut group = c.benchmark_group("one case on the command line (trebes-2018)");
    group.sample_size(30);
    group.bench_function("compiling the rules (--no-cache)", |b| {
        b.iter(|| score(cache.path(), &["--no-cache"]))
    });
    group.bench_function("the rules read from the cache (a second run)", |b| {
        b.iter(|| score(cache.path(), &[]))
    });
    group.finish();
}

criterion_group!(benches, one_case);
criterion_main!(benches);
