//! What nova points at is never damaged, and what it could not read is
//! always said: `--output` on every kind of path, the stderr summary and
//! the progress bar, diagnostics in every JSON output and in SARIF, and a
//! complete `--help`.

use crate::support::*;
use serde_json::Value;

fn bad_input() -> String {
    fixture("bad-input").to_string_lossy().into_owned()
}

// --- `--output` -----------------------------------------------------------

#[cfg(unix)]
#[test]
fn output_into_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the pipe"))
    };
    let p = fixture("sqlx-functions");
    let (p, out) = (p.to_string_lossy(), fifo.to_string_lossy());
    let args = [
        "ownership-matrix",
        p.as_ref(),
        "--format",
        "csv",
        "-o",
        out.as_ref(),
    ];
    let o = run_expect(&args, 0);
    // Checked before joining: a replaced pipe leaves the reader waiting.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(
        kind.is_fifo(),
        "the pipe was replaced\n{}",
        describe(&args, &o)
    );
    let text = reader.join().expect("reader");
    assert!(text.starts_with("service,table,ops\n"), "{text}");
}

#[test]
fn output_to_a_directory_is_refused_and_it_is_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "reports/keep.md", "kept");
    let target = dir.path().join("reports");
    let p = fixture("sqlx-functions");
    let (p, out) = (p.to_string_lossy(), target.to_string_lossy());
    let args = ["plan", p.as_ref(), "--output", out.as_ref()];
    let o = run_expect(&args, 2);
    assert!(
        stderr(&o).contains("is a directory"),
        "{}",
        describe(&args, &o)
    );
    assert!(target.is_dir());
    assert_eq!(
        std::fs::read_to_string(target.join("keep.md")).expect("kept"),
        "kept"
    );
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "elsewhere/matrix.md", "old");
    let link = dir.path().join("matrix.md");
    std::os::unix::fs::symlink("elsewhere/matrix.md", &link).expect("symlink");
    let p = fixture("sqlx-functions");
    let (p, out) = (p.to_string_lossy(), link.to_string_lossy());
    let args = ["ownership-matrix", p.as_ref(), "-o", out.as_ref()];
    run_expect(&args, 0);
    let kind = std::fs::symlink_metadata(&link).expect("link").file_type();
    assert!(kind.is_symlink(), "the link was replaced by a file");
    let text = std::fs::read_to_string(dir.path().join("elsewhere/matrix.md")).expect("target");
    assert!(text.contains("| "), "{text}");
}

#[test]
fn output_to_a_regular_file_is_atomic_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "graph.csv", "old");
    let out = dir.path().join("graph.csv");
    let p = fixture("sqlx-functions");
    let (p, o) = (p.to_string_lossy(), out.to_string_lossy());
    run_expect(
        &["graph", p.as_ref(), "--format", "csv", "-o", o.as_ref()],
        0,
    );
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.starts_with("from,to,kind,via\n"), "{text}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("graph.csv")]);
}

// --- summary line, diagnostics in JSON ------------------------------------

const EVERY_COMMAND: &[&[&str]] = &[
    &["scan", "--format", "json"],
    &["audit", "--format", "sarif"],
    &["ownership-matrix", "--format", "csv"],
    &["graph", "--format", "mermaid"],
    &["plan"],
];

#[test]
fn every_command_says_what_the_scan_could_not_read() {
    let p = bad_input();
    for cmd in EVERY_COMMAND {
        let mut args = vec![cmd[0], p.as_str()];
        args.extend_from_slice(&cmd[1..]);
        let o = run(&args);
        assert_no_panic(&args, &o);
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("nova: ")).collect();
        assert_eq!(
            lines,
            vec![
                "nova: 2 files not analysed: 1 does not parse (N003), 1 is not UTF-8 (N002); \
                 1 other diagnostic: N004 ×1; see `nova scan --format text`"
            ],
            "{}",
            describe(&args, &o)
        );
        // `-q` silences it.
        args.push("-q");
        let o = run(&args);
        assert!(stderr(&o).is_empty(), "{}", describe(&args, &o));
    }
}

#[test]
fn a_clean_scan_prints_no_summary() {
    let p = fixture("sqlx-functions");
    let p = p.to_string_lossy();
    let args = ["ownership-matrix", p.as_ref()];
    let o = run_expect(&args, 0);
    assert!(!stderr(&o).contains("nova: "), "{}", describe(&args, &o));
}

#[test]
fn every_json_output_carries_the_diagnostics() {
    let p = bad_input();
    for (cmd, format) in [
        ("scan", "json"),
        ("audit", "json"),
        ("ownership-matrix", "json"),
        ("graph", "json"),
    ] {
        let args = [cmd, p.as_str(), "--format", format];
        let o = run(&args);
        assert_no_panic(&args, &o);
        let v = json_of(&args, &o);
        let mut codes: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap_or_else(|| panic!("no diagnostics\n{}", describe(&args, &o)))
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect();
        codes.sort();
        assert_eq!(codes, ["not-utf8", "rust-syntax", "sql-fallback"], "{cmd}");
    }
}

// --- progress bar ----------------------------------------------------------

/// Run `nova args` under a pseudo-terminal (`script`), with the bar's delay
/// set to `after_ms`; the terminal's transcript.
fn on_a_terminal(args: &[&str], after_ms: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let transcript = dir.path().join("typescript");
    let line = std::iter::once(env!("CARGO_BIN_EXE_nova"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let status = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line])
        .arg(&transcript)
        .env("NOVA_PROGRESS_AFTER_MS", after_ms)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    assert!(status.success(), "{line}: {status}");
    std::fs::read(&transcript)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[test]
fn the_progress_bar_shows_on_a_terminal_once_the_scan_is_slow() {
    let p = fixture("sqlx-functions");
    let p = p.to_string_lossy();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("model.json");
    let out = out.to_string_lossy();
    // JSON to a file: the bar is on stderr, so the format does not matter.
    let args = ["scan", p.as_ref(), "--format", "json", "-o", out.as_ref()];
    let Some(shown) = on_a_terminal(&args, "0") else {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    };
    assert!(
        shown.contains(" files"),
        "no bar on the terminal: {shown:?}"
    );
    // Quick scans (under the delay) leave the terminal alone, and so does -q.
    let quick = on_a_terminal(&args, "600000").unwrap_or_default();
    assert!(!quick.contains(" files"), "{quick:?}");
    let mut quiet = args.to_vec();
    quiet.push("-q");
    let quiet = on_a_terminal(&quiet, "0").unwrap_or_default();
    assert!(!quiet.contains(" files"), "{quiet:?}");
    // Not a terminal: no bar either.
    let o = nova()
        .args(args)
        .env("NOVA_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("nova runs");
    assert!(!stderr(&o).contains(" files"), "{}", describe(&args, &o));
}

// --- SARIF ----------------------------------------------------------------

#[test]
fn a_strict_baseline_failure_in_sarif_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = dir.path().join("baseline.json");
    std::fs::write(
        &baseline,
        r#"{"version":1,"entries":[{"fingerprint":"multi-writer|table=ghosts","rule":"multi-writer","message":"table `ghosts` is written by 2 services"}]}"#,
    )
    .expect("write baseline");
    let p = bad_input();
    let b = baseline.to_string_lossy();
    let args = [
        "audit",
        p.as_str(),
        "--format",
        "sarif",
        "--fail-on",
        "never",
        "--baseline",
        b.as_ref(),
        "--strict-baseline",
    ];
    let o = run_expect(&args, 1);
    let v = json_of(&args, &o);
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap_or(""))
        .collect();
    // The finding (shown, though --fail-on never), the stale entry that
    // fails the run, then the diagnostics, the most serious first.
    assert_eq!(
        ids,
        [
            "unowned-table",
            "stale-baseline-entry",
            "N003",
            "N002",
            "N004"
        ],
        "{}",
        describe(&args, &o)
    );
    let at = |r: &Value| {
        let pl = &r["locations"][0]["physicalLocation"];
        format!(
            "{}:{}",
            pl["artifactLocation"]["uri"].as_str().unwrap_or(""),
            pl["region"]["startLine"]
        )
    };
    assert_eq!(at(&results[2]), "src/broken.rs:3");
    assert_eq!(at(&results[3]), "src/latin1.rs:1");
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[4]["level"], "note");
}

// --- `--help` ---------------------------------------------------------------

#[test]
fn help_describes_path_and_audit_lists_exit_codes() {
    for cmd in ["scan", "audit", "ownership-matrix", "graph", "plan"] {
        let args = [cmd, "--help"];
        let o = run_expect(&args, 0);
        let help = stdout(&o);
        // `[PATH]`, then its description (on the next line in long help).
        let described = help
            .split("\n  [PATH]")
            .nth(1)
            .and_then(|rest| rest.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or_else(|| panic!("no [PATH] argument\n{help}"));
        assert!(
            described.starts_with("Root of the repository"),
            "[PATH] is not described\n{help}"
        );
        assert!(help.contains("--output <FILE>"), "{help}");
    }
    let o = run_expect(&["audit", "--help"], 0);
    let help = stdout(&o);
    for line in [
        "Exit codes:",
        "  0  nothing at or above",
        "  1  findings",
        "  2  usage",
    ] {
        assert!(help.contains(line), "{help}");
    }
}
