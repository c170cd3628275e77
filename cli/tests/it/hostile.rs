//! A corpus of hostile inputs, made afresh in a temporary directory:
//! invalid UTF-8, binary files, NUL bytes, brackets in literals and
//! comments, a huge generated file and a huge SQL literal, deep nesting, a
//! long method chain, symbolic-link loops, garbage SQL in code and in
//! migrations, broken YAML, compose, proto and Cargo manifests. Every
//! command must exit 0, 1 or 2 without panicking, and the model and the
//! SARIF must come out the same twice; every file nova cannot analyse gets
//! exactly one diagnostic, and nothing from the files it can analyse is
//! lost.

use crate::support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Generated functions, each with one query (tables `gen_0..GEN_TABLES`).
const GENERATED: usize = 3_000;
const GEN_TABLES: usize = 300;
/// Rows in the one huge `INSERT` literal.
const HUGE_ROWS: usize = 25_000;
/// Brackets in literals and comments (beyond the nesting guard's 512).
const BRACKETS: usize = 700;

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = dir.path();
    let bytes = |rel: &str, b: &[u8]| {
        let p = r.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, b).expect("write");
    };
    write(
        r,
        "Cargo.toml",
        "[workspace]\nmembers = [\"svc\", \"crates/*\"]\n",
    );
    write(
        r,
        "svc/Cargo.toml",
        "[package]\nname = \"hostile-svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nsqlx = \"0.8\"\n",
    );
    write(
        r,
        "svc/src/main.rs",
        "async fn good(db: &sqlx::PgPool) {\n    \
         sqlx::query(\"SELECT id FROM good_table\").fetch_all(db).await.ok();\n}\n\
         fn main() {}\n",
    );
    // Not UTF-8: Latin-1 text, a binary blob, and a migration.
    bytes("svc/src/latin1.rs", b"const S: &str = \"caf\xe9\";\n");
    let blob: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    bytes("svc/src/blob.rs", &blob);
    bytes(
        "svc/migrations/0002_binary.sql",
        b"\xff\xfe\0CREATE TABLE t (id int);",
    );
    // UTF-8 but not Rust: NUL and control bytes.
    bytes("svc/src/nul.rs", b"fn f() {}\0\0\0\x01\x02");
    // Brackets in every kind of literal and comment: the file parses.
    let open = "(".repeat(BRACKETS);
    let square = "[".repeat(BRACKETS);
    write(
        r,
        "svc/src/brackets.rs",
        &format!(
            "// {open}\n/* {open} /* {square} */ */\n/// {square}\n\
             const ART: &str = r#\"{open}\"#;\nconst S: &str = \"\\\"{open}\";\n\
             const B: &[u8] = b\"{square}\";\nconst C: char = '(';\n\
             async fn q<'a>(db: &'a sqlx::PgPool) {{\n    \
             sqlx::query(\"SELECT x FROM bracket_table WHERE y IN ((1))\").fetch_all(db).await.ok();\n}}\n"
        ),
    );
    // Huge generated code, and one huge SQL literal.
    let mut generated = String::new();
    for i in 0..GENERATED {
        generated.push_str(&format!(
            "pub async fn q{i}(db: &sqlx::PgPool) {{ \
             sqlx::query(\"INSERT INTO gen_{} (id, v) VALUES ($1, $2)\").bind({i}).execute(db).await.ok(); }}\n",
            i % GEN_TABLES
        ));
    }
    write(r, "svc/src/generated.rs", &generated);
    let rows: Vec<String> = (0..HUGE_ROWS).map(|i| format!("({i}, 'v({i}')")).collect();
    write(
        r,
        "svc/src/huge_literal.rs",
        &format!(
            "async fn seed(db: &sqlx::PgPool) {{ sqlx::query(\"INSERT INTO big_table (id, v) VALUES {}\").execute(db).await.ok(); }}\n",
            rows.join(",")
        ),
    );
    // Deep nesting (refused with a diagnostic) and a long chain (parsed).
    write(
        r,
        "svc/src/deep.rs",
        &format!(
            "fn f() {{ let x = {}1{}; }}\n",
            "(".repeat(5_000),
            ")".repeat(5_000)
        ),
    );
    write(
        r,
        "svc/src/chain.rs",
        &format!("fn f(x: X) {{ x{}; }}\n", ".a()".repeat(3_000)),
    );
    // Garbage SQL, in code and in a migration.
    write(
        r,
        "svc/src/garbage_sql.rs",
        "async fn g(db: &sqlx::PgPool) {\n    \
         sqlx::query(\"SELEKT ((( FROM WHERE ;; garbage_table\").execute(db).await.ok();\n}\n",
    );
    write(
        r,
        "svc/migrations/0001_garbage.sql",
        "CREATE TABLE (((\n\0 DROP;; INSERT INTO\n",
    );
    // Broken manifests.
    write(
        r,
        "k8s/broken.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n",
    );
    write(r, "docker-compose.yml", "services:\n  a: {\n");
    write(
        r,
        "proto/broken.proto",
        "syntax = \"proto3\";\nservice X { rpc ( \n",
    );
    write(r, "crates/broken/Cargo.toml", "[package\nname = \n");
    write(r, "crates/broken/src/lib.rs", "pub fn f() {}\n");
    // Symbolic-link loops and a dangling link (not followed).
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        let src = r.join("svc/src");
        symlink(".", src.join("loop")).expect("symlink");
        symlink("b.rs", src.join("a.rs")).expect("symlink");
        symlink("a.rs", src.join("b.rs")).expect("symlink");
        symlink("nowhere.rs", src.join("dangling.rs")).expect("symlink");
    }
    dir
}

/// Diagnostic codes that mean a whole file was not analysed.
const WHOLE_FILE: &[&str] = &[
    "io",
    "not-utf8",
    "rust-syntax",
    "manifest-syntax",
    "cargo-manifest",
];

/// Run `args`: exit 0, 1 or 2, no panic.
fn run_hostile(args: &[&str]) -> std::process::Output {
    let a = run(args);
    assert_no_panic(args, &a);
    assert!(
        matches!(a.status.code(), Some(0..=2)),
        "exit code outside 0..=2\n{}",
        describe(args, &a)
    );
    a
}

/// [`run_hostile`] twice, with the same output both times.
fn run_twice(args: &[&str]) -> std::process::Output {
    let a = run_hostile(args);
    let b = run(args);
    assert_eq!(a.status.code(), b.status.code(), "{}", describe(args, &b));
    assert!(
        a.stdout == b.stdout,
        "output differs between two runs: nova {}",
        args.join(" ")
    );
    assert_eq!(stderr(&a), stderr(&b), "nova {}", args.join(" "));
    a
}

#[test]
fn hostile_inputs_are_diagnosed_once_each_and_nothing_else_is_lost() {
    let dir = corpus();
    let p = dir.path().to_string_lossy().into_owned();
    let args = ["scan", p.as_str(), "--format", "json"];
    let o = run_twice(&args);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&args, &o));
    let m: Value = json_of(&args, &o);

    // One diagnostic per file nova could not analyse, and only for those.
    let mut whole: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in m["diagnostics"].as_array().into_iter().flatten() {
        let code = d["code"].as_str().unwrap_or("").to_string();
        if WHOLE_FILE.contains(&code.as_str()) {
            let file = d["location"]["file"].as_str().unwrap_or("").to_string();
            whole.entry(file).or_default().push(code);
        }
    }
    let expected: BTreeMap<String, Vec<String>> = [
        ("crates/broken/Cargo.toml", "cargo-manifest"),
        ("docker-compose.yml", "manifest-syntax"),
        ("k8s/broken.yaml", "manifest-syntax"),
        ("proto/broken.proto", "manifest-syntax"),
        ("svc/migrations/0002_binary.sql", "not-utf8"),
        ("svc/src/blob.rs", "not-utf8"),
        ("svc/src/deep.rs", "rust-syntax"),
        ("svc/src/latin1.rs", "not-utf8"),
        ("svc/src/nul.rs", "rust-syntax"),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_string(), vec![c.to_string()]))
    .collect();
    assert_eq!(whole, expected);

    // Garbage SQL is read with the fallback and said so, at its place.
    let fallback: BTreeSet<String> = diags(&m, "sql-fallback")
        .iter()
        .map(|d| d["location"]["file"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        fallback,
        set(&["svc/migrations/0001_garbage.sql", "svc/src/garbage_sql.rs"])
    );

    // Every query of the files that could be read is there: the brackets
    // file, the huge literal, and each generated table.
    let tables: BTreeSet<String> = m["accesses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["service"] == "hostile-svc")
        .map(|a| a["table"].as_str().unwrap_or("").to_string())
        .collect();
    for t in ["good_table", "bracket_table", "big_table"] {
        assert!(tables.contains(t), "{t} is missing: {tables:?}");
    }
    let generated = tables.iter().filter(|t| t.starts_with("gen_")).count();
    assert_eq!(generated, GEN_TABLES);
    let generated_sites = m["accesses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["location"]["file"] == "svc/src/generated.rs")
        .count();
    assert_eq!(generated_sites, GENERATED);
}

#[test]
fn every_command_survives_hostile_inputs() {
    let dir = corpus();
    let p = dir.path().to_string_lossy().into_owned();
    // Each report is a pure function of the model (whose stability the
    // test above checks): the SARIF that CI uploads is checked twice, the
    // others once (each run of this corpus is seconds in a debug build).
    for (twice, cmd) in [
        (
            true,
            &["audit", "--format", "sarif", "--fail-on", "info"][..],
        ),
        (false, &["audit", "--format", "json"]),
        (false, &["ownership-matrix", "--format", "json"]),
        (false, &["graph", "--format", "json"]),
        (false, &["plan"]),
    ] {
        let mut args = vec![cmd[0], p.as_str()];
        args.extend_from_slice(&cmd[1..]);
        let o = if twice {
            run_twice(&args)
        } else {
            run_hostile(&args)
        };
        assert!(!o.stdout.is_empty(), "{}", describe(&args, &o));
        assert!(
            stderr(&o).contains("nova: 8 files not analysed"),
            "{}",
            describe(&args, &o)
        );
    }
}

#[test]
fn the_corpus_is_what_it_claims() {
    let dir = corpus();
    let r: &Path = dir.path();
    assert!(std::fs::read_to_string(r.join("svc/src/latin1.rs")).is_err());
    assert!(
        std::fs::metadata(r.join("svc/src/generated.rs"))
            .expect("file")
            .len()
            > 400_000
    );
    assert!(
        std::fs::metadata(r.join("svc/src/huge_literal.rs"))
            .expect("file")
            .len()
            > 400_000
    );
    #[cfg(unix)]
    assert!(std::fs::metadata(r.join("svc/src/a.rs")).is_err(), "a loop");
}
