use super::*;
use std::fs;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(p, text).unwrap();
}

fn pkg(name: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n")
}

/// A tree with a root workspace (members glob, exclude, inherited deps), an
/// excluded package with its own workspace (nested), bins of every kind,
/// a gitignored directory and a bad manifest.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "Cargo.toml",
        r#"[workspace]
members = ["services/*", "libs/*"]
exclude = ["services/standalone"]
[workspace.dependencies]
db = { path = "libs/db", package = "nova-db" }
serde = "1"
"#,
    );
    // A service with src/main.rs, workspace-inherited renamed dep, a path
    // dep, a target-specific dep and a dev-dep (ignored).
    write(
        r,
        "services/feed/Cargo.toml",
        &format!(
            "{}[dependencies]\ndb = {{ workspace = true }}\nserde.workspace = true\nshared = {{ path = \"../../libs/shared\" }}\nsqlx = \"0.8\"\n[target.'cfg(unix)'.dependencies]\nrdkafka = \"0.38\"\n[dev-dependencies]\ntempfile = \"3\"\n",
            pkg("feed")
        ),
    );
    write(r, "services/feed/src/main.rs", "fn main() {}\n");
    write(r, "services/feed/src/db/mod.rs", "\n");
    write(r, "services/feed/src/db/queries.rs", "\n");
    write(r, "services/feed/tests/it/main.rs", "\n");
    write(
        r,
        "services/feed/migrations/20240101000000_init.sql",
        "CREATE TABLE posts (id INT);\n",
    );
    write(r, "services/feed/.sqlx/query-123.json", "{}\n");
    // A service with src/bin only, depending on a member by name.
    write(
        r,
        "services/media/Cargo.toml",
        &format!("{}[dependencies]\nshared = \"0.1\"\n", pkg("media")),
    );
    write(
        r,
        "services/media/src/bin/media-worker.rs",
        "fn main() {}\n",
    );
    write(
        r,
        "services/media/src/bin/media-api/main.rs",
        "fn main() {}\n",
    );
    // A service with an explicit [[bin]], ignored by config.
    write(
        r,
        "services/tool/Cargo.toml",
        &format!(
            "{}[[bin]]\nname = \"tool-cli\"\npath = \"src/cli.rs\"\n",
            pkg("tool")
        ),
    );
    write(r, "services/tool/src/cli.rs", "fn main() {}\n");
    // Libraries.
    write(r, "libs/db/Cargo.toml", &pkg("nova-db"));
    write(r, "libs/db/src/lib.rs", "\n");
    write(r, "libs/shared/Cargo.toml", &pkg("shared"));
    write(r, "libs/shared/src/lib.rs", "\n");
    // A package excluded from the root workspace, with its own workspace
    // and a nested member.
    write(
        r,
        "services/standalone/Cargo.toml",
        &format!(
            "{}[workspace]\nmembers = [\"inner\"]\n[workspace.dependencies]\ninner = {{ path = \"inner\" }}\n[dependencies]\ninner.workspace = true\n",
            pkg("standalone")
        ),
    );
    write(r, "services/standalone/src/main.rs", "fn main() {}\n");
    write(r, "services/standalone/inner/Cargo.toml", &pkg("inner"));
    write(r, "services/standalone/inner/src/lib.rs", "\n");
    // Ignored and skipped places.
    write(r, ".gitignore", "generated/\n");
    write(r, "generated/Cargo.toml", &pkg("generated"));
    write(r, "generated/src/main.rs", "fn main() {}\n");
    write(r, "target/debug/x.rs", "\n");
    write(r, "node_modules/x/Cargo.toml", &pkg("nm"));
    write(r, ".hidden/Cargo.toml", &pkg("hidden"));
    // A bad manifest.
    write(
        r,
        "broken/Cargo.toml",
        "[package]\nname = \"broken\"\nversion = \n",
    );
    write(r, "broken/src/lib.rs", "\n");
    // Manifests.
    write(r, "k8s/feed.yaml", "kind: Deployment\n");
    write(r, "proto/content.proto", "syntax = \"proto3\";\n");
    dir
}

fn config() -> Config {
    nova_config::parse(
        "[services.tool]\nignore = true\n[services.db-api]\npackage = \"nova-db\"\n[services.shared]\nkind = \"external\"\n",
        "nova.toml",
    )
    .unwrap()
}

/// (name, dir, bins, is_service, workspace) of a package.
type PackageRow = (String, String, Vec<String>, bool, Option<String>);

#[test]
fn packages_services_and_deps() {
    let dir = tree();
    let d = discover(dir.path(), &config()).unwrap();
    let summary: Vec<PackageRow> = d
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.dir.clone(),
                p.bins.clone(),
                p.is_service,
                p.workspace.clone(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        summary,
        vec![
            // A library named by `[services.db-api]`: a service.
            (s("nova-db"), s("libs/db"), vec![], true, Some(s(""))),
            // Named only by an external service: still a library.
            (s("shared"), s("libs/shared"), vec![], false, Some(s(""))),
            (
                s("feed"),
                s("services/feed"),
                vec![s("feed")],
                true,
                Some(s(""))
            ),
            (
                s("media"),
                s("services/media"),
                vec![s("media-api"), s("media-worker")],
                true,
                Some(s(""))
            ),
            (
                s("standalone"),
                s("services/standalone"),
                vec![s("standalone")],
                true,
                Some(s("services/standalone"))
            ),
            (
                s("inner"),
                s("services/standalone/inner"),
                vec![],
                false,
                Some(s("services/standalone"))
            ),
            (
                s("tool"),
                s("services/tool"),
                vec![s("tool-cli")],
                false,
                Some(s(""))
            ),
        ]
    );
    let feed = &d.packages[2];
    assert_eq!(feed.local_deps, vec!["nova-db", "shared"]);
    assert_eq!(feed.external_deps, vec!["rdkafka", "serde", "sqlx"]);
    assert_eq!(d.packages[3].local_deps, vec!["shared"]);
    assert_eq!(d.packages[4].local_deps, vec!["inner"]);
}

#[test]
fn bad_manifest_is_a_diagnostic() {
    let dir = tree();
    let d = discover(dir.path(), &config()).unwrap();
    let diags: Vec<(DiagCode, String)> = d
        .diagnostics
        .iter()
        .map(|x| {
            (
                x.code,
                x.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        diags,
        vec![(DiagCode::CargoManifest, "broken/Cargo.toml:3".to_string())]
    );
}

#[test]
fn files_are_classified() {
    let dir = tree();
    let d = discover(dir.path(), &config()).unwrap();
    let files: Vec<(&str, &FileKind, Option<&str>)> = d
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                &f.kind,
                f.package.map(|i| d.packages[i].name.as_str()),
            )
        })
        .collect();
    let rust = |m: &[&str], t: bool| FileKind::Rust {
        module: m.iter().map(|s| s.to_string()).collect(),
        in_test: t,
    };
    let expected = vec![
        ("broken/src/lib.rs", rust(&[], false), None),
        ("k8s/feed.yaml", FileKind::Manifest, None),
        ("libs/db/src/lib.rs", rust(&[], false), Some("nova-db")),
        ("libs/shared/src/lib.rs", rust(&[], false), Some("shared")),
        ("proto/content.proto", FileKind::Manifest, None),
        (
            "services/feed/.sqlx/query-123.json",
            FileKind::SqlxQuery,
            Some("feed"),
        ),
        (
            "services/feed/migrations/20240101000000_init.sql",
            FileKind::Migration(MigrationTool::Sqlx),
            Some("feed"),
        ),
        (
            "services/feed/src/db/mod.rs",
            rust(&["db"], false),
            Some("feed"),
        ),
        (
            "services/feed/src/db/queries.rs",
            rust(&["db", "queries"], false),
            Some("feed"),
        ),
        ("services/feed/src/main.rs", rust(&[], false), Some("feed")),
        (
            "services/feed/tests/it/main.rs",
            rust(&[], true),
            Some("feed"),
        ),
        (
            "services/media/src/bin/media-api/main.rs",
            rust(&[], false),
            Some("media"),
        ),
        (
            "services/media/src/bin/media-worker.rs",
            rust(&[], false),
            Some("media"),
        ),
        (
            "services/standalone/inner/src/lib.rs",
            rust(&[], false),
            Some("inner"),
        ),
        (
            "services/standalone/src/main.rs",
            rust(&[], false),
            Some("standalone"),
        ),
        // A `[[bin]] path` outside src/bin is not recognised as a crate root.
        (
            "services/tool/src/cli.rs",
            rust(&["cli"], false),
            Some("tool"),
        ),
    ];
    let expected: Vec<(&str, &FileKind, Option<&str>)> =
        expected.iter().map(|(p, k, o)| (*p, k, *o)).collect();
    assert_eq!(files, expected);
}

#[test]
fn config_include_and_exclude() {
    let dir = tree();
    let cfg = nova_config::parse(
        "[scan]\ninclude = [\"services/**\"]\nexclude = [\"services/standalone/**\", \"**/tests/**\"]\n",
        "nova.toml",
    )
    .unwrap();
    let d = discover(dir.path(), &cfg).unwrap();
    let files: Vec<&str> = d.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        files.iter().all(|f| f.starts_with("services/")),
        "{files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.contains("standalone") || f.contains("/tests/"))
    );
    assert!(files.contains(&"services/feed/src/main.rs"));
    // Manifests outside `include` are read for workspace inheritance and
    // path dependencies, but their packages are not part of the result.
    let names: Vec<&str> = d.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["feed", "media", "tool"]);
    assert_eq!(d.packages[0].local_deps, vec!["nova-db", "shared"]);
}

#[test]
fn missing_root_is_an_error() {
    let err = discover(Path::new("/nonexistent/nova-root"), &Config::default()).unwrap_err();
    assert!(matches!(err, DiscoverError::Root { .. }));
}

#[test]
fn non_utf8_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("x.rs"), [0xff, 0xfe, 0x00]).unwrap();
    let d = read_text(&dir.path().join("x.rs"), "x.rs").unwrap_err();
    assert_eq!(d.code, DiagCode::NotUtf8);
    assert_eq!(d.location, Some(Location::new("x.rs", 1, 1)));
    // The diagnostic points at the first invalid byte.
    fs::write(dir.path().join("y.rs"), b"fn a() {}\n// caf\xe9\n").unwrap();
    let d = read_text(&dir.path().join("y.rs"), "y.rs").unwrap_err();
    assert_eq!(d.location, Some(Location::new("y.rs", 2, 7)));
    let d = read_text(&dir.path().join("missing.rs"), "missing.rs").unwrap_err();
    assert_eq!(d.code, DiagCode::Io);
}
