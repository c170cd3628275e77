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

use nova_model::Location;
use nova_rust::attribution::{IGNORED_NAMES, fields_set_by_services, full_fn_path};
use nova_rust::unit::Crate;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

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
    callers: BTreeMap<(String, String), Vec<Caller>>,
}

impl Follow {
    /// Index every service's calls into the libraries it depends on.
    pub fn new(crates: &[Crate], closure: &BTreeMap<String, BTreeSet<String>>) -> Self {
        // Per library: fn name -> names of the same library it calls, with
        // the field guarding the call, if any.
        let mut lib_graph: BTreeMap<&str, BTreeMap<String, BTreeMap<String, Option<String>>>> =
            BTreeMap::new();
        for c in crates.iter().filter(|c| c.service.is_none()) {
            let g = lib_graph.entry(c.package.as_str()).or_default();
            for f in c.files.iter().filter(|f| !f.in_test) {
                for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                    g.entry(gf.name.clone()).or_default();
                }
            }
            let names: BTreeSet<String> = g.keys().cloned().collect();
            for f in c.files.iter().filter(|f| !f.in_test) {
                for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                    let guard = |n: &str| {
                        gf.guarded()
                            .iter()
                            .find(|(callee, _)| callee == n)
                            .map(|(_, field)| field.clone())
                    };
                    let calls: BTreeMap<String, Option<String>> = f
                        .facts
                        .calls_of(gf)
                        .iter()
                        .filter(|(n, _)| names.contains(n) && n != &gf.name)
                        .map(|(n, _)| (n.clone(), guard(n)))
                        .collect();
                    let entry = g.entry(gf.name.clone()).or_default();
                    for (callee, field) in calls {
                        // Unguarded anywhere: unguarded.
                        match entry.get(&callee) {
                            Some(None) => {}
                            _ => {
                                entry.insert(callee, field);
                            }
                        }
                    }
                }
            }
        }
        let services_set = fields_set_by_services(crates);
        let no_fields = BTreeSet::new();
        // (Keyed by the fields set too: services that set the same ones,
        // usually none, share the walk.)
        type Key = (String, String, BTreeSet<String>);
        let mut reach_cache: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
        let reach_uncached = |lib: &str, start: &str, set: &BTreeSet<String>| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            let Some(g) = lib_graph.get(lib) else {
                return seen;
            };
            let mut q = VecDeque::from([start.to_string()]);
            while let Some(n) = q.pop_front() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if let Some(next) = g.get(&n) {
                    q.extend(
                        next.iter()
                            .filter(|(_, guard)| guard.as_ref().is_none_or(|f| set.contains(f)))
                            .map(|(callee, _)| callee.clone()),
                    );
                }
            }
            seen
        };
        let mut callers: BTreeMap<(String, String), BTreeMap<String, Caller>> = BTreeMap::new();
        for c in crates {
            let Some(service) = &c.service else { continue };
            let Some(deps) = closure.get(&c.package) else {
                continue;
            };
            let libs: Vec<&str> = deps
                .iter()
                .map(String::as_str)
                .filter(|d| lib_graph.contains_key(d))
                .collect();
            if libs.is_empty() {
                continue;
            }
            let set = services_set.get(service).unwrap_or(&no_fields);
            for f in c.files.iter().filter(|f| !f.in_test) {
                for gf in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                    for (name, line) in f.facts.calls_of(gf) {
                        if IGNORED_NAMES.contains(&name.as_str()) {
                            continue;
                        }
                        for lib in &libs {
                            if !lib_graph.get(lib).is_some_and(|g| g.contains_key(name)) {
                                continue;
                            }
                            let key = (lib.to_string(), name.clone(), set.clone());
                            let reached_set = reach_cache
                                .entry(key)
                                .or_insert_with(|| reach_uncached(lib, name, set))
                                .clone();
                            for reached in reached_set {
                                let entry = callers.entry((lib.to_string(), reached)).or_default();
                                let cand = Caller {
                                    service: service.clone(),
                                    call_site: Location::new(f.path.clone(), *line, 0),
                                    called: name.clone(),
                                };
                                match entry.get(service) {
                                    Some(old) if old.call_site <= cand.call_site => {}
                                    _ => {
                                        entry.insert(service.clone(), cand);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        Follow {
            callers: callers
                .into_iter()
                .map(|(k, v)| (k, v.into_values().collect()))
                .collect(),
        }
    }

    /// Services calling (possibly through other functions of the library)
    /// the function named `function` of library `package`.
    pub fn callers(&self, package: &str, function: &str) -> &[Caller] {
        let name = function.rsplit("::").next().unwrap_or(function);
        self.callers
            .get(&(package.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
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
