//! Following facts found in library crates to the services that run them.
//!
//! A client getter (`fn content(&self) -> ContentServiceClient<Channel>`), a
//! wrapper method that calls an RPC, or a helper that produces to a topic in
//! a library is a dependency of every service that **calls** it, not of
//! every service that depends on the library. Calls are matched by name (the
//! last path segment), like the SQL attribution of `nova_rust::attribution`,
//! including calls between functions of the same library. A call made only
//! behind a guard on a field (`if let Some(r) = &self.relay`) is followed
//! for the services that switch that field on
//! (`nova_rust::attribution::fields_set_by_services`).

use crate::FastMap;
use nova_model::Location;
use nova_rust::attribution::{IGNORED_NAMES, fields_set_by_services, full_fn_path};
use nova_rust::unit::Crate;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// A service calling a library function (first call site).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Caller {
    pub service: String,
    pub call_site: Location,
    /// The library function name called by the service.
    pub called: String,
}

/// (library package, function name) -> services calling it.
#[derive(Debug, Default)]
pub struct Follow {
    /// Library package -> function name -> callers, sorted by service.
    callers: FastMap<String, FastMap<String, Vec<Caller>>>,
}

/// Per library: fn name -> names of the same library it calls, with the
/// field guarding the call, if any.
type LibGraph<'c> = BTreeMap<&'c str, BTreeMap<&'c str, BTreeMap<&'c str, Option<&'c str>>>>;

/// The first call of a service reaching a library function: `file:line`
/// of the call, the name called.
type FirstCall<'c> = (&'c str, u32, &'c str);

impl Follow {
    /// Index every service's calls into the libraries it depends on.
    pub fn new(crates: &[Crate], closure: &BTreeMap<String, BTreeSet<String>>) -> Self {
        let lib_graph = lib_graph(crates);
        // Function name -> the libraries defining one (ascending).
        let mut defined_in: FastMap<&str, Vec<&str>> = FastMap::default();
        for (lib, g) in &lib_graph {
            for name in g.keys() {
                defined_in.entry(name).or_default().push(lib);
            }
        }
        // (The fields services set matter only behind a guard: most code
        // has none, and then they are not looked for.)
        let guarded = lib_graph
            .values()
            .flat_map(BTreeMap::values)
            .flat_map(BTreeMap::values)
            .any(Option::is_some);
        let services_set = if guarded {
            fields_set_by_services(crates)
        } else {
            HashMap::new()
        };
        let no_fields = BTreeSet::new();
        // (Keyed by the fields set too: services that set the same ones,
        // usually none, share the walk.)
        let mut set_ids: BTreeMap<&BTreeSet<String>, usize> = BTreeMap::new();
        let mut reach_cache: FastMap<(&str, &str, usize), Vec<&str>> = FastMap::default();
        // (library, function) -> service -> its first call reaching it.
        let mut callers: BTreeMap<(&str, &str), BTreeMap<&str, FirstCall<'_>>> = BTreeMap::new();
        for c in crates {
            let Some(service) = &c.service else { continue };
            let Some(deps) = closure.get(&c.package) else {
                continue;
            };
            if !deps.iter().any(|d| lib_graph.contains_key(d.as_str())) {
                continue;
            }
            let set = services_set.get(service).unwrap_or(&no_fields);
            let next_id = set_ids.len();
            let set_id = *set_ids.entry(set).or_insert(next_id);
            for f in c.files.iter().filter(|f| !f.in_test) {
                for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                    for (name, line) in f.facts.calls_of(gf) {
                        // (Looked up before testing whether it is ignored:
                        // most names are no library function's.)
                        let Some(libs) = defined_in.get(name.as_str()) else {
                            continue;
                        };
                        if IGNORED_NAMES.contains(&name.as_str()) {
                            continue;
                        }
                        for lib in libs.iter().filter(|l| deps.contains(**l)) {
                            let reached = reach_cache
                                .entry((lib, name, set_id))
                                .or_insert_with(|| reach(&lib_graph, lib, name, set));
                            let cand: FirstCall<'_> = (&f.path, *line, name);
                            for &r in reached.iter() {
                                // The earliest call wins (the first found
                                // among equal ones).
                                let entry = callers.entry((lib, r)).or_default();
                                match entry.get(service.as_str()) {
                                    Some(old) if (old.0, old.1) <= (cand.0, cand.1) => {}
                                    _ => {
                                        entry.insert(service, cand);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut out: FastMap<String, FastMap<String, Vec<Caller>>> = FastMap::default();
        for ((lib, function), by_service) in callers {
            let list = by_service
                .into_iter()
                .map(|(service, (file, line, called))| Caller {
                    service: service.to_string(),
                    call_site: Location::new(file, line, 0),
                    called: called.to_string(),
                })
                .collect();
            out.entry(lib.to_string())
                .or_default()
                .insert(function.to_string(), list);
        }
        Follow { callers: out }
    }

    /// Services calling (possibly through other functions of the library)
    /// the function named `function` of library `package`.
    pub fn callers(&self, package: &str, function: &str) -> &[Caller] {
        let name = function.rsplit("::").next().unwrap_or(function);
        self.callers
            .get(package)
            .and_then(|m| m.get(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The call graph of every library, by name (see [`LibGraph`]): a call
/// unguarded anywhere in a function is unguarded.
fn lib_graph(crates: &[Crate]) -> LibGraph<'_> {
    let mut lib_graph: LibGraph<'_> = BTreeMap::new();
    for c in crates.iter().filter(|c| c.service.is_none()) {
        let g = lib_graph.entry(c.package.as_str()).or_default();
        for f in c.files.iter().filter(|f| !f.in_test) {
            for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                g.entry(gf.name.as_str()).or_default();
            }
        }
        let names: BTreeSet<&str> = g.keys().copied().collect();
        for f in c.files.iter().filter(|f| !f.in_test) {
            for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                let guard = |n: &str| {
                    gf.guarded()
                        .iter()
                        .find(|(callee, _)| callee == n)
                        .map(|(_, field)| field.as_str())
                };
                let calls: BTreeMap<&str, Option<&str>> = f
                    .facts
                    .calls_of(gf)
                    .iter()
                    .filter(|(n, _)| names.contains(n.as_str()) && n != &gf.name)
                    .map(|(n, _)| (n.as_str(), guard(n)))
                    .collect();
                let entry = g.entry(gf.name.as_str()).or_default();
                for (callee, field) in calls {
                    // Unguarded anywhere: unguarded.
                    match entry.get(callee) {
                        Some(None) => {}
                        _ => {
                            entry.insert(callee, field);
                        }
                    }
                }
            }
        }
    }
    lib_graph
}

/// The functions of `lib` reached from `start` (itself included), through
/// calls unguarded or guarded by a field of `set`, in name order.
fn reach<'c>(
    lib_graph: &LibGraph<'c>,
    lib: &str,
    start: &'c str,
    set: &BTreeSet<String>,
) -> Vec<&'c str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let Some(g) = lib_graph.get(lib) else {
        return Vec::new();
    };
    let mut q = VecDeque::from([start]);
    while let Some(n) = q.pop_front() {
        if !seen.insert(n) {
            continue;
        }
        if let Some(next) = g.get(n) {
            q.extend(
                next.iter()
                    .filter(|(_, guard)| guard.is_none_or(|f| set.contains(f)))
                    .map(|(callee, _)| *callee),
            );
        }
    }
    seen.into_iter().collect()
}

/// Where a fact sits and who runs it.
#[derive(Debug, Clone)]
pub struct Attributed {
    pub service: String,
    /// Where the fact is (in the library for library facts).
    pub location: Location,
    /// Full function path of the fact's enclosing function.
    pub function: Option<String>,
    /// For library facts: the service's call into the library.
    pub via: Option<Caller>,
}

/// The services running a fact found in crate `c`, file `path` (module
/// `module`), function `function` (file-level path), at `line`.
pub fn attribute(
    follow: &Follow,
    c: &Crate,
    path: &str,
    module: &[String],
    function: Option<&str>,
    line: u32,
) -> Vec<Attributed> {
    let location = Location::new(path, line, 0);
    let full = function.map(|f| full_fn_path(module, f));
    match &c.service {
        Some(s) => vec![Attributed {
            service: s.clone(),
            location,
            function: full,
            via: None,
        }],
        None => {
            let Some(f) = function else { return Vec::new() };
            follow
                .callers(&c.package, f)
                .iter()
                .map(|caller| Attributed {
                    service: caller.service.clone(),
                    location: location.clone(),
                    function: full.clone(),
                    via: Some(caller.clone()),
                })
                .collect()
        }
    }
}
