//! Bad input becomes a diagnostic with file:line (or a config error naming
//! the key), never a panic, and the rest of the scan still produces results.

use crate::support::*;

#[test]
fn bad_files_are_diagnosed_and_the_rest_is_scanned() {
    let m = scan(&fixture("bad-input"), &[]);

    let not_utf8 = diags(&m, "not-utf8");
    assert_eq!(not_utf8.len(), 1, "{not_utf8:#?}");
    assert_eq!(not_utf8[0]["location"]["file"], "src/latin1.rs");
    // The first invalid byte: line 1, column 9 (`é` in Latin-1).
    assert_eq!(diag_at(not_utf8[0]), "src/latin1.rs:1", "{:#}", not_utf8[0]);
    assert_eq!(not_utf8[0]["location"]["column"], 9);

    let syntax = diags(&m, "rust-syntax");
    assert_eq!(syntax.len(), 1, "{syntax:#?}");
    assert_eq!(diag_at(syntax[0]), "src/broken.rs:3", "{:#}", syntax[0]);

    let fallback = diags(&m, "sql-fallback");
    assert_eq!(fallback.len(), 1, "{fallback:#?}");
    assert_eq!(
        diag_at(fallback[0]),
        "src/weird_sql.rs:4",
        "{:#}",
        fallback[0]
    );

    // The good file and the lexical fallback still give results; nothing
    // comes out of the file that does not parse.
    assert_eq!(
        access_set(&m),
        triples(&[
            ("sturdy-svc", "fallback_table", "U"),
            ("sturdy-svc", "good_table", "R"),
        ])
    );
    let low = accesses_of(&m, "sturdy-svc", "fallback_table");
    assert_eq!(low[0]["confidence"], "low", "{:#}", low[0]);
    assert_eq!(
        accesses_of(&m, "sturdy-svc", "good_table")[0]["confidence"],
        "high"
    );
}

#[test]
fn bad_input_diagnostics_are_shown_by_audit() {
    let p = fixture("bad-input");
    let p = p.to_string_lossy();
    let args = ["audit", p.as_ref()];
    let o = run(&args);
    assert_no_panic(&args, &o);
    assert_ne!(o.status.code(), Some(2), "{}", describe(&args, &o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    for at in ["src/broken.rs:3", "src/latin1.rs:1:9", "src/weird_sql.rs:4"] {
        assert!(
            all.contains(at),
            "audit output names {at}\n{}",
            describe(&args, &o)
        );
    }
}

#[test]
fn unknown_config_key_is_an_error_with_line_and_key() {
    let p = fixture("bad-config");
    let p = p.to_string_lossy();
    let args = ["scan", p.as_ref(), "--format", "json"];
    let o = run_expect(&args, 2);
    let err = stderr(&o);
    assert!(err.contains("nova.toml:3"), "{}", describe(&args, &o));
    assert!(err.contains("exclud"), "{}", describe(&args, &o));
    assert!(
        o.stdout.is_empty(),
        "no model on a config error\n{}",
        describe(&args, &o)
    );
}

#[test]
fn config_errors_exit_2_for_every_command() {
    let p = fixture("bad-config");
    let p = p.to_string_lossy();
    for cmd in ["audit", "ownership-matrix", "graph", "plan"] {
        let args = [cmd, p.as_ref()];
        let o = run_expect(&args, 2);
        assert!(
            stderr(&o).contains("nova.toml:3"),
            "{}",
            describe(&args, &o)
        );
    }
}

fn config_error(text: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("nova.toml");
    std::fs::write(&cfg, text).expect("write config");
    let cfg = cfg.to_string_lossy().into_owned();
    let p = fixture("sqlx-functions");
    let p = p.to_string_lossy();
    let args = [
        "scan",
        p.as_ref(),
        "--config",
        cfg.as_str(),
        "--format",
        "json",
    ];
    let o = run_expect(&args, 2);
    let err = stderr(&o);
    assert!(err.contains("nova.toml:"), "{}", describe(&args, &o));
    err
}

#[test]
fn unknown_rule_is_named() {
    let err = config_error("[rules]\nmulti-writer = \"error\"\nmulti-writr = \"error\"\n");
    assert!(err.contains("nova.toml:3"), "{err}");
    assert!(err.contains("multi-writr"), "{err}");
}

#[test]
fn bad_level_is_named() {
    let err = config_error("[rules]\nsync-call = \"fatal\"\n");
    assert!(err.contains("nova.toml:2"), "{err}");
    assert!(err.contains("sync-call"), "{err}");
}

#[test]
fn allow_without_reason_is_an_error() {
    let err = config_error("\n[[allow]]\nrule = \"multi-writer\"\ntable = \"users\"\n");
    assert!(
        err.contains("nova.toml:2") || err.contains("nova.toml:3"),
        "{err}"
    );
    assert!(err.contains("reason"), "{err}");
}

#[test]
fn toml_syntax_error_has_a_line() {
    let err = config_error("[scan]\ninclude-tests = true\n[services.a\n");
    assert!(err.contains("nova.toml:3"), "{err}");
}

#[test]
fn missing_config_file_is_an_error() {
    let p = fixture("sqlx-functions");
    let p = p.to_string_lossy();
    let args = ["scan", p.as_ref(), "--config", "/nonexistent/nova.toml"];
    let o = run_expect(&args, 2);
    assert!(
        stderr(&o).contains("/nonexistent/nova.toml"),
        "{}",
        describe(&args, &o)
    );
}

#[test]
fn missing_path_is_an_error_not_a_panic() {
    let args = ["scan", "/nonexistent/repo", "--format", "json"];
    let o = run_expect(&args, 2);
    assert!(
        stderr(&o).contains("/nonexistent/repo"),
        "{}",
        describe(&args, &o)
    );
}

#[test]
fn empty_directory_scans_to_an_empty_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let m = scan(dir.path(), &[]);
    assert_eq!(m["schema_version"], 2);
    assert!(access_set(&m).is_empty());
    assert!(names(&m, "services").is_empty());
}
