//! Every word of the explanation is true: each value a trace shows as read is derived again,
//! independently, and compared (`credence::trace::audit`), over every shipped case in both
//! views; and judgements at a threshold never depend on how numbers are represented.

use std::path::{Path, PathBuf};

use credence::trace::audit::audit;
use credence::{Disk, Limits, Options, Program, as_of, compile, compile_str, score_case};
use serde_json::Value as Json;

fn shipped() -> Program {
    pack("rules/claims.cred")
}

/// A shipped rule pack, compiled from its main file.
fn pack(main: &str) -> Program {
    let rules = [PathBuf::from(main)];
    let disk = Disk::new(&rules, &[], Limits::default().rule_file_bytes);
    compile(&rules, &disk, &Options::default())
        .expect("the shipped rules compile")
        .program
}

fn json_trace(program: &Program, case: &[u8]) -> Json {
    let text = score_case(program, case, credence::trace::json::render).expect("the case scores");
    serde_json::from_str(&text).expect("the trace is JSON")
}

/// Every `.json` case under `dir`, recursively.
fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && !path.ends_with("golden") && !path.ends_with("tools") {
            cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The case as it was known at claim + 24 h, as bytes to score; `None` without a claim time.
fn as_of_claim(program: &Program, case: &[u8]) -> Option<Vec<u8>> {
    let value: Json = serde_json::from_slice(case).ok()?;
    let profile = program.profile();
    let at = as_of::When::parse("claim+24h")
        .ok()?
        .resolve(&value, profile)
        .ok()?;
    let (known, _) = as_of::as_of(&value, at, profile).ok()?;
    serde_json::to_vec(&known).ok()
}

#[test]
fn every_shipped_trace_shows_what_is_so_in_both_views() {
    // Each file is judged by the pack it names (`"ruleset"`), the attack pack by default.
    let attacks = shipped();
    let cyber = pack("rules/cyber/cyber.cred");
    let mut paths = Vec::new();
    cases(Path::new("fixtures"), &mut paths);
    assert!(paths.len() > 90, "the fixtures and real cases are found");
    let mut failures = Vec::new();
    let mut cyber_cases = 0;
    for path in &paths {
        let case = std::fs::read(path).expect("readable case");
        let named: Json = serde_json::from_slice(&case).expect("JSON");
        let program = if named["ruleset"] == "cyber_claims" {
            cyber_cases += 1;
            &cyber
        } else {
            &attacks
        };
        let views = [Some(case.clone()), as_of_claim(program, &case)];
        for (view, bytes) in ["full evidence", "claim + 24 h"].iter().zip(views) {
            let Some(bytes) = bytes else { continue };
            let trace = json_trace(program, &bytes);
            if let Err(findings) = audit(program, &bytes, &trace) {
                for f in findings {
                    failures.push(format!("{} ({view}): {f}", path.display()));
                }
            }
        }
    }
    assert!(cyber_cases >= 20, "the cyber pack's cases are found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The JSON trace with the matrix of competing hypotheses, as `--hypotheses` writes it.
fn matrix(program: &Program, case: &[u8]) -> Json {
    use credence::trace::output::{Format, Shape, write};
    let shape = Shape {
        hypotheses: true,
        ..Shape::default()
    };
    let text = score_case(program, case, |trace| {
        write(trace, program, case, Format::Json, shape)
    })
    .expect("the case scores")
    .expect("the matrix is written");
    let trace: Json = serde_json::from_str(&text).expect("JSON");
    trace["hypotheses"].clone()
}

#[test]
fn every_matrix_of_competing_hypotheses_is_coherent_in_both_views() {
    let program = shipped();
    let mut paths = Vec::new();
    cases(Path::new("fixtures"), &mut paths);
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &paths {
        let case = std::fs::read(path).expect("readable case");
        let named: Json = serde_json::from_slice(&case).expect("JSON");
        // Fixtures hold their case; the other pack has no hypotheses.
        if named["ruleset"] == "cyber_claims" || named.get("expect").is_some() {
            continue;
        }
        for bytes in [Some(case.clone()), as_of_claim(&program, &case)]
            .into_iter()
            .flatten()
        {
            checked += 1;
            for finding in credence::trace::audit::hypotheses(&matrix(&program, &bytes)) {
                failures.push(format!("{}: {finding}", path.display()));
            }
        }
    }
    assert!(checked > 150, "{checked} matrices checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_altered_matrix_fails_the_audit() {
    let program = shipped();
    let case = std::fs::read("fixtures/real/mumbai-2008.json").expect("case");
    let original = matrix(&program, &case);
    assert_eq!(credence::trace::audit::hypotheses(&original), []);
    let alter = |f: &dyn Fn(&mut Json), expected: &str| {
        let mut m = original.clone();
        f(&mut m);
        let findings = credence::trace::audit::hypotheses(&m);
        assert!(
            findings.iter().any(|f| f.message.contains(expected)),
            "{expected}: {findings:?}"
        );
    };
    alter(
        &|m| m["hypotheses"][0]["probability"] = 0.5.into(),
        "its odds over all",
    );
    alter(
        &|m| m["hypotheses"][0]["shown"] = "9.9%".into(),
        "printed probabilities",
    );
    alter(
        &|m| m["rows"][0]["cells"][2]["ratio"] = 7.into(),
        "its cells add up to",
    );
    alter(
        &|m| m["rows"][1]["diagnostic"] = true.into(),
        "the same under every hypothesis",
    );
    alter(&|m| m["leader"] = "H1".into(), "is not the likeliest");
    alter(
        &|m| m["conflicts"] = serde_json::json!([{"criterion": "x"}]),
        "settled, but known evidence conflicts",
    );
}

#[test]
fn an_altered_value_fails_the_audit() {
    let program = shipped();
    let case = std::fs::read("fixtures/real/paris-2015.json").expect("case");
    let mut trace = json_trace(&program, &case);
    assert_eq!(audit(&program, &case, &trace), Ok(()));

    // One value read by a criterion, flipped.
    let criteria = &mut trace["scores"][0]["criteria"];
    let statements = criteria
        .as_array_mut()
        .and_then(|c| c.iter_mut().find(|c| c["name"] == "official_statements"))
        .expect("the criterion");
    let evidence = statements["evidence"]
        .as_array_mut()
        .and_then(|e| e.iter_mut().find(|e| e["name"] == "attribution_stated"))
        .expect("the read");
    assert_eq!(evidence["value"], Json::Bool(true));
    evidence["value"] = Json::Bool(false);
    let findings = audit(&program, &case, &trace).expect_err("the altered value is found");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].place.contains("evidence") && findings[0].message.contains("the value"),
        "{}",
        findings[0]
    );
}

#[test]
fn an_altered_case_value_a_band_or_a_contribution_fails_the_audit() {
    let program = shipped();
    let case = std::fs::read("fixtures/real/trebes-2018.json").expect("case");
    let original = json_trace(&program, &case);
    let alter = |f: &dyn Fn(&mut Json)| {
        let mut trace = original.clone();
        f(&mut trace);
        audit(&program, &case, &trace).expect_err("the change is found")
    };
    // The channel read from the case.
    alter(&|t| t["scores"][0]["criteria"][0]["evidence"][0]["value"] = "supporter".into());
    // The credibility band.
    alter(&|t| t["scores"][0]["band"]["label"] = "plausible".into());
    // A contribution (the sum no longer holds, and the weight does not give it).
    alter(&|t| t["scores"][1]["criteria"][0]["contribution"]["points"] = 5.into());
    // The verdict.
    alter(&|t| t["verdict"]["label"] = "false claim".into());
    // A window's counted items.
    let windowed = original["definitions"]
        .as_object()
        .and_then(|d| {
            d.iter()
                .find(|(_, v)| {
                    v["evidence"]
                        .as_array()
                        .is_some_and(|e| e.iter().any(|e| e.get("window").is_some()))
                })
                .map(|(name, _)| name.clone())
        })
        .expect("a definition with a window");
    alter(&|t| {
        let evidence = t["definitions"][&windowed]["evidence"]
            .as_array_mut()
            .expect("evidence");
        let window = evidence
            .iter_mut()
            .find_map(|e| e.get_mut("window"))
            .expect("window");
        window["counted"] = Json::Array(vec![]);
        window["excluded"] = Json::Array(vec![0.into()]);
    });
}

/// A conflict left out, one made up, or a conflicted verdict shown settled: each is found.
#[test]
fn an_altered_conflict_or_settled_verdict_fails_the_audit() {
    let program = shipped();
    let case = std::fs::read("fixtures/real/quetta-2016.json").expect("case");
    let original = json_trace(&program, &case);
    assert_eq!(original["verdict"]["conflicts"][0]["score"], "link");
    assert_eq!(original["verdict"]["settled"], false);
    audit(&program, &case, &original).expect("the trace is true");
    let alter = |f: &dyn Fn(&mut Json)| {
        let mut trace = original.clone();
        f(&mut trace);
        audit(&program, &case, &trace).expect_err("the change is found")
    };
    alter(&|t| t["verdict"]["conflicts"] = Json::Array(vec![]));
    alter(&|t| t["verdict"]["settled"] = Json::Bool(true));
    alter(&|t| t["verdict"]["conflicts"][0]["overridden"]["label"] = "contested".into());
    alter(&|t| t["verdict"]["decided_by"] = Json::Array(vec![]));
    let settled = std::fs::read("fixtures/real/paris-2015.json").expect("case");
    let trace = json_trace(&program, &settled);
    let mut invented = trace.clone();
    invented["verdict"]["conflicts"] = original["verdict"]["conflicts"].clone();
    audit(&program, &settled, &invented).expect_err("an invented conflict is found");
}

#[test]
fn a_definition_read_by_another_shows_its_own_value() {
    // Reading `c` evaluates `a` and `b` first; their own reads must not take `c`'s place.
    let rules = r#"
        ruleset three { version "1" }
        let a = claim.x == 1
        let b = claim.y
        let c = a and b == "no"
        score s {
          additive
          criterion first {
            when c => 1 "c"
            else => 0 "not c"
          }
        }
    "#;
    let program = compile_str("three.cred", rules, &Options::default())
        .expect("compiles")
        .program;
    let case = br#"{"claim": {"x": 1, "y": "no"}}"#;
    let trace = json_trace(&program, case);
    let read = &trace["scores"][0]["criteria"][0]["evidence"];
    let shown: Vec<(&str, &Json)> = read
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| (e["name"].as_str().unwrap_or(""), &e["value"]))
        .collect();
    assert_eq!(shown, [("c", &Json::Bool(true))]);
    let c = &trace["definitions"]["c"]["evidence"];
    let inputs: Vec<(&str, &Json)> = c
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| (e["name"].as_str().unwrap_or(""), &e["value"]))
        .collect();
    assert_eq!(inputs, [("a", &Json::Bool(true)), ("b", &Json::from("no"))]);
    assert_eq!(audit(&program, case, &trace), Ok(()));
}

/// The band and the ratios shown for one evidence score of `criteria` ratios from `prior`.
fn evidence_band(prior: &str, ratios: &[String], bands: &str) -> (String, Vec<f64>) {
    let criteria: String = ratios
        .iter()
        .enumerate()
        .map(|(i, r)| format!("criterion c{i} {{ when true => lr {r} \"given\" }}\n"))
        .collect();
    let rules = format!(
        "ruleset exact {{ version \"1\" }}\nscore s {{\n evidence prior {prior}\n{criteria} bands {{ {bands} }}\n}}\n"
    );
    let program = compile_str("exact.cred", &rules, &Options::default())
        .unwrap_or_else(|e| panic!("{rules}\n{e:?}"))
        .program;
    let case = b"{}";
    let trace = json_trace(&program, case);
    assert_eq!(audit(&program, case, &trace), Ok(()), "{rules}");
    let score = &trace["scores"][0];
    let shown = score["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["contribution"]["ratio"].as_f64().expect("ratio"))
        .collect();
    (
        score["band"]["label"].as_str().unwrap_or("").to_string(),
        shown,
    )
}

#[test]
fn a_product_exactly_at_a_threshold_is_in_its_band_and_ratios_show_as_written() {
    let (band, shown) = evidence_band(
        "40%",
        &["2".into(), "3".into()],
        ">= 80% => \"high\" else => \"low\"",
    );
    assert_eq!(band, "high");
    assert_eq!(shown, [2.0, 3.0]);
    let (band, _) = evidence_band(
        "40%",
        &["2".into(), "3".into()],
        "> 80% => \"high\" else => \"low\"",
    );
    assert_eq!(band, "low", "exactly 80% is not above 80%");
}

/// A small deterministic generator (xorshift), so the property runs the same cases every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// `num / den` as a decimal, when it has one (its reduced denominator is 2^a 5^b).
fn decimal(num: u128, den: u128) -> Option<String> {
    fn gcd(a: u128, b: u128) -> u128 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let g = gcd(num, den);
    let (num, den) = (num / g, den / g);
    let (mut twos, mut fives, mut rest) = (0u32, 0u32, den);
    while rest % 2 == 0 {
        rest /= 2;
        twos += 1;
    }
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    if rest != 1 {
        return None;
    }
    let digits = twos.max(fives);
    // num/den = num * (10^digits / den) / 10^digits
    let scaled = num * (10u128.pow(digits) / den);
    let text = format!("{scaled:0>width$}", width = digits as usize + 1);
    let (whole, frac) = text.split_at(text.len() - digits as usize);
    Some(if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    })
}

#[test]
fn products_of_ratios_on_and_around_every_threshold_land_in_the_right_band() {
    // Ratios whose products are always decimals (2^a 5^b), a threshold and a prior in whole
    // percents; the last ratio makes the product land exactly on the threshold, and then just
    // beside it.
    let factors: [(u128, u128); 10] = [
        (2, 1),
        (5, 1),
        (1, 2),
        (1, 4),
        (5, 4),
        (8, 5),
        (2, 5),
        (4, 5),
        (1, 10),
        (10, 1),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut tried = 0;
    while tried < 300 {
        let threshold = 5 + rng.next() % 91; // percent
        let prior = 5 + rng.next() % 91;
        // Odds needed from the ratios: t/(100-t) / (p/(100-p)).
        let (mut num, mut den) = (
            u128::from(threshold * (100 - prior)),
            u128::from((100 - threshold) * prior),
        );
        let mut ratios = Vec::new();
        for _ in 0..(rng.next() % 4) {
            let (n, d) = *rng.pick(&factors);
            ratios.push(decimal(n, d).expect("a decimal factor"));
            num *= d;
            den *= n;
        }
        let Some(last) = decimal(num, den) else {
            continue;
        };
        let Ok(value) = last.parse::<f64>() else {
            continue;
        };
        if !(0.000001..=1_000_000.0).contains(&value) {
            continue;
        }
        tried += 1;
        let bands = format!(">= {threshold}% => \"at\" else => \"below\"");
        let prior = format!("{prior}%");
        let mut on = ratios.clone();
        on.push(last.clone());
        let (band, shown) = evidence_band(&prior, &on, &bands);
        assert_eq!(band, "at", "{prior} {on:?} lands on {threshold}%");
        let written: Vec<f64> = on.iter().map(|r| r.parse().expect("number")).collect();
        assert_eq!(shown, written, "ratios show as written");
        let strict = format!("> {threshold}% => \"above\" else => \"not above\"");
        assert_eq!(evidence_band(&prior, &on, &strict).0, "not above");
        // Just below and just above: the last ratio a millionth smaller or larger.
        for (scale, expected) in [(0.999999, "below"), (1.000001, "at")] {
            let mut beside = ratios.clone();
            beside.push(format!("{}", value * scale));
            assert_eq!(
                evidence_band(&prior, &beside, &bands).0,
                expected,
                "{prior} {beside:?}"
            );
        }
    }
}

#[test]
fn points_on_and_around_every_threshold_land_in_the_right_band() {
    // Additive scores: weights with up to four decimals, summing to the threshold exactly.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..200 {
        let parts: Vec<i64> = (0..1 + rng.next() % 5)
            .map(|_| (rng.next() % 2_000_001) as i64 - 1_000_000)
            .collect();
        let sum: i64 = parts.iter().sum();
        let points = |units: i64| format!("{}", units as f64 / 10_000.0);
        for (offset, expected) in [(0, "at"), (1, "below"), (-1, "at")] {
            let threshold = sum + offset;
            let criteria: String = parts
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "criterion c{i} {{ when true => {} \"given\" }}\n",
                        points(*p)
                    )
                })
                .collect();
            let rules = format!(
                "ruleset exact {{ version \"1\" }}\nscore s {{\n additive\n{criteria} bands {{ >= {} => \"at\" else => \"below\" }}\n}}\n",
                points(threshold)
            );
            let program = compile_str("points.cred", &rules, &Options::default())
                .unwrap_or_else(|e| panic!("{rules}\n{e:?}"))
                .program;
            let trace = json_trace(&program, b"{}");
            assert_eq!(trace["scores"][0]["band"]["label"], expected, "{rules}");
            assert_eq!(audit(&program, b"{}", &trace), Ok(()), "{rules}");
        }
    }
}
