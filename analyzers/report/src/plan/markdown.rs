//! The plan as Markdown: summary, phases, checklist of `nova scaffold`
//! commands, the multi-writer phase.

use super::build::*;
use nova_config::Config;
use nova_graph::{GraphOptions, NodeKind, ServiceGraph};
use nova_model::{EdgeKind, Model, Op};
use nova_rules::ownership::Ownership;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The decoupling plan as Markdown (see the module docs for the method).
pub fn markdown(model: &Model, config: &Config) -> String {
    let mut out = String::new();
    let Ok(graph) = ServiceGraph::build(model, &GraphOptions::default()) else {
        return out;
    };
    let plan = collect(&graph, model, config);
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
                        push(format!(
                            "{} stops calling `{}` on {}{}",
                            c.from,
                            c.name,
                            c.to,
                            hand_edit(c, last_of_pair(c, &plan.calls))
                        ));
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
                            "{} reads its local `{}` instead of calling `{}` on {}{}",
                            c.from,
                            plural_snake(entity),
                            c.name,
                            c.to,
                            hand_edit(c, last_of_pair(c, &plan.calls))
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
                            "{} publishes `{event}` instead of calling `{}` on {}{}",
                            c.from,
                            c.name,
                            c.to,
                            hand_edit(c, last_of_pair(c, &plan.calls))
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
