//! Linking: tie names (packages, dirs, deployments, env vars, proto
//! services) to services and resolve raw per-file facts into edges, topics,
//! infrastructure and per-function facts.
//!
//! [`link`] is a pure function of [`LinkInput`]:
//!
//! - **gRPC**: a client of proto service `X` (constructor, field, alias,
//!   getter, parameter, RPC call) links its service to the service whose code
//!   implements `X` (`impl x_server::X for ..`, `XServer::new`); failing
//!   that, to the service whose name matches `X`; failing that, to the host
//!   of the `connect` address; else an `UnresolvedTarget` diagnostic.
//! - **HTTP**: request URLs resolved through consts, config fields and env
//!   vars (`nova.toml` `[env]`, the service's manifests, the code default);
//!   the host or the env-var stem names the target.
//! - **Kafka**: producers and consumers of each topic (code, outbox, config
//!   files); one edge per producer -> consumer pair, `via` the topics.
//! - **Start-up**: init containers and `depends_on` between workloads tied to
//!   services; waits for infrastructure become infrastructure usage.
//!
//! Facts found in library crates count for the services that call the
//! library function holding them ([`follow`]). Self-edges are dropped; edges
//! are merged per (from, to, kind).

mod cuts;
pub mod follow;
mod grpc;
mod http;
mod kafka;
pub mod names;
mod orm_rows;
mod outbox;
mod startup;
mod tonic_names;
pub mod values;

use nova_model::{
    Access, DiagCode, Diagnostic, Edge, EdgeKind, Evidence, FunctionFacts, Infra, InfraKind,
    Location, ProtoService, Service, Severity, Topic,
};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet};

/// A map with a fast, fixed hasher instead of SipHash: the keys are names
/// from the scanned code, looked up often, and the maps are never iterated
/// where order matters.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Everything the linker needs.
#[derive(Debug, Clone, Copy)]
pub struct LinkInput<'a> {
    /// Every Cargo package with its parsed files (services and libraries).
    pub crates: &'a [Crate],
    /// Deployable units, as discovered (with aliases from config).
    pub services: &'a [Service],
    /// gRPC services from `.proto` files (those inside `manifests` are used
    /// too; duplicates by location are merged).
    pub protos: &'a [ProtoService],
    /// Facts from manifests (k8s, compose, helm, service config, proto).
    /// Their `diagnostics` are NOT re-emitted here (the scan does that).
    pub manifests: &'a [nova_manifests::ManifestFacts],
    pub config: &'a nova_config::Config,
}

/// What linking produced; every collection is sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkOutput {
    pub edges: Vec<Edge>,
    pub topics: Vec<Topic>,
    pub infrastructure: Vec<Infra>,
    pub functions: Vec<FunctionFacts>,
    /// Proto services with `implemented_by` filled.
    pub proto_services: Vec<ProtoService>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `via` values and evidence of one merged edge.
type EdgeDetail = (BTreeSet<String>, BTreeSet<Evidence>);

/// Edges merged per (from, to, kind).
#[derive(Debug, Default)]
pub(crate) struct EdgeSet {
    edges: BTreeMap<(String, String, EdgeKind), EdgeDetail>,
    /// Where the caller's address of the callee is set (`Edge::address`).
    addresses: BTreeMap<(String, String, EdgeKind), BTreeSet<Evidence>>,
}

impl EdgeSet {
    /// Add an edge (self-edges are dropped).
    pub(crate) fn add(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        via: Option<&str>,
        evidence: Evidence,
    ) {
        if from == to {
            return;
        }
        let e = self
            .edges
            .entry((from.to_string(), to.to_string(), kind))
            .or_default();
        if let Some(v) = via
            && !v.is_empty()
            && !e.0.contains(v)
        {
            e.0.insert(v.to_string());
        }
        e.1.insert(evidence);
    }

    /// Record where `from` sets its address of `to`, for the edge of `kind` (kept
    /// only if that edge exists at the end).
    pub(crate) fn add_address(&mut self, from: &str, to: &str, kind: EdgeKind, evidence: Evidence) {
        self.addresses
            .entry((from.to_string(), to.to_string(), kind))
            .or_default()
            .insert(evidence);
    }

    /// Is there already an edge `from -> to` of `kind`?
    pub(crate) fn has(&self, from: &str, to: &str, kind: EdgeKind) -> bool {
        self.edges
            .contains_key(&(from.to_string(), to.to_string(), kind))
    }

    fn into_edges(mut self) -> Vec<Edge> {
        self.edges
            .into_iter()
            .map(|(key, (via, evidence))| {
                let address = self.addresses.remove(&key).unwrap_or_default();
                let (from, to, kind) = key;
                Edge {
                    from,
                    to,
                    kind,
                    via: via.into_iter().collect(),
                    evidence: evidence.into_iter().collect(),
                    address: address.into_iter().collect(),
                }
            })
            .collect()
    }
}

/// Infrastructure usage merged per kind.
#[derive(Debug, Default)]
pub(crate) struct InfraSet {
    /// Per kind: the services, and the evidence as it comes (sorted and
    /// deduplicated once, at the end: an ordered set of every piece of
    /// evidence compared strings for each one added).
    infra: BTreeMap<InfraKind, (BTreeSet<String>, Vec<Evidence>)>,
}

impl InfraSet {
    /// `service` (if any) uses `kind`; `evidence` says where.
    pub(crate) fn add(&mut self, kind: InfraKind, service: Option<&str>, evidence: Evidence) {
        let e = self.infra.entry(kind).or_default();
        // (A service is copied only the first time it is met.)
        if let Some(s) = service
            && !e.0.contains(s)
        {
            e.0.insert(s.to_string());
        }
        e.1.push(evidence);
    }

    fn into_infra(self) -> Vec<Infra> {
        self.infra
            .into_iter()
            .map(|(kind, (used_by, mut evidence))| {
                evidence.sort_unstable();
                evidence.dedup();
                Infra {
                    kind,
                    used_by: used_by.into_iter().collect(),
                    evidence,
                }
            })
            .collect()
    }
}

/// Shared state of one linking run.
pub(crate) struct Ctx<'a> {
    pub input: &'a LinkInput<'a>,
    pub names: names::Resolver,
    pub values: values::Values,
    pub follow: follow::Follow,
    pub closure: BTreeMap<String, BTreeSet<String>>,
    pub edges: EdgeSet,
    pub infra: InfraSet,
    pub diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Evidence for an attributed fact: at the fact for a service's own
    /// code, at the service's call into the library otherwise.
    pub(crate) fn evidence(&self, a: &follow::Attributed, note: &str, package: &str) -> Evidence {
        match &a.via {
            None => Evidence {
                location: a.location.clone(),
                note: note.to_string(),
            },
            Some(c) => Evidence {
                location: c.call_site.clone(),
                note: format!(
                    "{note} (in library `{package}` at {}, reached through `{}`)",
                    a.location, c.called
                ),
            },
        }
    }

    /// Does `package` see `other` (itself or a local dependency)?
    pub(crate) fn sees(&self, package: &str, other: &str) -> bool {
        package == other || self.closure.get(package).is_some_and(|d| d.contains(other))
    }

    pub(crate) fn diag(
        &mut self,
        code: DiagCode,
        severity: Severity,
        message: String,
        location: Option<Location>,
        snippet: Option<String>,
        service: Option<&str>,
    ) {
        let mut d = Diagnostic::new(code, severity, message);
        d.location = location;
        d.snippet = snippet;
        d.service = service.map(str::to_string);
        self.diags.push(d);
    }
}

/// Files whose facts count: not test files, not generated code
/// (`src/gen/`, `generated/` directories, files flagged generated).
pub(crate) fn live_files(c: &Crate) -> impl Iterator<Item = &ParsedFile> {
    c.files.iter().filter(|f| live(f))
}

/// Whether one file's facts count (see [`live_files`]).
pub(crate) fn live(f: &ParsedFile) -> bool {
    !f.in_test
        && !f.path.contains("/src/gen/")
        && !f.path.starts_with("src/gen/")
        && !f.path.split('/').any(|s| s == "generated")
}

/// Resolve the raw facts of `input` into the graph part of the model.
/// `accesses` are the scan's relational accesses (for the dual-write and
/// dedupe function facts).
pub fn link(input: &LinkInput<'_>, accesses: &[Access]) -> LinkOutput {
    link_sites(input).finish(accesses)
}

/// Linking done up to the point where the relational accesses are needed
/// (consumer dedupe, dual writes): [`Linked::finish`] takes them. This lets a
/// caller link while its SQL pass is still running.
pub struct Linked<'a> {
    ctx: Ctx<'a>,
    kafka: kafka::State,
    proto_services: Vec<ProtoService>,
}

/// The first part of [`link`]: every edge, topic and infrastructure fact.
pub fn link_sites<'a>(input: &'a LinkInput<'a>) -> Linked<'a> {
    let closure = nova_rust::attribution::dependency_closure(input.crates);
    let names = names::Resolver::new(input.services, input.manifests, input.config);
    let service_env = startup::service_env(&names, input.manifests);
    let values = values::Values::new(input.crates, &closure, &input.config.env, service_env);
    let follow = follow::Follow::new(input.crates, &closure);
    let mut ctx = Ctx {
        input,
        names,
        values,
        follow,
        closure,
        edges: EdgeSet::default(),
        infra: InfraSet::default(),
        diags: Vec::new(),
    };
    let proto_services = grpc::link(&mut ctx);
    http::link(&mut ctx);
    startup::manifest_urls(&mut ctx);
    let mut kafka = kafka::sites(&mut ctx);
    // (Neither needs the accesses: done here, beside the SQL pass, rather
    // than in `finish`, after it.)
    kafka::handlers(&ctx, &mut kafka);
    startup::link(&mut ctx);
    Linked {
        ctx,
        kafka,
        proto_services,
    }
}

impl Linked<'_> {
    /// The rest of [`link`], with the relational accesses of the scan.
    pub fn finish(self, accesses: &[Access]) -> LinkOutput {
        let Linked {
            mut ctx,
            kafka,
            proto_services,
        } = self;
        let (topics, functions) = kafka::finish(&ctx, kafka, accesses);
        let mut diagnostics = std::mem::take(&mut ctx.diags);
        Diagnostic::sort_and_dedup(&mut diagnostics);
        LinkOutput {
            edges: ctx.edges.into_edges(),
            topics,
            infrastructure: ctx.infra.into_infra(),
            functions,
            proto_services,
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests;
