//! Discovery: walk a repository, find Cargo workspaces and packages,
//! classify services and libraries, and classify every file nova reads.
//!
//! [`discover`] walks the tree once with the `ignore` crate (`.gitignore`
//! is honoured even outside a git repository), skipping `target/`,
//! `node_modules/`, `vendor/`, `third_party/`, `.git` and hidden directories
//! (except `.sqlx`), plus the `[scan] include`/`exclude` globs of the config.
//! It reads only `Cargo.toml` files; other files are classified by path and
//! read later by the scan, in parallel.
//!
//! A package is a *service* when it has a binary target (`src/main.rs`,
//! `src/bin/*.rs`, `src/bin/*/main.rs`, `[[bin]]`) and the config does not
//! `ignore` it; otherwise it is a library. Bad manifests become
//! [`DiagCode::CargoManifest`] diagnostics and the walk goes on.

pub mod cargo;
mod classify;
mod workspace;

pub use classify::{FileKind, MigrationTool, classify, rust_module};

use globset::{Glob, GlobSet, GlobSetBuilder};
use nova_config::Config;
use nova_model::{DiagCode, Diagnostic, Location, Severity};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A Cargo package found in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `[package] name`.
    pub name: String,
    /// Package directory relative to the root, `/` separators ("" = root).
    pub dir: String,
    /// Path of its `Cargo.toml`, relative.
    pub manifest: String,
    /// Binary target names, sorted.
    pub bins: Vec<String>,
    /// True when it has a binary and the config does not `ignore` it.
    pub is_service: bool,
    /// Directory of the workspace it belongs to, if any.
    pub workspace: Option<String>,
    /// Packages of the scanned tree it depends on (normal and
    /// target-specific dependencies), by package name. Sorted.
    pub local_deps: Vec<String>,
    /// Other dependencies, by real crate name. Sorted.
    pub external_deps: Vec<String>,
}

/// A file nova will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Relative to the root, `/` separators.
    pub path: String,
    /// Absolute (or root-joined) path for reading.
    pub abs: PathBuf,
    pub kind: FileKind,
    /// Index into [`Discovery::packages`] of the deepest package whose
    /// directory contains the file.
    pub package: Option<usize>,
    /// Size in bytes, from the directory walk (0 when unknown).
    pub size: u64,
}

/// What discovery found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Sorted by directory.
    pub packages: Vec<Package>,
    /// Sorted by path.
    pub files: Vec<SourceFile>,
    /// Manifest problems, unreadable directories.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why discovery could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot read {path}: {error}")]
    Root { path: String, error: std::io::Error },
    #[error("{0}: not a directory")]
    NotADirectory(String),
}

/// Directory names never descended into.
pub const SKIPPED_DIRS: &[&str] = &["target", "node_modules", "vendor", "third_party", ".git"];

/// Read a file as UTF-8, turning failures into `Io`/`NotUtf8` diagnostics
/// located at `rel`.
pub fn read_text(abs: &Path, rel: &str) -> Result<String, Diagnostic> {
    match std::fs::read(abs) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = offset
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            Diagnostic::new(
                DiagCode::NotUtf8,
                Severity::Warning,
                format!("file is not valid UTF-8 (invalid byte at offset {offset}); skipped"),
            )
            .at(Location::new(
                rel,
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            ))
        }),
        Err(e) => Err(Diagnostic::new(
            DiagCode::Io,
            Severity::Warning,
            format!("cannot read file: {e}"),
        )
        .at(Location::file(rel))),
    }
}

fn globset(globs: &[String]) -> Option<GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // The config parser validated every glob; a bad one is skipped.
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    b.build().ok()
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Walk `root` and find packages and files.
pub fn discover(root: &Path, config: &Config) -> Result<Discovery, DiscoverError> {
    let meta = std::fs::metadata(root).map_err(|error| DiscoverError::Root {
        path: root.display().to_string(),
        error,
    })?;
    if !meta.is_dir() {
        return Err(DiscoverError::NotADirectory(root.display().to_string()));
    }
    std::fs::read_dir(root).map_err(|error| DiscoverError::Root {
        path: root.display().to_string(),
        error,
    })?;

    let include = globset(&config.scan.include);
    let exclude = globset(&config.scan.exclude);
    let mut diagnostics = Vec::new();
    let mut manifests: Vec<(String, PathBuf)> = Vec::new();
    let mut files: Vec<(String, PathBuf, u64)> = Vec::new();

    let root_buf = root.to_path_buf();
    let exclude_dirs = exclude.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .follow_links(false)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if SKIPPED_DIRS.contains(&name.as_ref()) {
                    return false;
                }
                if name.starts_with('.') && name != ".sqlx" {
                    return false;
                }
                if let Some(ex) = &exclude_dirs {
                    let rel = rel_path(&root_buf, e.path());
                    if ex.is_match(&rel) || ex.is_match(format!("{rel}/")) {
                        return false;
                    }
                }
            }
            true
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let loc = match &err {
                    ignore::Error::WithPath { path, .. } => rel_path(root, path),
                    _ => String::new(),
                };
                let mut d =
                    Diagnostic::new(DiagCode::Io, Severity::Warning, format!("walk: {err}"));
                if !loc.is_empty() {
                    d = d.at(Location::file(loc));
                }
                diagnostics.push(d);
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = rel_path(root, entry.path());
        if exclude.as_ref().is_some_and(|ex| ex.is_match(&rel)) {
            continue;
        }
        if entry.file_name() == "Cargo.toml" {
            // Manifests are always read (workspace inheritance needs them),
            // even outside `include`.
            manifests.push((rel.clone(), entry.path().to_path_buf()));
        }
        if include.as_ref().is_some_and(|inc| !inc.is_match(&rel)) {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        files.push((rel, entry.path().to_path_buf(), size));
    }

    let (mut packages, mut diags) = workspace::resolve(root, manifests, config);
    diagnostics.append(&mut diags);
    // Packages outside `include` only served dependency resolution.
    if let Some(inc) = &include {
        packages.retain(|p| inc.is_match(&p.manifest));
    }

    let by_dir: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.dir.as_str(), i))
        .collect();
    let mut out_files = Vec::new();
    for (rel, abs, size) in files {
        let package = owning_package(&by_dir, &rel);
        let pkg_dir = package.map(|i| packages[i].dir.as_str());
        let Some(kind) = classify(&rel, pkg_dir) else {
            continue;
        };
        out_files.push(SourceFile {
            path: rel,
            abs,
            kind,
            package,
            size,
        });
    }
    out_files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Discovery {
        packages,
        files: out_files,
        diagnostics,
    })
}

/// Index of the deepest package whose directory contains `rel`, looked up
/// by walking `rel`'s ancestors in `by_dir`.
fn owning_package(by_dir: &HashMap<&str, usize>, rel: &str) -> Option<usize> {
    let mut dir = rel;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if let Some(&i) = by_dir.get(parent) {
            return Some(i);
        }
        dir = parent;
    }
    by_dir.get("").copied()
}

#[cfg(test)]
mod tests;
