//! Reading and parsing every discovered file, in parallel.

use crate::code::FileCounts;
use nova_discover::{Discovery, FileKind, MigrationTool, SourceFile};
use nova_model::{DiagCode, Diagnostic, Location, Severity};
use nova_rust::unit::ParsedFile;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// A migration file and its catalog changes.
#[derive(Debug, Clone)]
pub(crate) struct MigrationFile {
    pub path: String,
    pub package: Option<usize>,
    pub tool: MigrationTool,
    pub catalog: nova_sql::Catalog,
}

/// Counters of the read phase.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReadStats {
    pub files: u64,
    pub rust_files: u64,
    pub bytes: u64,
}

/// Everything the read phase produced, in file-path order.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// (package index, parsed file).
    pub rust: Vec<(usize, ParsedFile)>,
    pub migrations: Vec<MigrationFile>,
    pub manifests: Vec<nova_manifests::ManifestFacts>,
    /// `.sqlx/query-*.json`: (path, text).
    pub sqlx_queries: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: ReadStats,
    /// Line/test/route counts of the Rust files read here whose package
    /// belongs to a service, by index in `discovery.files` (`None`: not
    /// counted here; `code::service_code` reads those itself).
    pub code_counts: Vec<Option<FileCounts>>,
}

enum Out {
    Rust(usize, Box<ParsedFile>),
    Migration(MigrationFile),
    Manifest(Box<nova_manifests::ManifestFacts>, Vec<Diagnostic>),
    Sqlx(String, String),
    Diag(Diagnostic),
}

fn wanted(f: &SourceFile, include_tests: bool) -> bool {
    match &f.kind {
        // Rust files outside every package belong to no crate.
        FileKind::Rust { in_test, .. } => f.package.is_some() && (include_tests || !in_test),
        _ => true,
    }
}

/// The threads files are parsed on: with the parser's deep stack, so that
/// each file is parsed in place (no hand-off to a helper thread per file).
/// Made once per process and kept, so that a program running many scans
/// reuses them, and what each keeps (the trees' arena of `nova-alloc`, a
/// slot per thread for the process's life) is not made again per scan.
fn parse_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("nova-read-{i}"))
            .stack_size(nova_rust::PARSE_STACK)
            .start_handler(|_| nova_rust::mark_parse_stack())
            .build()
            .ok()
    })
    .as_ref()
}

/// SQL options for a migration of the package with this index.
pub(crate) type SqlOptionsFor<'a> = dyn Fn(Option<usize>) -> &'a nova_sql::Options + Sync + 'a;

/// Read and parse every file of `discovery`, calling `progress(done,
/// total)` after each file. The Rust files of the packages for which
/// `counted(package)` holds are also counted (`code::count`) while their
/// text is at hand.
pub(crate) fn read_all<'a>(
    discovery: &Discovery,
    include_tests: bool,
    sql_opts: &SqlOptionsFor<'a>,
    counted: &(dyn Fn(usize) -> bool + Sync),
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Parsed {
    let files: Vec<(usize, &SourceFile)> = discovery
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted(f, include_tests))
        .collect();
    let total = files.len() as u64;
    let done = AtomicU64::new(0);
    let work = || -> Vec<(usize, Option<FileCounts>, u64, Out)> {
        files
            .par_iter()
            .map(|&(i, f)| {
                let (counts, bytes, out) = read_one(f, sql_opts(f.package), counted);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(n, total);
                (i, counts, bytes, out)
            })
            .collect()
    };
    let results = match parse_pool() {
        Some(pool) => pool.install(work),
        None => work(),
    };

    let mut out = Parsed {
        code_counts: std::iter::repeat_with(|| None)
            .take(discovery.files.len())
            .collect(),
        ..Parsed::default()
    };
    for (i, counts, bytes, r) in results {
        if let Some(slot) = out.code_counts.get_mut(i) {
            *slot = counts;
        }
        out.stats.bytes += bytes;
        match r {
            Out::Rust(pkg, pf) => {
                out.stats.files += 1;
                out.stats.rust_files += 1;
                out.rust.push((pkg, *pf));
            }
            Out::Migration(m) => {
                out.stats.files += 1;
                out.migrations.push(m);
            }
            Out::Manifest(m, diags) => {
                out.stats.files += 1;
                out.manifests.push(*m);
                out.diagnostics.extend(diags);
            }
            Out::Sqlx(p, t) => {
                out.stats.files += 1;
                out.sqlx_queries.push((p, t));
            }
            Out::Diag(d) => {
                if bytes > 0 {
                    out.stats.files += 1;
                }
                out.diagnostics.push(d)
            }
        }
    }
    out
}

fn read_one(
    f: &SourceFile,
    sql_opts: &nova_sql::Options,
    counted: &(dyn Fn(usize) -> bool + Sync),
) -> (Option<FileCounts>, u64, Out) {
    let text = match nova_discover::read_text(&f.abs, &f.path) {
        Ok(t) => t,
        Err(d) => return (None, 0, Out::Diag(d)),
    };
    let bytes = text.len() as u64;
    let mut counts = None;
    let out = match &f.kind {
        FileKind::Rust { module, in_test } => {
            let Some(pkg) = f.package else {
                return (None, bytes, Out::Diag(orphan(&f.path)));
            };
            if counted(pkg) {
                counts = Some(crate::code::count(&text));
            }
            let parsed = nova_rust::parse_file(&text, *in_test);
            // With `span-locations`, proc-macro2 keeps every parsed file in a
            // thread-local source map forever; the facts hold plain
            // line/column numbers, so free it (memory stays flat).
            proc_macro2::extra::invalidate_current_thread_spans();
            match parsed {
                Ok(facts) => Out::Rust(
                    pkg,
                    Box::new(ParsedFile {
                        path: f.path.clone(),
                        module: module.clone(),
                        in_test: *in_test,
                        facts,
                    }),
                ),
                Err(e) => Out::Diag(
                    Diagnostic::new(
                        DiagCode::RustSyntax,
                        Severity::Warning,
                        format!("Rust file does not parse: {}", e.message),
                    )
                    .at(Location::new(f.path.clone(), e.line, e.column)),
                ),
            }
        }
        FileKind::Migration(tool) => Out::Migration(MigrationFile {
            path: f.path.clone(),
            package: f.package,
            tool: *tool,
            catalog: nova_sql::catalog(&text, sql_opts),
        }),
        FileKind::SqlxQuery => Out::Sqlx(f.path.clone(), text),
        FileKind::Manifest => match nova_manifests::parse(&f.path, &text) {
            Ok(facts) => {
                let diags = facts
                    .diagnostics
                    .iter()
                    .map(|d| {
                        Diagnostic::new(DiagCode::ManifestSyntax, Severity::Info, d.message.clone())
                            .at(Location::new(f.path.clone(), d.line, 0))
                    })
                    .collect();
                Out::Manifest(Box::new(facts), diags)
            }
            Err(e) => Out::Diag(
                Diagnostic::new(
                    DiagCode::ManifestSyntax,
                    Severity::Warning,
                    format!("manifest does not parse: {}", e.message),
                )
                .at(Location::new(f.path.clone(), e.line, 0)),
            ),
        },
    };
    (counts, bytes, out)
}

fn orphan(path: &str) -> Diagnostic {
    Diagnostic::new(
        DiagCode::CargoManifest,
        Severity::Info,
        "Rust file belongs to no Cargo package; skipped",
    )
    .at(Location::file(path))
}
