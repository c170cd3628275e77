//! File classification by path.

/// Which migration tool a file belongs to (by its name and place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MigrationTool {
    /// `migrations/<timestamp>_name.sql` or `.up.sql`.
    Sqlx,
    /// `V1__name.sql`.
    Refinery,
    /// `migrations/<dir>/up.sql`.
    Diesel,
    /// Any other `.sql` under a migrations-like or `schema` directory.
    Sql,
    /// Rust code of a SeaORM migration (`Table::create().table(X::Table)`),
    /// found by the scan in parsed Rust files, never by path.
    SeaOrm,
}

impl MigrationTool {
    /// The tag used in [`nova_model::Migration::tool`].
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationTool::Sqlx => "sqlx",
            MigrationTool::Refinery => "refinery",
            MigrationTool::Diesel => "diesel",
            MigrationTool::Sql => "sql",
            MigrationTool::SeaOrm => "sea-orm",
        }
    }
}

/// What a file is, for the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A Rust source file of a package (or of none: `package` of the
    /// [`crate::SourceFile`] is then `None`).
    Rust {
        /// Module path inside the crate (`src/db/mod.rs` -> `["db"]`).
        module: Vec<String>,
        /// Under `tests/`, `benches/` or `examples/` of its package.
        in_test: bool,
    },
    /// A forward (up) migration.
    Migration(MigrationTool),
    /// `.sqlx/query-*.json` (sqlx offline data).
    SqlxQuery,
    /// A file `nova_manifests::is_manifest` accepts (`.proto`, YAML,
    /// service config TOML).
    Manifest,
}

fn is_migration_dir(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("migration") || n == "migrate"
}

fn is_down(name: &str) -> bool {
    name == "down.sql" || name.ends_with(".down.sql") || refinery_undo(name)
}

fn refinery_undo(name: &str) -> bool {
    name.strip_prefix('U')
        .and_then(|r| r.split_once("__"))
        .is_some_and(|(v, _)| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn refinery(name: &str) -> bool {
    name.strip_prefix('V')
        .and_then(|r| r.split_once("__"))
        .is_some_and(|(v, _)| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Classify an SQL file, `None` when it is not a forward migration.
fn migration(rel: &str) -> Option<MigrationTool> {
    let parts: Vec<&str> = rel.split('/').collect();
    let (name, dirs) = parts.split_last()?;
    if is_down(name) {
        return None;
    }
    if refinery(name) {
        return Some(MigrationTool::Refinery);
    }
    let mig_dir = dirs.iter().rposition(|d| is_migration_dir(d));
    if let Some(i) = mig_dir {
        let depth_below = dirs.len() - i - 1;
        if *name == "up.sql" && depth_below >= 1 {
            return Some(MigrationTool::Diesel);
        }
        if depth_below == 0 && name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Some(MigrationTool::Sqlx);
        }
        return Some(MigrationTool::Sql);
    }
    if dirs
        .last()
        .is_some_and(|d| *d == "schema" || *d == "schemas")
    {
        return Some(MigrationTool::Sql);
    }
    None
}

/// The module path of a Rust file relative to its package directory
/// (`src/db/queries.rs` -> `["db", "queries"]`, `src/lib.rs` -> `[]`,
/// `src/bin/x.rs` -> `[]`, `tests/it/main.rs` -> `[]`).
pub fn rust_module(in_package: &str) -> Vec<String> {
    if in_package.is_empty() {
        return Vec::new();
    }
    let parts: Vec<&str> = in_package.split('/').collect();
    let Some((first, rest)) = parts.split_first() else {
        return Vec::new();
    };
    let mut rest: Vec<&str> = rest.to_vec();
    match *first {
        "src" => {
            if rest.first() == Some(&"bin") {
                // Each file or directory in src/bin is its own crate root.
                rest = rest.get(2..).map(|r| r.to_vec()).unwrap_or_default();
            }
        }
        "tests" | "benches" | "examples" => {
            // `tests/x.rs` is a crate root; `tests/it/foo.rs` is module foo.
            rest = rest.get(1..).map(|r| r.to_vec()).unwrap_or_default();
        }
        _ => rest = parts.clone(),
    }
    let mut module: Vec<String> = Vec::new();
    let n = rest.len();
    for (i, p) in rest.iter().enumerate() {
        if i + 1 == n {
            let stem = p.strip_suffix(".rs").unwrap_or(p);
            let crate_root = i == 0 && matches!(stem, "lib" | "main");
            if stem != "mod" && !crate_root {
                module.push(stem.to_string());
            }
        } else {
            module.push((*p).to_string());
        }
    }
    module
}

/// Classify `rel` (relative to the root); `package_dir` is the directory of
/// the owning package, when there is one. `None` = nova does not read it.
pub fn classify(rel: &str, package_dir: Option<&str>) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.ends_with(".rs") {
        let in_package = match package_dir {
            Some("") => rel,
            Some(d) => rel
                .strip_prefix(d)
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(rel),
            None => "",
        };
        let first = in_package.split('/').next().unwrap_or("");
        let in_test = matches!(first, "tests" | "benches" | "examples");
        return Some(FileKind::Rust {
            module: rust_module(in_package),
            in_test,
        });
    }
    if name.ends_with(".sql") {
        return migration(rel).map(FileKind::Migration);
    }
    if name.starts_with("query-") && name.ends_with(".json") {
        let parent = rel.rsplit('/').nth(1).unwrap_or("");
        if parent == ".sqlx" {
            return Some(FileKind::SqlxQuery);
        }
        return None;
    }
    if nova_manifests::is_manifest(rel) {
        return Some(FileKind::Manifest);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str) -> Vec<String> {
        rust_module(p)
    }

    #[test]
    fn module_paths() {
        assert_eq!(m("src/lib.rs"), Vec::<String>::new());
        assert_eq!(m("src/main.rs"), Vec::<String>::new());
        assert_eq!(m("src/db/queries.rs"), vec!["db", "queries"]);
        assert_eq!(m("src/db/mod.rs"), vec!["db"]);
        assert_eq!(m("src/db.rs"), vec!["db"]);
        assert_eq!(m("src/bin/tool.rs"), Vec::<String>::new());
        assert_eq!(m("src/bin/tool/main.rs"), Vec::<String>::new());
        assert_eq!(m("src/bin/tool/cli.rs"), vec!["cli"]);
        assert_eq!(m("tests/it/main.rs"), Vec::<String>::new());
        assert_eq!(m("tests/it/scan.rs"), vec!["scan"]);
        assert_eq!(m("tests/smoke.rs"), Vec::<String>::new());
    }

    #[test]
    fn migrations() {
        let c = |p| classify(p, None);
        assert_eq!(
            c("svc/migrations/20240101000000_init.sql"),
            Some(FileKind::Migration(MigrationTool::Sqlx))
        );
        assert_eq!(
            c("svc/migrations/20240101_init.up.sql"),
            Some(FileKind::Migration(MigrationTool::Sqlx))
        );
        assert_eq!(c("svc/migrations/20240101_init.down.sql"), None);
        assert_eq!(
            c("svc/migrations/V1__init.sql"),
            Some(FileKind::Migration(MigrationTool::Refinery))
        );
        assert_eq!(
            c("sql/V2.1__more.sql"),
            Some(FileKind::Migration(MigrationTool::Refinery))
        );
        assert_eq!(c("svc/migrations/U2__undo.sql"), None);
        assert_eq!(
            c("svc/migrations/2024-01-01-000000_init/up.sql"),
            Some(FileKind::Migration(MigrationTool::Diesel))
        );
        assert_eq!(c("svc/migrations/2024-01-01-000000_init/down.sql"), None);
        assert_eq!(
            c("svc/schema/users.sql"),
            Some(FileKind::Migration(MigrationTool::Sql))
        );
        assert_eq!(
            c("db/pg_migrations/init.sql"),
            Some(FileKind::Migration(MigrationTool::Sql))
        );
        assert_eq!(c("scripts/seed.sql"), None);
    }

    #[test]
    fn other_kinds() {
        assert_eq!(
            classify("svc/.sqlx/query-abc.json", None),
            Some(FileKind::SqlxQuery)
        );
        assert_eq!(classify("svc/query-abc.json", None), None);
        assert_eq!(
            classify("proto/content.proto", None),
            Some(FileKind::Manifest)
        );
        assert_eq!(classify("k8s/feed.yaml", None), Some(FileKind::Manifest));
        assert_eq!(classify("svc/Cargo.toml", None), None);
        assert_eq!(classify("README.md", None), None);
        assert_eq!(
            classify("svc/tests/it/main.rs", Some("svc")),
            Some(FileKind::Rust {
                module: vec![],
                in_test: true
            })
        );
        assert_eq!(
            classify("svc/src/db/mod.rs", Some("svc")),
            Some(FileKind::Rust {
                module: vec!["db".into()],
                in_test: false
            })
        );
    }
}
