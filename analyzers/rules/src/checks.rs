//! The rule implementations. Each produces findings at a placeholder
//! severity; `evaluate` applies the configured level.

use crate::ownership::Ownership;
use crate::{Finding, Subject};
use nova_graph::{GraphOptions, NodeKind, ServiceGraph};
use nova_model::{Access, AccessSource, EdgeKind, Location, Model, Op, OpSet, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// Build a finding; the fingerprint is the rule id plus every subject field
/// that is set, plus `extra` when given.
fn finding(
    rule: &'static str,
    subject: Subject,
    extra: Option<String>,
    message: String,
    locations: Vec<(Location, String)>,
) -> Finding {
    let mut parts = vec![rule.to_string()];
    for (k, v) in [
        ("service", &subject.service),
        ("table", &subject.table),
        ("to", &subject.to),
        ("topic", &subject.topic),
        ("function", &subject.function),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    if let Some(e) = extra {
        parts.push(e);
    }
    let mut seen = BTreeSet::new();
    let locations = locations
        .into_iter()
        .filter(|l| seen.insert(l.clone()))
        .collect();
    Finding {
        rule,
        severity: Severity::Error,
        message,
        locations,
        hint: crate::rule(rule)
            .map(|r| r.help.to_string())
            .unwrap_or_default(),
        subject,
        fingerprint: parts.join("|"),
    }
}

/// All rules' raw findings.
pub(crate) fn all(model: &Model) -> Vec<Finding> {
    let mut out = Vec::new();
    tables(model, &mut out);
    let graph = ServiceGraph::build(model, &GraphOptions::default());
    if let Ok(graph) = graph {
        edges(&graph, &mut out);
    }
    functions(model, &mut out);
    topics(model, &mut out);
    out
}

/// Evidence for one access: its location, plus the call site for SQL in a
/// library.
fn access_locations(a: &Access) -> Vec<(Location, String)> {
    let verb = match a.op {
        Op::Create => "inserts",
        Op::Read => "reads",
        Op::Update => "updates",
        Op::Delete => "deletes",
    };
    let what = match a.source {
        AccessSource::Sql => "SQL",
        AccessSource::Diesel => "diesel query",
        AccessSource::SeaOrm => "SeaORM query",
    };
    let label = match (&a.via_library, a.source) {
        (Some(lib), _) => format!("{} {verb} ({what} in library {lib})", a.service),
        (None, AccessSource::Sql) => format!("{} {verb}", a.service),
        (None, _) => format!("{} {verb} ({what})", a.service),
    };
    let mut v = vec![(a.location.clone(), label)];
    if let (Some(site), Some(lib)) = (&a.call_site, &a.via_library) {
        v.push((site.clone(), format!("{} calls {lib} here", a.service)));
    }
    v
}

fn describe_ops(ops: &BTreeMap<String, OpSet>) -> String {
    ops.iter()
        .map(|(s, o)| format!("{s} ({o})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tables(model: &Model, out: &mut Vec<Finding>) {
    let has_migrations = !model.migrations.is_empty();
    let index = Ownership::new(model);
    let catalog: BTreeMap<&str, bool> = model
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.in_catalog))
        .collect();
    for table in index.tables() {
        let accesses: &[&Access] = index.accesses(table);
        if accesses.is_empty() {
            continue;
        }
        let w = index.writers(table);
        let all = index.cells(table);
        let own = index.owner(table);
        if w.len() > 1 {
            let locations = accesses
                .iter()
                .filter(|a| a.op.is_write())
                .flat_map(|a| access_locations(a))
                .collect();
            out.push(finding(
                "multi-writer",
                Subject {
                    table: Some(table.to_string()),
                    ..Subject::default()
                },
                None,
                format!(
                    "table `{table}` is written by {} services: {}",
                    w.len(),
                    describe_ops(&w)
                ),
                locations,
            ));
        }
        match own {
            Some(o) => {
                for (service, ops) in &all {
                    if *service == o.service {
                        continue;
                    }
                    let subject = Subject {
                        service: Some(service.clone()),
                        table: Some(table.to_string()),
                        to: Some(o.service.clone()),
                        ..Subject::default()
                    };
                    // The locations of this service's accesses of one kind.
                    let locations = |write: bool| {
                        accesses
                            .iter()
                            .filter(|a| a.service == *service && a.op.is_write() == write)
                            .flat_map(|a| access_locations(a))
                            .collect()
                    };
                    let owner = format!("owned by {} ({})", o.service, o.basis.describe());
                    if ops.has_write() {
                        let write_ops: OpSet = ops.iter().filter(|op| op.is_write()).collect();
                        out.push(finding(
                            "foreign-write",
                            subject.clone(),
                            None,
                            format!("{service} writes `{table}` ({write_ops}), {owner}"),
                            locations(true),
                        ));
                    }
                    if ops.contains(Op::Read) {
                        out.push(finding(
                            "foreign-read",
                            subject,
                            None,
                            format!("{service} reads `{table}`, {owner}"),
                            locations(false),
                        ));
                    }
                }
            }
            None if w.len() <= 1 => {
                out.push(finding(
                    "unowned-table",
                    Subject {
                        table: Some(table.to_string()),
                        ..Subject::default()
                    },
                    None,
                    format!(
                        "`{table}` is accessed by {} but has no owner: no service writes it, no service's migration creates it, and nova.toml declares none",
                        describe_ops(&all)
                    ),
                    accesses.iter().flat_map(|a| access_locations(a)).collect(),
                ));
            }
            None => {}
        }
        let in_catalog = catalog.get(table).copied().unwrap_or(false);
        if has_migrations && !in_catalog {
            out.push(finding(
                "unknown-table",
                Subject {
                    table: Some(table.to_string()),
                    ..Subject::default()
                },
                None,
                format!(
                    "`{table}` is accessed by {} but no migration creates it",
                    all.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                accesses.iter().flat_map(|a| access_locations(a)).collect(),
            ));
        }
    }
}

fn edge_locations(e: &nova_graph::GraphEdge) -> Vec<(Location, String)> {
    e.evidence
        .iter()
        .map(|ev| (ev.location.clone(), ev.note.clone()))
        .collect()
}

fn via_text(via: &[String]) -> String {
    if via.is_empty() {
        String::new()
    } else {
        format!(" ({})", via.join(", "))
    }
}

fn edges(graph: &ServiceGraph, out: &mut Vec<Finding>) {
    for e in graph.sync_edges() {
        let from_gateway = graph
            .service(&e.from)
            .is_some_and(|n| n.kind == NodeKind::Gateway);
        match e.kind {
            // Gateways are meant to call services: they sit on top.
            EdgeKind::Grpc | EdgeKind::Http if from_gateway => {}
            EdgeKind::Grpc | EdgeKind::Http => {
                let how = if e.kind == EdgeKind::Grpc {
                    "gRPC"
                } else {
                    "HTTP"
                };
                out.push(finding(
                    "sync-call",
                    Subject {
                        service: Some(e.from.clone()),
                        to: Some(e.to.clone()),
                        ..Subject::default()
                    },
                    Some(format!("kind={}", e.kind)),
                    format!(
                        "{} calls {} synchronously over {how}{}",
                        e.from,
                        e.to,
                        via_text(&e.via)
                    ),
                    edge_locations(e),
                ));
            }
            EdgeKind::Startup => {
                out.push(finding(
                    "startup-dependency",
                    Subject {
                        service: Some(e.from.clone()),
                        to: Some(e.to.clone()),
                        ..Subject::default()
                    },
                    None,
                    format!(
                        "{} waits for {} at start-up{}",
                        e.from,
                        e.to,
                        via_text(&e.via)
                    ),
                    edge_locations(e),
                ));
            }
            EdgeKind::Kafka => {}
        }
    }
    for cycle in graph.sync_cycles() {
        let members: BTreeSet<&str> = cycle.iter().map(String::as_str).collect();
        let inner: Vec<&nova_graph::GraphEdge> = graph
            .sync_edges()
            .filter(|e| members.contains(e.from.as_str()) && members.contains(e.to.as_str()))
            .collect();
        let arrows: Vec<String> = inner
            .iter()
            .map(|e| format!("{} → {} ({})", e.from, e.to, e.kind))
            .collect();
        let message = if cycle.len() == 1 {
            format!(
                "{} depends on itself synchronously: {}",
                cycle[0],
                arrows.join(", ")
            )
        } else {
            format!(
                "synchronous cycle between {}: {}",
                cycle.join(", "),
                arrows.join(", ")
            )
        };
        out.push(finding(
            "sync-cycle",
            Subject {
                service: cycle.first().cloned(),
                ..Subject::default()
            },
            Some(format!("members={}", cycle.join(","))),
            message,
            inner.iter().flat_map(|e| edge_locations(e)).collect(),
        ));
    }
}

fn functions(model: &Model, out: &mut Vec<Finding>) {
    for f in &model.functions {
        if !f.writes.is_empty() {
            let mut topics = f.produces_direct.clone();
            topics.sort();
            topics.dedup();
            for topic in topics {
                out.push(finding(
                    "dual-write",
                    Subject {
                        service: Some(f.service.clone()),
                        topic: Some(topic.clone()),
                        function: Some(f.function.clone()),
                        ..Subject::default()
                    },
                    None,
                    format!(
                        "`{}` in {} writes {} and produces to `{topic}` directly: the two are not atomic",
                        f.function,
                        f.service,
                        f.writes.join(", ")
                    ),
                    vec![(f.location.clone(), f.function.clone())],
                ));
            }
        }
        if f.consumer_handler && !f.writes.is_empty() && !f.dedupes {
            out.push(finding(
                "consumer-without-dedupe",
                Subject {
                    service: Some(f.service.clone()),
                    function: Some(f.function.clone()),
                    ..Subject::default()
                },
                None,
                format!(
                    "Kafka consumer handler `{}` in {} writes {} without recording processed event ids: a redelivered event is applied twice",
                    f.function,
                    f.service,
                    f.writes.join(", ")
                ),
                vec![(f.location.clone(), f.function.clone())],
            ));
        }
    }
}

fn topics(model: &Model, out: &mut Vec<Finding>) {
    for t in &model.topics {
        let services = |eps: &[nova_model::TopicEndpoint]| {
            eps.iter()
                .map(|e| e.service.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        };
        let locs = |eps: &[nova_model::TopicEndpoint], what: &str| {
            eps.iter()
                .map(|e| (e.location.clone(), format!("{} {what}", e.service)))
                .collect::<Vec<_>>()
        };
        let subject = Subject {
            topic: Some(t.name.clone()),
            ..Subject::default()
        };
        if t.consumers.is_empty() && !t.producers.is_empty() {
            out.push(finding(
                "topic-without-consumer",
                subject.clone(),
                None,
                format!(
                    "topic `{}` is produced by {} but consumed by no scanned service",
                    t.name,
                    services(&t.producers)
                ),
                locs(&t.producers, "produces"),
            ));
        }
        if t.producers.is_empty() && !t.consumers.is_empty() {
            out.push(finding(
                "topic-without-producer",
                subject,
                None,
                format!(
                    "topic `{}` is consumed by {} but produced by no scanned service",
                    t.name,
                    services(&t.consumers)
                ),
                locs(&t.consumers, "consumes"),
            ));
        }
    }
}
