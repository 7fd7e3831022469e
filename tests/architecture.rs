//! The engine holds no domain: every path, score name and label of a rule pack comes from its
//! rules and its profile (docs/ARCHITECTURE.md, invariant 1). This scans the string literals of
//! every source file outside its tests for the words of the shipped pack's domain.

/// Words of the shipped pack's domain that no engine string may hold.
const DOMAIN: &[&str] = &[
    "incident",
    "credibility",
    "directed",
    "inspired",
    "contested",
    "unsubstantiated",
    "terrorist",
    "of responsibility",
    "attack",
];

/// Where an export format's own vocabulary, or a documented output field, uses such a word:
/// (file, a part of the literal).
const ALLOWED: &[(&str, &str)] = &[
    // STIX's object type for the case, and Credence's extension fields `link` (the category)
    // and `credibility` (the probability), named before packs had profiles (docs/INTERCHANGE.md).
    ("src/trace/stix.rs", "\"incident--{}\""),
    ("src/trace/stix.rs", "\"incident\""),
    ("src/trace/stix.rs", "\"credibility\""),
    ("src/trace/stix.rs", "\"link\""),
    (
        "src/trace/stix.rs",
        "Properties: link (string: the category",
    ),
    // The calibration report's field for the category a case was given (docs/CALIBRATION.md).
    ("src/cli/calibrate/report.rs", "\"link\""),
    // The ACH file format's element for an item of evidence's credibility (PARC ACH).
    ("src/trace/hypotheses/export.rs", "\"CREDIBILITY\""),
    // MISP's published admiralty-scale taxonomy.
    (
        "src/trace/misp.rs",
        "\"admiralty-scale:information-credibility=\\\"{}\\\"\"",
    ),
];

/// The string literals of a line (escaped quotes kept inside).
fn literals(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], start) {
            (b'\\', Some(_)) => i += 1,
            (b'"', None) => start = Some(i),
            (b'"', Some(s)) => {
                out.push(&line[s..=i]);
                start = None;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_engine_string_names_the_shipped_packs_domain() {
    let mut files = Vec::new();
    sources(std::path::Path::new("src"), &mut files);
    files.sort();
    assert!(files.len() > 50, "the scan reads the sources");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source");
        // Unit tests may use the shipped pack's words in their data.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let name = file.display().to_string();
        for (number, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for literal in literals(line) {
                let lower = literal.to_lowercase();
                let domain = DOMAIN.iter().any(|w| lower.contains(w)) || literal == "\"link\"";
                let allowed = ALLOWED
                    .iter()
                    .any(|(f, l)| *f == name && literal.contains(l));
                if domain && !allowed {
                    found.push(format!("{name}:{}: {literal}", number + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "domain words in engine strings:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_a_domain_word() {
    assert_eq!(
        literals(r#"let x = format!("the attack began {}", "a \"link\"");"#),
        [r#""the attack began {}""#, r#""a \"link\"""#]
    );
}
