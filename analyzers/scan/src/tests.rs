use super::*;
use nova_model::{DiagCode, Op, ServiceKind};
use std::fs;
use std::sync::atomic::{AtomicU64, Ordering};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(p, text).unwrap();
}

fn pkg(name: &str, deps: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{deps}"
    )
}

/// Two services and a library; one broken Rust file, one non-UTF-8 file,
/// migrations, and a config naming an alias, an owner, and a missing
/// package.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "Cargo.toml",
        "[workspace]\nmembers = [\"services/*\", \"libs/*\"]\n",
    );
    write(r, "libs/db/Cargo.toml", &pkg("db", ""));
    write(r, "libs/db/src/lib.rs", "pub fn f() {}\n");
    write(
        r,
        "services/feed/Cargo.toml",
        &pkg("feed-service", "db = { path = \"../../libs/db\" }\n"),
    );
    write(r, "services/feed/src/main.rs", "fn main() {}\n");
    write(r, "services/feed/src/broken.rs", "fn broken( {\n");
    write(r, "services/content/Cargo.toml", &pkg("content", ""));
    write(r, "services/content/src/main.rs", "fn main() {}\n");
    write(
        r,
        "services/content/migrations/20240101000000_init.sql",
        "CREATE TABLE posts (id BIGINT PRIMARY KEY);\n",
    );
    write(r, "services/content/tests/it.rs", "#[test]\nfn t() {}\n");
    fs::write(r.join("services/content/src/bad.rs"), [0xffu8, 0xfe]).unwrap();
    write(
        r,
        "nova.toml",
        "[services.feed]\npackage = \"feed-service\"\naliases = [\"feed-svc\"]\nkind = \"gateway\"\n\n[services.billing]\nkind = \"external\"\n\n[services.ghost]\npackage = \"ghost\"\n\n[tables.posts]\nowner = \"content\"\n",
    );
    dir
}

/// (name, package, dir, kind, aliases, libraries) of a service.
type ServiceRow<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    ServiceKind,
    Vec<&'a str>,
    Vec<&'a str>,
);

#[test]
fn smoke() {
    let dir = repo();
    let config = nova_config::load(&dir.path().join("nova.toml")).unwrap();
    let calls = AtomicU64::new(0);
    let progress = |_p: Progress| {
        calls.fetch_add(1, Ordering::Relaxed);
    };
    let model = scan(
        dir.path(),
        &config,
        &ScanOptions {
            progress: Some(&progress),
            include_tests: None,
        },
    )
    .unwrap();
    assert!(calls.load(Ordering::Relaxed) > 0);

    let services: Vec<ServiceRow<'_>> = model
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.package.as_deref(),
                s.dir.as_str(),
                s.kind,
                s.aliases.iter().map(String::as_str).collect(),
                s.libraries.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        services,
        vec![
            ("billing", None, "", ServiceKind::External, vec![], vec![]),
            (
                "content",
                Some("content"),
                "services/content",
                ServiceKind::Service,
                vec![],
                vec![]
            ),
            (
                "feed",
                Some("feed-service"),
                "services/feed",
                ServiceKind::Gateway,
                vec!["feed-service", "feed-svc"],
                vec!["db"]
            ),
        ]
    );
    assert_eq!(model.libraries.len(), 1);
    assert_eq!(model.libraries[0].name, "db");

    assert_eq!(model.migrations.len(), 1);
    assert_eq!(model.migrations[0].service.as_deref(), Some("content"));
    assert_eq!(model.migrations[0].tool, "sqlx");

    let posts = model.table("posts").unwrap();
    assert_eq!(posts.declared_owner.as_deref(), Some("content"));

    let diags: Vec<(DiagCode, String)> = model
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        diags,
        vec![
            (DiagCode::ConfigReference, "nova.toml:9".to_string()),
            (
                DiagCode::NotUtf8,
                "services/content/src/bad.rs:1:1".to_string()
            ),
            (
                DiagCode::RustSyntax,
                "services/feed/src/broken.rs:1:12".to_string()
            ),
        ]
    );
    // Tests are left out by default.
    assert_eq!(model.stats.rust_files, 3);
    // Paths are relative with `/`, the config file's too.
    assert!(
        model
            .diagnostics
            .iter()
            .all(|d| d.location.as_ref().is_none_or(|l| !l.file.starts_with('/')))
    );
}

#[test]
fn deterministic_and_include_tests() {
    let dir = repo();
    let config = Config::default();
    let a = scan(dir.path(), &config, &ScanOptions::default()).unwrap();
    let b = scan(dir.path(), &config, &ScanOptions::default()).unwrap();
    assert_eq!(a.to_json(), b.to_json());
    let t = scan(
        dir.path(),
        &config,
        &ScanOptions {
            progress: None,
            include_tests: Some(true),
        },
    )
    .unwrap();
    assert_eq!(t.stats.rust_files, a.stats.rust_files + 1);
}

#[test]
fn missing_root_is_an_error() {
    let r = scan(
        Path::new("/nonexistent/nova"),
        &Config::default(),
        &ScanOptions::default(),
    );
    assert!(matches!(r, Err(ScanError::Root(_))));
}

#[test]
fn synthetic_repo_scans() {
    let dir = tempfile::tempdir().unwrap();
    let stats = synth::generate(dir.path(), 3, 4).unwrap();
    let m = scan(dir.path(), &Config::default(), &ScanOptions::default()).unwrap();
    assert_eq!(m.services.len(), 3);
    assert_eq!(m.libraries.len(), 1);
    assert_eq!(m.stats.rust_files, stats.rust_files);
    assert!(
        m.diagnostics.iter().all(|d| d.code != DiagCode::RustSyntax),
        "{:?}",
        m.diagnostics
    );
}

#[test]
fn include_tests_override_reaches_the_sql_pass() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "Cargo.toml", &pkg("svc", ""));
    write(
        r,
        "src/main.rs",
        "fn main() {}\nasync fn get(p: &sqlx::PgPool) { sqlx::query(\"SELECT id FROM widgets\").execute(p).await; }\n",
    );
    write(
        r,
        "tests/it.rs",
        "async fn t(p: &sqlx::PgPool) { sqlx::query(\"DELETE FROM widgets\").execute(p).await; }\n",
    );
    let ops = |m: &Model| m.ops("svc", "widgets").to_string();
    let config = Config::default();
    let off = scan(r, &config, &ScanOptions::default()).unwrap();
    assert_eq!(ops(&off), "R");
    let on = ScanOptions {
        progress: None,
        include_tests: Some(true),
    };
    let with = scan(r, &config, &on).unwrap();
    assert_eq!(ops(&with), "RD");
    assert!(
        with.accesses
            .iter()
            .any(|a| a.in_test && a.op == Op::Delete)
    );
}

#[test]
fn a_declared_service_path_that_does_not_exist_is_n013() {
    let dir = repo();
    let r = dir.path();
    write(r, "README.md", "# repo\n");
    write(
        r,
        "nova.toml",
        "[services.feed]\npackage = \"feed-service\"\npath = \"services/feed/\"\n\n\
         [services.legacy]\npath = \"services/legacy\"\n\n\
         [services.docs]\npath = \"README.md\"\nkind = \"external\"\n",
    );
    let config = nova_config::load(&r.join("nova.toml")).unwrap();
    let model = scan(r, &config, &ScanOptions::default()).unwrap();
    let n013: Vec<(String, &str)> = model
        .diagnostics
        .iter()
        .filter(|d| d.code == DiagCode::ConfigReference)
        .map(|d| {
            (
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                d.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        n013,
        vec![
            (
                "nova.toml:5".to_string(),
                "services.legacy.path: `services/legacy` does not exist under the scanned root"
            ),
            (
                "nova.toml:8".to_string(),
                "services.docs.path: `README.md` is not a directory under the scanned root"
            ),
        ]
    );
}

/// A huge file is parsed in pieces (`nova_rust::pieces`): on every file of
/// a synthetic monorepo, cut at every item, the pieces give the facts of
/// the whole file, except SQL a helper gets as a parameter from a caller
/// in another piece.
#[test]
fn pieces_give_the_facts_of_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), 2, 6).unwrap();
    let mut files = 0;
    for e in ignore::WalkBuilder::new(dir.path()).build().flatten() {
        if e.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let src = fs::read_to_string(e.path()).unwrap();
        let whole = nova_rust::parse_file(&src, false).unwrap();
        let Some(parts) = nova_rust::pieces::parse(&src, false, 1) else {
            continue;
        };
        let without_params = |f: &nova_rust::FileFacts| {
            let mut f = f.clone();
            f.sql_sites
                .retain(|s| !matches!(s.expr, nova_rust::sql::SqlExpr::Choice(_)));
            f
        };
        assert_eq!(
            without_params(&parts),
            without_params(&whole),
            "{}",
            e.path().display()
        );
        files += 1;
    }
    assert!(files >= 12, "{files}");
}

/// The generated corpora of the scan bench: every query of the huge file
/// is found (in pieces), and the huge literal's table.
#[test]
fn huge_generated_files_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let stats = synth::generate_huge_file(dir.path(), 40_000).unwrap();
    assert!(stats.bytes > nova_rust::pieces::SPLIT_ABOVE as u64);
    let m = scan(dir.path(), &Config::default(), &ScanOptions::default()).unwrap();
    assert_eq!(m.accesses.len(), 40_000);
    assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
    let dir = tempfile::tempdir().unwrap();
    synth::generate_huge_literal(dir.path(), 5_000).unwrap();
    let m = scan(dir.path(), &Config::default(), &ScanOptions::default()).unwrap();
    let tables: Vec<&str> = m.accesses.iter().map(|a| a.table.as_str()).collect();
    assert_eq!(tables, vec!["big_table"]);
}
