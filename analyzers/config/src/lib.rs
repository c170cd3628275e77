//! `nova.toml`: the optional configuration at the scanned root (or given
//! with `--config FILE`).
//!
//! Parsed with spans: every error names the file, the line and the key
//! (`nova.toml:12: rules.multi-writr: unknown rule ...`), like cargo-deny.
//! The types below are the parsed, validated form every other crate reads.
//! PARSING IS OWNED BY the discovery/scan work; the shapes are shared.

pub mod parse;

pub use parse::{ConfigError, ConfigIssue, RULE_IDS, load, parse};

use nova_model::{Dialect, ServiceKind, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The level a rule reports at (or `allow` to switch it off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Allow,
    Info,
    Warning,
    Error,
}

impl Level {
    /// The severity findings get at this level (`None` for `allow`).
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// A location inside the config file, for messages about config entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSpan {
    /// The config file as given (display form).
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
}

/// `[scan]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanConfig {
    /// Globs (relative to the root) of paths to scan; empty = everything.
    pub include: Vec<String>,
    /// Globs of paths to skip, on top of `.gitignore`, `target/`,
    /// `node_modules/` and vendored code.
    pub exclude: Vec<String>,
    /// Count test/bench/example code in the matrix.
    pub include_tests: bool,
    /// Schemas stripped from table names (`public.videos` -> `videos`).
    pub default_schemas: Vec<String>,
    /// Default SQL dialect.
    pub dialect: Dialect,
    /// Tables to leave out entirely (e.g. `_sqlx_migrations`).
    pub ignore_tables: Vec<String>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            include: Vec::new(),
            exclude: Vec::new(),
            include_tests: false,
            default_schemas: vec!["public".to_string()],
            dialect: Dialect::Postgres,
            ignore_tables: vec!["_sqlx_migrations".to_string()],
        }
    }
}

/// `[services.<name>]`: declares or adjusts a service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// Cargo package this service is (defaults to the key).
    pub package: Option<String>,
    /// Directory of the service, relative to the root.
    pub path: Option<String>,
    /// Other names: deployment names, host names, env-var stems.
    pub aliases: Vec<String>,
    pub dialect: Option<Dialect>,
    pub kind: Option<ServiceKind>,
    /// Treat this package as a library, not a service.
    pub ignore: bool,
    pub span: ConfigSpan,
}

/// `[tables.<name>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableConfig {
    /// Declared owning service.
    pub owner: Option<String>,
    pub span: ConfigSpan,
}

/// `[[sync-calls]]`: level for synchronous calls between one pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCallRule {
    pub from: String,
    pub to: String,
    pub level: Level,
    pub span: ConfigSpan,
}

/// `[[allow]]`: a finding accepted on purpose, with the reason.
///
/// An entry matches a finding when the rule id matches and every field it
/// sets matches the finding's subject (service, table, peer service, topic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowEntry {
    pub rule: String,
    pub service: Option<String>,
    pub table: Option<String>,
    /// Other side of a call/edge (`to` service).
    pub to: Option<String>,
    pub topic: Option<String>,
    /// Mandatory: why this is accepted.
    pub reason: String,
    pub span: ConfigSpan,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The file it came from, if any (display form).
    pub source: Option<String>,
    pub scan: ScanConfig,
    pub services: BTreeMap<String, ServiceConfig>,
    pub tables: BTreeMap<String, TableConfig>,
    /// Rule id -> level (overrides each rule's default).
    pub rules: BTreeMap<String, Level>,
    pub sync_calls: Vec<SyncCallRule>,
    pub allow: Vec<AllowEntry>,
    /// Values for environment variables read by the code
    /// (`KAFKA_TOPIC_PREFIX = "prod"`), used when resolving topics and URLs
    /// statically. Code defaults (`unwrap_or("...")`) apply otherwise.
    pub env: BTreeMap<String, String>,
}
