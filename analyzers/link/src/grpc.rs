//! gRPC: clients of proto services linked to the services implementing them.

use crate::follow::attribute;
use crate::tonic_names::TonicNames;
use crate::values::names_param;
use crate::{Ctx, live_files};
use nova_manifests::hosts::hosts_in;
use nova_model::{DiagCode, EdgeKind, Evidence, Location, ProtoService, Severity};
use nova_rust::graph::{ClientShape, GLOB, OWN_CRATE, StrExpr, as_foreign_client, foreign_client};
use std::collections::{BTreeMap, BTreeSet};

/// One use of a client by a service.
struct Use {
    caller: String,
    package: String,
    proto: String,
    rpc: Option<String>,
    evidence: Evidence,
    target: Option<StrExpr>,
}

fn shape_note(service: &str, shape: ClientShape, name: Option<&str>) -> String {
    // (A re-exported client under its own name, `Catalog::connect`.)
    let client = match as_foreign_client(service) {
        Some((_, written)) => written.to_string(),
        None => format!("{service}Client"),
    };
    match shape {
        ClientShape::Connect => format!("{client}::connect"),
        ClientShape::New => format!("{client}::new"),
        ClientShape::WithInterceptor => format!("{client}::with_interceptor"),
        ClientShape::Field => format!("field `{}`: {client}", name.unwrap_or("?")),
        ClientShape::Alias => format!("type `{}` = {client}", name.unwrap_or("?")),
        ClientShape::ReturnType => format!("fn `{}` returns {client}", name.unwrap_or("?")),
        ClientShape::Param => format!("parameter `{}`: {client}", name.unwrap_or("?")),
    }
}

/// Link gRPC clients to servers; returns the proto services with
/// `implemented_by` filled.
pub(crate) fn link(ctx: &mut Ctx<'_>) -> Vec<ProtoService> {
    let input = ctx.input;
    // Protos, merged by location.
    let mut protos: Vec<ProtoService> = input
        .protos
        .iter()
        .chain(input.manifests.iter().flat_map(|m| m.protos.iter()))
        .cloned()
        .collect();
    protos.sort_by(|a, b| {
        (&a.location, &a.package, &a.name).cmp(&(&b.location, &b.package, &b.name))
    });
    protos.dedup_by(|a, b| a.location == b.location && a.name == b.name && a.package == b.package);
    let mut rpcs_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &protos {
        rpcs_of
            .entry(p.name.clone())
            .or_default()
            .extend(p.rpcs.iter().map(|r| r.name.clone()));
    }
    // tonic's names (`PdClient`, `get_kv`) for the proto's (`PD`, `GetKV`).
    let tonic = TonicNames::new(
        rpcs_of
            .iter()
            .map(|(s, rs)| (s.as_str(), rs.iter().map(String::as_str))),
    );
    // Services declared by checked-in tonic code (in any file, generated
    // directories included) count as known beside the protos: a repo with
    // some `.proto` files may hold other services' generated code only.
    let generated: BTreeSet<&str> = input
        .crates
        .iter()
        .flat_map(|c| c.files.iter())
        .flat_map(|f| f.facts.graph.generated_services.iter())
        .map(|s| tonic.service(s))
        .collect();
    let undeclared = |name: &str| {
        !rpcs_of.is_empty() && !rpcs_of.contains_key(name) && !generated.contains(name)
    };

    let reexports = Reexports::new(input.crates);
    let settle = |service: &str, package: &str| reexports.settle(service, package);

    // Servers.
    let mut implementers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in input.crates {
        for f in live_files(c) {
            for s in f.facts.graph.grpc_servers.iter().filter(|s| !s.in_test) {
                let service = tonic.service(&s.service);
                // With protos known, `NameServer::new` of no proto service is
                // not a gRPC server (tonic's naming is common elsewhere), unless
                // checked-in tonic code declares it.
                if undeclared(service) {
                    continue;
                }
                for a in attribute(
                    &ctx.follow,
                    c,
                    &f.path,
                    &f.module,
                    s.function.as_deref(),
                    s.line,
                ) {
                    implementers
                        .entry(service.to_string())
                        .or_default()
                        .insert(a.service);
                }
                if c.service.is_none() && s.function.is_none() {
                    // `impl Foo for X` in a library: the services that depend
                    // on it and register a `FooServer` are found by their own
                    // Router facts; nothing to attribute here.
                }
            }
        }
    }

    // Client getters, for `pool.content().get_post(..)` across crates, and
    // client-typed struct fields, for `state.identity.verify_user(..)` in a
    // file that does not see the field's type.
    let getters = clients_by_name(input, &tonic, ClientShape::ReturnType);
    let mut client_fields = clients_by_name(input, &tonic, ClientShape::Field);
    // Fields declared with a client a library re-exports (`catalog:
    // Catalog<Channel>`, handed on by the crate or imported from the
    // library), for a call through the field in another file.
    for c in input.crates {
        for f in live_files(c) {
            for sf in &f.facts.graph.struct_fields {
                // (`foreign_client(krate, ty)`, or `crate_client(ty)`,
                // settled without being written out.)
                let krate = sf.from.as_deref().unwrap_or(OWN_CRATE);
                if let Some(service) = reexports.settle_client(krate, &sf.ty, &c.package, HOPS) {
                    client_fields
                        .entry(sf.field.clone())
                        .or_default()
                        .push((c.package.clone(), tonic.service(&service).to_string()));
                }
            }
        }
    }
    let unique_in_scope =
        |map: &BTreeMap<String, Vec<(String, String)>>, name: &str, package: &str| {
            let seen: BTreeSet<&String> = map
                .get(name)
                .map(|v| {
                    v.iter()
                        .filter(|(p, _)| ctx.sees(package, p))
                        .map(|(_, s)| s)
                        .collect()
                })
                .unwrap_or_default();
            (seen.len() == 1)
                .then(|| seen.into_iter().next().cloned())
                .flatten()
        };

    // Uses.
    let mut uses: Vec<Use> = Vec::new();
    for c in input.crates {
        for f in live_files(c) {
            let g = &f.facts.graph;
            for cl in g.grpc_clients.iter().filter(|x| !x.in_test) {
                // In a library, building a client (often in shared start-up
                // code) is not a call; getters and RPCs are.
                if c.service.is_none() && !matches!(cl.shape, ClientShape::ReturnType) {
                    continue;
                }
                // With protos known, a `FooClient` of no proto service is
                // not a gRPC client (a wrapper type, an HTTP client...), unless
                // checked-in tonic code declares it.
                let Some(settled) = settle(&cl.service, &c.package) else {
                    continue;
                };
                let proto = tonic.service(&settled);
                if undeclared(proto) {
                    continue;
                }
                let note = shape_note(&cl.service, cl.shape, cl.name.as_deref());
                // A library's function returning a client it connects to
                // an address its callers give (`fn connect_inventory(addr:
                // String) -> InventoryClient<Channel>`, also through
                // `XClient::new(Channel::from_shared(addr)?..)`): that
                // address.
                let target = match cl.shape {
                    ClientShape::ReturnType if cl.target.is_none() => g
                        .grpc_clients
                        .iter()
                        .filter(|x| {
                            matches!(x.shape, ClientShape::Connect | ClientShape::New)
                                && x.function == cl.function
                        })
                        .filter(|x| x.service == cl.service && !x.in_test)
                        .find_map(|x| x.target.as_ref().filter(|t| names_param(t)))
                        .cloned(),
                    _ => cl.target.clone(),
                };
                for a in attribute(
                    &ctx.follow,
                    c,
                    &f.path,
                    &f.module,
                    cl.function.as_deref(),
                    cl.line,
                ) {
                    uses.push(Use {
                        evidence: ctx.evidence(&a, &note, &c.package),
                        caller: a.service,
                        package: c.package.clone(),
                        proto: proto.to_string(),
                        rpc: None,
                        target: target.clone(),
                    });
                }
            }
            for r in g.rpc_calls.iter().filter(|x| !x.in_test) {
                let proto = match (&r.service, &r.via_field, &r.via_getter) {
                    (Some(s), field, _) => match (settle(s, &c.package), field) {
                        (Some(s), _) => Some(tonic.service(&s).to_string()),
                        // A field of another crate's type that crate does
                        // not re-export as a client: by the field's name.
                        (None, Some(field)) => unique_in_scope(&client_fields, field, &c.package),
                        (None, None) => continue,
                    },
                    (None, Some(field), _) => unique_in_scope(&client_fields, field, &c.package),
                    (None, None, getter) => getter
                        .as_ref()
                        .and_then(|g| unique_in_scope(&getters, g, &c.package))
                        .or_else(|| {
                            let with: Vec<&String> = rpcs_of
                                .iter()
                                .filter(|(n, rs)| rs.contains(tonic.rpc(n, &r.rpc)))
                                .map(|(n, _)| n)
                                .collect();
                            (with.len() == 1).then(|| with[0].clone())
                        }),
                };
                let Some(proto) = proto else { continue };
                if undeclared(&proto) {
                    continue;
                }
                let rpc = tonic.rpc(&proto, &r.rpc);
                // With protos known, only real RPCs count.
                if let Some(rs) = rpcs_of.get(&proto)
                    && !rs.contains(rpc)
                {
                    continue;
                }
                if r.service.is_none() && r.via_field.is_none() && !rpcs_of.contains_key(&proto) {
                    continue;
                }
                let note = format!("{}.{}() -> {proto}/{rpc}", r.receiver, r.method);
                for a in attribute(
                    &ctx.follow,
                    c,
                    &f.path,
                    &f.module,
                    r.function.as_deref(),
                    r.line,
                ) {
                    uses.push(Use {
                        evidence: ctx.evidence(&a, &note, &c.package),
                        caller: a.service,
                        package: c.package.clone(),
                        proto: proto.clone(),
                        rpc: Some(rpc.to_string()),
                        target: None,
                    });
                }
            }
        }
    }

    // Targets.
    let mut unresolved: BTreeSet<(String, String)> = BTreeSet::new();
    let mut fallback_targets: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for u in &uses {
        let key = (u.caller.clone(), u.proto.clone());
        // The address's values, once: a host or an env var may name the
        // target, and the env vars are the edge's `address`.
        let address_values = u.target.as_ref().map(|target| {
            let resolved = ctx.values.resolve_all(&u.package, Some(&u.caller), target);
            if let Some(cut) = resolved.cut {
                let what = format!("addresses of the `{}` gRPC client", u.proto);
                ctx.report_cut(cut, &what, &u.caller, u.evidence.location.clone(), target);
            }
            // An address handed in by callers none of which gives a
            // static value: named where the chain broke.
            if names_param(target) {
                for p in resolved.pieces.iter().filter(|p| p.unresolved && p.env.is_empty()) {
                    if hosts_in(&p.text).is_empty() {
                        ctx.diag(
                            DiagCode::UnresolvedTarget,
                            Severity::Info,
                            format!(
                                "address of the `{}` gRPC client in `{}` not resolvable statically (`{}`)",
                                u.proto, u.caller, p.text
                            ),
                            Some(u.evidence.location.clone()),
                            Some(p.text.clone()),
                            Some(&u.caller),
                        );
                    }
                }
            }
            resolved.pieces
        });
        let targets: Vec<String> = if let Some(t) = implementers.get(&u.proto) {
            t.iter().cloned().collect()
        } else if let Some(t) = ctx.names.resolve_proto(&u.proto) {
            vec![t]
        } else if let Some(t) = fallback_targets.get(&key) {
            t.clone()
        } else {
            let mut t = Vec::new();
            if let Some(pieces) = &address_values {
                for p in pieces {
                    for h in hosts_in(&p.text) {
                        t.extend(ctx.names.resolve_host(&h));
                    }
                    for v in &p.env {
                        t.extend(ctx.names.resolve_env(v));
                    }
                }
            }
            t.sort();
            t.dedup();
            if !t.is_empty() {
                fallback_targets.insert(key.clone(), t.clone());
            }
            t
        };
        if targets.is_empty() {
            if unresolved.insert(key) {
                ctx.diag(
                    DiagCode::UnresolvedTarget,
                    Severity::Warning,
                    format!(
                        "gRPC client of `{}` in `{}`: no service implements it and no service name matches",
                        u.proto, u.caller
                    ),
                    Some(u.evidence.location.clone()),
                    Some(u.evidence.note.clone()),
                    Some(&u.caller),
                );
            }
            continue;
        }
        for t in &targets {
            ctx.edges.add(
                &u.caller,
                t,
                EdgeKind::Grpc,
                u.rpc.as_deref(),
                u.evidence.clone(),
            );
        }
        // The env vars the client's address comes from: the edge's `address`, at
        // the line that reads them (where the value went through), else at the
        // client.
        if let Some(pieces) = &address_values {
            let mut address = Vec::new();
            for p in pieces {
                let location = p
                    .via
                    .last()
                    .and_then(|at| at.rsplit_once(':'))
                    .and_then(|(file, line)| Some(Location::new(file, line.parse().ok()?, 0)))
                    .unwrap_or_else(|| u.evidence.location.clone());
                for v in &p.env {
                    address.push(Evidence {
                        location: location.clone(),
                        note: v.clone(),
                    });
                }
            }
            for t in &targets {
                for ev in &address {
                    ctx.edges
                        .add_address(&u.caller, t, EdgeKind::Grpc, ev.clone());
                }
            }
        }
    }

    for p in &mut protos {
        p.implemented_by = implementers
            .get(&p.name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
    }
    protos.sort_by(|a, b| {
        (&a.package, &a.name, &a.location).cmp(&(&b.package, &b.name, &b.location))
    });
    protos
}

/// Clients re-exported by libraries under names of their own, and the
/// names crates hand their own files: what a client built from or held as
/// a type imported from another crate (`foreign_client`) or from the
/// crate's own modules (`crate_client`) stands for. A type of no such
/// re-export is no client.
/// The hops [`Reexports::settle`] follows at most.
const HOPS: u8 = 4;

struct Reexports<'a> {
    /// The library's crate name -> the name -> the proto service.
    clients: BTreeMap<String, BTreeMap<&'a str, &'a str>>,
    /// (package, name) -> the foreign clients it hands its files
    /// (`pub use catalog_client::Catalog;`, or a private `use` of a file
    /// with child modules, the crate root's: several files may).
    handed: BTreeMap<(&'a str, &'a str), BTreeSet<&'a str>>,
    /// package -> the crates all of whose module's names it hands on
    /// (`pub use catalog_client::clients::*;`).
    globs: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// crate name -> package, for the workspace's.
    packages: BTreeMap<String, &'a str>,
}

impl<'a> Reexports<'a> {
    fn new(crates: &'a [nova_rust::unit::Crate]) -> Self {
        let mut r = Reexports {
            clients: BTreeMap::new(),
            handed: BTreeMap::new(),
            globs: BTreeMap::new(),
            packages: BTreeMap::new(),
        };
        for c in crates {
            let krate = c.package.replace('-', "_");
            r.packages.insert(krate.clone(), c.package.as_str());
            for f in live_files(c) {
                for x in &f.facts.graph.client_reexports {
                    r.clients
                        .entry(krate.clone())
                        .or_default()
                        .insert(x.name.as_str(), x.service.as_str());
                }
                for p in &f.facts.graph.pub_imports {
                    if p.name == GLOB {
                        if let Some((from, _)) = as_foreign_client(&p.client) {
                            r.globs.entry(c.package.as_str()).or_default().insert(from);
                        }
                        continue;
                    }
                    r.handed
                        .entry((c.package.as_str(), p.name.as_str()))
                        .or_default()
                        .insert(p.client.as_str());
                }
            }
        }
        r
    }

    /// The proto service `service` (seen in `package`) stands for: itself
    /// when it is no foreign client; a library's re-export; through the
    /// names a crate hands on (`pub use other::Catalog;`, imported as
    /// `crate::Catalog` or from that crate), then through the crates whose
    /// names it hands on by a glob, hop by hop (at most 4). A name reached
    /// through a glob is a client only when it settles to one.
    fn settle(&self, service: &str, package: &str) -> Option<String> {
        self.settle_in(service, package, HOPS)
    }

    fn settle_in(&self, service: &str, package: &str, hops: u8) -> Option<String> {
        let Some((krate, name)) = as_foreign_client(service) else {
            return Some(service.to_string());
        };
        self.settle_client(krate, name, package, hops)
    }

    /// [`Reexports::settle`] of the foreign client `name` of crate `krate`
    /// ([`foreign_client`], taken apart: not written out to be read back).
    fn settle_client(&self, krate: &str, name: &str, package: &str, hops: u8) -> Option<String> {
        if krate.contains("::") {
            // (Not how a foreign client reads back: as written.)
            return self.settle_in(&foreign_client(krate, name), package, hops);
        }
        if krate != OWN_CRATE
            && let Some(s) = self.clients.get(krate).and_then(|m| m.get(name))
        {
            return Some(s.to_string());
        }
        let hops = hops.checked_sub(1)?;
        let from = if krate == OWN_CRATE {
            package
        } else {
            self.packages.get(krate)?
        };
        if let Some(handed) = self.handed.get(&(from, name)) {
            return handed.iter().find_map(|s| self.settle_in(s, from, hops));
        }
        self.globs
            .get(from)?
            .iter()
            .find_map(|k| self.settle_client(k, name, from, hops))
    }
}

/// Client facts of one shape, by name (getter or field name) -> (package,
/// proto service), over the live files of every crate.
fn clients_by_name(
    input: &crate::LinkInput<'_>,
    tonic: &TonicNames,
    shape: ClientShape,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for c in input.crates {
        for f in live_files(c) {
            for g in f
                .facts
                .graph
                .grpc_clients
                .iter()
                .filter(|g| g.shape == shape)
            {
                if let Some(n) = &g.name {
                    out.entry(n.clone())
                        .or_default()
                        .push((c.package.clone(), tonic.service(&g.service).to_string()));
                }
            }
        }
    }
    out
}
