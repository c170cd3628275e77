//! One resolver for every name a service is known by: Cargo package,
//! directory, binary names and aliases, deployment/compose service names,
//! Kubernetes Service names, proto service names, env-var stems and host
//! names, compared after suffix normalisation.

use nova_manifests::ManifestFacts;
use nova_model::{InfraKind, Service};
use std::collections::{BTreeMap, BTreeSet};

/// Suffixes that do not distinguish services (`content-service` ==
/// `content`).
const SUFFIXES: &[&str] = &["-service", "-svc", "-api", "-server", "-srv", "-grpc"];

/// `ContentService` -> `content-service`; `content_service` ->
/// `content-service`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c == '_' || c == ' ' {
            out.push('-');
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// The comparison key of a name: kebab-case, lower case, without the
/// service suffixes (`Content_Service`, `content-svc`, `ContentService` ->
/// `content`). Never empty for a non-empty name.
pub fn normalize(name: &str) -> String {
    let mut n = kebab(name.trim());
    loop {
        let before = n.len();
        for s in SUFFIXES {
            if let Some(stem) = n.strip_suffix(s)
                && !stem.is_empty()
            {
                n = stem.to_string();
            }
        }
        if n.len() == before {
            return n;
        }
    }
}

/// The service part of a host name: `content-service.default.svc.cluster.local`
/// -> `content-service`, `content.prod` -> `content`; other dotted hosts are
/// kept whole (they are external).
pub fn host_stem(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    for suffix in [".svc.cluster.local", ".cluster.local", ".svc"] {
        if let Some(rest) = h.strip_suffix(suffix) {
            return rest.split('.').next().unwrap_or(rest).to_string();
        }
    }
    let labels: Vec<&str> = h.split('.').collect();
    if labels.len() == 2
        && !matches!(
            labels[1],
            "com" | "io" | "net" | "org" | "dev" | "app" | "co"
        )
    {
        return labels[0].to_string();
    }
    h
}

/// Words of env-var names that say "address of", not "which service".
const ENV_NOISE: &[&str] = &[
    "URL", "URI", "ADDR", "ADDRESS", "HOST", "HOSTNAME", "ENDPOINT", "PORT", "GRPC", "HTTP",
    "BASE", "API", "SERVICE", "SVC", "SERVER", "TARGET", "REST",
];

/// The service stem of an env var: `CONTENT_SERVICE_URL` -> `content`,
/// `CONTENT_GRPC_ADDR` -> `content`, `MEDIA_API_BASE_URL` -> `media`.
/// `None` when nothing is left or the var is not address-like.
pub fn env_stem(var: &str) -> Option<String> {
    let words: Vec<&str> = var.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    if !upper.iter().any(|w| ENV_NOISE.contains(&w.as_str())) {
        return None;
    }
    let mut end = upper.len();
    while end > 0 && ENV_NOISE.contains(&upper[end - 1].as_str()) {
        end -= 1;
    }
    let mut start = 0;
    while start < end && ENV_NOISE.contains(&upper[start].as_str()) {
        start += 1;
    }
    if start >= end {
        return None;
    }
    Some(upper[start..end].join("-").to_ascii_lowercase())
}

/// Infrastructure named by a host, image or workload name.
pub fn infra_kind(name: &str) -> Option<InfraKind> {
    let n = name.to_ascii_lowercase();
    // image `bitnami/kafka:3.7` -> `kafka`; host `postgres-content` -> `postgres`.
    let n = n.rsplit('/').next().unwrap_or(&n);
    let n = n.split(':').next().unwrap_or(n);
    let first = n.split(['-', '_', '.']).next().unwrap_or(n);
    let table: &[(&[&str], InfraKind)] = &[
        (
            &[
                "postgres",
                "postgresql",
                "pg",
                "pgbouncer",
                "timescaledb",
                "postgis",
                "cockroach",
            ],
            InfraKind::Postgres,
        ),
        (&["mysql", "mariadb"], InfraKind::Mysql),
        (&["redis", "valkey", "keydb", "dragonfly"], InfraKind::Redis),
        (
            &["kafka", "redpanda", "zookeeper", "cp", "schema"],
            InfraKind::Kafka,
        ),
        (&["clickhouse"], InfraKind::ClickHouse),
        (&["minio", "s3", "localstack"], InfraKind::S3),
        (
            &["elasticsearch", "opensearch", "elastic"],
            InfraKind::Elasticsearch,
        ),
        (&["neo4j"], InfraKind::Neo4j),
        (&["nats"], InfraKind::Nats),
        (&["rabbitmq", "rabbit", "amqp"], InfraKind::RabbitMq),
        (&["mongo", "mongodb"], InfraKind::MongoDb),
    ];
    for (names, kind) in table {
        if names.contains(&first) && (first != "cp" && first != "schema" || n.contains("kafka")) {
            return Some(*kind);
        }
        if names.iter().any(|k| k.len() > 4 && n.contains(k)) {
            return Some(*kind);
        }
    }
    None
}

/// Ties names to canonical service names.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// Exact names (service names, packages, aliases, workload names).
    exact: BTreeMap<String, BTreeSet<String>>,
    /// Normalised keys.
    keys: BTreeMap<String, BTreeSet<String>>,
    services: BTreeSet<String>,
    /// Workload/compose names that are infrastructure (by image).
    infra_names: BTreeMap<String, InfraKind>,
}

fn dir_name(dir: &str) -> &str {
    dir.trim_end_matches('/').rsplit('/').next().unwrap_or(dir)
}

/// `a/b/../c/./d` -> `a/c/d`.
fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

impl Resolver {
    /// Build from the services and what the manifests say about them.
    pub fn new(
        services: &[Service],
        manifests: &[ManifestFacts],
        config: &nova_config::Config,
    ) -> Self {
        let mut r = Resolver::default();
        for s in services {
            r.services.insert(s.name.clone());
            r.add(&s.name, &s.name);
            if let Some(p) = &s.package {
                r.add(p, &s.name);
            }
            if !s.dir.is_empty() {
                r.add(dir_name(&s.dir), &s.name);
            }
            for a in &s.aliases {
                r.add(a, &s.name);
            }
        }
        for (name, sc) in &config.services {
            if r.services.contains(name) {
                for a in &sc.aliases {
                    r.add(a, name);
                }
            }
        }
        // Workloads: by name, by compose build dir, by image name, by labels.
        let mut workload_service: BTreeMap<String, String> = BTreeMap::new();
        for m in manifests {
            let base = m.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            for w in &m.workloads {
                let mut found = r.resolve(&w.name);
                if found.is_none()
                    && let Some(b) = &w.build
                {
                    let dir = clean_path(&format!("{base}/{b}"));
                    found = services
                        .iter()
                        .find(|s| s.dir == dir)
                        .map(|s| s.name.clone());
                }
                if found.is_none() {
                    for key in ["app", "app.kubernetes.io/name", "service", "component"] {
                        if let Some(v) = w.labels.get(key)
                            && let Some(s) = r.resolve(v)
                        {
                            found = Some(s);
                            break;
                        }
                    }
                }
                if found.is_none() {
                    for (img, _) in &w.images {
                        let repo = img.rsplit('/').next().unwrap_or(img);
                        let repo = repo.split([':', '@']).next().unwrap_or(repo);
                        if let Some(s) = r.resolve(repo) {
                            found = Some(s);
                            break;
                        }
                    }
                }
                match found {
                    Some(s) => {
                        workload_service.insert(w.name.clone(), s);
                    }
                    None => {
                        let kind = w
                            .images
                            .iter()
                            .find_map(|(i, _)| infra_kind(i))
                            .or_else(|| infra_kind(&w.name));
                        if let Some(k) = kind {
                            r.infra_names.insert(w.name.to_ascii_lowercase(), k);
                        }
                    }
                }
            }
        }
        for (w, s) in &workload_service {
            r.add(w, s);
        }
        // Kubernetes Services select workloads by label.
        for m in manifests {
            for ks in &m.k8s_services {
                if r.resolve(&ks.name).is_some() || ks.selector.is_empty() {
                    continue;
                }
                let targets: BTreeSet<String> = manifests
                    .iter()
                    .flat_map(|mm| mm.workloads.iter())
                    .filter(|w| ks.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v)))
                    .filter_map(|w| workload_service.get(&w.name).cloned())
                    .collect();
                if targets.len() == 1
                    && let Some(t) = targets.into_iter().next()
                {
                    r.add(&ks.name, &t);
                }
            }
        }
        r
    }

    /// Register `name` as a name of `service`.
    pub fn add(&mut self, name: &str, service: &str) {
        if name.is_empty() {
            return;
        }
        self.exact
            .entry(name.to_ascii_lowercase())
            .or_default()
            .insert(service.to_string());
        self.keys
            .entry(normalize(name))
            .or_default()
            .insert(service.to_string());
    }

    /// Is `name` a canonical service name?
    pub fn is_service(&self, name: &str) -> bool {
        self.services.contains(name)
    }

    /// The service named `name` (exact, then normalised), if exactly one.
    pub fn resolve(&self, name: &str) -> Option<String> {
        if self.services.contains(name) {
            return Some(name.to_string());
        }
        let one = |s: Option<&BTreeSet<String>>| match s {
            Some(set) if set.len() == 1 => set.iter().next().cloned(),
            _ => None,
        };
        one(self.exact.get(&name.to_ascii_lowercase()))
            .or_else(|| one(self.keys.get(&normalize(name))))
    }

    /// The service behind a host name (`content-service`,
    /// `content-service.ns.svc.cluster.local`, `content`).
    pub fn resolve_host(&self, host: &str) -> Option<String> {
        self.resolve(&host_stem(host))
    }

    /// The service an env var points at (`CONTENT_SERVICE_URL`).
    pub fn resolve_env(&self, var: &str) -> Option<String> {
        let stem = env_stem(var)?;
        self.resolve(&stem)
    }

    /// The service a proto service name suggests (`ContentService` ->
    /// content-service).
    pub fn resolve_proto(&self, proto: &str) -> Option<String> {
        self.resolve(proto)
    }

    /// Infrastructure named by a host or workload name.
    pub fn infra(&self, name: &str) -> Option<InfraKind> {
        let stem = host_stem(name);
        self.infra_names
            .get(&stem)
            .copied()
            .or_else(|| infra_kind(&stem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize("content-service"), "content");
        assert_eq!(normalize("content_service"), "content");
        assert_eq!(normalize("ContentService"), "content");
        assert_eq!(normalize("content-svc"), "content");
        assert_eq!(normalize("media-api"), "media");
        assert_eq!(normalize("realtime-chat-service"), "realtime-chat");
        assert_eq!(normalize("api"), "api");
        assert_eq!(normalize("service"), "service");
        assert_eq!(
            host_stem("content-service.default.svc.cluster.local"),
            "content-service"
        );
        assert_eq!(host_stem("content.prod"), "content");
        assert_eq!(host_stem("api.stripe.com"), "api.stripe.com");
        assert_eq!(env_stem("CONTENT_SERVICE_URL").as_deref(), Some("content"));
        assert_eq!(env_stem("CONTENT_GRPC_ADDR").as_deref(), Some("content"));
        assert_eq!(
            env_stem("REALTIME_CHAT_URL").as_deref(),
            Some("realtime-chat")
        );
        assert_eq!(env_stem("DATABASE_PASSWORD"), None);
        assert_eq!(env_stem("URL"), None);
        assert_eq!(infra_kind("postgres:16"), Some(InfraKind::Postgres));
        assert_eq!(infra_kind("bitnami/kafka:3.7"), Some(InfraKind::Kafka));
        assert_eq!(infra_kind("confluentinc/cp-kafka"), Some(InfraKind::Kafka));
        assert_eq!(infra_kind("content-service"), None);
    }
}
