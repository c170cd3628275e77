//! Start-up ordering (init containers, `depends_on`) and infrastructure
//! (code hints, Cargo dependencies, manifests).

use crate::follow::attribute;
use crate::names::{Resolver, infra_kind};
use crate::{Ctx, live_files};
use nova_manifests::ManifestFacts;
use nova_manifests::hosts::hosts_in;
use nova_model::{DiagCode, EdgeKind, Evidence, InfraKind, Location, Severity};
use std::collections::BTreeMap;

/// Env vars set on each service's workloads in the manifests, for resolving
/// `env::var("X")` without a code default.
pub(crate) fn service_env(
    names: &Resolver,
    manifests: &[ManifestFacts],
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for m in manifests {
        for w in &m.workloads {
            let Some(s) = names.resolve(&w.name) else {
                continue;
            };
            let env = out.entry(s).or_default();
            for e in &w.env {
                env.entry(e.name.clone()).or_insert_with(|| e.value.clone());
            }
        }
    }
    out
}

/// External crates that mean "uses this infrastructure".
fn crate_infra(name: &str, dialect: nova_model::Dialect) -> Option<InfraKind> {
    let n = name.replace('_', "-");
    Some(match n.as_str() {
        "redis" | "deadpool-redis" | "bb8-redis" | "fred" | "redis-pool" => InfraKind::Redis,
        "rdkafka" | "rskafka" | "kafka" | "samsa" => InfraKind::Kafka,
        "tokio-postgres" | "deadpool-postgres" | "bb8-postgres" | "postgres" | "r2d2-postgres" => {
            InfraKind::Postgres
        }
        "mysql" | "mysql-async" => InfraKind::Mysql,
        "sqlx" | "diesel" | "sea-orm" => match dialect {
            nova_model::Dialect::Mysql => InfraKind::Mysql,
            _ => InfraKind::Postgres,
        },
        "clickhouse" | "clickhouse-rs" | "klickhouse" => InfraKind::ClickHouse,
        "aws-sdk-s3" | "rusoto-s3" | "rust-s3" | "object-store" => InfraKind::S3,
        "elasticsearch" | "opensearch" => InfraKind::Elasticsearch,
        "neo4rs" => InfraKind::Neo4j,
        "async-nats" | "nats" => InfraKind::Nats,
        "lapin" | "amqprs" => InfraKind::RabbitMq,
        "mongodb" => InfraKind::MongoDb,
        _ => return None,
    })
}

pub(crate) fn link(ctx: &mut Ctx<'_>) {
    let input = ctx.input;
    // Manifests.
    for m in input.manifests {
        for w in &m.workloads {
            let from = ctx.names.resolve(&w.name);
            for wait in &w.waits {
                let ev = Evidence {
                    location: Location::new(m.path.clone(), wait.line, 0),
                    note: format!("{} -> {}", wait.note, wait.target),
                };
                let to = ctx.names.resolve_host(&wait.target);
                match (&from, to) {
                    (Some(f), Some(t)) => ctx.edges.add(f, &t, EdgeKind::Startup, Some(&m.path), ev),
                    (f, None) => match ctx.names.infra(&wait.target) {
                        Some(k) => ctx.infra.add(k, f.as_deref(), ev),
                        None => ctx.diag(
                            DiagCode::UnresolvedTarget,
                            Severity::Info,
                            format!(
                                "`{}` waits for `{}`, which is neither a known service nor infrastructure",
                                w.name, wait.target
                            ),
                            Some(ev.location),
                            Some(ev.note),
                            f.as_deref(),
                        ),
                    },
                    (None, Some(_)) => ctx.diag(
                        DiagCode::UnresolvedTarget,
                        Severity::Info,
                        format!("workload `{}` is not tied to any service; its start-up dependency is ignored", w.name),
                        Some(ev.location),
                        Some(ev.note),
                        None,
                    ),
                }
            }
            // Infrastructure containers and connection strings.
            for (img, line) in &w.images {
                if from.is_none()
                    && let Some(k) = infra_kind(img)
                {
                    ctx.infra.add(
                        k,
                        None,
                        Evidence {
                            location: Location::new(m.path.clone(), *line, 0),
                            note: format!("{} image {img}", w.name),
                        },
                    );
                }
            }
            if let Some(f) = &from {
                for e in &w.env {
                    for h in hosts_in(&e.value) {
                        if ctx.names.resolve_host(&h).is_some() {
                            continue;
                        }
                        if let Some(k) = ctx.names.infra(&h) {
                            ctx.infra.add(
                                k,
                                Some(f),
                                Evidence {
                                    location: Location::new(m.path.clone(), e.line, 0),
                                    note: format!("{}={}", e.name, e.value),
                                },
                            );
                        }
                    }
                }
            }
        }
    }
    // Code hints.
    for c in input.crates {
        for f in live_files(c) {
            for h in f.facts.graph.infra.iter().filter(|h| !h.in_test) {
                for a in attribute(
                    &ctx.follow,
                    c,
                    &f.path,
                    &f.module,
                    h.function.as_deref(),
                    h.line,
                ) {
                    let ev = ctx.evidence(&a, &h.api, &c.package);
                    ctx.infra.add(h.kind, Some(&a.service), ev);
                }
            }
        }
        if let Some(s) = &c.service {
            let manifest = if c.dir.is_empty() {
                "Cargo.toml".to_string()
            } else {
                format!("{}/Cargo.toml", c.dir)
            };
            for d in &c.external_deps {
                if let Some(k) = crate_infra(d, c.dialect) {
                    ctx.infra.add(
                        k,
                        Some(s),
                        Evidence {
                            location: Location::file(manifest.clone()),
                            note: format!("depends on `{d}`"),
                        },
                    );
                }
            }
        }
    }
}

/// URLs set in a service's manifests (workload env, Helm values, its config
/// files) that name another service: an HTTP dependency, unless the code
/// already shows a gRPC edge for the pair (the URL is then that client's
/// address). Either way the entry is the edge's `address`.
pub(crate) fn manifest_urls(ctx: &mut Ctx<'_>) {
    let input = ctx.input;
    let mut found: Vec<(String, String, String, Evidence)> = Vec::new();
    for m in input.manifests {
        let base = m.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        // Helm values: the chart directory names the service.
        let owner = match m.kind {
            nova_manifests::ManifestKind::HelmValues => {
                ctx.names.resolve(base.rsplit('/').next().unwrap_or(base))
            }
            nova_manifests::ManifestKind::ServiceConfig => input
                .services
                .iter()
                .filter(|s| !s.dir.is_empty() && m.path.starts_with(&format!("{}/", s.dir)))
                .max_by_key(|s| s.dir.len())
                .map(|s| s.name.clone()),
            _ => None,
        };
        let mut entries: Vec<(Option<String>, String, String, u32)> = Vec::new();
        for w in &m.workloads {
            let from = ctx.names.resolve(&w.name);
            for e in &w.env {
                entries.push((from.clone(), e.name.clone(), e.value.clone(), e.line));
            }
        }
        for u in &m.urls {
            let key = u.key.rsplit('.').next().unwrap_or(&u.key).to_string();
            entries.push((owner.clone(), key, u.value.clone(), u.line));
        }
        for (from, name, value, line) in entries {
            let Some(from) = from else { continue };
            for h in hosts_in(&value) {
                if let Some(to) = ctx.names.resolve_host(&h)
                    && to != from
                {
                    found.push((
                        from.clone(),
                        to,
                        name.clone(),
                        Evidence {
                            location: Location::new(m.path.clone(), line, 0),
                            note: format!("{name}={value}"),
                        },
                    ));
                }
            }
        }
    }
    for (from, to, via, ev) in found {
        if ctx.edges.has(&from, &to, EdgeKind::Grpc) {
            ctx.edges
                .add_address(&from, &to, EdgeKind::Grpc, ev.clone());
            continue;
        }
        ctx.edges
            .add_address(&from, &to, EdgeKind::Http, ev.clone());
        ctx.edges.add(&from, &to, EdgeKind::Http, Some(&via), ev);
    }
}
