//! The decoupling plan (seed 000), written from the model.
//!
//! For every synchronous dependency between services the plan proposes a
//! replacement, derived from the RPC (or HTTP method) name:
//!
//! - **token checks** (`Verify*`, `Validate*`, `Authenticate*`,
//!   `Authorize*`, anything with `Token`): local JWT verification;
//! - **queries** (`Get*`, `List*`, `Find*`, `Search*`, `Check*`, `Fetch*`,
//!   `Lookup*`, `Count*`..., HTTP `GET`): a local read model in the caller,
//!   fed by `<Entity>Created/Updated/Deleted` events the owner publishes on
//!   `<owner>-events` (entity from the RPC name: `GetPost` → `Post`; topic
//!   from the owner's name without `-service`: `content-events`);
//! - **commands** (anything else: `Create*`, `Attach*`, `Send*`..., HTTP
//!   `POST/PUT/PATCH/DELETE`): an event the caller publishes on
//!   `<caller>-events` (`AttachMedia` from media-service → `MediaAttached`
//!   on `media-events`; the name is a suggestion) and the callee consumes;
//! - **start-up dependencies**: remove the init container / `depends_on`
//!   (named with its manifest), in the phase that removes the last call
//!   between the same two services.
//!
//! Calls from gateways stay (gateways sit on top of the layering), and so do
//! calls accepted in `nova.toml` (`[[sync-calls]] level = "allow"` or an
//! `[[allow]]` entry for `sync-call`).
//!
//! Phases: 0 gives every multi-writer table one writer; then token checks
//! (simplest), start-up-only dependencies, read models, commands, and calls
//! nova could not classify. Within a phase, steps are ordered by the
//! callee's fan-in (most depended-on first). After each phase the plan
//! recomputes the layering with `nova-graph` with the phase's edges removed.
//!
//! Each checklist step is the `nova scaffold` command that implements it:
//!
//! - `nova scaffold outbox --service S --topic T --events E1,E2,...`:
//!   transactional outbox in service S publishing events E* on topic T;
//! - `nova scaffold consumer --service S --topic T --events E1,... [--read-model NAME]`:
//!   idempotent consumer in S for T, optionally maintaining the local table
//!   NAME from the events;
//! - `nova scaffold jwt-verify --service S`: local JWT verification in S.
//!
//! (`nova scaffold` itself is implemented separately; the plan only names
//! the commands.)

use nova_config::{Config, Level};
use nova_graph::{GraphEdge, GraphOptions, NodeKind, ServiceGraph};
use nova_model::{EdgeKind, Evidence, Model, Op};
use nova_rules::ownership::Ownership;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// How one synchronous call is replaced.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Replacement {
    /// Verify the token locally.
    Jwt,
    /// Keep a local read model of `entity`, fed by the callee's events.
    ReadModel { entity: String },
    /// Publish `event` from the caller; the callee consumes it.
    Command { event: String },
    /// Nova could not tell what the call does.
    Manual,
}

impl Replacement {
    fn category(&self) -> Category {
        match self {
            Replacement::Jwt => Category::Token,
            Replacement::ReadModel { .. } => Category::ReadModel,
            Replacement::Command { .. } => Category::Command,
            Replacement::Manual => Category::Manual,
        }
    }
}

/// Phase categories, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    Token,
    StartupOnly,
    ReadModel,
    Command,
    Manual,
}

impl Category {
    fn title(self) -> &'static str {
        match self {
            Category::Token => "local JWT verification (simplest)",
            Category::StartupOnly => "start-up ordering",
            Category::ReadModel => "read models fed by events",
            Category::Command => "commands become events",
            Category::Manual => "calls to classify by hand",
        }
    }
    fn why(self) -> &'static str {
        match self {
            Category::Token => {
                "Token checks need no data from the identity owner beyond its signing key: the lowest-risk change, and it removes the most depended-on edges first."
            }
            Category::StartupOnly => {
                "These services wait for others at start-up without calling them: removing the wait is configuration only."
            }
            Category::ReadModel => {
                "The caller reads data owned by another service; it keeps its own copy, updated from the owner's events (eventually consistent)."
            }
            Category::Command => {
                "The caller asks another service to change its data; it publishes an event instead and the owner reacts to it."
            }
            Category::Manual => {
                "nova could not tell from the RPC/URL names whether these calls read or change data: decide per call, then apply the read-model or event pattern."
            }
        }
    }
}

/// One call (one RPC or URL of an edge) and its replacement.
#[derive(Debug, Clone)]
struct Call {
    from: String,
    to: String,
    kind: EdgeKind,
    /// RPC name or URL (empty when unknown).
    name: String,
    replacement: Replacement,
    evidence: Vec<Evidence>,
}

/// A start-up dependency between two services.
#[derive(Debug, Clone)]
struct Startup {
    from: String,
    to: String,
    manifests: Vec<String>,
    evidence: Vec<Evidence>,
}

/// Split `GetPostsByIds` into `["Get", "Posts", "By", "Ids"]`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (cur
                .chars()
                .last()
                .is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => w,
            }
        })
        .collect()
}

pub(crate) fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower.ends_with("ies") && word.len() > 3 {
        format!("{}y", &word[..word.len() - 3])
    } else if lower.ends_with("sses")
        || lower.ends_with("xes")
        || lower.ends_with("ches")
        || lower.ends_with("shes")
    {
        word[..word.len() - 2].to_string()
    } else if lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("us")
        && word.len() > 1
    {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

fn snake(entity: &str) -> String {
    words(entity)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

pub(crate) fn plural_snake(entity: &str) -> String {
    let s = snake(entity);
    if s.ends_with("ia") || s.ends_with("ta") || s.ends_with("info") {
        s
    } else if s.ends_with('y') && !s.ends_with("ay") && !s.ends_with("ey") && !s.ends_with("oy") {
        format!("{}ies", &s[..s.len() - 1])
    } else if s.ends_with('s') || s.ends_with('x') || s.ends_with("ch") || s.ends_with("sh") {
        format!("{s}es")
    } else {
        format!("{s}s")
    }
}

pub(crate) fn past(verb: &str) -> String {
    const IRREGULAR: [(&str, &str); 12] = [
        ("Send", "Sent"),
        ("Set", "Set"),
        ("Put", "Put"),
        ("Make", "Made"),
        ("Write", "Written"),
        ("Build", "Built"),
        ("Bind", "Bound"),
        ("Take", "Taken"),
        ("Begin", "Begun"),
        ("Give", "Given"),
        ("Run", "Run"),
        ("Hide", "Hidden"),
    ];
    const DOUBLE: [&str; 11] = [
        "Stop", "Drop", "Ban", "Tag", "Pin", "Ship", "Flag", "Submit", "Commit", "Admit", "Plan",
    ];
    if let Some((_, p)) = IRREGULAR.iter().find(|(v, _)| *v == verb) {
        return p.to_string();
    }
    if DOUBLE.contains(&verb) {
        let last = verb.chars().last().unwrap_or('d');
        return format!("{verb}{last}ed");
    }
    let lower = verb.to_ascii_lowercase();
    if lower.ends_with('e') {
        format!("{verb}d")
    } else if lower.ends_with('y')
        && !matches!(
            lower.chars().rev().nth(1),
            Some('a' | 'e' | 'i' | 'o' | 'u')
        )
    {
        format!("{}ied", &verb[..verb.len() - 1])
    } else {
        format!("{verb}ed")
    }
}

pub(crate) fn pascal_stem(service: &str) -> String {
    words(&stem(service).replace(['-', '_'], " ")).concat()
}

/// `content-service` → `content`.
fn stem(service: &str) -> String {
    for suffix in ["-service", "_service", "-svc", "_svc", "-server", "_server"] {
        if let Some(s) = service.strip_suffix(suffix)
            && !s.is_empty()
        {
            return s.to_string();
        }
    }
    service.to_string()
}

/// `<stem>-events`.
pub(crate) fn events_topic(service: &str) -> String {
    format!("{}-events", stem(service))
}

const QUERY_VERBS: [&str; 16] = [
    "Get", "List", "Find", "Search", "Check", "Fetch", "Query", "Lookup", "Look", "Count", "Read",
    "Load", "Describe", "Exists", "Has", "Is",
];
const TOKEN_VERBS: [&str; 5] = [
    "Verify",
    "Validate",
    "Authenticate",
    "Authorize",
    "Introspect",
];

/// Entity of an RPC: the words after the verb, up to `By`/`For`/`With`...,
/// with the last word singular; the callee's name when there are none.
fn entity_of(rest: &[String], fallback: &str) -> String {
    let mut kept: Vec<String> = Vec::new();
    for (i, w) in rest.iter().enumerate() {
        if i > 0 && ["By", "For", "With", "From", "In", "Of", "To", "If"].contains(&w.as_str()) {
            break;
        }
        kept.push(w.clone());
    }
    match kept.pop() {
        Some(last) => {
            kept.push(singular(&last));
            kept.concat()
        }
        None => fallback.to_string(),
    }
}

pub(crate) fn classify_rpc(rpc: &str, from: &str, to: &str) -> Replacement {
    let mut w = words(rpc);
    if w.first().is_some_and(|f| f == "Batch" || f == "Bulk") && w.len() > 1 {
        w.remove(0);
    }
    let Some(verb) = w.first().cloned() else {
        return Replacement::Manual;
    };
    if TOKEN_VERBS.contains(&verb.as_str()) || w.iter().any(|x| x == "Token" || x == "Jwt") {
        return Replacement::Jwt;
    }
    if QUERY_VERBS.contains(&verb.as_str()) {
        return Replacement::ReadModel {
            entity: entity_of(&w[1..], &pascal_stem(to)),
        };
    }
    let entity = entity_of(&w[1..], &pascal_stem(from));
    Replacement::Command {
        event: format!("{entity}{}", past(&verb)),
    }
}

/// Classify an HTTP `via`: `GET /api/posts/{id}` → read model of `Post`.
pub(crate) fn classify_http(via: &str, from: &str, to: &str) -> Replacement {
    let mut parts = via.split_whitespace();
    let first = parts.next().unwrap_or("");
    let method = first.to_ascii_uppercase();
    let path = parts.next().unwrap_or("");
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
        return Replacement::Manual;
    }
    let lower = path.to_ascii_lowercase();
    if ["auth", "token", "verify", "introspect"]
        .iter()
        .any(|k| lower.contains(k))
    {
        return Replacement::Jwt;
    }
    let segment = path
        .split(['/', '?'])
        .rfind(|s| {
            !s.is_empty()
                && !s.starts_with('{')
                && !s.starts_with(':')
                && !s.chars().all(|c| c.is_ascii_digit())
                && !["api", "v1", "v2", "v3"].contains(s)
                && !s.contains("://")
                && !s.contains('.')
        })
        .unwrap_or("");
    let entity = if segment.is_empty() {
        String::new()
    } else {
        singular(&words(&segment.replace(['-', '_'], " ")).concat())
    };
    match method.as_str() {
        "GET" => Replacement::ReadModel {
            entity: if entity.is_empty() {
                pascal_stem(to)
            } else {
                entity
            },
        },
        m => {
            let verb = match m {
                "POST" => "Create",
                "DELETE" => "Delete",
                _ => "Update",
            };
            let entity = if entity.is_empty() {
                pascal_stem(from)
            } else {
                entity
            };
            Replacement::Command {
                event: format!("{entity}{}", past(verb)),
            }
        }
    }
}

fn accepted(config: &Config, from: &str, to: &str) -> bool {
    let m = |pattern: &str, name: &str| pattern == "*" || pattern == name;
    if let Some(p) = config
        .sync_calls
        .iter()
        .find(|p| m(&p.from, from) && m(&p.to, to))
    {
        return p.level == Level::Allow;
    }
    config.allow.iter().any(|e| {
        e.rule == "sync-call"
            && e.service.as_deref().is_none_or(|s| m(s, from))
            && e.to.as_deref().is_none_or(|t| m(t, to))
    })
}

pub(crate) fn wait_name(note: &str) -> Option<String> {
    let start = note.find("wait-for-")?;
    let name: String = note[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    Some(name)
}

fn startup_text(s: &Startup) -> String {
    let at = s
        .evidence
        .first()
        .map(|e| e.location.to_string())
        .or_else(|| s.manifests.first().cloned())
        .unwrap_or_default();
    match s.evidence.iter().find_map(|e| wait_name(&e.note)) {
        Some(name) => format!("Remove {}'s init container `{name}` (`{at}`)", s.from),
        None => format!(
            "Remove {}'s start-up dependency on {} (`{at}`)",
            s.from, s.to
        ),
    }
}

fn evidence_text(ev: &[Evidence]) -> String {
    ev.iter()
        .map(|e| format!("`{}` ({})", e.location, e.note))
        .collect::<Vec<_>>()
        .join("; ")
}

fn call_text(c: &Call) -> String {
    let how = match c.kind {
        EdgeKind::Grpc => "gRPC",
        EdgeKind::Http => "HTTP",
        EdgeKind::Startup => "start-up",
        EdgeKind::Kafka => "Kafka",
    };
    if c.name.is_empty() {
        format!("{how} (calls not identified)")
    } else {
        format!("{how} `{}`", c.name)
    }
}

pub(crate) fn crud_events(entity: &str) -> Vec<String> {
    ["Created", "Updated", "Deleted"]
        .iter()
        .map(|s| format!("{entity}{s}"))
        .collect()
}

/// Everything the plan is made of.
struct Plan {
    calls: Vec<Call>,
    startups: Vec<Startup>,
    kept: Vec<GraphEdge>,
    gateway_edges: Vec<GraphEdge>,
}

fn collect(graph: &ServiceGraph, config: &Config) -> Plan {
    let mut plan = Plan {
        calls: Vec::new(),
        startups: Vec::new(),
        kept: Vec::new(),
        gateway_edges: Vec::new(),
    };
    for e in graph.sync_edges() {
        if e.from == e.to {
            continue;
        }
        if graph
            .service(&e.from)
            .is_some_and(|n| n.kind == NodeKind::Gateway)
        {
            plan.gateway_edges.push(e.clone());
            continue;
        }
        if accepted(config, &e.from, &e.to) {
            plan.kept.push(e.clone());
            continue;
        }
        match e.kind {
            EdgeKind::Startup => plan.startups.push(Startup {
                from: e.from.clone(),
                to: e.to.clone(),
                manifests: e.via.clone(),
                evidence: e.evidence.clone(),
            }),
            EdgeKind::Grpc | EdgeKind::Http => {
                let names: Vec<String> = if e.via.is_empty() {
                    vec![String::new()]
                } else {
                    e.via.clone()
                };
                for name in names {
                    let replacement = if name.is_empty() {
                        Replacement::Manual
                    } else if e.kind == EdgeKind::Grpc {
                        classify_rpc(&name, &e.from, &e.to)
                    } else {
                        classify_http(&name, &e.from, &e.to)
                    };
                    plan.calls.push(Call {
                        from: e.from.clone(),
                        to: e.to.clone(),
                        kind: e.kind,
                        name,
                        replacement,
                        evidence: e.evidence.clone(),
                    });
                }
            }
            EdgeKind::Kafka => {}
        }
    }
    plan
}

/// Layering (services only) of `model` with the given pairs' sync edges
/// removed (a pair removes grpc, http and startup edges between them).
fn layering(model: &Model, removed: &BTreeSet<(String, String)>) -> BTreeMap<String, u32> {
    let mut m = model.clone();
    m.edges
        .retain(|e| !(e.kind.is_sync() && removed.contains(&(e.from.clone(), e.to.clone()))));
    let Ok(g) = ServiceGraph::build(&m, &GraphOptions::default()) else {
        return BTreeMap::new();
    };
    g.nodes()
        .iter()
        .filter(|n| n.kind.is_service())
        .filter_map(|n| n.layer.map(|l| (n.name.clone(), l)))
        .collect()
}

fn layers_line(layers: &BTreeMap<String, u32>) -> String {
    let mut by: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (s, l) in layers {
        by.entry(*l).or_default().push(s);
    }
    by.iter()
        .map(|(l, s)| format!("Layer {l}: {}", s.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The decoupling plan as Markdown (see the module docs for the method).
pub fn markdown(model: &Model, config: &Config) -> String {
    let mut out = String::new();
    let Ok(graph) = ServiceGraph::build(model, &GraphOptions::default()) else {
        return out;
    };
    let plan = collect(&graph, config);
    let _ = writeln!(out, "# Decoupling plan\n");
    let _ = writeln!(
        out,
        "Written by nova from the scan of `{}`. Every synchronous dependency between services is listed with its evidence, \
         replaced by an event-driven design, and scheduled in phases ordered by risk and fan-in.\n",
        model.root
    );

    // ---- Problem summary -------------------------------------------------
    let mut callers: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for c in &plan.calls {
        callers
            .entry(c.from.as_str())
            .or_default()
            .entry(c.to.as_str())
            .or_default()
            .push(format!("{} — {}", call_text(c), evidence_text(&c.evidence)));
    }
    for s in &plan.startups {
        callers
            .entry(s.from.as_str())
            .or_default()
            .entry(s.to.as_str())
            .or_default()
            .push(format!("start-up — {}", evidence_text(&s.evidence)));
    }
    let _ = writeln!(out, "## Problem summary\n");
    if callers.is_empty() {
        let _ = writeln!(
            out,
            "No service depends synchronously on another service (gateways aside). Nothing to decouple.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "{} service(s) depend directly on other services, so they cannot be deployed, scaled or fail independently:\n",
            callers.len()
        );
        for (i, (from, tos)) in callers.iter().enumerate() {
            let targets: Vec<&str> = tos.keys().copied().collect();
            let _ = writeln!(out, "{}. **{from}** → {}", i + 1, targets.join(" + "));
            for (to, lines) in tos {
                for l in lines {
                    let _ = writeln!(out, "   - {to}: {l}");
                }
            }
        }
        out.push('\n');
    }
    let chain = graph.longest_chain(nova_graph::DEFAULT_HOP_AVAILABILITY);
    if chain.hops > 0 {
        let _ = writeln!(
            out,
            "Longest synchronous chain: {} ({} hop{}; at {:.1}% per hop the whole chain is up {:.2}% of the time).\n",
            chain.services.join(" → "),
            chain.hops,
            if chain.hops == 1 { "" } else { "s" },
            chain.per_hop * 100.0,
            chain.availability * 100.0
        );
    }
    for c in graph.sync_cycles() {
        let _ = writeln!(
            out,
            "Synchronous cycle: {} — none of them can start or fail independently; the plan breaks it.\n",
            c.join(", ")
        );
    }
    let current = layering(model, &BTreeSet::new());
    let _ = writeln!(out, "Current layering: {}.\n", layers_line(&current));

    // ---- Replacements ----------------------------------------------------
    let fan_in = |s: &str| graph.fan(s).sync_in;
    if !plan.calls.is_empty() || !plan.startups.is_empty() {
        let _ = writeln!(out, "## Replacements\n");
        let mut pairs: BTreeSet<(&str, &str)> = plan
            .calls
            .iter()
            .map(|c| (c.from.as_str(), c.to.as_str()))
            .collect();
        pairs.extend(
            plan.startups
                .iter()
                .map(|s| (s.from.as_str(), s.to.as_str())),
        );
        for (i, (from, to)) in pairs.iter().enumerate() {
            let _ = writeln!(out, "### {}. {from} → {to}\n", i + 1);
            let calls: Vec<&Call> = plan
                .calls
                .iter()
                .filter(|c| c.from == *from && c.to == *to)
                .collect();
            for c in &calls {
                let now = match c.kind {
                    EdgeKind::Http => format!("{from} --HTTP--> {to} {}", c.name),
                    _ => format!("{from} --gRPC--> {to}.{}()", c.name),
                };
                let _ = writeln!(out, "**Now:** `{now}`\n");
                match &c.replacement {
                    Replacement::Jwt => {
                        let _ = writeln!(
                            out,
                            "**Replace with:** local JWT verification. {to} issues signed tokens at login; {from} verifies the signature and expiry itself and reads the user id and roles from the claims, without calling {to}.\n"
                        );
                    }
                    Replacement::ReadModel { entity } => {
                        let topic = events_topic(to);
                        let _ = writeln!(
                            out,
                            "**Replace with:** a local read model. {to} publishes `{}` on `{topic}` (transactional outbox); {from} consumes `{topic}` and keeps its own `{}` table, reading it instead of calling {}. Eventually consistent (usually well under a second).\n",
                            crud_events(entity).join("`, `"),
                            plural_snake(entity),
                            if c.name.is_empty() {
                                "the service".to_string()
                            } else {
                                format!("`{}`", c.name)
                            }
                        );
                    }
                    Replacement::Command { event } => {
                        let topic = events_topic(from);
                        let _ = writeln!(
                            out,
                            "**Replace with:** an event. {from} publishes `{event}` on `{topic}` (transactional outbox) instead of calling `{}`; {to} consumes `{topic}` and applies the change itself. `{event}` is a suggested name (entity + past-tense verb from the RPC); rename it after the domain fact it records.\n",
                            c.name
                        );
                    }
                    Replacement::Manual => {
                        let _ = writeln!(
                            out,
                            "**Replace with:** to decide. nova could not tell whether this call reads or changes data; use a read model fed by {to}'s events for reads, an event published by {from} for changes.\n"
                        );
                    }
                }
            }
            for s in plan
                .startups
                .iter()
                .filter(|s| s.from == *from && s.to == *to)
            {
                let _ = writeln!(out, "**Start-up:** {}.\n", startup_text(s));
            }
        }
    }

    // ---- Phases ----------------------------------------------------------
    let _ = writeln!(out, "## Phases\n");
    let mut phase_no = 0usize;
    let multi = multi_writer_phase(model);
    if !multi.is_empty() {
        let _ = writeln!(out, "### Phase 0: give every table one writer\n");
        let _ = writeln!(
            out,
            "Tables written by several services have no owner to publish their events; fix ownership first (see the ownership matrix).\n"
        );
        out.push_str(&multi);
    }
    // Category of each pair's last call; startup-only pairs get StartupOnly.
    let mut pair_category: BTreeMap<(String, String), Category> = BTreeMap::new();
    for c in &plan.calls {
        let e = pair_category
            .entry((c.from.clone(), c.to.clone()))
            .or_insert(Category::Token);
        *e = (*e).max(c.replacement.category());
    }
    for s in &plan.startups {
        pair_category
            .entry((s.from.clone(), s.to.clone()))
            .or_insert(Category::StartupOnly);
    }
    let mut removed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut before = current.clone();
    for cat in [
        Category::Token,
        Category::StartupOnly,
        Category::ReadModel,
        Category::Command,
        Category::Manual,
    ] {
        let mut calls: Vec<&Call> = plan
            .calls
            .iter()
            .filter(|c| c.replacement.category() == cat)
            .collect();
        let startups: Vec<&Startup> = plan
            .startups
            .iter()
            .filter(|s| pair_category.get(&(s.from.clone(), s.to.clone())) == Some(&cat))
            .collect();
        if calls.is_empty() && startups.is_empty() {
            continue;
        }
        calls.sort_by(|a, b| {
            (std::cmp::Reverse(fan_in(&a.to)), &a.to, &a.from, &a.name).cmp(&(
                std::cmp::Reverse(fan_in(&b.to)),
                &b.to,
                &b.from,
                &b.name,
            ))
        });
        phase_no += 1;
        let _ = writeln!(out, "### Phase {phase_no}: {}\n", cat.title());
        let _ = writeln!(out, "{}\n", cat.why());
        let mut edges_here: Vec<String> = calls
            .iter()
            .map(|c| format!("{} → {} ({})", c.from, c.to, call_text(c)))
            .collect();
        edges_here.extend(
            startups
                .iter()
                .map(|s| format!("{} → {} (start-up)", s.from, s.to)),
        );
        let _ = writeln!(out, "Removes: {}.\n", edges_here.join("; "));
        let _ = writeln!(out, "Checklist:\n");
        let mut steps: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !steps.contains(&s) {
                steps.push(s);
            }
        };
        match cat {
            Category::Token => {
                let issuers: BTreeSet<&str> = calls.iter().map(|c| c.to.as_str()).collect();
                for i in issuers {
                    push(format!(
                        "{i} issues signed JWTs (keep its login RPC; publish the verification key)"
                    ));
                }
                for c in &calls {
                    push(format!("`nova scaffold jwt-verify --service {}`", c.from));
                }
                for c in &calls {
                    if !c.name.is_empty() {
                        push(format!("{} stops calling `{}` on {}", c.from, c.name, c.to));
                    }
                }
            }
            Category::ReadModel => {
                let mut by_owner: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
                let mut owner_order: Vec<&str> = Vec::new();
                for c in &calls {
                    if let Replacement::ReadModel { entity } = &c.replacement {
                        if !owner_order.contains(&c.to.as_str()) {
                            owner_order.push(&c.to);
                        }
                        by_owner.entry(&c.to).or_default().insert(entity.clone());
                    }
                }
                for o in &owner_order {
                    let events: Vec<String> = by_owner
                        .get(o)
                        .map(|es| es.iter().flat_map(|e| crud_events(e)).collect())
                        .unwrap_or_default();
                    push(format!(
                        "`nova scaffold outbox --service {o} --topic {} --events {}`",
                        events_topic(o),
                        events.join(",")
                    ));
                }
                for c in &calls {
                    if let Replacement::ReadModel { entity } = &c.replacement {
                        push(format!(
                            "`nova scaffold consumer --service {} --topic {} --events {} --read-model {}`",
                            c.from,
                            events_topic(&c.to),
                            crud_events(entity).join(","),
                            plural_snake(entity)
                        ));
                    }
                }
                for c in &calls {
                    if let Replacement::ReadModel { entity } = &c.replacement {
                        push(format!(
                            "{} reads its local `{}` instead of calling `{}` on {}",
                            c.from,
                            plural_snake(entity),
                            c.name,
                            c.to
                        ));
                    }
                }
            }
            Category::Command => {
                let mut by_caller: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                let mut order: Vec<&str> = Vec::new();
                for c in &calls {
                    if let Replacement::Command { event } = &c.replacement {
                        if !order.contains(&c.from.as_str()) {
                            order.push(&c.from);
                        }
                        let v = by_caller.entry(&c.from).or_default();
                        if !v.contains(event) {
                            v.push(event.clone());
                        }
                    }
                }
                for f in &order {
                    let events = by_caller.get(f).cloned().unwrap_or_default();
                    push(format!(
                        "`nova scaffold outbox --service {f} --topic {} --events {}`",
                        events_topic(f),
                        events.join(",")
                    ));
                }
                for c in &calls {
                    if let Replacement::Command { event } = &c.replacement {
                        push(format!(
                            "`nova scaffold consumer --service {} --topic {} --events {event}`",
                            c.to,
                            events_topic(&c.from)
                        ));
                    }
                }
                for c in &calls {
                    if let Replacement::Command { event } = &c.replacement {
                        push(format!(
                            "{} publishes `{event}` instead of calling `{}` on {}",
                            c.from, c.name, c.to
                        ));
                    }
                }
            }
            Category::Manual => {
                for c in &calls {
                    push(format!(
                        "Classify {} → {} ({}): read (read model) or change (event)",
                        c.from,
                        c.to,
                        call_text(c)
                    ));
                }
            }
            Category::StartupOnly => {}
        }
        for s in &startups {
            push(startup_text(s));
        }
        push(match cat {
            Category::Token => "Test the authentication flow".to_string(),
            Category::ReadModel => {
                "Test the event flow end to end (create, update, delete reach the read model)"
                    .to_string()
            }
            Category::Command => {
                "Test the flow end to end (the consumer applies each event exactly once)"
                    .to_string()
            }
            _ => "Test a cold start of every service in any order".to_string(),
        });
        push(
            "`nova audit` no longer reports these sync-call / startup-dependency findings"
                .to_string(),
        );
        for s in &steps {
            let _ = writeln!(out, "- [ ] {s}");
        }
        out.push('\n');
        for c in &calls {
            if plan
                .calls
                .iter()
                .filter(|x| x.from == c.from && x.to == c.to)
                .all(|x| x.replacement.category() <= cat)
            {
                removed.insert((c.from.clone(), c.to.clone()));
            }
        }
        for s in &startups {
            removed.insert((s.from.clone(), s.to.clone()));
        }
        let after = layering(model, &removed);
        let changes: Vec<String> = after
            .iter()
            .filter_map(|(s, l)| {
                let b = before.get(s).copied().unwrap_or(*l);
                (b != *l).then(|| format!("{s} moves from Layer {b} to Layer {l}"))
            })
            .collect();
        if changes.is_empty() {
            let _ = writeln!(out, "**Expected effect:** no layer changes yet.\n");
        } else {
            let _ = writeln!(out, "**Expected effect:** {}.\n", changes.join("; "));
        }
        let _ = writeln!(
            out,
            "Layering after phase {phase_no}: {}.\n",
            layers_line(&after)
        );
        before = after;
    }
    if phase_no == 0 && multi.is_empty() {
        let _ = writeln!(out, "Nothing to do.\n");
    }

    // ---- Target ----------------------------------------------------------
    let _ = writeln!(out, "## Target architecture\n");
    let infra: Vec<&str> = graph
        .nodes()
        .iter()
        .filter(|n| n.kind == NodeKind::Infrastructure)
        .map(|n| n.name.as_str())
        .collect();
    let _ = writeln!(
        out,
        "- Layer 0, infrastructure: {}",
        if infra.is_empty() {
            "—".to_string()
        } else {
            infra.join(", ")
        }
    );
    let mut by: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (s, l) in &before {
        by.entry(*l).or_default().push(s.clone());
    }
    let gateways: BTreeSet<&str> = graph
        .nodes()
        .iter()
        .filter(|n| n.kind == NodeKind::Gateway)
        .map(|n| n.name.as_str())
        .collect();
    for (l, names) in &by {
        let what = if names.iter().all(|n| gateways.contains(n.as_str())) {
            "gateways"
        } else if *l == 1 {
            "independent services (depend on infrastructure only)"
        } else {
            "services"
        };
        let _ = writeln!(out, "- Layer {l}, {what}: {}", names.join(", "));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Services talk through Kafka events and verify JWTs locally; each can be deployed, scaled and fail on its own (eventual consistency).\n"
    );
    if !plan.gateway_edges.is_empty() {
        let list: Vec<String> = plan
            .gateway_edges
            .iter()
            .map(|e| format!("{} → {} ({})", e.from, e.to, e.kind))
            .collect();
        let _ = writeln!(
            out,
            "Kept: gateway calls (gateways sit on top): {}.\n",
            list.join(", ")
        );
    }
    if !plan.kept.is_empty() {
        let list: Vec<String> = plan
            .kept
            .iter()
            .map(|e| format!("{} → {} ({})", e.from, e.to, e.kind))
            .collect();
        let _ = writeln!(
            out,
            "Kept on purpose (accepted in nova.toml): {}.\n",
            list.join(", ")
        );
    }

    // ---- Notes -----------------------------------------------------------
    let _ = writeln!(out, "## Notes\n");
    for n in [
        "**Eventual consistency**: read models lag their owner (usually under a second); UIs should update optimistically.",
        "**Ordering**: Kafka orders events within a partition only; key each topic by the entity id (e.g. the post id) so one entity's events stay in order.",
        "**Duplicates**: delivery is at least once; every consumer records processed event ids in the same transaction as its effect (the scaffolded consumer does).",
        "**Schema versioning**: version event payloads and only add optional fields; use a schema registry (Protobuf/Avro) for shared contracts.",
        "**Monitoring**: alert on consumer lag per topic and consumer group, and on the outbox backlog.",
    ] {
        let _ = writeln!(out, "- {n}");
    }
    out
}

/// Phase 0 text: one entry per multi-writer table (empty when none).
fn multi_writer_phase(model: &Model) -> String {
    let mut out = String::new();
    let index = Ownership::new(model);
    for t in index.tables() {
        let w = index.writers(t);
        if w.len() < 2 {
            continue;
        }
        let (target, why) = crate::fix::proposed_writer(&index, t);
        let who: Vec<String> = w.iter().map(|(s, o)| format!("{s} ({o})")).collect();
        let _ = writeln!(
            out,
            "`{t}` is written by {}. Proposed single writer: **{target}** ({why}).\n",
            who.join(", ")
        );
        let _ = writeln!(out, "Checklist:\n");
        for (s, _) in w.iter().filter(|(s, _)| **s != target) {
            for a in index
                .accesses(t)
                .iter()
                .filter(|a| a.service == *s && a.op.is_write())
            {
                let via = match (&a.via_library, &a.call_site) {
                    (Some(lib), Some(site)) => format!(" (library {lib}, called at `{site}`)"),
                    (Some(lib), None) => format!(" (library {lib})"),
                    _ => String::new(),
                };
                let verb = match a.op {
                    Op::Create => "insert",
                    Op::Update => "update",
                    Op::Delete => "delete",
                    Op::Read => "read",
                };
                let _ = writeln!(
                    out,
                    "- [ ] {s}: move the {verb} at `{}`{via} behind {target} (send it a command event or call its API)",
                    a.location
                );
            }
        }
        let _ = writeln!(
            out,
            "- [ ] Declare the owner in nova.toml: `[tables.{t}] owner = \"{target}\"`"
        );
        let _ = writeln!(
            out,
            "- [ ] `nova audit` reports no multi-writer finding for `{t}`\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::seed_model;
    use nova_config::{ConfigSpan, SyncCallRule};

    fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let Some(i) = text.find(start) else {
            panic!("no {start:?} in\n{text}")
        };
        let rest = &text[i..];
        match rest[start.len()..].find(end) {
            Some(j) => &rest[..start.len() + j],
            None => rest,
        }
    }

    #[test]
    fn naming() {
        assert_eq!(words("GetPostsByIds"), vec!["Get", "Posts", "By", "Ids"]);
        assert_eq!(words("get_user_profile"), vec!["Get", "User", "Profile"]);
        assert_eq!(
            classify_rpc("GetPost", "feed-service", "content-service"),
            Replacement::ReadModel {
                entity: "Post".into()
            }
        );
        assert_eq!(
            classify_rpc("ListMessages", "a", "b"),
            Replacement::ReadModel {
                entity: "Message".into()
            }
        );
        assert_eq!(
            classify_rpc("BatchGetUsersByIds", "a", "b"),
            Replacement::ReadModel {
                entity: "User".into()
            }
        );
        assert_eq!(
            classify_rpc("AttachMedia", "media-service", "content-service"),
            Replacement::Command {
                event: "MediaAttached".into()
            }
        );
        assert_eq!(
            classify_rpc("SendMessage", "a", "b"),
            Replacement::Command {
                event: "MessageSent".into()
            }
        );
        assert_eq!(
            classify_rpc("CreatePost", "a", "b"),
            Replacement::Command {
                event: "PostCreated".into()
            }
        );
        assert_eq!(classify_rpc("VerifyUser", "a", "b"), Replacement::Jwt);
        assert_eq!(classify_rpc("RefreshToken", "a", "b"), Replacement::Jwt);
        assert_eq!(
            classify_http("GET /api/v1/posts/{id}", "a", "b"),
            Replacement::ReadModel {
                entity: "Post".into()
            }
        );
        assert_eq!(
            classify_http("DELETE /api/comments/:id", "a", "b"),
            Replacement::Command {
                event: "CommentDeleted".into()
            }
        );
        assert_eq!(
            classify_http("CONTENT_SERVICE_URL", "a", "b"),
            Replacement::Manual
        );
        assert_eq!(plural_snake("UserProfile"), "user_profiles");
        assert_eq!(plural_snake("Entry"), "entries");
        assert_eq!(plural_snake("Media"), "media");
        assert_eq!(past("Stop"), "Stopped");
        assert_eq!(past("Apply"), "Applied");
        assert_eq!(events_topic("content-service"), "content-events");
    }

    #[test]
    fn seed_plan_phases() {
        let p = markdown(&seed_model(), &Config::default());
        assert_eq!(p, markdown(&seed_model(), &Config::default()));
        let summary = section(&p, "## Problem summary", "## Replacements");
        for line in [
            "1. **feed-service** → content-service",
            "   - content-service: gRPC `GetPost` — `feed-service/src/clients.rs:10` (ContentServiceClient::connect)",
            "   - content-service: start-up — `k8s/feed-service.yaml:20` (initContainers: wait-for-content-service)",
            "2. **media-service** → content-service",
            "3. **messaging-service** → identity-service",
            "4. **realtime-chat-service** → identity-service + messaging-service",
        ] {
            assert!(
                summary.lines().any(|l| l == line),
                "missing {line:?} in\n{summary}"
            );
        }
        assert!(summary.contains("Longest synchronous chain: realtime-chat-service → messaging-service → identity-service (2 hops; at 99.9% per hop the whole chain is up 99.80% of the time)."));
        assert!(!summary.contains("**graphql-gateway**"));

        let p0 = section(
            &p,
            "### Phase 0: give every table one writer",
            "### Phase 1",
        );
        assert!(p0.contains("`users` is written by identity-service (CRUD), messaging-service (RU). Proposed single writer: **identity-service** (its migration creates the table)."));
        assert!(p0.contains("- [ ] messaging-service: move the update at `libs/db-common/src/users.rs:12` (library db-common, called at `messaging-service/src/main.rs:40`) behind identity-service"));

        let p1 = section(
            &p,
            "### Phase 1: local JWT verification (simplest)",
            "### Phase 2",
        );
        for line in [
            "- [ ] `nova scaffold jwt-verify --service messaging-service`",
            "- [ ] `nova scaffold jwt-verify --service realtime-chat-service`",
            "- [ ] Remove messaging-service's init container `wait-for-identity-service` (`k8s/messaging-service.yaml:19`)",
            "**Expected effect:** graphql-gateway moves from Layer 4 to Layer 3; messaging-service moves from Layer 2 to Layer 1; realtime-chat-service moves from Layer 3 to Layer 2.",
        ] {
            assert!(p1.lines().any(|l| l == line), "missing {line:?} in\n{p1}");
        }
        assert!(!p1.contains("GetPost"));

        let p2 = section(&p, "### Phase 2: read models fed by events", "### Phase 3");
        for line in [
            "- [ ] `nova scaffold outbox --service content-service --topic content-events --events PostCreated,PostUpdated,PostDeleted`",
            "- [ ] `nova scaffold consumer --service feed-service --topic content-events --events PostCreated,PostUpdated,PostDeleted --read-model posts`",
            "- [ ] `nova scaffold outbox --service messaging-service --topic messaging-events --events MessageCreated,MessageUpdated,MessageDeleted`",
            "- [ ] `nova scaffold consumer --service realtime-chat-service --topic messaging-events --events MessageCreated,MessageUpdated,MessageDeleted --read-model messages`",
            "- [ ] Remove feed-service's init container `wait-for-content-service` (`k8s/feed-service.yaml:20`)",
            "**Expected effect:** feed-service moves from Layer 2 to Layer 1; realtime-chat-service moves from Layer 2 to Layer 1.",
        ] {
            assert!(p2.lines().any(|l| l == line), "missing {line:?} in\n{p2}");
        }
        // content-service (fan-in 3) comes before messaging-service (fan-in 1).
        assert!(
            p2.find("--service content-service").unwrap_or(usize::MAX)
                < p2.find("--service messaging-service").unwrap_or(0)
        );

        let p3 = section(
            &p,
            "### Phase 3: commands become events",
            "## Target architecture",
        );
        for line in [
            "- [ ] `nova scaffold outbox --service media-service --topic media-events --events MediaAttached`",
            "- [ ] `nova scaffold consumer --service content-service --topic media-events --events MediaAttached`",
            "- [ ] media-service publishes `MediaAttached` instead of calling `AttachMedia` on content-service",
            "- [ ] Remove media-service's init container `wait-for-content-service` (`k8s/media-service.yaml:18`)",
            "**Expected effect:** graphql-gateway moves from Layer 3 to Layer 2; media-service moves from Layer 2 to Layer 1.",
        ] {
            assert!(p3.lines().any(|l| l == line), "missing {line:?} in\n{p3}");
        }
        let target = section(&p, "## Target architecture", "## Notes");
        for line in [
            "- Layer 0, infrastructure: kafka, postgres, redis",
            "- Layer 1, independent services (depend on infrastructure only): content-service, feed-service, identity-service, media-service, messaging-service, realtime-chat-service",
            "- Layer 2, gateways: graphql-gateway",
        ] {
            assert!(
                target.lines().any(|l| l == line),
                "missing {line:?} in\n{target}"
            );
        }
    }

    #[test]
    fn accepted_pairs_are_kept() {
        let mut c = Config::default();
        c.sync_calls.push(SyncCallRule {
            from: "media-service".into(),
            to: "content-service".into(),
            level: Level::Allow,
            span: ConfigSpan::default(),
        });
        let p = markdown(&seed_model(), &c);
        assert!(!p.contains("AttachMedia"));
        assert!(!p.contains("### Phase 3"));
        assert!(p.contains("Kept on purpose (accepted in nova.toml): media-service → content-service (grpc), media-service → content-service (startup)."));
        assert!(p.contains("- Layer 2, services: media-service"));
    }
}
