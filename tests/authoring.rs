//! The rule author's tools on the command line: `check --fix`, the JSON form of diagnostics.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{Scratch, credence, text};

const SUPPORTER: &str = "ruleset t { version \"1\" }
score s {
  criterion channel {
    when claim.channel_class == \"suporter\" => -1 \"a supporter's claim\"
    else => 0
  }
}
";

#[test]
fn a_value_the_shipped_schema_does_not_allow_is_fixed_by_check_fix() {
    let dir = Scratch::new("fix");
    let file = dir.join("channel.cred");
    std::fs::write(&file, SUPPORTER).expect("write");
    let path = file.to_str().expect("utf-8");
    let schema = "rules/case.schema.json";
    let before = credence(&["check", "--schema", schema, "--format", "json", path]);
    assert_eq!(before.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&before.stdout).expect("json");
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E028");
    assert_eq!(diagnostic["help"], "did you mean `supporter`?");
    assert_eq!(diagnostic["patches"][0]["replacement"], "\"supporter\"");
    assert_eq!(
        diagnostic["fix"], "suggested",
        "the closest value is a guess"
    );
    // A guess is not applied by a plain --fix: it is shown and left.
    let left = credence(&["check", "--fix", "--schema", schema, path]);
    assert_eq!(left.status.code(), Some(1), "{}", text(&left.stderr));
    assert!(
        text(&left.stderr).contains("1 suggested fix (the closest name, say) left as a suggestion; `credence check --fix=suggested` applies it"),
        "{}",
        text(&left.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read back"),
        SUPPORTER
    );
    let fixed = credence(&["check", "--fix=suggested", "--schema", schema, path]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    let shown = format!(
        "fixed: {path} (1 problem)\n--- {path}\n+++ {path} (fixed)\n@@ -2,5 +2,5 @@\n score s {{\n   criterion channel {{\n-    when claim.channel_class == \"suporter\" => -1 \"a supporter's claim\"\n+    when claim.channel_class == \"supporter\" => -1 \"a supporter's claim\"\n     else => 0\n   }}\nok: t 1"
    );
    assert!(
        text(&fixed.stdout).starts_with(&shown),
        "{}",
        text(&fixed.stdout)
    );
    let after = std::fs::read_to_string(&file).expect("read back");
    assert_eq!(after, SUPPORTER.replace("suporter", "supporter"));
    let again = credence(&["check", "--schema", schema, path]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
}

#[test]
fn check_fix_changes_nothing_in_clean_rules() {
    let dir = Scratch::new("fix-clean");
    let file = dir.join("clean.cred");
    let clean = SUPPORTER.replace("suporter", "supporter");
    std::fs::write(&file, &clean).expect("write");
    let out = credence(&["check", "--fix", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !text(&out.stdout).contains("fixed:"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), clean);
}

/// The JSON form: a format version; each diagnostic with start and end, every label, the help
/// and the patches.
#[test]
fn json_diagnostics_carry_ranges_labels_help_and_patches() {
    let out = credence(&[
        "check",
        "--format",
        "json",
        "tests/diagnostics/structure_missing_close_criterion.cred",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["format_version"], 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E026");
    assert_eq!(d["message"], "the `criterion channel` block is not closed");
    let range = &d["range"];
    assert_eq!(range["start"]["line"], 7);
    assert_eq!(range["start"]["column"], 21);
    assert_eq!(range["end"]["column"], 22);
    assert_eq!(
        range["end"]["offset"].as_u64(),
        range["start"]["offset"].as_u64().map(|o| o + 1)
    );
    let labels = d["labels"].as_array().expect("labels");
    assert_eq!(labels.len(), 2, "the brace and where the block ends");
    assert_eq!(labels[0]["primary"], true);
    assert_eq!(labels[0]["text"], "this `{` has no matching `}`");
    assert_eq!(labels[1]["primary"], false);
    assert_eq!(labels[1]["range"]["start"]["line"], 10);
    assert_eq!(
        d["help"],
        "add `}` where the `criterion channel` block ends"
    );
    let patch = &d["patches"][0];
    assert_eq!(patch["replacement"], "\n  }");
    assert_eq!(
        patch["range"]["start"], patch["range"]["end"],
        "an insertion"
    );
    assert_eq!(patch["range"]["start"]["line"], 9);
}

fn credence_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_credence"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("credence runs")
}

#[test]
fn color_follows_the_flag_then_no_color_then_clicolor_force() {
    let broken = "tests/diagnostics/e005_unknown_name.cred";
    let colored = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push(broken);
        let out = credence_env(&all, env);
        assert_eq!(out.status.code(), Some(1));
        text(&out.stderr).contains("\u{1b}[")
    };
    assert!(!colored(&[], &[]), "not a terminal: no color");
    assert!(colored(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&[], &[("CLICOLOR_FORCE", "0")]));
    assert!(!colored(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(colored(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!colored(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
}

#[test]
fn quiet_prints_only_errors_and_results() {
    let check = credence(&["check", "--quiet", "rules/"]);
    assert_eq!(check.status.code(), Some(0));
    assert!(check.stdout.is_empty() && check.stderr.is_empty());
    let warned = credence(&["check", "-q", "tests/diagnostics/w003_near_path.cred"]);
    assert_eq!(warned.status.code(), Some(0));
    assert!(warned.stderr.is_empty(), "{}", text(&warned.stderr));
    let failing = credence(&["check", "-q", "tests/diagnostics/e005_unknown_name.cred"]);
    assert!(text(&failing.stderr).contains("E005"));
    let test = credence(&["test", "--quiet", "rules/", "tests/data/fixtures/"]);
    let shown = text(&test.stdout);
    assert!(!shown.contains("  ok "), "{shown}");
    assert!(shown.contains("FAIL   fails"), "{shown}");
    assert!(
        shown.ends_with("test result: FAILED. 1 passed; 1 failed; 1 todo; 1 error\n"),
        "{shown}"
    );
}

#[test]
fn test_format_json_puts_the_report_on_standard_output() {
    let out = credence(&["test", "--format", "json", "rules/", "tests/data/fixtures/"]);
    assert_eq!(out.status.code(), Some(5));
    let report: Value = serde_json::from_slice(&out.stdout).expect("only JSON on stdout");
    assert_eq!(report["totals"]["passed"], 1);
    assert_eq!(report["totals"]["failed"], 1);
    assert!(text(&out.stderr).contains("test result: FAILED"));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _credence"),
        ("zsh", "#compdef credence"),
        ("fish", "complete -c credence"),
    ] {
        let out = credence(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("calibrate"),
            "{shell} completes the subcommands"
        );
    }
}

#[test]
fn a_backup_copy_beside_the_rules_is_named_as_the_cause() {
    let dir = Scratch::new("backup-copy");
    for file in [
        "claims.cred",
        "shared.cred",
        "hypotheses.cred",
        "case.schema.json",
    ] {
        std::fs::copy(Path::new("rules").join(file), dir.join(file)).expect("copy");
    }
    std::fs::copy("rules/claims.cred", dir.join("claims.bak.cred")).expect("copy");
    let out = credence(&["check", "--format", "json", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let duplicates: Vec<&Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "E009")
        .collect();
    assert!(!duplicates.is_empty());
    for d in duplicates {
        let help = d["help"].as_str().unwrap_or("");
        assert!(
            help.contains("claims.bak.cred") && help.contains("backup copy or another rule set"),
            "{help}"
        );
    }
}
