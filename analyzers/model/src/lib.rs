//! The nova model: everything one scan learns about a repository.
//!
//! A scan (`nova-scan`) produces exactly one [`Model`]. Every rule
//! (`nova-rules`), graph (`nova-graph`) and report (`nova-report`) is a pure
//! function of it. The model is serialised as JSON by `nova scan --format json`;
//! its shape is versioned by [`SCHEMA_VERSION`] and documented in
//! `analyzers/model/SCHEMA.md`. Any change that removes or renames a field
//! bumps the version; adding an optional field does not.
//!
//! Conventions:
//! - every path is relative to the scanned root and uses `/` separators;
//! - lines and columns are 1-based;
//! - collections are sorted deterministically by the scanner, so two scans of
//!   the same tree serialise byte-for-byte identically.

mod access;
mod code;
mod diag;
mod graph;
mod location;
mod service;
mod table;

pub use access::{Access, AccessSource, Confidence, Op, OpSet, StoreKind, StoreQuery};
pub use code::{Deployment, Route, ServiceCode};
pub use diag::{DiagCode, Diagnostic, Severity};
pub use graph::{
    Edge, EdgeKind, Evidence, FunctionFacts, Infra, InfraKind, ProtoRpc, ProtoService, Topic,
    TopicEndpoint, TopicVia,
};
pub use location::Location;
pub use service::{Dialect, Library, Service, ServiceKind};
pub use table::{Migration, Table, TableEvent, TableEventKind};

use serde::{Deserialize, Serialize};

/// Version of the JSON shape of [`Model`].
pub const SCHEMA_VERSION: u32 = 2;

/// Everything one scan of a repository found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Always [`SCHEMA_VERSION`] when produced by this build.
    pub schema_version: u32,
    /// The scanned root as the user gave it (display only).
    pub root: String,
    /// Deployable units: Cargo packages with a binary target, plus any
    /// declared in `nova.toml`. Sorted by name.
    pub services: Vec<Service>,
    /// Cargo packages without a binary target. Sorted by name.
    pub libraries: Vec<Library>,
    /// The table catalog: every table created by a migration or accessed by
    /// code. Sorted by name.
    pub tables: Vec<Table>,
    /// Migration files found anywhere in the tree. Sorted by path.
    pub migrations: Vec<Migration>,
    /// Every (service, table, operation) found in relational SQL or in a
    /// diesel / SeaORM query, one per location. Sorted by (service, table,
    /// op, location).
    pub accesses: Vec<Access>,
    /// Queries to non-relational stores (ClickHouse, Cypher...), kept apart
    /// from the ownership matrix.
    pub store_queries: Vec<StoreQuery>,
    /// gRPC services declared in `.proto` files.
    pub proto_services: Vec<ProtoService>,
    /// Dependencies between services (and from services to infrastructure):
    /// grpc, http, kafka (producer -> consumer, via the topic) and startup.
    pub edges: Vec<Edge>,
    /// Kafka topics with their producers and consumers.
    pub topics: Vec<Topic>,
    /// Infrastructure (databases, brokers, caches, object stores) and who
    /// uses it.
    pub infrastructure: Vec<Infra>,
    /// Per-function facts the behavioural rules need (dual write, consumer
    /// without dedupe). Only functions with at least one relevant fact.
    pub functions: Vec<FunctionFacts>,
    /// Per service: binaries, size, tests, HTTP routes, deployments
    /// (the architecture inventory). Sorted by service.
    #[serde(default)]
    pub code: Vec<ServiceCode>,
    /// Everything nova could not analyse, or analysed with low confidence.
    pub diagnostics: Vec<Diagnostic>,
    /// Counters about the scan itself.
    pub stats: ScanStats,
}

/// Counters about the scan itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanStats {
    /// Files read (all kinds).
    pub files: u64,
    /// Rust files parsed.
    pub rust_files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// SQL statements analysed.
    pub sql_statements: u64,
}

impl Model {
    /// An empty model for `root` at the current schema version.
    pub fn new(root: impl Into<String>) -> Self {
        Model {
            schema_version: SCHEMA_VERSION,
            root: root.into(),
            ..Model::default()
        }
    }

    /// Look a service up by its canonical name.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Look a table up by its normalised name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The accesses of one service to one table.
    pub fn accesses_of<'a>(
        &'a self,
        service: &'a str,
        table: &'a str,
    ) -> impl Iterator<Item = &'a Access> + 'a {
        self.accesses
            .iter()
            .filter(move |a| a.service == service && a.table == table)
    }

    /// The union of operations `service` performs on `table`.
    pub fn ops(&self, service: &str, table: &str) -> OpSet {
        self.accesses_of(service, table).map(|a| a.op).collect()
    }

    /// Serialise as pretty JSON (the `nova scan --format json` output).
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
