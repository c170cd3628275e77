//! Dual writes spanning calls: a function that writes tables and produces
//! to Kafka directly, itself or through the functions it calls.
//!
//! The check walks every function of every service crate that produces,
//! which is most of [`super::finish`]'s work; it runs after the SQL pass
//! (it needs the accesses), where little else is left to run, so the crates
//! are checked on all cores and their results applied in crate order.

use super::{FnBuild, State};
use crate::{Ctx, FastMap, live_files};
use nova_model::{Access, Location};
use nova_rust::unit::Crate;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// (service, function), its location, topics produced, tables written.
type DualWrite = (
    (String, String),
    Location,
    BTreeSet<String>,
    BTreeSet<String>,
);

/// Function facts per (service, function).
type Fns = BTreeMap<(String, String), FnBuild>;

/// Written accesses (with a function) per service.
type WritesOf<'a> = BTreeMap<&'a str, Vec<&'a Access>>;

/// A function that writes tables (itself or through the functions it calls
/// directly, by name, in the same crate) and produces directly to
/// Kafka (likewise) is a dual write spanning calls
/// (`store::insert(..)?; publisher.publish(..)`): it gets both facts.
///
/// Each crate reads only the facts of its own service, and adds to them: the
/// crates are checked in parallel against the facts as they were before any
/// was added, and a crate whose service already got additions from an
/// earlier crate (several packages of one service) is checked again, in
/// order, so the result is the one of checking them one after the other.
pub(super) fn direct_through_callees(ctx: &Ctx<'_>, st: &mut State, accesses: &[Access]) {
    // Written accesses per service, grouped once (not rescanned per crate).
    let mut writes: WritesOf<'_> = BTreeMap::new();
    for a in accesses {
        if a.op.is_write() && a.function.is_some() {
            writes.entry(a.service.as_str()).or_default().push(a);
        }
    }
    let crates = ctx.input.crates;
    let found: Vec<Vec<DualWrite>> = {
        let (fns, writes) = (&st.fns, &writes);
        crates
            .par_iter()
            .map(|c| of_crate(c, fns, writes))
            .collect()
    };
    let mut changed: HashSet<&str> = HashSet::new();
    for (c, add) in crates.iter().zip(found) {
        let Some(service) = &c.service else { continue };
        let add = if changed.contains(service.as_str()) {
            of_crate(c, &st.fns, &writes)
        } else {
            add
        };
        if add.is_empty() {
            continue;
        }
        changed.insert(service);
        for (key, loc, topics, tables) in add {
            let b = st.fns.entry(key).or_default();
            b.location.get_or_insert(loc);
            b.produces_direct.extend(topics);
            b.writes_via_calls.extend(tables);
        }
    }
}

/// The dual writes of one crate's functions (none for a library).
fn of_crate(c: &Crate, fns: &Fns, writes: &WritesOf<'_>) -> Vec<DualWrite> {
    let mut add: Vec<DualWrite> = Vec::new();
    let Some(service) = &c.service else {
        return add;
    };
    // The functions of this service: one range of `fns`.
    let of_service = || {
        fns.range((service.clone(), String::new())..)
            .take_while(|((s, _), _)| s == service)
    };
    // (Name maps, looked up for every call of every function: hashed.)
    let mut produced: FastMap<&str, BTreeSet<String>> = FastMap::default();
    for ((_, f), b) in of_service() {
        if !b.produces_direct.is_empty() {
            let name = f.rsplit("::").next().unwrap_or(f);
            produced
                .entry(name)
                .or_default()
                .extend(b.produces_direct.iter().cloned());
        }
    }
    if produced.is_empty() {
        return add;
    }
    // Callees that enqueue into an outbox are transactional units of
    // their own: their writes do not make the caller a dual write.
    let outboxed: FastMap<&str, ()> = of_service()
        .filter(|(_, b)| !b.produces_outbox.is_empty())
        .map(|((_, f), _)| (f.rsplit("::").next().unwrap_or(f), ()))
        .collect();
    let mut written: FastMap<&str, BTreeSet<&str>> = FastMap::default();
    for a in writes.get(service.as_str()).into_iter().flatten() {
        if let Some(f) = &a.function {
            let name = f.rsplit("::").next().unwrap_or(f);
            if !outboxed.contains_key(name) {
                written.entry(name).or_default().insert(a.table.as_str());
            }
        }
    }
    for f in live_files(c) {
        for g in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
            // The function itself and what it calls.
            let reach = || {
                std::iter::once(g.name.as_str()).chain(
                    f.facts
                        .calls_of(g)
                        .iter()
                        .map(|(callee, _)| callee.as_str())
                        .filter(|c| !nova_rust::attribution::IGNORED_NAMES.contains(c)),
                )
            };
            // (Most functions neither produce nor write: decide that
            // before building any set, looking a name up before testing
            // whether it is ignored.)
            let reaches = |names: &dyn Fn(&str) -> bool| {
                names(&g.name)
                    || f.facts.calls_of(g).iter().any(|(callee, _)| {
                        names(callee)
                            && !nova_rust::attribution::IGNORED_NAMES.contains(&callee.as_str())
                    })
            };
            if !reaches(&|n| produced.contains_key(n)) || !reaches(&|n| written.contains_key(n)) {
                continue;
            }
            let names: BTreeSet<&str> = reach().collect();
            let topics: BTreeSet<String> = names
                .iter()
                .filter_map(|n| produced.get(n))
                .flatten()
                .cloned()
                .collect();
            let tables: BTreeSet<String> = names
                .iter()
                .filter_map(|n| written.get(n))
                .flatten()
                .map(|t| t.to_string())
                .collect();
            if topics.is_empty() || tables.is_empty() {
                continue;
            }
            let full = nova_rust::attribution::full_fn_path(&f.module, &g.path);
            add.push((
                (service.clone(), full),
                Location::new(f.path.clone(), g.line, 0),
                topics,
                tables,
            ));
        }
    }
    add
}
