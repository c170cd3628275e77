//! From the manifests found by the walk to [`Package`]s: workspaces,
//! binary targets and local/external dependencies.

use crate::Package;
use crate::cargo::{DepSpec, Manifest, WorkspaceDecl, parse_manifest};
use globset::Glob;
use nova_config::{Config, ServiceConfig};
use nova_model::{DiagCode, Diagnostic, Location, ServiceKind, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lexically join `base` (relative dir, "" = root) and `rel`, resolving
/// `.` and `..`. `None` when the path escapes the root.
pub(crate) fn join_rel(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn parent_dir(rel_manifest: &str) -> String {
    match rel_manifest.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => String::new(),
    }
}

/// Path of `dir` relative to the ancestor `ws` ("" when equal).
fn relative_to<'a>(dir: &'a str, ws: &str) -> Option<&'a str> {
    if ws.is_empty() {
        return Some(dir);
    }
    if dir == ws {
        return Some("");
    }
    dir.strip_prefix(ws)?.strip_prefix('/')
}

fn glob_matches(patterns: &[String], rel: &str) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim_end_matches('/');
        if p == rel || rel.starts_with(&format!("{p}/")) {
            return true;
        }
        Glob::new(p)
            .map(|g| g.compile_matcher().is_match(rel))
            .unwrap_or(false)
    })
}

fn binaries(root: &Path, dir: &str, name: &str, m: &crate::cargo::PackageDecl) -> Vec<String> {
    let pkg: PathBuf = if dir.is_empty() {
        root.to_path_buf()
    } else {
        root.join(dir)
    };
    let mut bins = BTreeSet::new();
    if m.autobins {
        if pkg.join("src/main.rs").is_file() {
            bins.insert(name.to_string());
        }
        if let Ok(rd) = std::fs::read_dir(pkg.join("src/bin")) {
            for e in rd.flatten() {
                let p = e.path();
                let file_name = e.file_name().to_string_lossy().into_owned();
                if p.is_file() {
                    if let Some(stem) = file_name.strip_suffix(".rs") {
                        bins.insert(stem.to_string());
                    }
                } else if p.join("main.rs").is_file() {
                    bins.insert(file_name);
                }
            }
        }
    }
    for (bin_name, bin_path) in &m.bins {
        let n = bin_name.clone().or_else(|| {
            bin_path.as_ref().and_then(|p| {
                Path::new(p)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
        });
        bins.insert(n.unwrap_or_else(|| name.to_string()));
    }
    bins.into_iter().collect()
}

/// Is the package a service? One with a binary is, unless `nova.toml` says
/// `ignore = true`; one without (a library whose binary lives elsewhere, as
/// a server crate wired up by a separate CLI crate) is when a
/// `[services.<key>]` entry names it (and is not `kind = "external"`).
fn is_service(config: &Config, name: &str, dir: &str, has_bins: bool) -> bool {
    let mut entries = config
        .services
        .iter()
        .filter(|(key, s)| names_package(key, s, name, dir));
    if has_bins {
        !entries.any(|(_, s)| s.ignore)
    } else {
        entries.any(|(_, s)| !s.ignore && s.kind != Some(ServiceKind::External))
    }
}

fn names_package(key: &str, s: &ServiceConfig, name: &str, dir: &str) -> bool {
    s.package.as_deref() == Some(name)
        || (s.package.is_none() && s.path.is_none() && key == name)
        || s.path.as_deref().map(|p| p.trim_end_matches('/')) == Some(dir)
}

/// Read every manifest and build the packages, sorted by directory.
pub(crate) fn resolve(
    root: &Path,
    mut manifests: Vec<(String, PathBuf)>,
    config: &Config,
) -> (Vec<Package>, Vec<Diagnostic>) {
    manifests.sort();
    let mut diags = Vec::new();
    let mut parsed: Vec<(String, Manifest)> = Vec::new();
    for (rel, abs) in manifests {
        let text = match crate::read_text(&abs, &rel) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        match parse_manifest(&text) {
            Ok(m) => parsed.push((rel, m)),
            Err(e) => diags.push(
                Diagnostic::new(
                    DiagCode::CargoManifest,
                    Severity::Warning,
                    format!("Cargo.toml not understood: {}", e.message),
                )
                .at(Location::new(rel, e.line, 0)),
            ),
        }
    }

    let workspaces: BTreeMap<String, &WorkspaceDecl> = parsed
        .iter()
        .filter_map(|(rel, m)| m.workspace.as_ref().map(|w| (parent_dir(rel), w)))
        .collect();

    struct Draft<'a> {
        pkg: Package,
        deps: &'a [DepSpec],
    }
    let mut drafts: Vec<Draft<'_>> = Vec::new();
    for (rel, m) in &parsed {
        let Some(decl) = &m.package else { continue };
        let dir = parent_dir(rel);
        let ws = match &decl.workspace {
            Some(p) => join_rel(&dir, p).filter(|w| workspaces.contains_key(w)),
            None => workspace_of(&workspaces, &dir),
        };
        let bins = binaries(root, &dir, &decl.name, decl);
        let is_service = is_service(config, &decl.name, &dir, !bins.is_empty());
        drafts.push(Draft {
            pkg: Package {
                name: decl.name.clone(),
                dir,
                manifest: rel.clone(),
                bins,
                is_service,
                workspace: ws,
                local_deps: Vec::new(),
                external_deps: Vec::new(),
            },
            deps: &m.dependencies,
        });
    }

    let by_dir: BTreeMap<String, String> = drafts
        .iter()
        .map(|d| (d.pkg.dir.clone(), d.pkg.name.clone()))
        .collect();
    let ws_members: BTreeMap<(Option<String>, String), ()> = drafts
        .iter()
        .map(|d| ((d.pkg.workspace.clone(), d.pkg.name.clone()), ()))
        .collect();

    for d in &mut drafts {
        let mut local = BTreeSet::new();
        let mut external = BTreeSet::new();
        for dep in d.deps {
            let (spec, base): (DepSpec, String) = if dep.workspace {
                match d
                    .pkg
                    .workspace
                    .as_ref()
                    .and_then(|w| workspaces.get(w).map(|decl| (w, decl)))
                    .and_then(|(w, decl)| decl.dependencies.get(&dep.key).map(|s| (w, s)))
                {
                    Some((w, inherited)) => (
                        DepSpec {
                            key: dep.key.clone(),
                            package: dep.package.clone().or_else(|| inherited.package.clone()),
                            path: inherited.path.clone(),
                            workspace: true,
                        },
                        w.clone(),
                    ),
                    None => {
                        diags.push(
                            Diagnostic::new(
                                DiagCode::CargoManifest,
                                Severity::Info,
                                format!(
                                    "dependency `{}` uses `workspace = true` but no enclosing workspace declares it",
                                    dep.key
                                ),
                            )
                            .at(Location::file(d.pkg.manifest.clone())),
                        );
                        (dep.clone(), d.pkg.dir.clone())
                    }
                }
            } else {
                (dep.clone(), d.pkg.dir.clone())
            };
            let name = spec.package_name().to_string();
            let path_target = spec
                .path
                .as_deref()
                .and_then(|p| join_rel(&base, p))
                .and_then(|dir| by_dir.get(&dir).cloned());
            if let Some(target) = path_target {
                local.insert(target);
            } else if spec.path.is_none()
                && d.pkg.workspace.is_some()
                && ws_members.contains_key(&(d.pkg.workspace.clone(), name.clone()))
            {
                local.insert(name);
            } else {
                external.insert(name);
            }
        }
        local.remove(&d.pkg.name);
        d.pkg.local_deps = local.into_iter().collect();
        d.pkg.external_deps = external.into_iter().collect();
    }

    let mut packages: Vec<Package> = drafts.into_iter().map(|d| d.pkg).collect();
    packages.sort_by(|a, b| a.dir.cmp(&b.dir).then(a.name.cmp(&b.name)));
    (packages, diags)
}

/// The workspace a package in `dir` belongs to: the nearest enclosing
/// workspace (its own manifest included) that does not `exclude` it.
fn workspace_of(workspaces: &BTreeMap<String, &WorkspaceDecl>, dir: &str) -> Option<String> {
    let mut candidates: Vec<&String> = workspaces
        .keys()
        .filter(|w| relative_to(dir, w).is_some())
        .collect();
    candidates.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let nearest = candidates.first()?;
    let rel = relative_to(dir, nearest).unwrap_or("");
    if !rel.is_empty() && glob_matches(&workspaces[*nearest].exclude, rel) {
        return None;
    }
    Some((*nearest).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        assert_eq!(join_rel("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_rel("", "crates/x/").as_deref(), Some("crates/x"));
        assert_eq!(join_rel("a", "./../../x"), None);
        assert_eq!(join_rel("a/b", ".."), Some("a".to_string()));
    }

    #[test]
    fn exclude_globs() {
        assert!(glob_matches(&["crates/old".into()], "crates/old"));
        assert!(glob_matches(&["crates/old".into()], "crates/old/inner"));
        assert!(glob_matches(&["legacy/*".into()], "legacy/a"));
        assert!(!glob_matches(&["crates/old".into()], "crates/older"));
    }
}
