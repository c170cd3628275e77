//! Services, libraries and crates from the discovered packages and the
//! config.

use nova_config::{Config, ServiceConfig};
use nova_discover::Package;
use nova_model::{DiagCode, Diagnostic, Library, Location, Service, ServiceKind, Severity};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet};

/// Services and libraries, and which package is which service.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// Sorted by name.
    pub services: Vec<Service>,
    /// Sorted by name.
    pub libraries: Vec<Library>,
    /// Per package index: its canonical service name.
    pub service_of: Vec<Option<String>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Built {
    /// The service whose directory contains `path` (deepest directory).
    pub fn service_at(&self, path: &str) -> Option<&str> {
        self.services
            .iter()
            .filter(|s| s.kind != ServiceKind::External || !s.dir.is_empty())
            .filter(|s| {
                s.dir.is_empty() || path.starts_with(&format!("{}/", s.dir)) || path == s.dir
            })
            .max_by_key(|s| s.dir.len())
            .map(|s| s.name.as_str())
    }
}

fn config_span(s: &ServiceConfig, cfg_file: &str) -> Location {
    Location::new(cfg_file, s.span.line, 0)
}

/// Does config entry `key`/`s` describe `pkg`?
fn entry_matches(key: &str, s: &ServiceConfig, pkg: &Package) -> bool {
    match (&s.package, &s.path) {
        (Some(p), _) => p == &pkg.name,
        (None, Some(path)) => path.trim_end_matches('/') == pkg.dir,
        (None, None) => key == pkg.name,
    }
}

fn last_dir(dir: &str) -> Option<&str> {
    dir.rsplit('/').next().filter(|d| !d.is_empty())
}

/// Build services and libraries.
///
/// `cfg_file` is the config file as shown in diagnostics (relative to the
/// root when it lies inside it).
pub(crate) fn build(packages: &[Package], config: &Config, cfg_file: &str) -> Built {
    let mut built = Built {
        service_of: vec![None; packages.len()],
        ..Built::default()
    };
    let mut used_entries = BTreeSet::new();
    let by_name: BTreeMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();

    let mut names = BTreeSet::new();
    for (i, pkg) in packages.iter().enumerate() {
        let entry = config
            .services
            .iter()
            .find(|(k, s)| entry_matches(k, s, pkg));
        if let Some((k, _)) = entry {
            used_entries.insert(k.clone());
        }
        if !pkg.is_service {
            built.libraries.push(Library {
                name: pkg.name.clone(),
                dir: pkg.dir.clone(),
            });
            continue;
        }
        let name = entry
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| pkg.name.clone());
        if !names.insert(name.clone()) {
            built.diagnostics.push(
                Diagnostic::new(
                    DiagCode::CargoManifest,
                    Severity::Warning,
                    format!("a second package is named `{name}`; only the first is a service"),
                )
                .at(Location::file(pkg.manifest.clone())),
            );
            built.libraries.push(Library {
                name: pkg.name.clone(),
                dir: pkg.dir.clone(),
            });
            continue;
        }
        let mut aliases: BTreeSet<String> = BTreeSet::new();
        aliases.insert(pkg.name.clone());
        if let Some(d) = last_dir(&pkg.dir) {
            aliases.insert(d.to_string());
        }
        aliases.extend(pkg.bins.iter().cloned());
        let (kind, dialect) = match entry {
            Some((_, s)) => {
                aliases.extend(s.aliases.iter().cloned());
                (
                    s.kind.unwrap_or_default(),
                    s.dialect.unwrap_or(config.scan.dialect),
                )
            }
            None => (ServiceKind::Service, config.scan.dialect),
        };
        aliases.remove(&name);
        built.service_of[i] = Some(name.clone());
        built.services.push(Service {
            name,
            package: Some(pkg.name.clone()),
            dir: pkg.dir.clone(),
            aliases: aliases.into_iter().collect(),
            kind,
            dialect,
            libraries: libraries_of(i, packages, &by_name),
        });
    }

    // Config entries that matched no package.
    for (key, s) in &config.services {
        if used_entries.contains(key) || s.ignore {
            if !used_entries.contains(key) && s.ignore {
                built.diagnostics.push(
                    Diagnostic::new(
                        DiagCode::ConfigReference,
                        Severity::Warning,
                        format!("services.{key}: `ignore` names no package found in the scan"),
                    )
                    .at(config_span(s, cfg_file)),
                );
            }
            continue;
        }
        let external = s.kind == Some(ServiceKind::External);
        if !external && s.path.is_none() {
            let what = s.package.as_deref().unwrap_or(key);
            built.diagnostics.push(
                Diagnostic::new(
                    DiagCode::ConfigReference,
                    Severity::Warning,
                    format!("services.{key}: no Cargo package named `{what}` was found"),
                )
                .at(config_span(s, cfg_file)),
            );
            continue;
        }
        if !names.insert(key.clone()) {
            continue;
        }
        let mut aliases: BTreeSet<String> = s.aliases.iter().cloned().collect();
        if let Some(p) = &s.package {
            aliases.insert(p.clone());
        }
        let dir = s
            .path
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        if let Some(d) = last_dir(&dir) {
            aliases.insert(d.to_string());
        }
        aliases.remove(key);
        built.services.push(Service {
            name: key.clone(),
            package: None,
            dir,
            aliases: aliases.into_iter().collect(),
            kind: s.kind.unwrap_or(ServiceKind::External),
            dialect: s.dialect.unwrap_or(config.scan.dialect),
            libraries: Vec::new(),
        });
    }

    // Table owners must name a service.
    for (table, t) in &config.tables {
        if let Some(owner) = &t.owner
            && !built.services.iter().any(|s| s.is_named(owner))
        {
            built.diagnostics.push(
                Diagnostic::new(
                    DiagCode::ConfigReference,
                    Severity::Warning,
                    format!("tables.{table}.owner: no service named `{owner}` was found"),
                )
                .at(Location::new(cfg_file, t.span.line, 0)),
            );
        }
    }
    for rule in &config.sync_calls {
        for side in [&rule.from, &rule.to] {
            if !built.services.iter().any(|s| s.is_named(side)) {
                built.diagnostics.push(
                    Diagnostic::new(
                        DiagCode::ConfigReference,
                        Severity::Warning,
                        format!("sync-calls: no service named `{side}` was found"),
                    )
                    .at(Location::new(cfg_file, rule.span.line, 0)),
                );
            }
        }
    }

    built.services.sort_by(|a, b| a.name.cmp(&b.name));
    built
        .libraries
        .sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
    built
}

/// N013 for every `[services.X] path` that is not a directory under `root`
/// (a typo there would otherwise silently leave the service without files).
pub(crate) fn missing_paths(
    root: &std::path::Path,
    config: &Config,
    cfg_file: &str,
) -> Vec<Diagnostic> {
    config
        .services
        .iter()
        .filter_map(|(key, s)| {
            let path = s.path.as_deref()?;
            let dir = path.trim_end_matches('/');
            let problem = match std::fs::metadata(root.join(dir)) {
                Ok(m) if m.is_dir() => return None,
                Ok(_) => "is not a directory",
                Err(_) => "does not exist",
            };
            Some(
                Diagnostic::new(
                    DiagCode::ConfigReference,
                    Severity::Warning,
                    format!("services.{key}.path: `{path}` {problem} under the scanned root"),
                )
                .at(config_span(s, cfg_file)),
            )
        })
        .collect()
}

/// Library packages `pkg` depends on, directly or transitively.
fn libraries_of(pkg: usize, packages: &[Package], by_name: &BTreeMap<&str, usize>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = vec![pkg];
    let mut libs = BTreeSet::new();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        for dep in &packages[i].local_deps {
            if let Some(&j) = by_name.get(dep.as_str()) {
                if !packages[j].is_service {
                    libs.insert(packages[j].name.clone());
                }
                stack.push(j);
            }
        }
    }
    libs.into_iter().collect()
}

/// Group parsed files into crates, one per package, sorted by package dir.
pub(crate) fn crates(
    packages: &[Package],
    built: &Built,
    rust: Vec<(usize, ParsedFile)>,
    config: &Config,
) -> Vec<Crate> {
    let mut files: Vec<Vec<ParsedFile>> = vec![Vec::new(); packages.len()];
    for (i, f) in rust {
        if let Some(slot) = files.get_mut(i) {
            slot.push(f);
        }
    }
    packages
        .iter()
        .zip(files)
        .enumerate()
        .map(|(i, (p, mut files))| {
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let service = built.service_of[i].clone();
            let dialect = service
                .as_ref()
                .and_then(|s| built.services.iter().find(|x| &x.name == s))
                .map(|s| s.dialect)
                .unwrap_or(config.scan.dialect);
            Crate {
                package: p.name.clone(),
                dir: p.dir.clone(),
                service,
                local_deps: p.local_deps.clone(),
                external_deps: p.external_deps.clone(),
                dialect,
                files,
            }
        })
        .collect()
}
