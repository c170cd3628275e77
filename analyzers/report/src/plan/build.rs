//! The plan itself: each synchronous call classified (token check, query,
//! command, start-up dependency), its replacement, events and topics, and the
//! phases with the layering after each.

use nova_config::{Config, Level};
use nova_graph::{GraphEdge, GraphOptions, NodeKind, ServiceGraph};
use nova_model::{EdgeKind, Evidence, Model};
use std::collections::{BTreeMap, BTreeSet};

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
    pub(super) fn category(&self) -> Category {
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
pub(super) enum Category {
    Token,
    StartupOnly,
    ReadModel,
    Command,
    Manual,
}

impl Category {
    pub(super) fn title(self) -> &'static str {
        match self {
            Category::Token => "local JWT verification (simplest)",
            Category::StartupOnly => "start-up ordering",
            Category::ReadModel => "read models fed by events",
            Category::Command => "commands become events",
            Category::Manual => "calls to classify by hand",
        }
    }
    pub(super) fn why(self) -> &'static str {
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
pub(super) struct Call {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) kind: EdgeKind,
    /// RPC name or URL (empty when unknown).
    pub(super) name: String,
    pub(super) replacement: Replacement,
    pub(super) evidence: Vec<Evidence>,
    /// Where the caller sets the callee's address (`Edge::address`).
    pub(super) address: Vec<Evidence>,
}

/// A start-up dependency between two services.
#[derive(Debug, Clone)]
pub(super) struct Startup {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) manifests: Vec<String>,
    pub(super) evidence: Vec<Evidence>,
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

pub(super) fn snake(entity: &str) -> String {
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
pub(super) fn stem(service: &str) -> String {
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

pub(super) const QUERY_VERBS: [&str; 16] = [
    "Get", "List", "Find", "Search", "Check", "Fetch", "Query", "Lookup", "Look", "Count", "Read",
    "Load", "Describe", "Exists", "Has", "Is",
];
pub(super) const TOKEN_VERBS: [&str; 5] = [
    "Verify",
    "Validate",
    "Authenticate",
    "Authorize",
    "Introspect",
];

/// Entity of an RPC: the words after the verb, up to `By`/`For`/`With`...,
/// with the last word singular; the callee's name when there are none.
pub(super) fn entity_of(rest: &[String], fallback: &str) -> String {
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

pub(super) fn accepted(config: &Config, from: &str, to: &str) -> bool {
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

pub(super) fn startup_text(s: &Startup) -> String {
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

pub(super) fn evidence_text(ev: &[Evidence]) -> String {
    ev.iter()
        .map(|e| format!("`{}` ({})", e.location, e.note))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn call_text(c: &Call) -> String {
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

/// The call sites of `c` in its edge's evidence: for gRPC the calls of its RPC
/// (`identity.verify_user() -> IdentityService/VerifyUser`), for HTTP the requests
/// in Rust code.
fn call_sites(c: &Call) -> Vec<&Evidence> {
    c.evidence
        .iter()
        .filter(|e| match c.kind {
            EdgeKind::Grpc => {
                e.note.contains("() -> ") && e.note.ends_with(&format!("/{}", c.name))
            }
            _ => e.location.file.ends_with(".rs"),
        })
        .collect()
}

/// Where the client of a gRPC call is built (`IdentityServiceClient::connect`).
fn client_sites(c: &Call) -> Vec<&Evidence> {
    c.evidence
        .iter()
        .filter(|e| {
            c.kind == EdgeKind::Grpc
                && ["::connect", "::new", "::with_interceptor"]
                    .iter()
                    .any(|s| e.note.ends_with(s))
        })
        .collect()
}

/// What the person edits by hand for `c`, after the checklist step that names it:
/// the call to remove (`file:line`) and, with the last call between the two
/// services (`last`), the client and the address setting that go with it. Empty
/// when the model has none of them.
pub(super) fn hand_edit(c: &Call, last: bool) -> String {
    let list = |ev: &[&Evidence]| {
        ev.iter()
            .map(|e| format!("`{}` ({})", e.location, e.note))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    let calls = call_sites(c);
    if !calls.is_empty() {
        let what = if calls.len() == 1 {
            "the call"
        } else {
            "the calls"
        };
        parts.push(format!("{what} at {}", list(&calls)));
    }
    if last {
        let clients = client_sites(c);
        if !clients.is_empty() {
            parts.push(format!("its client at {}", list(&clients)));
        }
        let mut names: Vec<&str> = Vec::new();
        for e in &c.address {
            let name = e.note.split('=').next().unwrap_or(&e.note);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if !c.address.is_empty() {
            let at: Vec<String> = c
                .address
                .iter()
                .map(|e| format!("`{}`", e.location))
                .collect();
            parts.push(format!(
                "the address setting {} ({})",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                at.join(", ")
            ));
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    let last_part = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        format!(": remove {last_part}")
    } else {
        format!(": remove {}, then {last_part}", parts.join(", "))
    }
}

pub(crate) fn crud_events(entity: &str) -> Vec<String> {
    ["Created", "Updated", "Deleted"]
        .iter()
        .map(|s| format!("{entity}{s}"))
        .collect()
}

/// Whether `c` is the last call between its two services to go (the latest
/// phase, then the name): the client and the address go with it.
pub(super) fn last_of_pair(c: &Call, calls: &[Call]) -> bool {
    let key = |x: &Call| (x.replacement.category(), x.name.clone());
    calls
        .iter()
        .filter(|x| x.from == c.from && x.to == c.to)
        .all(|x| key(x) <= key(c))
}

/// Everything the plan is made of.
pub(super) struct Plan {
    pub(super) calls: Vec<Call>,
    pub(super) startups: Vec<Startup>,
    pub(super) kept: Vec<GraphEdge>,
    pub(super) gateway_edges: Vec<GraphEdge>,
}

pub(super) fn collect(graph: &ServiceGraph, model: &Model, config: &Config) -> Plan {
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
                    let address = model
                        .edges
                        .iter()
                        .find(|m| m.from == e.from && m.to == e.to && m.kind == e.kind)
                        .map(|m| m.address.clone())
                        .unwrap_or_default();
                    plan.calls.push(Call {
                        from: e.from.clone(),
                        to: e.to.clone(),
                        kind: e.kind,
                        name,
                        replacement,
                        evidence: e.evidence.clone(),
                        address,
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
pub(super) fn layering(
    model: &Model,
    removed: &BTreeSet<(String, String)>,
) -> BTreeMap<String, u32> {
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

pub(super) fn layers_line(layers: &BTreeMap<String, u32>) -> String {
    let mut by: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (s, l) in layers {
        by.entry(*l).or_default().push(s);
    }
    by.iter()
        .map(|(l, s)| format!("Layer {l}: {}", s.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}
