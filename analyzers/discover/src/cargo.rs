//! Reading one `Cargo.toml`: the package, its targets, its workspace and
//! its dependencies.

use std::collections::BTreeMap;
use toml::{Table, Value};

/// How one dependency is declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepSpec {
    /// The key in `[dependencies]` (the name used in code).
    pub key: String,
    /// `package = ".."` when the dependency is renamed.
    pub package: Option<String>,
    /// `path = ".."`, relative to the manifest declaring it.
    pub path: Option<String>,
    /// `workspace = true`: inherit from `[workspace.dependencies]`.
    pub workspace: bool,
}

impl DepSpec {
    /// The real package name of the dependency.
    pub fn package_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.key)
    }
}

/// `[package]` and its targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageDecl {
    pub name: String,
    /// `[[bin]]` entries: (name, path).
    pub bins: Vec<(Option<String>, Option<String>)>,
    /// `autobins = false` turns off `src/main.rs`/`src/bin/` discovery.
    pub autobins: bool,
    /// `[package] workspace = ".."`: explicit workspace root.
    pub workspace: Option<String>,
}

/// `[workspace]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceDecl {
    pub members: Vec<String>,
    pub exclude: Vec<String>,
    /// `[workspace.dependencies]` by key.
    pub dependencies: BTreeMap<String, DepSpec>,
}

/// One parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub package: Option<PackageDecl>,
    pub workspace: Option<WorkspaceDecl>,
    /// Normal dependencies (`[dependencies]` and every
    /// `[target.*.dependencies]`), in declaration order.
    pub dependencies: Vec<DepSpec>,
}

/// A manifest problem: 1-based line (0 when unknown) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub line: u32,
    pub message: String,
}

fn line_of(src: &str, offset: usize) -> u32 {
    src.get(..offset.min(src.len()))
        .map(|s| s.matches('\n').count() as u32 + 1)
        .unwrap_or(1)
}

/// Line of the first line that starts a `[section]` header, for messages.
fn line_of_header(src: &str, header: &str) -> u32 {
    src.lines()
        .position(|l| l.trim_start().starts_with(header))
        .map(|i| i as u32 + 1)
        .unwrap_or(0)
}

/// Parse a manifest's text.
pub fn parse_manifest(src: &str) -> Result<Manifest, ManifestError> {
    let table: Table = toml::from_str(src).map_err(|e| ManifestError {
        line: e.span().map(|s| line_of(src, s.start)).unwrap_or(0),
        message: e.message().trim().to_string(),
    })?;
    let mut m = Manifest::default();
    if let Some(pkg) = table.get("package") {
        let Some(pkg) = pkg.as_table() else {
            return Err(ManifestError {
                line: line_of_header(src, "package"),
                message: "`package` is not a table".into(),
            });
        };
        let Some(name) = pkg.get("name").and_then(Value::as_str) else {
            return Err(ManifestError {
                line: line_of_header(src, "[package]"),
                message: "`[package]` has no `name`".into(),
            });
        };
        let bins = table
            .get("bin")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_table)
                    .map(|b| {
                        (
                            b.get("name").and_then(Value::as_str).map(str::to_string),
                            b.get("path").and_then(Value::as_str).map(str::to_string),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        m.package = Some(PackageDecl {
            name: name.to_string(),
            bins,
            autobins: pkg.get("autobins").and_then(Value::as_bool).unwrap_or(true),
            workspace: pkg
                .get("workspace")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    if let Some(ws) = table.get("workspace").and_then(Value::as_table) {
        let strings = |key: &str| -> Vec<String> {
            ws.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut decl = WorkspaceDecl {
            members: strings("members"),
            exclude: strings("exclude"),
            dependencies: BTreeMap::new(),
        };
        if let Some(deps) = ws.get("dependencies").and_then(Value::as_table) {
            for (k, v) in deps {
                decl.dependencies.insert(k.clone(), dep_spec(k, v));
            }
        }
        m.workspace = Some(decl);
    }
    if let Some(deps) = table.get("dependencies").and_then(Value::as_table) {
        m.dependencies
            .extend(deps.iter().map(|(k, v)| dep_spec(k, v)));
    }
    if let Some(targets) = table.get("target").and_then(Value::as_table) {
        for t in targets.values().filter_map(Value::as_table) {
            if let Some(deps) = t.get("dependencies").and_then(Value::as_table) {
                m.dependencies
                    .extend(deps.iter().map(|(k, v)| dep_spec(k, v)));
            }
        }
    }
    Ok(m)
}

fn dep_spec(key: &str, v: &Value) -> DepSpec {
    let mut d = DepSpec {
        key: key.to_string(),
        ..DepSpec::default()
    };
    if let Some(t) = v.as_table() {
        d.package = t.get("package").and_then(Value::as_str).map(str::to_string);
        d.path = t.get("path").and_then(Value::as_str).map(str::to_string);
        d.workspace = t.get("workspace").and_then(Value::as_bool).unwrap_or(false);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_bins_deps_and_workspace() {
        let src = r#"
[package]
name = "feed"
autobins = true

[[bin]]
name = "feed-server"
path = "src/server.rs"

[dependencies]
serde = "1"
shared = { path = "../shared" }
db = { package = "nova-db", workspace = true }

[target.'cfg(unix)'.dependencies]
nix = "0.29"

[dev-dependencies]
tempfile = "3"

[workspace]
members = ["crates/*"]
exclude = ["crates/old"]
[workspace.dependencies]
nova-db = { path = "crates/db" }
"#;
        let m = parse_manifest(src).unwrap();
        let p = m.package.unwrap();
        assert_eq!(p.name, "feed");
        assert_eq!(
            p.bins,
            vec![(Some("feed-server".into()), Some("src/server.rs".into()))]
        );
        let keys: Vec<&str> = m.dependencies.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, vec!["db", "serde", "shared", "nix"]);
        assert_eq!(m.dependencies[0].package_name(), "nova-db");
        assert!(m.dependencies[0].workspace);
        assert_eq!(m.dependencies[2].path.as_deref(), Some("../shared"));
        let ws = m.workspace.unwrap();
        assert_eq!(ws.members, vec!["crates/*"]);
        assert_eq!(ws.exclude, vec!["crates/old"]);
        assert_eq!(
            ws.dependencies["nova-db"].path.as_deref(),
            Some("crates/db")
        );
    }

    #[test]
    fn syntax_error_has_line() {
        let e = parse_manifest("[package]\nname = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn package_without_name() {
        let e = parse_manifest("\n[package]\nversion = \"1\"\n").unwrap_err();
        assert_eq!(
            e,
            ManifestError {
                line: 2,
                message: "`[package]` has no `name`".into()
            }
        );
    }
}
