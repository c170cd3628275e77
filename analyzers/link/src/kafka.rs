//! Kafka: topics with their producers and consumers (code, outbox, config
//! files), producer -> consumer edges, and per-function facts.

use crate::cuts::expr_text;
use crate::follow::{Attributed, attribute};
use crate::{Ctx, live_files};
use nova_manifests::{ConfigTopicRole, ManifestKind};
use nova_model::{
    Access, DiagCode, EdgeKind, Evidence, FunctionFacts, InfraKind, Location, Severity, Topic,
    TopicEndpoint, TopicVia,
};
use nova_rust::graph::{StrExpr, TopicApi, TopicRole, TopicSite};
use nova_rust::sql::SqlExpr;
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod dual_writes;

/// Tables whose access means "this consumer deduplicates".
fn dedupe_table(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    t.contains("processed_event")
        || t.contains("processed_message")
        || t.contains("inbox")
        || t.contains("dedup")
        || t.contains("idempot")
}

#[derive(Default)]
struct FnBuild {
    location: Option<Location>,
    /// Tables written by the functions it calls (dual writes across calls).
    writes_via_calls: BTreeSet<String>,
    produces_direct: BTreeSet<String>,
    produces_outbox: BTreeSet<String>,
    consumer_handler: bool,
    dedupes: bool,
}

#[derive(Default)]
struct TopicBuild {
    producers: BTreeSet<TopicEndpoint>,
    consumers: BTreeSet<TopicEndpoint>,
}

pub(crate) struct State {
    /// Unresolved outbox topics, reported only for services with no
    /// resolved outbox topic (`Outbox::new(topic)` names it elsewhere).
    outbox_pending: Vec<(String, nova_model::Diagnostic)>,
    topics: BTreeMap<String, TopicBuild>,
    fns: BTreeMap<(String, String), FnBuild>,
    /// Services with topics in their config files, per role.
    config_roles: BTreeSet<(String, TopicRole)>,
    /// (topic, service, role) -> where the topic's value came from, for
    /// values that went through fields and parameters (`file:line` hops).
    hops: BTreeMap<(String, String, TopicRole), BTreeSet<String>>,
}

impl State {
    fn endpoint(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: &str,
        role: TopicRole,
        via: TopicVia,
        a: &Attributed,
        package: &str,
    ) {
        let ep = TopicEndpoint {
            service: a.service.clone(),
            via,
            location: a.location.clone(),
        };
        // (The topic is copied only the first time it is met.)
        let t = match self.topics.get_mut(topic) {
            Some(t) => t,
            None => self.topics.entry(topic.to_string()).or_default(),
        };
        match role {
            TopicRole::Produce => t.producers.insert(ep),
            TopicRole::Consume => t.consumers.insert(ep),
        };
        let note = match role {
            TopicRole::Produce => format!("produces `{topic}`"),
            TopicRole::Consume => format!("consumes `{topic}`"),
        };
        let ev = ctx.evidence(a, &note, package);
        ctx.infra.add(InfraKind::Kafka, Some(&a.service), ev);
        if role == TopicRole::Produce
            && let Some(f) = &a.function
        {
            let b = self.fns.entry((a.service.clone(), f.clone())).or_default();
            if b.location.is_none() {
                b.location = Some(a.location.clone());
            }
            match via {
                TopicVia::Outbox => b.produces_outbox.insert(topic.to_string()),
                _ => b.produces_direct.insert(topic.to_string()),
            };
        }
    }

    /// Record a topic site; `relay`: where the outbox row it writes is
    /// published (evidence); `called`: the services running a call that
    /// hands in the row the site writes, and that call's location (an ORM
    /// insert of a row its caller hands in writes that caller's topic for
    /// the services running the call, not for every service running the
    /// insert).
    fn site(
        &mut self,
        ctx: &mut Ctx<'_>,
        c: &Crate,
        f: &ParsedFile,
        s: &TopicSite,
        relay: Option<&str>,
        called: Option<&(BTreeSet<String>, String)>,
    ) {
        for a in attribute(
            &ctx.follow,
            c,
            &f.path,
            &f.module,
            s.function.as_deref(),
            s.line,
        ) {
            if called.is_some_and(|(callers, _)| !callers.contains(&a.service)) {
                continue;
            }
            let call = called.map(|(_, at)| at.as_str());
            self.site_for(ctx, c, s, relay, call, &a);
        }
    }

    /// [`State::site`] for one service running it; `relay`: where the
    /// site's table is relayed, `called`: the call handing in the row it
    /// writes (hops of the value's chain).
    fn site_for(
        &mut self,
        ctx: &mut Ctx<'_>,
        c: &Crate,
        s: &TopicSite,
        relay: Option<&str>,
        called: Option<&str>,
        a: &Attributed,
    ) {
        let via = match s.api {
            TopicApi::Direct => TopicVia::Direct,
            TopicApi::Outbox => TopicVia::Outbox,
        };
        {
            let a = a.clone();
            let resolved = ctx
                .values
                .resolve_all(&c.package, Some(&a.service), &s.topic);
            if let Some(cut) = resolved.cut {
                let ev = ctx.evidence(&a, &s.call, &c.package);
                let what = match s.role {
                    TopicRole::Produce => "produced topics",
                    TopicRole::Consume => "consumed topics",
                };
                ctx.report_cut(cut, what, &a.service, ev.location, &s.topic);
            }
            for p in resolved.pieces {
                if p.unresolved {
                    // A config field whose value sits in the service's config
                    // file: the YAML/TOML topics stand for it.
                    let from_config = matches!(&s.topic, StrExpr::Field(_))
                        || matches!(&s.topic, StrExpr::List(v) if v.iter().any(|x| matches!(x, StrExpr::Field(_))));
                    if from_config && self.config_roles.contains(&(a.service.clone(), s.role)) {
                        continue;
                    }
                    let ev = ctx.evidence(&a, &s.call, &c.package);
                    let d = nova_model::Diagnostic::new(
                        DiagCode::UnresolvedTopic,
                        Severity::Warning,
                        format!(
                            "{} topic in `{}` could not be resolved statically (`{}`)",
                            match s.role {
                                TopicRole::Produce => "produced",
                                TopicRole::Consume => "consumed",
                            },
                            a.service,
                            p.text
                        ),
                    )
                    .at(ev.location)
                    .with_snippet(expr_text(&s.topic))
                    .for_service(a.service.clone());
                    if s.api == TopicApi::Outbox {
                        self.outbox_pending.push((a.service.clone(), d));
                    } else {
                        ctx.diags.push(d);
                    }
                    continue;
                }
                if !p.via.is_empty() || relay.is_some() {
                    let mut hops = vec![a.location.to_string()];
                    hops.extend(called.map(str::to_string));
                    hops.extend(p.via.iter().cloned());
                    let mut text = hops.join(" <- ");
                    if let Some(r) = relay {
                        text = format!("{text}, relayed at {r}");
                    }
                    self.hops
                        .entry((p.text.clone(), a.service.clone(), s.role))
                        .or_default()
                        .insert(text);
                }
                if p.text.is_empty() {
                    continue;
                }
                self.endpoint(ctx, &p.text, s.role, via, &a, &c.package);
            }
        }
    }
}

/// Whether a produced topic is named after the consumed message's own
/// topic (`format!("{}.dlq", msg.topic())`: a dead-letter or retry topic).
fn from_consumed_topic(e: &StrExpr, values: &crate::values::Values) -> bool {
    match e {
        StrExpr::Format { args, .. } => args.iter().any(|a| consumed_topic(a, values)),
        _ => false,
    }
}

/// `msg.topic()` on a message: a value whose type has no `topic` method
/// of the project's.
fn consumed_topic(e: &StrExpr, values: &crate::values::Values) -> bool {
    match e {
        StrExpr::Unknown(t) => t.ends_with(".topic()"),
        StrExpr::Call(c) => c.text.ends_with(".topic()") && !values.is_project_method(c),
        _ => false,
    }
}

/// `e` with the consumed message's topic replaced by `topics`.
fn with_consumed(e: &StrExpr, topics: &[String], values: &crate::values::Values) -> StrExpr {
    match e {
        StrExpr::Format { template, args } => StrExpr::Format {
            template: template.clone(),
            args: args
                .iter()
                .map(|a| {
                    if consumed_topic(a, values) {
                        StrExpr::List(topics.iter().map(|t| StrExpr::Lit(t.clone())).collect())
                    } else {
                        a.clone()
                    }
                })
                .collect(),
        },
        other => other.clone(),
    }
}

/// Sites from calls to functions that forward a parameter to a topic API.
fn forwarded_sites(ctx: &Ctx<'_>) -> Vec<(usize, usize, TopicSite)> {
    let crates = ctx.input.crates;
    let mut params = Vec::new();
    for (ci, c) in crates.iter().enumerate() {
        for (fi, f) in c.files.iter().enumerate() {
            if f.facts.graph.topic_params.is_empty() || !crate::live(f) {
                continue;
            }
            for p in &f.facts.graph.topic_params {
                params.push((c.package.as_str(), p, ci, fi));
            }
        }
    }
    let mut out = Vec::new();
    if params.is_empty() {
        return out;
    }
    let mut used: BTreeSet<usize> = BTreeSet::new();
    for (ci, c) in crates.iter().enumerate() {
        for (fi, f) in c.files.iter().enumerate() {
            if f.in_test {
                continue;
            }
            for call in f.facts.graph.str_calls.iter().filter(|s| !s.in_test) {
                for (k, (pkg, p, _, _)) in params.iter().enumerate() {
                    if p.name != call.callee || !ctx.sees(&c.package, pkg) {
                        continue;
                    }
                    // `Type::f(..)` or a chain from `Type::..` names the
                    // function's type: `Cache::new("x")` is no `Bus::new`.
                    let def_owner = p
                        .path
                        .rsplit("::")
                        .nth(1)
                        .filter(|o| o.starts_with(|c: char| c.is_ascii_uppercase()));
                    if let (Some(a), Some(b)) = (def_owner, call.owner.as_deref())
                        && a != b
                    {
                        continue;
                    }
                    // The forwarding function itself, recursing.
                    if call.function.as_deref() == Some(p.path.as_str()) {
                        continue;
                    }
                    let Some(arg) = call.args.get(p.index) else {
                        continue;
                    };
                    if !ctx.values.may_give(arg) {
                        continue;
                    }
                    used.insert(k);
                    out.push((
                        ci,
                        fi,
                        TopicSite {
                            role: p.role,
                            api: p.api,
                            topic: arg.clone(),
                            call: format!("{}(..) -> {}", call.callee, p.path),
                            line: call.line,
                            function: call.function.clone(),
                            in_test: false,
                        },
                    ));
                }
            }
        }
    }
    // Forwarders never called with a static value: the topic is unknown
    // (reported at the forwarding call, for the services that run it).
    for (k, (_, p, ci, fi)) in params.iter().enumerate() {
        if used.contains(&k) {
            continue;
        }
        out.push((
            *ci,
            *fi,
            TopicSite {
                role: p.role,
                api: p.api,
                topic: StrExpr::Unknown(format!(
                    "parameter #{} of `{}`, never given a static value",
                    p.index, p.path
                )),
                call: format!("{} parameter", p.path),
                line: p.line,
                function: Some(p.path.clone()),
                in_test: false,
            },
        ));
    }
    out
}

/// The service whose directory contains `path` (longest match).
fn service_at<'s>(ctx: &'s Ctx<'_>, path: &str) -> Option<&'s str> {
    ctx.input
        .services
        .iter()
        .filter(|s| s.dir.is_empty() || path.starts_with(&format!("{}/", s.dir)))
        .max_by_key(|s| s.dir.len())
        .map(|s| s.name.as_str())
}

/// Topics, kafka edges and function facts.
/// Topic sites, endpoints and Kafka edges: everything that does not need the
/// relational accesses ([`finish`] does the rest).
pub(crate) fn sites(ctx: &mut Ctx<'_>) -> State {
    let input = ctx.input;
    let mut st = State {
        outbox_pending: Vec::new(),
        topics: BTreeMap::new(),
        fns: BTreeMap::new(),
        config_roles: BTreeSet::new(),
        hops: BTreeMap::new(),
    };

    // Topics only in config files.
    for m in input.manifests {
        if !matches!(
            m.kind,
            ManifestKind::ServiceConfig | ManifestKind::HelmValues
        ) {
            continue;
        }
        let owner = service_at(ctx, &m.path).map(str::to_string).or_else(|| {
            // `config/feed.yaml`, `charts/feed/values.yaml`.
            let segs: Vec<&str> = m.path.split('/').collect();
            let stem = segs.last().and_then(|n| n.split('.').next()).unwrap_or("");
            ctx.names.resolve(stem).or_else(|| {
                segs.len()
                    .checked_sub(2)
                    .and_then(|i| ctx.names.resolve(segs[i]))
            })
        });
        let Some(owner) = owner else { continue };
        for t in &m.topics {
            let role = match t.role {
                ConfigTopicRole::Produce => TopicRole::Produce,
                ConfigTopicRole::Consume => TopicRole::Consume,
                ConfigTopicRole::Unknown => {
                    ctx.diag(
                        DiagCode::UnresolvedTopic,
                        Severity::Info,
                        format!(
                            "topic `{}` under key `{}`: cannot tell whether `{owner}` produces or consumes it",
                            t.name, t.key
                        ),
                        Some(Location::new(m.path.clone(), t.line, 0)),
                        Some(format!("{}: {}", t.key, t.name)),
                        Some(&owner),
                    );
                    continue;
                }
            };
            st.config_roles.insert((owner.clone(), role));
            let a = Attributed {
                service: owner.clone(),
                location: Location::new(m.path.clone(), t.line, 0),
                function: None,
                via: None,
            };
            st.endpoint(ctx, &t.name, role, TopicVia::Config, &a, "");
        }
    }

    // Code sites.
    // The rows' declarations, for ORM inserts writing a topic column.
    let literals;
    let declared = if crate::outbox::has_orm_topic_writes(input.crates) {
        literals = crate::orm_rows::Literals::of(input.crates);
        Some(crate::orm_rows::Declared::of(input.crates, &literals))
    } else {
        None
    };
    let relays = crate::outbox::relays(ctx, input.crates, declared.as_ref());
    // Produced topics named after the consumed ones: once those are known.
    let mut derived: Vec<(&Crate, &ParsedFile, &TopicSite)> = Vec::new();
    for c in input.crates {
        for f in live_files(c) {
            for s in f.facts.graph.topics.iter().filter(|s| !s.in_test) {
                // A relay publishes the topics written to its table: those
                // writes are the producers.
                if relays.sites.contains(&(f.path.clone(), s.line)) {
                    continue;
                }
                if s.role == TopicRole::Produce && from_consumed_topic(&s.topic, &ctx.values) {
                    derived.push((c, f, s));
                    continue;
                }
                st.site(ctx, c, f, s, None, None);
            }
            // Outbox inserts written as SQL.
            for q in f.facts.sql_sites.iter().filter(|q| !q.in_test) {
                let mut texts: Vec<&str> = Vec::new();
                match &q.expr {
                    SqlExpr::Lit(s) => texts.push(s),
                    SqlExpr::Choice(v) => texts.extend(v.iter().filter_map(|x| match x {
                        SqlExpr::Lit(s) => Some(s.as_str()),
                        _ => None,
                    })),
                    _ => {}
                }
                for text in texts {
                    let Some(insert) = crate::outbox::topic_insert(text) else {
                        continue;
                    };
                    if !relays.is_outbox(&insert.table) {
                        continue;
                    }
                    let call = match relays.relayed_at(&insert.table) {
                        Some(at) => format!("INSERT INTO {} (relayed at {at})", insert.table),
                        None => format!("INSERT INTO {}", insert.table),
                    };
                    let topic = match &insert.topic {
                        Ok(lit) => Some(StrExpr::Lit(lit.clone())),
                        // (A call to no function of the project's is bound at
                        // run time, like an expression nova cannot read.)
                        Err(bound) => {
                            crate::outbox::bound_arg(f, q, bound, insert.question_marks_before)
                                .filter(|v| ctx.values.may_resolve(v))
                        }
                    };
                    if let Some(topic) = topic {
                        let site = TopicSite {
                            role: TopicRole::Produce,
                            api: TopicApi::Outbox,
                            topic,
                            call,
                            line: q.line,
                            function: q.function.clone(),
                            in_test: false,
                        };
                        let relay = relays.relayed_at(&insert.table);
                        st.site(ctx, c, f, &site, relay.as_deref(), None);
                        continue;
                    }
                    let bound = insert.topic.err().unwrap_or_default();
                    for a in attribute(
                        &ctx.follow,
                        c,
                        &f.path,
                        &f.module,
                        q.function.as_deref(),
                        q.line,
                    ) {
                        let ev = ctx.evidence(&a, &call, &c.package);
                        let d = nova_model::Diagnostic::new(
                            DiagCode::UnresolvedTopic,
                            Severity::Info,
                            format!(
                                "outbox insert in `{}` binds its topic at run time (`{bound}`)",
                                a.service
                            ),
                        )
                        .at(ev.location)
                        .with_snippet(text.to_string())
                        .for_service(a.service.clone());
                        st.outbox_pending.push((a.service.clone(), d));
                    }
                }
            }
        }
    }
    // Outbox inserts written through an ORM.
    let orm = crate::outbox::orm_writes(ctx, &relays);
    for (c, f, site, relay, caller) in &orm.sites {
        st.site(ctx, c, f, site, relay.as_deref(), caller.as_ref());
    }
    st.outbox_pending.extend(orm.unbound);
    for (ci, fi, site) in forwarded_sites(ctx) {
        let c = &input.crates[ci];
        let f = &c.files[fi];
        st.site(ctx, c, f, &site, None, None);
    }
    for (c, f, s) in derived {
        let services = attribute(
            &ctx.follow,
            c,
            &f.path,
            &f.module,
            s.function.as_deref(),
            s.line,
        );
        for a in services {
            let consumed: Vec<String> = st
                .topics
                .iter()
                .filter(|(_, t)| t.consumers.iter().any(|e| e.service == a.service))
                .map(|(name, _)| name.clone())
                .collect();
            let site = if consumed.is_empty() {
                s.clone()
            } else {
                TopicSite {
                    topic: with_consumed(&s.topic, &consumed, &ctx.values),
                    ..s.clone()
                }
            };
            st.site_for(ctx, c, &site, None, None, &a);
        }
    }

    let with_outbox: BTreeSet<&str> = st
        .topics
        .values()
        .flat_map(|t| t.producers.iter())
        .filter(|p| p.via == TopicVia::Outbox)
        .map(|p| p.service.as_str())
        .collect();
    for (service, d) in std::mem::take(&mut st.outbox_pending) {
        if !with_outbox.contains(service.as_str()) {
            ctx.diags.push(d);
        }
    }

    // Edges: one per producer -> consumer pair, via the topics.
    for (name, t) in &st.topics {
        for p in &t.producers {
            for c in &t.consumers {
                if p.service == c.service {
                    continue;
                }
                let through = |service: &str, role: TopicRole| {
                    st.hops
                        .get(&(name.clone(), service.to_string(), role))
                        .map(|h| {
                            let h: Vec<&str> = h.iter().map(String::as_str).collect();
                            format!(" (value through {})", h.join("; "))
                        })
                        .unwrap_or_default()
                };
                ctx.edges.add(
                    &p.service,
                    &c.service,
                    EdgeKind::Kafka,
                    Some(name),
                    Evidence {
                        location: p.location.clone(),
                        note: format!(
                            "produces `{name}`{}",
                            through(&p.service, TopicRole::Produce)
                        ),
                    },
                );
                ctx.edges.add(
                    &p.service,
                    &c.service,
                    EdgeKind::Kafka,
                    Some(name),
                    Evidence {
                        location: c.location.clone(),
                        note: format!(
                            "consumes `{name}`{}",
                            through(&c.service, TopicRole::Consume)
                        ),
                    },
                );
            }
        }
    }

    st
}

/// Dedupe through table accesses and dual writes (which need `accesses`),
/// then the topics and function facts. The tables each function writes (for
/// the function facts) are grouped beside the dual writes, which run per
/// crate on all cores ([`dual_writes`]).
pub(crate) fn finish(
    ctx: &Ctx<'_>,
    mut st: State,
    accesses: &[Access],
) -> (Vec<Topic>, Vec<FunctionFacts>) {
    let (writes, ()) = rayon::join(
        || written_tables(accesses),
        || {
            dedupe_through_accesses(&mut st, accesses);
            dual_writes::direct_through_callees(ctx, &mut st, accesses);
        },
    );
    let functions = function_facts(st.fns, &writes);

    let topics = st
        .topics
        .into_iter()
        .map(|(name, t)| Topic {
            name,
            producers: t.producers.into_iter().collect(),
            consumers: t.consumers.into_iter().collect(),
        })
        .collect();
    (topics, functions)
}

/// Consumer handlers and the functions they reach, and functions that
/// deduplicate in code: none of it needs the relational accesses, so it runs
/// with the sites, beside the SQL pass ([`dedupe_through_accesses`] is the
/// part that does).
pub(crate) fn handlers(ctx: &Ctx<'_>, st: &mut State) {
    let input = ctx.input;
    for c in input.crates {
        // Handlers and what they call, by name, in the same crate (3 levels).
        let mut handler: BTreeSet<(String, String)> = BTreeSet::new();
        // Whether every handler chain reaching a function deduplicates
        // before it (a `nova_consumer::Handler` method runs inside the
        // idempotent consumer's transaction: what it calls is covered).
        let mut covered: BTreeMap<(String, String), bool> = BTreeMap::new();
        let mut q: VecDeque<(&ParsedFile, &nova_rust::graph::GraphFn, u32, bool)> = VecDeque::new();
        for f in live_files(c) {
            for g in f
                .facts
                .graph
                .functions
                .iter()
                .filter(|g| !g.in_test && g.consumer_handler)
            {
                q.push_back((f, g, 0, false));
            }
        }
        // Name -> (file, fn) of this crate, for following calls (only in a
        // crate with handlers: most have none).
        let mut by_name: BTreeMap<&str, Vec<(&ParsedFile, &nova_rust::graph::GraphFn)>> =
            BTreeMap::new();
        if !q.is_empty() {
            for f in live_files(c) {
                for g in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                    by_name.entry(g.name.as_str()).or_default().push((f, g));
                }
            }
        }
        while let Some((f, g, depth, from_dedupe)) = q.pop_front() {
            let key = (f.path.clone(), g.path.clone());
            let now = from_dedupe || g.dedupes;
            let before = covered.get(&key).copied();
            covered.insert(key.clone(), before.unwrap_or(true) && now);
            let weaker = before == Some(true) && !now;
            if !handler.insert(key) && !weaker {
                continue;
            }
            // Only functions that read messages hand them on; `main` only to
            // callees named like handlers (it also sets up logging, pools...).
            let reads = g.reads_messages || depth > 0;
            if depth >= 3 || !reads {
                continue;
            }
            for (callee, _) in f.facts.calls_of(g) {
                if nova_rust::attribution::IGNORED_NAMES.contains(&callee.as_str()) {
                    continue;
                }
                let handlerish = ["handle", "process", "on_", "apply", "consume", "dispatch"]
                    .iter()
                    .any(|k| callee.contains(k));
                if g.name == "main" && !handlerish {
                    continue;
                }
                if let Some(v) = by_name.get(callee.as_str()) {
                    for (ff, gg) in v {
                        q.push_back((ff, gg, depth + 1, now));
                    }
                }
            }
        }
        for f in live_files(c) {
            for g in f.facts.graph.functions.iter().filter(|g| !g.in_test) {
                let is_handler =
                    !handler.is_empty() && handler.contains(&(f.path.clone(), g.path.clone()));
                if !is_handler && !g.dedupes {
                    continue;
                }
                for a in attribute(&ctx.follow, c, &f.path, &f.module, Some(&g.path), g.line) {
                    let Some(func) = a.function.clone() else {
                        continue;
                    };
                    let b = st.fns.entry((a.service.clone(), func)).or_default();
                    b.location
                        .get_or_insert_with(|| Location::new(f.path.clone(), g.line, 0));
                    b.consumer_handler |= is_handler;
                    b.dedupes |= g.dedupes
                        || covered
                            .get(&(f.path.clone(), g.path.clone()))
                            .copied()
                            .unwrap_or(false);
                }
            }
        }
    }
}

/// A function that accesses a deduplication table deduplicates.
fn dedupe_through_accesses(st: &mut State, accesses: &[Access]) {
    // (Each table is tested once: accesses name few distinct tables.)
    let mut dedupes: crate::FastMap<&str, bool> = crate::FastMap::default();
    for acc in accesses {
        let Some(func) = &acc.function else { continue };
        let table = acc.table.as_str();
        if *dedupes.entry(table).or_insert_with(|| dedupe_table(table))
            && let Some(b) = st.fns.get_mut(&(acc.service.clone(), func.clone()))
        {
            b.dedupes = true;
        }
    }
}

/// Tables written per (service, function), from the accesses (only looked
/// up: hashed).
type Writes<'a> = crate::FastMap<(&'a str, &'a str), BTreeSet<&'a str>>;

/// The tables each (service, function) writes.
fn written_tables(accesses: &[Access]) -> Writes<'_> {
    let mut writes: Writes<'_> = Writes::default();
    for a in accesses {
        if let Some(f) = &a.function
            && a.op.is_write()
        {
            writes
                .entry((a.service.as_str(), f.as_str()))
                .or_default()
                .insert(a.table.as_str());
        }
    }
    writes
}

/// The facts of the functions that produce, handle or deduplicate, in
/// (service, function) order; built on all cores (this runs once the SQL
/// pass is over, when little else is left to do).
fn function_facts(
    fns: BTreeMap<(String, String), FnBuild>,
    writes: &Writes<'_>,
) -> Vec<FunctionFacts> {
    use rayon::prelude::*;
    fns.into_par_iter()
        .filter(|(_, b)| {
            !b.produces_direct.is_empty()
                || !b.produces_outbox.is_empty()
                || b.consumer_handler
                || b.dedupes
        })
        .map(|((service, function), b)| FunctionFacts {
            writes: writes
                .get(&(service.as_str(), function.as_str()))
                .into_iter()
                .flatten()
                .map(|t| t.to_string())
                .chain(b.writes_via_calls.iter().cloned())
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect(),
            location: b.location.unwrap_or_else(|| Location::file("")),
            service,
            function,
            produces_direct: b.produces_direct.into_iter().collect(),
            produces_outbox: b.produces_outbox.into_iter().collect(),
            consumer_handler: b.consumer_handler,
            dedupes: b.dedupes,
        })
        .collect()
}
