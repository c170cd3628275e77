//! Parsed Rust code grouped by Cargo package: the input of the cross-file
//! passes (`nova-scan`'s SQL pass, `nova-link`).

use crate::FileFacts;
use nova_model::Dialect;
use std::collections::{BTreeMap, BTreeSet};

/// One parsed Rust file of a package.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// Path relative to the scanned root, `/` separators.
    pub path: String,
    /// Module path of the file inside its crate (`src/db/queries.rs` ->
    /// `["db", "queries"]`; `src/lib.rs`/`src/main.rs` -> `[]`).
    pub module: Vec<String>,
    /// True for files under `tests/`, `benches/`, `examples/`.
    pub in_test: bool,
    pub facts: FileFacts,
}

/// One Cargo package and its parsed Rust files.
#[derive(Debug, Clone)]
pub struct Crate {
    /// Cargo package name.
    pub package: String,
    /// Package directory relative to the root ("" for the root).
    pub dir: String,
    /// Canonical service name when this package is a service, else `None`
    /// (a library).
    pub service: Option<String>,
    /// Packages of the scanned tree this one depends on directly (by package
    /// name), normal dependencies only.
    pub local_deps: Vec<String>,
    /// External crates it depends on (by crate name), for infrastructure
    /// detection (`sqlx`, `redis`, `rdkafka`, `clickhouse`, `aws-sdk-s3`...).
    pub external_deps: Vec<String>,
    pub dialect: Dialect,
    pub files: Vec<ParsedFile>,
}

/// The ORM schema of `crates`: every file that declares something (`table!`,
/// models, entities), with the schemas a bare table name may live in.
pub fn orm_schema(crates: &[Crate], default_schemas: &[String]) -> nova_orm::Schema {
    let files = crates.iter().flat_map(|c| {
        c.files
            .iter()
            .filter(|f| f.facts.orm.has_schema())
            .map(move |f| nova_orm::SchemaFile {
                package: &c.package,
                path: &f.path,
                module: &f.module,
                orm: &f.facts.orm,
            })
    });
    nova_orm::Schema::new(files, default_schemas)
}

/// Package -> local packages it depends on, transitively (itself excluded).
pub fn dependency_closure(crates: &[Crate]) -> BTreeMap<String, BTreeSet<String>> {
    let deps: BTreeMap<String, Vec<String>> = crates
        .iter()
        .map(|c| (c.package.clone(), c.local_deps.clone()))
        .collect();
    closure_of(&deps)
}

/// Whether code of `package` sees package `p`: itself, or one it depends
/// on by `closure` ([`dependency_closure`]).
pub fn sees<'a>(
    closure: &'a BTreeMap<String, BTreeSet<String>>,
    package: &'a str,
) -> impl Fn(&str) -> bool + 'a {
    let deps = closure.get(package);
    move |p| p == package || deps.is_some_and(|d| d.contains(p))
}

/// Package -> the set of local packages it depends on, transitively.
pub(crate) fn closure_of(
    deps: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for start in deps.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = deps
            .get(start)
            .map(|d| d.iter().collect())
            .unwrap_or_default();
        while let Some(p) = stack.pop() {
            if p == start || !seen.insert(p.clone()) {
                continue;
            }
            if let Some(next) = deps.get(p) {
                stack.extend(next.iter());
            }
        }
        out.insert(start.clone(), seen);
    }
    out
}
