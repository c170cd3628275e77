//! The scan pipeline: discovery, parallel extraction, resolution, one
//! [`Model`].
//!
//! [`scan`] runs, in order:
//! 1. discovery (`nova-discover`): packages, services, classified files;
//! 2. reading and parsing every file in parallel (rayon): Rust files with
//!    `nova_rust::parse_file` (and, for a service's files, the line, test
//!    and route counts of `code`, while the text is at hand), manifests
//!    with `nova_manifests::parse`, migrations with `nova_sql::catalog`;
//! 3. grouping parsed Rust files into [`nova_rust::unit::Crate`]s, and
//!    building [`Service`]s (with aliases, dialect, kind, libraries) and
//!    [`Library`]s;
//! 4. the SQL pass (accesses, store queries; SQL calling a stored function
//!    a migration defines gets the body's accesses), while linking
//!    (`nova_link::link_sites`: edges, topics, infrastructure) runs beside it;
//! 5. the table catalog (migrations, SeaORM's in Rust included, + accessed
//!    tables + config owners; ORM-declared tables no migration creates);
//! 6. the end of linking (`Linked::finish`: function facts, which need the
//!    accesses);
//! 7. deterministic sorting.
//!
//! Only a missing or unreadable root is an error ([`ScanError`]); every
//! other problem is a [`nova_model::Diagnostic`] in the model.

mod catalog;
mod code;
mod orm_catalog;
mod read;
mod services;
pub mod sql_pass;
pub mod synth;

use nova_config::Config;
use nova_model::{Model, ScanStats};
use std::path::Path;

/// A step of the scan, for progress reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Walking the tree.
    Discover,
    /// Reading and parsing files (`done` of `total`).
    Parse,
    /// Cross-file passes (SQL resolution, catalog, linking).
    Resolve,
}

/// A progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// Files parsed so far (parse phase).
    pub done: u64,
    /// Files to parse (0 before discovery is over).
    pub total: u64,
}

/// Options of one scan that are not part of the config.
#[derive(Clone, Copy, Default)]
pub struct ScanOptions<'a> {
    /// Called from worker threads as the scan advances; must be cheap.
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
    /// Overrides `[scan] include-tests` when set.
    pub include_tests: Option<bool>,
}

impl std::fmt::Debug for ScanOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("progress", &self.progress.is_some())
            .field("include_tests", &self.include_tests)
            .finish()
    }
}

/// The scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The root is missing, unreadable or not a directory.
    #[error(transparent)]
    Root(#[from] nova_discover::DiscoverError),
}

/// Scan the repository at `root`.
pub fn scan(root: &Path, config: &Config, options: &ScanOptions<'_>) -> Result<Model, ScanError> {
    let report = |phase, done, total| {
        if let Some(p) = options.progress {
            p(Progress { phase, done, total });
        }
    };
    report(Phase::Discover, 0, 0);
    let include_tests = options.include_tests.unwrap_or(config.scan.include_tests);
    // Every pass reads `config.scan.include_tests`: apply the override once.
    let overridden;
    let config = if include_tests == config.scan.include_tests {
        config
    } else {
        let mut c = config.clone();
        c.scan.include_tests = include_tests;
        overridden = c;
        &overridden
    };
    let discovery = nova_discover::discover(root, config)?;

    let mut model = Model::new(root.display().to_string());
    model
        .diagnostics
        .extend(discovery.diagnostics.iter().cloned());

    // 1. services and libraries (needs only the packages).
    let built = services::build(&discovery.packages, config, &config_display(root, config));
    model.diagnostics.extend(built.diagnostics.iter().cloned());
    model.diagnostics.extend(services::missing_paths(
        root,
        config,
        &config_display(root, config),
    ));

    // 2. read + parse in parallel.
    // Migrations are read in their service's dialect.
    let migration_opts: Vec<nova_sql::Options> = built
        .service_of
        .iter()
        .map(|svc| nova_sql::Options {
            dialect: svc
                .as_ref()
                .and_then(|n| built.services.iter().find(|s| &s.name == n))
                .map(|s| s.dialect)
                .unwrap_or(config.scan.dialect),
            default_schemas: config.scan.default_schemas.clone(),
        })
        .collect();
    let default_opts = nova_sql::Options {
        dialect: config.scan.dialect,
        default_schemas: config.scan.default_schemas.clone(),
    };
    let parsed = read::read_all(
        &discovery,
        include_tests,
        &|pkg| {
            pkg.and_then(|i| migration_opts.get(i))
                .unwrap_or(&default_opts)
        },
        &|pkg| matches!(built.service_of.get(pkg), Some(Some(_))),
        &|done, total| report(Phase::Parse, done, total),
    );
    report(Phase::Resolve, parsed.stats.files, parsed.stats.files);
    let code_counts = parsed.code_counts;
    model.diagnostics.extend(parsed.diagnostics);
    let mut stats = ScanStats {
        files: parsed.stats.files,
        rust_files: parsed.stats.rust_files,
        bytes: parsed.stats.bytes,
        sql_statements: 0,
    };

    // 3. crates.
    let crates = services::crates(&discovery.packages, &built, parsed.rust, config);
    // SeaORM migrations are Rust: they join the SQL ones.
    let mut migrations = parsed.migrations;
    let (orm_migrations, orm_diagnostics) = orm_catalog::migrations(&crates, config);
    migrations.extend(orm_migrations);
    model.diagnostics.extend(orm_diagnostics);

    // 4. SQL pass and 6. linking, side by side: linking needs the accesses
    //    only at its very end (`Linked::finish`).
    let protos: Vec<nova_model::ProtoService> = parsed
        .manifests
        .iter()
        .flat_map(|m| m.protos.iter().cloned())
        .collect();
    let link_input = nova_link::LinkInput {
        crates: &crates,
        services: &built.services,
        protos: &protos,
        manifests: &parsed.manifests,
        config,
    };
    let read_file = |rel: &str| -> Option<String> { std::fs::read_to_string(root.join(rel)).ok() };
    let functions = catalog::stored_functions(&migrations);
    let (sql, (linked, code)) = rayon::join(
        || {
            sql_pass::sql_pass_with_offline(
                &crates,
                config,
                &read_file,
                &parsed.sqlx_queries,
                &functions,
            )
        },
        || {
            rayon::join(
                || nova_link::link_sites(&link_input),
                || {
                    code::service_code(
                        &discovery,
                        code_counts,
                        &built.service_of,
                        &built.services,
                        &parsed.manifests,
                    )
                },
            )
        },
    );
    stats.sql_statements = sql.statements;
    let mut accesses = sql.accesses;
    if !include_tests {
        accesses.retain(|a| !a.in_test);
    }
    let ignored = |t: &str| config.scan.ignore_tables.iter().any(|i| i == t);
    accesses.retain(|a| !ignored(&a.table));
    model.diagnostics.extend(sql.diagnostics);
    model.store_queries = sql.store_queries;

    // 5. catalog and 6. the rest of linking (function facts need the
    //    accesses), side by side.
    let (cat, link) = rayon::join(
        || catalog::build(&migrations, &built, &accesses, config),
        || linked.finish(&accesses),
    );
    let has_migrations = !cat.migrations.is_empty();
    model.diagnostics.extend(orm_catalog::drift(
        &crates,
        &cat.tables,
        has_migrations,
        config,
    ));
    model.migrations = cat.migrations;
    model.tables = cat.tables;
    model.diagnostics.extend(cat.diagnostics);

    model.edges = link.edges;
    model.topics = link.topics;
    model.infrastructure = link.infrastructure;
    model.functions = link.functions;
    model.proto_services = if link.proto_services.is_empty() {
        protos
    } else {
        link.proto_services
    };
    model.diagnostics.extend(link.diagnostics);

    model.code = code;
    model.services = built.services;
    model.libraries = built.libraries;
    model.accesses = accesses;
    model.stats = stats;
    // The parsed facts are millions of small allocations: free them on every
    // core rather than one, beside the sort.
    rayon::join(
        || sort_model(&mut model),
        || {
            use rayon::prelude::*;
            crates.into_par_iter().for_each(drop);
        },
    );
    Ok(model)
}

/// Ask the kernel not to back this process's memory with transparent huge
/// pages. The allocator (mimalloc) asks for them; a scan holds millions of
/// small facts, and on a kernel whose THP mode is `madvise` the huge pages
/// cost a 1k-file scan of about 500 ms between 15 and 320 ms of system time
/// (page clearing and compaction stalls, varying from run to run) and
/// doubled its peak memory (82 MB against 50 MB). Call it first thing in a
/// binary that scans; it changes nothing but page sizes. A no-op off Linux.
pub fn avoid_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1)` only sets a flag on this
    // process's memory map; it takes no pointers. A failure (an old kernel)
    // leaves huge pages on, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The config file as shown in diagnostics: relative to `root` (with `/`)
/// when it lies inside it, else as given.
fn config_display(root: &Path, config: &Config) -> String {
    let Some(src) = &config.source else {
        return "nova.toml".to_string();
    };
    let p = Path::new(src);
    let rel: Option<std::path::PathBuf> =
        p.strip_prefix(root)
            .ok()
            .map(Path::to_path_buf)
            .or_else(|| {
                let (a, b) = (p.canonicalize().ok()?, root.canonicalize().ok()?);
                a.strip_prefix(&b).ok().map(Path::to_path_buf)
            });
    match rel {
        Some(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        None => src.clone(),
    }
}

/// Sort every collection of the model deterministically.
pub fn sort_model(m: &mut Model) {
    m.services.sort_by(|a, b| a.name.cmp(&b.name));
    m.libraries
        .sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
    m.tables.sort_by(|a, b| a.name.cmp(&b.name));
    m.migrations.sort_by(|a, b| a.file.cmp(&b.file));
    m.accesses.sort_by(|a, b| {
        (
            &a.service,
            &a.table,
            a.op,
            &a.location,
            &a.via_library,
            &a.function,
        )
            .cmp(&(
                &b.service,
                &b.table,
                b.op,
                &b.location,
                &b.via_library,
                &b.function,
            ))
    });
    m.accesses.dedup();
    m.store_queries.sort_by(|a, b| {
        (&a.service, &a.location, a.store, &a.objects).cmp(&(
            &b.service,
            &b.location,
            b.store,
            &b.objects,
        ))
    });
    m.proto_services.sort_by(|a, b| {
        (&a.package, &a.name, &a.location).cmp(&(&b.package, &b.name, &b.location))
    });
    m.edges
        .sort_by(|a, b| (&a.from, &a.to, a.kind).cmp(&(&b.from, &b.to, b.kind)));
    m.topics.sort_by(|a, b| a.name.cmp(&b.name));
    m.infrastructure.sort_by_key(|a| a.kind);
    m.functions.sort_by(|a, b| {
        (&a.service, &a.function, &a.location).cmp(&(&b.service, &b.function, &b.location))
    });
    m.diagnostics.sort_by(|a, b| {
        (&a.location, a.code, &a.message, &a.service).cmp(&(
            &b.location,
            b.code,
            &b.message,
            &b.service,
        ))
    });
    m.diagnostics.dedup();
}

#[cfg(test)]
mod tests;
