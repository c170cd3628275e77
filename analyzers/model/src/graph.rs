use crate::Location;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of dependency an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Grpc,
    Http,
    Kafka,
    Startup,
}

impl EdgeKind {
    /// gRPC, HTTP and start-up dependencies are synchronous: the caller
    /// needs the callee to be up.
    pub fn is_sync(self) -> bool {
        !matches!(self, EdgeKind::Kafka)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Grpc => "grpc",
            EdgeKind::Http => "http",
            EdgeKind::Kafka => "kafka",
            EdgeKind::Startup => "startup",
        }
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A piece of evidence for an edge or a topic endpoint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub location: Location,
    /// What was seen there, e.g. `ContentServiceClient::connect`,
    /// `initContainers: wait-for-content-service`, `CONTENT_SERVICE_URL`.
    pub note: String,
}

/// A dependency of service `from` on `to`.
///
/// - grpc/http/startup: `to` is a service name (or an infrastructure name
///   for startup edges that wait for e.g. postgres);
/// - kafka: producer -> consumer, `via` holds the topic(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Detail: RPC names (grpc), URLs or env vars (http), topics (kafka),
    /// manifest files (startup). Sorted, deduplicated.
    pub via: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// grpc/http: where the caller's address of `to` is set, e.g. the env var
    /// the code connects to (at the line that reads it, note `IDENTITY_SERVICE_URL`)
    /// and its value in a deployment manifest (note
    /// `IDENTITY_SERVICE_URL=http://identity-service:50051`). What goes with the
    /// calls when they are removed. Sorted, deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<Evidence>,
}

/// How a producer reaches a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TopicVia {
    /// Direct producer/consumer call in code.
    Direct,
    /// Through a transactional outbox insert or macro.
    Outbox,
    /// Only named in a service's config file (YAML/TOML).
    Config,
}

/// A producer or consumer of a topic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicEndpoint {
    pub service: String,
    pub via: TopicVia,
    pub location: Location,
}

/// A Kafka topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: String,
    pub producers: Vec<TopicEndpoint>,
    pub consumers: Vec<TopicEndpoint>,
}

/// Kinds of infrastructure nova recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InfraKind {
    Postgres,
    Mysql,
    Redis,
    Kafka,
    #[serde(rename = "clickhouse")]
    ClickHouse,
    S3,
    Elasticsearch,
    Neo4j,
    Nats,
    #[serde(rename = "rabbitmq")]
    RabbitMq,
    #[serde(rename = "mongodb")]
    MongoDb,
}

impl InfraKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InfraKind::Postgres => "postgres",
            InfraKind::Mysql => "mysql",
            InfraKind::Redis => "redis",
            InfraKind::Kafka => "kafka",
            InfraKind::ClickHouse => "clickhouse",
            InfraKind::S3 => "s3",
            InfraKind::Elasticsearch => "elasticsearch",
            InfraKind::Neo4j => "neo4j",
            InfraKind::Nats => "nats",
            InfraKind::RabbitMq => "rabbitmq",
            InfraKind::MongoDb => "mongodb",
        }
    }
}

/// A piece of infrastructure and the services that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Infra {
    pub kind: InfraKind,
    /// Services using it, sorted.
    pub used_by: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// An RPC of a proto service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtoRpc {
    pub name: String,
    pub request: String,
    pub response: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
}

/// A gRPC service declared in a `.proto` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtoService {
    /// Proto package (may be empty).
    pub package: String,
    /// Service name as declared (`ContentService`).
    pub name: String,
    pub rpcs: Vec<ProtoRpc>,
    pub location: Location,
    /// The service (deployable) that implements it, when found.
    pub implemented_by: Vec<String>,
}

/// Facts about one function that the behavioural rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionFacts {
    pub service: String,
    /// `module::fn` or `Type::method`.
    pub function: String,
    pub location: Location,
    /// Tables it creates/updates/deletes directly.
    pub writes: Vec<String>,
    /// Topics it produces to directly (not through an outbox).
    pub produces_direct: Vec<String>,
    /// Topics it enqueues into an outbox.
    pub produces_outbox: Vec<String>,
    /// True when it is (or is called from) a Kafka consumer handler.
    pub consumer_handler: bool,
    /// True when it records/checks processed event ids (dedupe table access,
    /// idempotent-consumer API).
    pub dedupes: bool,
}
