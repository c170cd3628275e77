//! The CI integration files run what they say: the composite action's
//! audit step (its bash, as GitHub would run it) writes SARIF and reports
//! the exit code; the pre-commit hook's entry fails on the example.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// PATH with the built `nova` first.
fn path_with_nova() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_nova"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn action_audit_step_writes_sarif_and_the_exit_code() {
    let text = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let action: serde_yaml::Value = serde_yaml::from_str(&text).expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let audit = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("audit"))
        .expect("an audit step");
    let script = audit["run"].as_str().expect("run script");
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))),
        "the SARIF is uploaded"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("nova.sarif");
    let out = dir.path().join("github_output");
    let o = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(repo())
        .env("PATH", path_with_nova())
        .env("NO_COLOR", "1")
        .env("NOVA_PATH", "examples/coupled-monorepo")
        .env("NOVA_FAIL_ON", "error")
        .env("NOVA_BASELINE", "")
        .env("NOVA_ARGS", "")
        .env("NOVA_SARIF", &sarif)
        .env("GITHUB_OUTPUT", &out)
        .output()
        .expect("bash runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap_or_default().trim(),
        "exit-code=1"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif written"))
        .expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        stdout(&o).contains("error[multi-writer]"),
        "the log shows the findings"
    );
}

#[test]
fn pre_commit_hook_entry_fails_on_findings() {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).expect("hooks");
    let hooks: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let hook = hooks
        .as_sequence()
        .and_then(|h| h.iter().find(|x| x["id"].as_str() == Some("nova-audit")))
        .cloned()
        .expect("the nova-audit hook");
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    let entry: Vec<String> = hook["entry"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let (prog, args) = entry.split_first().expect("an entry");
    // pre-commit runs the entry at the repository root.
    let o = Command::new(prog)
        .args(args)
        .current_dir(example())
        .env("PATH", path_with_nova())
        .env("NO_COLOR", "1")
        .output()
        .expect("the hook runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
