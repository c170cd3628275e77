//! The SQL pass: from the SQL sites of every crate to [`Access`]es,
//! [`StoreQuery`]s and [`Diagnostic`]s.
//!
//! For each [`SqlSite`](nova_rust::sql::SqlSite) of each crate:
//! 1. the expression is resolved to text ([`nova_rust::resolve`]): consts of
//!    other modules and of the local crates it depends on, `query_file!` /
//!    `include_str!` files (read with `read_file`), `format!` holes as
//!    placeholders;
//! 2. every distinct text is analysed once, in parallel, by
//!    [`nova_sql::analyze`] with the crate's dialect and
//!    `scan.default-schemas`;
//! 3. the (table, op) pairs become accesses of the service that runs them:
//!    the crate itself when it is a service; for a library, every service
//!    that calls the enclosing function (see [`nova_rust::attribution`]),
//!    with `via_library` and `call_site`.
//!
//! Test sites (`#[cfg(test)]`, `#[test]`, `tests/`...) are skipped unless
//! `scan.include-tests` (then `in_test: true`). Tables in
//! `scan.ignore-tables` are dropped. Queries to non-relational stores
//! (ClickHouse, Cypher) become store queries. Nothing is dropped silently:
//! unresolvable SQL, unresolved table names, parser fallbacks, library SQL no
//! service calls and ORM uses all produce diagnostics.
//!
//! `.sqlx/query-*.json` offline files add accesses only for query texts not
//! already found in the source of the crate owning the `.sqlx` directory.
//!
//! SQL that calls a stored function or procedure a migration of the scan
//! defines ([`StoredFunctions`]: `SELECT f($1)`, `SELECT * FROM f($1)`,
//! `CALL p($1)`) also gets the accesses of its body (and of the bodies of
//! the functions it calls, transitively), at the same location, with
//! [`Confidence::Low`]. A direct access at the same place keeps its own
//! confidence. Functions defined nowhere (built-ins) add nothing.
//!
//! diesel and SeaORM queries (`nova_orm`) become accesses the same way, at
//! the call, marked with their source ([`orm`]).

use foldhash::fast::FixedState;
use nova_config::Config;
use nova_model::{
    Access, AccessSource, Confidence, DiagCode, Diagnostic, Dialect, Location, Op, Severity,
    StoreKind, StoreQuery,
};
use nova_rust::attribution::{Attribution, attribute, full_fn_path, is_binary_target};
use nova_rust::offline::{normalize_sql, parse_offline};
use nova_rust::resolve::{
    ConstTable, Origin, Resolved, holes_as_braces, paths_normalized, resolve_with,
};
use nova_rust::sql::{SqlExpr, SqlSite};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

mod orm;
pub(crate) use orm::schema as orm_schema;

/// Stored functions and procedures defined by the migrations of the scan:
/// normalised name -> its last `CREATE` (a later `DROP` removes it).
/// Overloads share a name; the last definition wins.
pub type StoredFunctions = HashMap<String, nova_sql::FunctionChange>;

/// What the SQL pass produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlPassOutput {
    /// One access per (service, table, op, location), sorted.
    pub accesses: Vec<Access>,
    /// Queries to non-relational stores, sorted.
    pub store_queries: Vec<StoreQuery>,
    /// Everything that could not be analysed, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
    /// SQL statements analysed (non-test sites, each resolved text).
    pub statements: u64,
}

/// Run the SQL pass over `crates` (services and the libraries they use).
pub fn sql_pass(
    crates: &[Crate],
    config: &Config,
    read_file: &(dyn Fn(&str) -> Option<String> + Sync),
) -> SqlPassOutput {
    sql_pass_with_offline(crates, config, read_file, &[], &StoredFunctions::new())
}

/// [`sql_pass`], plus sqlx offline files: `(path relative to the root,
/// JSON text)` of every `.sqlx/query-*.json`, and the stored functions the
/// migrations define.
pub fn sql_pass_with_offline(
    crates: &[Crate],
    config: &Config,
    read_file: &(dyn Fn(&str) -> Option<String> + Sync),
    sqlx_files: &[(String, String)],
    functions: &StoredFunctions,
) -> SqlPassOutput {
    // (Independent indexes: built side by side.)
    let (consts, attribution) = rayon::join(|| ConstTable::new(crates), || attribute(crates));
    let mut pass = Pass {
        config,
        consts,
        attribution,
        read_file,
        found: HashMap::new(),
        // Only `.sqlx` files are checked against the texts found.
        keep_found: !sqlx_files.is_empty(),
        out: SqlPassOutput::default(),
        accesses: BTreeMap::new(),
        inferred: BTreeMap::new(),
        stores: BTreeSet::new(),
        functions,
    };
    let mut order: Vec<&Crate> = crates.iter().collect();
    order.sort_by(|a, b| a.package.cmp(&b.package));
    // 1.-3. Resolve every site to texts and targets on all cores, analyse
    //    every distinct (dialect, text) once on all cores, and record the
    //    accesses: batch by batch of sites, in order, so that at most two
    //    batches of resolved sites are held at a time (a generated file can
    //    have hundreds of thousands); the analyses are kept across batches.
    let sites: Vec<SiteRef> = order
        .iter()
        .flat_map(|c| {
            c.files
                .iter()
                .flat_map(move |f| f.facts.sql_sites.iter().map(move |s| (*c, f, s)))
        })
        .collect();
    let mut analyses = Analyses::default();
    // Batch k is recorded (serial) while the texts of batch k+1 are
    // analysed (parallel): recording only reads the analyses of batches up
    // to k, and runs the same mutations in the same order as before.
    let mut held: Option<(&[SiteRef], Vec<Resolution>)> = None;
    for batch in batches(&sites) {
        let resolved: Vec<Resolution> = {
            use rayon::prelude::*;
            let pass = &pass;
            batch
                .par_iter()
                .map(|(c, f, site)| {
                    let mut sink = Sink::default();
                    let pending = pass.resolve_site(c, f, site, &mut sink);
                    (pending, sink)
                })
                .collect()
        };
        let jobs = new_jobs(resolved.iter().filter_map(|(p, _)| p.as_ref()), &analyses);
        let (done, ()) = rayon::join(
            || analyze_jobs(jobs, config),
            || {
                if let Some((b, r)) = held.take() {
                    pass.absorb(b, r, &analyses);
                }
            },
        );
        for ((dialect, text), analysis) in done {
            analyses
                .entry(dialect)
                .or_default()
                .insert(text.to_string(), analysis);
        }
        held = Some((batch, resolved));
    }
    if let Some((b, r)) = held.take() {
        pass.absorb(b, r, &analyses);
    }
    for (path, json) in sqlx_files {
        pass.offline(&order, path, json);
    }
    orm::record(&mut pass, crates);
    // (The analyses, one per distinct text, are freed beside the end.)
    let (out, ()) = rayon::join(|| pass.finish(), move || drop(analyses));
    out
}

/// A site with its file and crate.
type SiteRef<'c> = (&'c Crate, &'c ParsedFile, &'c SqlSite);

/// A site resolved (if it yields texts), with what resolving it found.
type Resolution<'c> = (Option<Pending<'c>>, Sink);

/// What resolving the sites of one file adds besides [`Pending`] sites.
#[derive(Default)]
struct Sink {
    diagnostics: Vec<Diagnostic>,
    /// Normalised texts found (for `.sqlx` dedupe).
    found: HashSet<String>,
}

/// A site resolved to texts, waiting for their analysis.
struct Pending<'c> {
    /// The crate of the site (its dialect, and its service if it is one).
    krate: &'c Crate,
    site: &'c SqlSite,
    in_test: bool,
    function: Option<String>,
    /// Where the text is (accesses and text diagnostics point here).
    location: Location,
    resolved: Resolved,
    targets: Vec<Target>,
}

/// Sites resolved and analysed together (see [`sql_pass_with_offline`]).
const SITE_BATCH: usize = 8192;

/// The smallest batch [`batches`] cuts at the end.
const TAIL_BATCH: usize = 256;

/// `sites` in batches of [`SITE_BATCH`], in order, the last ones halving
/// down to [`TAIL_BATCH`]: a batch is recorded while the next one is
/// analysed, except the last, recorded alone while the other cores wait, so
/// it is kept small; each is about twice the next, whose analysis (a few
/// times the cost of recording per site) then hides the recording.
fn batches<T>(sites: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = sites;
    while !rest.is_empty() {
        let n = if rest.len() > 2 * SITE_BATCH {
            SITE_BATCH
        } else if rest.len() > TAIL_BATCH {
            rest.len().div_ceil(2)
        } else {
            rest.len()
        };
        let (batch, more) = rest.split_at(n);
        out.push(batch);
        rest = more;
    }
    out
}

/// The analysis of every distinct text, per dialect.
/// (A fixed fast hasher: the keys are SQL texts, looked up per site and
/// never iterated. Boxed: a table of 100,000 texts grows by doubling, and
/// each growth moves every entry; an `Analysis` inline is ten times the
/// size of its key.)
type Analyses = HashMap<Dialect, HashMap<String, Box<nova_sql::Analysis>, FixedState>, FixedState>;

/// The distinct (dialect, text) pairs of `pending` that `analyses` lacks.
fn new_jobs<'p>(
    pending: impl Iterator<Item = &'p Pending<'p>>,
    analyses: &Analyses,
) -> Vec<(Dialect, &'p str)> {
    let mut jobs: Vec<(Dialect, &str)> = pending
        .flat_map(|p| {
            p.resolved
                .texts
                .iter()
                .map(|t| (p.krate.dialect, t.as_str()))
        })
        .filter(|(d, t)| !analyses.get(d).is_some_and(|m| m.contains_key(*t)))
        .collect();
    jobs.sort_unstable();
    jobs.dedup();
    jobs
}

/// Analyse each of `jobs` in parallel (rayon).
fn analyze_jobs<'t>(
    jobs: Vec<(Dialect, &'t str)>,
    config: &Config,
) -> Vec<((Dialect, &'t str), Box<nova_sql::Analysis>)> {
    use rayon::prelude::*;
    jobs.into_par_iter()
        .map(|(dialect, text)| {
            let analysis = Box::new(nova_sql::analyze(text, &sql_options(dialect, config)));
            ((dialect, text), analysis)
        })
        .collect()
}

/// How SQL of a crate with this dialect is read.
fn sql_options(dialect: Dialect, config: &Config) -> nova_sql::Options {
    nova_sql::Options {
        dialect,
        default_schemas: config.scan.default_schemas.clone(),
    }
}

/// Where an access goes: a service, and the library hop if any.
#[derive(Debug, Clone)]
struct Target {
    service: String,
    via_library: Option<String>,
    call_site: Option<Location>,
}

/// Key of an access before it becomes an [`Access`].
type AccessKey = (String, String, Op, Location, Option<String>);

/// Value of an access before it becomes an [`Access`].
#[derive(Debug, Clone)]
struct AccessVal {
    confidence: Confidence,
    call_site: Option<Location>,
    function: Option<String>,
    in_test: bool,
    source: AccessSource,
    orm_call: Option<String>,
}

/// Whether `config` ignores `table` (by full or last name, any case).
fn ignored_table(config: &Config, table: &str) -> bool {
    if config.scan.ignore_tables.is_empty() {
        return false;
    }
    let last = table.rsplit('.').next().unwrap_or(table);
    config
        .scan
        .ignore_tables
        .iter()
        .any(|t| t.eq_ignore_ascii_case(table) || t.eq_ignore_ascii_case(last))
}

/// Where one SQL text's accesses land.
struct Site<'p> {
    targets: &'p [Target],
    location: &'p Location,
    function: &'p Option<String>,
    in_test: bool,
}

/// The keyed accesses of `accesses` (ignored tables left out) for each of
/// the site's targets, with `confidence`; each caller merges them its way.
fn keyed<'p>(
    config: &'p Config,
    accesses: &'p [nova_sql::TableAccess],
    site: &'p Site<'p>,
    confidence: Confidence,
) -> impl Iterator<Item = (AccessKey, AccessVal)> + 'p {
    accesses
        .iter()
        .filter(move |a| !ignored_table(config, &a.table))
        .flat_map(move |a| {
            site.targets.iter().map(move |t| {
                (
                    (
                        t.service.clone(),
                        a.table.clone(),
                        a.op,
                        site.location.clone(),
                        t.via_library.clone(),
                    ),
                    AccessVal {
                        confidence,
                        call_site: t.call_site.clone(),
                        function: site.function.clone(),
                        in_test: site.in_test,
                        source: AccessSource::Sql,
                        orm_call: None,
                    },
                )
            })
        })
}

struct Pass<'a> {
    config: &'a Config,
    consts: ConstTable,
    attribution: Attribution,
    read_file: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// Package -> normalised texts found in its source (for `.sqlx` dedupe).
    found: HashMap<String, HashSet<String>>,
    /// Whether to fill `found` (there are `.sqlx` files).
    keep_found: bool,
    out: SqlPassOutput,
    accesses: BTreeMap<AccessKey, AccessVal>,
    /// Accesses of the bodies of the stored functions the SQL calls; added
    /// in `finish` where no direct access has the same key.
    inferred: BTreeMap<AccessKey, AccessVal>,
    stores: BTreeSet<StoreKey>,
    functions: &'a StoredFunctions,
}

/// (service, store, location, via library, objects) of a store query.
type StoreKey = (String, StoreKind, Location, Option<String>, Vec<String>);

impl Pass<'_> {
    fn diag(&mut self, d: Diagnostic) {
        self.out.diagnostics.push(d);
    }

    /// The accesses of the stored functions `calls` names, and of the
    /// functions their bodies call, transitively (each function once).
    fn called_accesses(&self, calls: &[String]) -> BTreeSet<&nova_sql::TableAccess> {
        let mut out = BTreeSet::new();
        if self.functions.is_empty() {
            return out;
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo: Vec<&str> = calls.iter().map(String::as_str).collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name) {
                continue;
            }
            if let Some(f) = self.functions.get(name) {
                out.extend(f.accesses.iter());
                todo.extend(f.calls.iter().map(String::as_str));
            }
        }
        out
    }

    /// Record the accesses of the stored functions `calls` names for each
    /// of the site's targets, with low confidence.
    fn record_calls(&mut self, calls: &[String], site: &Site<'_>) {
        if calls.is_empty() || self.functions.is_empty() {
            return;
        }
        let found: Vec<nova_sql::TableAccess> =
            self.called_accesses(calls).into_iter().cloned().collect();
        for (key, val) in keyed(self.config, &found, site, Confidence::Low) {
            self.inferred.entry(key).or_insert(val);
        }
    }

    /// Resolve one site: `None` when there is nothing to analyse (test code,
    /// not SQL, or unresolvable, which gets its diagnostic here).
    fn resolve_site<'c>(
        &self,
        c: &'c Crate,
        f: &ParsedFile,
        site: &'c SqlSite,
        sink: &mut Sink,
    ) -> Option<Pending<'c>> {
        let in_test = site.in_test || f.in_test;
        let skipped = in_test && !self.config.scan.include_tests;
        // (A skipped site is resolved only for the texts `.sqlx` files are
        // checked against.)
        if skipped && !self.keep_found {
            return None;
        }
        // The call (for diagnostics about the call itself: SQL that cannot
        // be resolved, library code no service calls); accesses and the
        // diagnostics about the text are at `location`, where the text is.
        let call = Location::new(f.path.clone(), site.line, site.column);
        let function = site.function.as_ref().map(|p| full_fn_path(&f.module, p));
        let mut module = f.module.clone();
        module.extend(site.module.iter().cloned());
        let expr = paths_normalized(&site.expr, &c.dir, &f.path);
        let origin = Origin {
            package: &c.package,
            module: &module,
        };
        let resolved = resolve_with(&expr, &self.consts, &origin, self.read_file);
        let location = match (&resolved.text_location, site.text_at) {
            (Some(at), _) => at.clone(),
            (None, Some((line, column))) => Location::new(f.path.clone(), line, column),
            (None, None) => call.clone(),
        };
        if self.keep_found {
            for t in &resolved.texts {
                sink.found.insert(normalize_sql(t));
            }
        }
        if skipped {
            return None;
        }
        if resolved.texts.is_empty() && site.inferred && matches!(*expr, SqlExpr::Const(_)) {
            // `.query(SOME_ID)` with a const that is not a string const of the
            // scanned crates: not SQL.
            return None;
        }
        if resolved.texts.is_empty() {
            let mut d = Diagnostic::new(
                DiagCode::UnresolvedSql,
                Severity::Warning,
                format!(
                    "SQL passed to `{}` cannot be resolved statically: {}",
                    site.api,
                    resolved.unknown.join(", ")
                ),
            )
            .at(call)
            .with_snippet(expr.display());
            if let Some(s) = &c.service {
                d = d.for_service(s.clone());
            }
            sink.diagnostics.push(d);
            return None;
        }
        let targets = self.targets(c, function.as_deref(), &call, &mut sink.diagnostics);
        Some(Pending {
            krate: c,
            site,
            in_test,
            function,
            location,
            resolved,
            targets,
        })
    }

    /// Add one batch of resolved sites: what resolving found, then their
    /// accesses (their texts are in `analyses`).
    fn absorb(
        &mut self,
        batch: &[SiteRef<'_>],
        resolved: Vec<Resolution<'_>>,
        analyses: &Analyses,
    ) {
        let mut pending = Vec::with_capacity(resolved.len());
        for ((c, _, _), (p, sink)) in batch.iter().zip(resolved) {
            pending.extend(p);
            self.out.diagnostics.extend(sink.diagnostics);
            if !sink.found.is_empty() {
                self.found
                    .entry(c.package.clone())
                    .or_default()
                    .extend(sink.found);
            }
        }
        for p in &pending {
            self.record(p, analyses);
        }
    }

    /// Record the accesses, store queries and diagnostics of a resolved site.
    fn record(&mut self, p: &Pending<'_>, analyses: &Analyses) {
        let Pending {
            krate,
            site,
            in_test,
            function,
            location,
            resolved,
            targets,
        } = p;
        let in_test = *in_test;
        let service_of_crate = &krate.service;
        let mut unresolved_tables: BTreeSet<String> = BTreeSet::new();
        for text in &resolved.texts {
            let Some(analysis) = analyses
                .get(&krate.dialect)
                .and_then(|m| m.get(text.as_str()))
            else {
                continue;
            };
            self.out.statements += analysis.statements as u64;
            let not_sql = site.inferred
                && site.store.is_none()
                && analysis.store.is_none()
                && analysis.accesses.is_empty()
                && analysis.ddl.is_empty();
            if let (Some(err), false) = (&analysis.error, not_sql) {
                let mut d = Diagnostic::new(
                    DiagCode::SqlFallback,
                    Severity::Info,
                    format!("SQL did not parse ({err}); the lexical fallback was used"),
                )
                .at(location.clone())
                .with_snippet(text.clone());
                if let Some(s) = &service_of_crate {
                    d = d.for_service(s.clone());
                }
                self.diag(d);
            }
            unresolved_tables.extend(analysis.unresolved.iter().cloned());
            let store = site.store.or(analysis.store);
            if let Some(store) = store {
                let mut objects: Vec<String> = if analysis.store.is_some() {
                    analysis.objects.clone()
                } else {
                    analysis.accesses.iter().map(|a| a.table.clone()).collect()
                };
                objects.sort();
                objects.dedup();
                for t in targets {
                    self.stores.insert((
                        t.service.clone(),
                        store,
                        location.clone(),
                        t.via_library.clone(),
                        objects.clone(),
                    ));
                }
                continue;
            }
            let low = analysis.confidence == Confidence::Low || resolved.holes_in_text;
            let confidence = if low {
                Confidence::Low
            } else {
                Confidence::High
            };
            let at = Site {
                targets,
                location,
                function,
                in_test,
            };
            for (key, val) in keyed(self.config, &analysis.accesses, &at, confidence) {
                self.accesses
                    .entry(key)
                    .and_modify(|v| v.confidence = v.confidence.min(confidence))
                    .or_insert(val);
            }
            self.record_calls(&analysis.calls, &at);
        }
        for ident in unresolved_tables {
            let template = resolved
                .template
                .as_deref()
                .or_else(|| resolved.texts.first().map(String::as_str))
                .map(holes_as_braces)
                .unwrap_or_default();
            let from = if resolved.unknown.is_empty() {
                String::new()
            } else {
                format!(" (from {})", resolved.unknown.join(", "))
            };
            let mut d = Diagnostic::new(
                DiagCode::UnresolvedTable,
                Severity::Warning,
                format!(
                    "a table name is not known statically: `{}`{from}",
                    holes_as_braces(&ident)
                ),
            )
            .at(location.clone())
            .with_snippet(template);
            if let Some(s) = &service_of_crate {
                d = d.for_service(s.clone());
            }
            self.diag(d);
        }
    }

    /// The services running SQL found in crate `c`, function `function`.
    fn targets(
        &self,
        c: &Crate,
        function: Option<&str>,
        location: &Location,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Target> {
        if let Some(s) = &c.service {
            return vec![Target {
                service: s.clone(),
                via_library: None,
                call_site: None,
            }];
        }
        let uses = function
            .map(|f| self.attribution.callers(&c.package, f))
            .unwrap_or(&[]);
        let targets: Vec<Target> = uses
            .iter()
            .map(|u| Target {
                service: u.service.clone(),
                via_library: Some(c.package.clone()),
                call_site: Some(u.call_site.clone()),
            })
            .collect();
        if targets.is_empty() {
            let what = match function {
                Some(f) => format!("function `{f}`"),
                None => "code outside any function".to_string(),
            };
            let message = if is_binary_target(c, &location.file) {
                format!(
                    "SQL in a binary of library package `{}` ({what}) runs in no declared service; it is not attributed",
                    c.package
                )
            } else {
                format!(
                    "SQL in library `{}` ({what}) is not called by any service in non-test code; it is not attributed",
                    c.package
                )
            };
            diagnostics.push(
                Diagnostic::new(DiagCode::UnresolvedTarget, Severity::Info, message)
                    .at(location.clone()),
            );
        }
        targets
    }

    fn offline(&mut self, crates: &[&Crate], path: &str, json: &str) {
        let location = Location::new(path.to_string(), 1, 0);
        let q = match parse_offline(json) {
            Ok(q) => q,
            Err(e) => {
                self.diag(
                    Diagnostic::new(
                        DiagCode::ManifestSyntax,
                        Severity::Warning,
                        format!("sqlx offline file cannot be read: {e}"),
                    )
                    .at(location),
                );
                return;
            }
        };
        // The crate owning the `.sqlx` directory (longest matching dir).
        let owner = crates
            .iter()
            .filter(|c| {
                let prefix = if c.dir.is_empty() {
                    ".sqlx/".to_string()
                } else {
                    format!("{}/.sqlx/", c.dir)
                };
                path.starts_with(&prefix)
            })
            .max_by_key(|c| c.dir.len());
        let text = normalize_sql(&q.query);
        let seen = match owner {
            Some(c) => self
                .found
                .get(&c.package)
                .is_some_and(|s| s.contains(&text)),
            None => self.found.values().any(|s| s.contains(&text)),
        };
        if seen {
            return;
        }
        let Some(c) = owner.copied() else {
            self.diag(
                Diagnostic::new(
                    DiagCode::UnresolvedTarget,
                    Severity::Info,
                    "sqlx offline query not found in any crate's source and its `.sqlx` directory belongs to no package; it is not attributed",
                )
                .at(location)
                .with_snippet(q.query),
            );
            return;
        };
        let Some(service) = c.service.clone() else {
            self.diag(
                Diagnostic::new(
                    DiagCode::UnresolvedTarget,
                    Severity::Info,
                    format!(
                        "sqlx offline query of library `{}` not found in its source; it is not attributed to a service",
                        c.package
                    ),
                )
                .at(location)
                .with_snippet(q.query),
            );
            return;
        };
        let analysis = nova_sql::analyze(&q.query, &sql_options(c.dialect, self.config));
        self.out.statements += analysis.statements as u64;
        if let Some(store) = analysis.store {
            self.stores
                .insert((service, store, location, None, analysis.objects));
            return;
        }
        if let Some(err) = &analysis.error {
            self.diag(
                Diagnostic::new(
                    DiagCode::SqlFallback,
                    Severity::Info,
                    format!("SQL did not parse ({err}); the lexical fallback was used"),
                )
                .at(location.clone())
                .with_snippet(q.query.clone())
                .for_service(service.clone()),
            );
        }
        let targets = [Target {
            service,
            via_library: None,
            call_site: None,
        }];
        let at = Site {
            targets: &targets,
            location: &location,
            function: &None,
            in_test: false,
        };
        for (key, val) in keyed(self.config, &analysis.accesses, &at, analysis.confidence) {
            self.accesses.entry(key).or_insert(val);
        }
        self.record_calls(&analysis.calls, &at);
    }

    /// The output, sorted. Its three parts are built side by side, and the
    /// indexes of the pass freed beside them: this is the serial end of the
    /// pass, when nothing else is left to run.
    fn finish(self) -> SqlPassOutput {
        let Pass {
            consts,
            attribution,
            found,
            mut out,
            mut accesses,
            inferred,
            stores,
            ..
        } = self;
        let mut diagnostics = std::mem::take(&mut out.diagnostics);
        let (access_list, (store_queries, ())) = rayon::join(
            move || {
                for (key, val) in inferred {
                    accesses.entry(key).or_insert(val);
                }
                accesses
                    .into_iter()
                    .map(|((service, table, op, location, via_library), v)| Access {
                        service,
                        table,
                        op,
                        location,
                        confidence: v.confidence,
                        via_library,
                        call_site: v.call_site,
                        function: v.function,
                        in_test: v.in_test,
                        source: v.source,
                        orm_call: v.orm_call,
                    })
                    .collect()
            },
            || {
                rayon::join(
                    move || {
                        stores
                            .into_iter()
                            .map(
                                |(service, store, location, via_library, objects)| StoreQuery {
                                    service,
                                    store,
                                    objects,
                                    location,
                                    via_library,
                                },
                            )
                            .collect()
                    },
                    || {
                        Diagnostic::sort_and_dedup(&mut diagnostics);
                        drop((consts, attribution, found));
                    },
                )
            },
        );
        out.accesses = access_list;
        out.store_queries = store_queries;
        out.diagnostics = diagnostics;
        out
    }
}

#[cfg(test)]
mod tests;
