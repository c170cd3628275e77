//! Library attribution: SQL written in a library crate runs in every service
//! that calls it.
//!
//! For each library function that contains SQL (a [`SqlSite`] whose
//! enclosing function it is, or a diesel / SeaORM query) — or that calls, transitively, a library
//! function that does — [`attribute`] finds the services that
//! (a) depend on the library, directly or through other local crates, and
//! (b) call that function in non-test code. Each service gets the first call
//! site found (smallest `file:line`).
//!
//! # Approximation
//!
//! Calls are matched **by name**: a call `repo.find_user(..)` or
//! `db::find_user(..)` (the last path segment or the method name) matches
//! every library function named `find_user` in a crate the caller depends on.
//! Types and traits are not resolved, so two functions with the same name in
//! different libraries are not told apart, and a method of an unrelated type
//! with the same name matches too. Names of ubiquitous std trait methods
//! ([`IGNORED_NAMES`]: `new`, `from`, `clone`, `fmt`...) are never matched.
//! Depending on a library without calling any of its SQL functions does not
//! attribute anything. Test code (test files, `#[cfg(test)]`, `#[test]`) of a
//! service never counts as a call; test functions of a library never carry
//! SQL to callers. A library package's own binaries (`src/main.rs`,
//! `src/bin/**`) are programs of their own that no other crate can call:
//! their functions neither carry SQL to callers nor relay calls (their SQL is
//! attributed to no service).
//!
//! # Guards
//!
//! A library function called only behind a guard on a field of `self`
//! (`if let Some(r) = &self.relay { relay(r) }`, `if self.audit { .. }`)
//! runs for a service only when that service switches the field on: its own
//! code sets it (`relay: Some(..)`), or it calls a function that does (a
//! builder method `with_relay(..)` whose body sets `self.relay = Some(..)`).
//!
//! [`SqlSite`]: crate::sql::SqlSite

use crate::FastMap;
use crate::unit::Crate;
use nova_model::Location;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Function names never matched by name (std trait methods and
/// constructors present on almost every type).
pub const IGNORED_NAMES: &[&str] = &[
    "new",
    "default",
    "from",
    "into",
    "try_from",
    "try_into",
    "clone",
    "fmt",
    "drop",
    "deref",
    "deref_mut",
    "eq",
    "ne",
    "cmp",
    "partial_cmp",
    "hash",
    "next",
    "poll",
    "as_ref",
    "as_mut",
    "borrow",
    "to_string",
    "main",
];

/// One service calling into a library function that (transitively) runs SQL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServiceUse {
    /// Canonical service name.
    pub service: String,
    /// First call found (in the service's own code).
    pub call_site: Location,
    /// The library function name the service calls (the SQL function itself,
    /// or a library function that reaches it).
    pub called: String,
}

/// For each library function with SQL, the services that run it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// (library package, full function path) -> uses, sorted by service.
    uses: BTreeMap<(String, String), Vec<ServiceUse>>,
}

impl Attribution {
    /// Services running the SQL of `function` (full path, see
    /// [`full_fn_path`]) in library `package`. Empty when none calls it.
    pub fn callers(&self, package: &str, function: &str) -> &[ServiceUse] {
        self.uses
            .get(&(package.to_string(), function.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every (library, function) with SQL and its callers (possibly none).
    pub fn iter(&self) -> impl Iterator<Item = (&(String, String), &Vec<ServiceUse>)> {
        self.uses.iter()
    }
}

/// Full path of a function: the file's module path then the path inside
/// the file (`["db", "users"]` + `Repo::find` -> `db::users::Repo::find`).
pub fn full_fn_path(file_module: &[String], path: &str) -> String {
    // (Built in one allocation: this runs for every fact in a function.)
    let len = file_module.iter().map(|m| m.len() + 2).sum::<usize>() + path.len();
    let mut out = String::with_capacity(len);
    for m in file_module {
        out.push_str(m);
        out.push_str("::");
    }
    out.push_str(path);
    out
}

pub use crate::unit::dependency_closure;

/// A non-test library function.
struct LibFn<'c> {
    package: &'c str,
    path: String,
    name: &'c str,
    calls: BTreeSet<&'c str>,
    /// Callees called only behind a guard -> the guarding field.
    guarded: BTreeMap<&'c str, &'c str>,
}

/// Per function of a file, the guards of its calls and the fields it
/// switches on, from the graph facts of the same function.
fn guards_of(f: &crate::unit::ParsedFile) -> Vec<Option<&crate::graph::GraphFn>> {
    let mut out = vec![None; f.facts.functions.len()];
    for g in &f.facts.graph.functions {
        if let Some(slot) = g.info.and_then(|i| out.get_mut(i)) {
            *slot = Some(g);
        }
    }
    out
}

/// Fields each service switches on: set in its own code, or by a function
/// it calls by name (a builder method). See the module docs on guards.
pub fn fields_set_by_services(crates: &[Crate]) -> HashMap<String, BTreeSet<String>> {
    let mut setters: FastMap<&str, BTreeSet<&str>> = FastMap::default();
    for c in crates {
        for f in c.files.iter().filter(|f| !f.in_test) {
            for g in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                for field in g.sets() {
                    setters.entry(g.name.as_str()).or_default().insert(field);
                }
            }
        }
    }
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    for c in crates {
        let Some(service) = &c.service else { continue };
        // (Borrowed while collecting: a field is copied once per service.)
        let mut set: BTreeSet<&str> = BTreeSet::new();
        for f in c.files.iter().filter(|f| !f.in_test) {
            for g in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                set.extend(g.sets().iter().map(String::as_str));
                for (name, _) in f.facts.calls_of(g) {
                    if let Some(fields) = setters.get(name.as_str()) {
                        set.extend(fields.iter().copied());
                    }
                }
            }
        }
        out.entry(service.clone())
            .or_default()
            .extend(set.into_iter().map(str::to_string));
    }
    out
}

/// True when `file` (root-relative) is one of `c`'s binary targets
/// (`src/main.rs`, `src/bin/**`) rather than part of its library.
pub fn is_binary_target(c: &Crate, file: &str) -> bool {
    let dir = c.dir.trim_end_matches('/');
    let in_pkg = if dir.is_empty() {
        Some(file)
    } else {
        file.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
    };
    in_pkg.is_some_and(|r| r == "src/main.rs" || r.starts_with("src/bin/"))
}

/// Compute, for every library function containing SQL, the services that
/// run it (see the module docs for the approximation).
pub fn attribute(crates: &[Crate]) -> Attribution {
    let closure = dependency_closure(crates);
    let depends = |a: &str, b: &str| a == b || closure.get(a).is_some_and(|d| d.contains(b));

    let mut lib_fns: Vec<LibFn> = Vec::new();
    let mut sql_fns: BTreeSet<(String, String)> = BTreeSet::new();
    for c in crates.iter().filter(|c| c.service.is_none()) {
        let library_files = c
            .files
            .iter()
            .filter(|f| !f.in_test && !is_binary_target(c, &f.path));
        for f in library_files {
            let graph_fns = guards_of(f);
            for (k, info) in f.facts.functions.iter().enumerate() {
                if info.in_test {
                    continue;
                }
                let guarded = graph_fns
                    .get(k)
                    .copied()
                    .flatten()
                    .map(|g| {
                        g.guarded()
                            .iter()
                            .map(|(callee, field)| (callee.as_str(), field.as_str()))
                            .collect()
                    })
                    .unwrap_or_default();
                lib_fns.push(LibFn {
                    package: &c.package,
                    path: full_fn_path(&f.module, &info.path),
                    name: &info.name,
                    calls: info.calls.iter().map(|(n, _)| n.as_str()).collect(),
                    guarded,
                });
            }
            let orm = f.facts.orm.queries.iter().filter(|q| !q.in_test);
            let sql = f.facts.sql_sites.iter().filter(|s| !s.in_test);
            let functions = sql
                .filter_map(|s| s.function.as_ref())
                .chain(orm.filter_map(|q| q.function.as_ref()));
            for func in functions {
                sql_fns.insert((c.package.clone(), full_fn_path(&f.module, func)));
            }
        }
    }
    lib_fns.sort_by(|a, b| (&a.package, &a.path).cmp(&(&b.package, &b.path)));
    let mut callers_of: FastMap<&str, Vec<usize>> = FastMap::default();
    for (i, f) in lib_fns.iter().enumerate() {
        for n in &f.calls {
            callers_of.entry(n).or_default().push(i);
        }
    }

    // Service call index: name -> (service, location) of non-test calls.
    let mut service_calls: Vec<(String, String, FastMap<&str, Location>)> = Vec::new();
    for c in crates {
        let Some(service) = &c.service else { continue };
        let mut calls: FastMap<&str, Location> = FastMap::default();
        for f in c.files.iter().filter(|f| !f.in_test) {
            for info in f.facts.functions.iter().filter(|i| !i.in_test) {
                for (name, line) in &info.calls {
                    // (The earliest location wins; compared before
                    // allocating one: `Location` orders by file, line, column.)
                    let earlier = |old: &Location| {
                        (old.file.as_str(), old.line, old.column) <= (f.path.as_str(), *line, 0)
                    };
                    match calls.get(name.as_str()) {
                        Some(old) if earlier(old) => {}
                        _ => {
                            calls.insert(name.as_str(), Location::new(f.path.clone(), *line, 0));
                        }
                    }
                }
            }
        }
        service_calls.push((service.clone(), c.package.clone(), calls));
    }
    service_calls.sort_by(|a, b| a.0.cmp(&b.0));

    // (The fields services set matter only behind a guard: most code has
    // none, and then they are not looked for.)
    let services_set = if lib_fns.iter().any(|f| !f.guarded.is_empty()) {
        fields_set_by_services(crates)
    } else {
        HashMap::new()
    };
    let mut uses = BTreeMap::new();
    for (pkg, path) in &sql_fns {
        // Library functions reaching (pkg, path), the function included.
        // (`lib_fns` is sorted by (package, path): the first of them.)
        let key = (pkg.as_str(), path.as_str());
        let first = lib_fns.partition_point(|f| (f.package, f.path.as_str()) < key);
        let Some(start) = lib_fns
            .get(first)
            .is_some_and(|f| (f.package, f.path.as_str()) == key)
            .then_some(first)
        else {
            uses.insert((pkg.clone(), path.clone()), Vec::new());
            continue;
        };
        // Each reached function with the guards on the way (the smallest
        // set found).
        let mut reached: BTreeMap<usize, BTreeSet<&str>> =
            BTreeMap::from([(start, BTreeSet::new())]);
        let mut stack = vec![start];
        while let Some(r) = stack.pop() {
            let Some(target) = lib_fns.get(r) else {
                continue;
            };
            if IGNORED_NAMES.contains(&target.name) {
                continue;
            }
            let needs = reached.get(&r).cloned().unwrap_or_default();
            for &g in callers_of.get(target.name).into_iter().flatten() {
                let Some(caller) = lib_fns.get(g) else {
                    continue;
                };
                if !depends(caller.package, target.package) {
                    continue;
                }
                let mut via = needs.clone();
                via.extend(caller.guarded.get(target.name).copied());
                let better = match reached.get(&g) {
                    None => true,
                    Some(old) => via.is_subset(old) && via.len() < old.len(),
                };
                if better {
                    reached.insert(g, via);
                    stack.push(g);
                }
            }
        }
        let mut found = Vec::new();
        for (service, svc_pkg, calls) in &service_calls {
            let mut best: Option<(Location, String)> = None;
            let set = services_set.get(service);
            for (&r, needs) in &reached {
                let Some(f) = lib_fns.get(r) else { continue };
                // (Whether the service calls it at all first: most do not.)
                let Some(loc) = calls.get(f.name) else {
                    continue;
                };
                if IGNORED_NAMES.contains(&f.name) || !depends(svc_pkg, f.package) {
                    continue;
                }
                if !needs.iter().all(|n| set.is_some_and(|s| s.contains(*n))) {
                    continue;
                }
                if svc_pkg == f.package {
                    continue;
                }
                if best.as_ref().is_none_or(|(b, _)| loc < b) {
                    best = Some((loc.clone(), f.name.to_string()));
                }
            }
            if let Some((call_site, called)) = best {
                found.push(ServiceUse {
                    service: service.clone(),
                    call_site,
                    called,
                });
            }
        }
        found.sort();
        uses.insert((pkg.clone(), path.clone()), found);
    }
    Attribution { uses }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::ParsedFile;
    use nova_model::Dialect;

    fn file(path: &str, module: &[&str], in_test: bool, src: &str) -> ParsedFile {
        ParsedFile {
            path: path.to_string(),
            module: module.iter().map(|s| s.to_string()).collect(),
            in_test,
            facts: crate::parse_file(src, in_test).unwrap_or_default(),
        }
    }

    fn krate(package: &str, service: Option<&str>, deps: &[&str], files: Vec<ParsedFile>) -> Crate {
        Crate {
            package: package.to_string(),
            dir: package.to_string(),
            service: service.map(str::to_string),
            local_deps: deps.iter().map(|s| s.to_string()).collect(),
            external_deps: Vec::new(),
            dialect: Dialect::Postgres,
            files,
        }
    }

    fn two_services_and_libraries() -> Vec<Crate> {
        let db = krate(
            "db",
            None,
            &[],
            vec![file(
                "db/src/users.rs",
                &["users"],
                false,
                r#"
pub struct Repo;
impl Repo {
    pub async fn find_user(&self, id: i64) {
        sqlx::query!("SELECT * FROM users WHERE id = $1", id);
    }
    pub async fn delete_user(&self, id: i64) {
        sqlx::query("DELETE FROM users WHERE id = $1");
    }
}
pub async fn load_profile(r: &Repo) { r.find_user(1).await; }
pub async fn unused() { sqlx::query("SELECT * FROM audit"); }
"#,
            )],
        );
        let wrap = krate(
            "wrap",
            None,
            &["db"],
            vec![file(
                "wrap/src/lib.rs",
                &[],
                false,
                "pub async fn profile_page() { db::load_profile(&r).await; }",
            )],
        );
        let a = krate(
            "svc-a",
            Some("a"),
            &["db"],
            vec![
                file(
                    "svc-a/src/main.rs",
                    &[],
                    false,
                    "async fn main() {}\nasync fn handler() {\n    repo.find_user(3).await;\n}",
                ),
                file(
                    "svc-a/tests/it.rs",
                    &[],
                    true,
                    "async fn t() { repo.delete_user(1).await; }",
                ),
            ],
        );
        let b = krate(
            "svc-b",
            Some("b"),
            &["wrap"],
            vec![file(
                "svc-b/src/main.rs",
                &[],
                false,
                "fn x() {}\n#[cfg(test)]\nmod tests { fn t() { delete_user(); } }\nasync fn run() {\n  wrap::profile_page().await;\n}",
            )],
        );
        let c = krate(
            "svc-c",
            Some("c"),
            &[],
            vec![file(
                "svc-c/src/main.rs",
                &[],
                false,
                "fn run() { find_user(1); }",
            )],
        );
        vec![db, wrap, a, b, c]
    }

    #[test]
    fn services_calling_library_sql_transitively() {
        let crates = two_services_and_libraries();
        let att = attribute(&crates);
        let find = att.callers("db", "users::Repo::find_user");
        assert_eq!(
            find,
            &[
                ServiceUse {
                    service: "a".into(),
                    call_site: Location::new("svc-a/src/main.rs", 3, 0),
                    called: "find_user".into(),
                },
                ServiceUse {
                    service: "b".into(),
                    call_site: Location::new("svc-b/src/main.rs", 5, 0),
                    called: "profile_page".into(),
                },
            ]
        );
        // Only test code calls delete_user; nobody calls unused; svc-c calls
        // find_user but does not depend on db.
        assert!(att.callers("db", "users::Repo::delete_user").is_empty());
        assert!(att.callers("db", "users::unused").is_empty());
        let keys: Vec<String> = att.iter().map(|((p, f), _)| format!("{p}:{f}")).collect();
        assert_eq!(
            keys,
            vec![
                "db:users::Repo::delete_user",
                "db:users::Repo::find_user",
                "db:users::unused"
            ]
        );
    }

    /// A library package's binary is no part of the library: a function
    /// there with the name of one a service calls carries nothing to it.
    #[test]
    fn a_library_binary_is_not_attributed() {
        let mut crates = two_services_and_libraries();
        let bin = |path: &str| {
            file(
                path,
                &[],
                false,
                "async fn find_user() { sqlx::query(\"INSERT INTO demo_effects VALUES (1)\"); }",
            )
        };
        crates[0].files.push(bin("db/src/bin/demo.rs"));
        crates[0].files.push(bin("db/src/main.rs"));
        let att = attribute(&crates);
        let keys: Vec<String> = att.iter().map(|((p, f), _)| format!("{p}:{f}")).collect();
        assert!(!keys.contains(&"db:find_user".to_string()), "{keys:?}");
        assert!(att.callers("db", "find_user").is_empty());
        // The library's own function is still attributed as before.
        assert_eq!(att.callers("db", "users::Repo::find_user").len(), 2);
        let root = krate("root", None, &[], Vec::new());
        let root = Crate {
            dir: String::new(),
            ..root
        };
        assert!(is_binary_target(&root, "src/bin/x.rs"));
        assert!(is_binary_target(&crates[0], "db/src/main.rs"));
        assert!(!is_binary_target(&crates[0], "db/src/lib.rs"));
        assert!(!is_binary_target(&crates[0], "dbx/src/main.rs"));
    }

    #[test]
    fn closure_is_transitive_and_terminates_on_cycles() {
        let crates = vec![
            krate("a", None, &["b"], Vec::new()),
            krate("b", None, &["c"], Vec::new()),
            krate("c", None, &["a"], Vec::new()),
        ];
        let cl = dependency_closure(&crates);
        assert_eq!(cl["a"], BTreeSet::from(["b".to_string(), "c".to_string()]));
        assert_eq!(cl["c"], BTreeSet::from(["a".to_string(), "b".to_string()]));
    }
}
