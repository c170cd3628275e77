//! identity-service configuration, from the environment with local defaults.

use std::net::SocketAddr;
use std::time::Duration;

use nova_auth::SigningKey;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything identity-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`IDENTITY_LISTEN`, default `127.0.0.1:50061`).
    pub listen: SocketAddr,
    /// Its own database (`IDENTITY_DATABASE_URL`, default `…/nova_identity`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Topic of identity events (`IDENTITY_TOPIC`, default `identity-events`).
    pub topic: String,
    /// Create the topic at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Signing keys; the first signs, all are published (`NOVA_AUTH_SIGNING_KEYS`).
    pub signing_keys: Vec<SigningKey>,
    /// `iss` of issued tokens (`NOVA_AUTH_ISSUER`, default `nova-identity`).
    pub issuer: String,
    /// Access token lifetime (`IDENTITY_ACCESS_TTL_SECS`, default 900).
    pub access_ttl: Duration,
    /// Refresh token lifetime (`IDENTITY_REFRESH_TTL_SECS`, default 30 days).
    pub refresh_ttl: Duration,
    /// argon2id memory in KiB (`IDENTITY_ARGON2_MEMORY_KIB`, default 19456 = OWASP's minimum).
    pub argon2_memory_kib: u32,
    /// argon2id iterations (`IDENTITY_ARGON2_ITERATIONS`, default 2).
    pub argon2_iterations: u32,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env_or("IDENTITY_LISTEN", SocketAddr::from(([127, 0, 0, 1], 50061)))?,
            database_url: env_or(
                "IDENTITY_DATABASE_URL",
                format!("{}/nova_identity", pg_base()),
            )?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            topic: env_or("IDENTITY_TOPIC", "identity-events".to_owned())?,
            create_topics: env_bool("NOVA_CREATE_TOPICS", true)?,
            signing_keys: nova_kit::keys::signing_keys_from_env()?,
            issuer: env_or("NOVA_AUTH_ISSUER", "nova-identity".to_owned())?,
            access_ttl: Duration::from_secs(env_or("IDENTITY_ACCESS_TTL_SECS", 900)?),
            refresh_ttl: Duration::from_secs(env_or("IDENTITY_REFRESH_TTL_SECS", 30 * 24 * 3600)?),
            argon2_memory_kib: env_or("IDENTITY_ARGON2_MEMORY_KIB", 19_456)?,
            argon2_iterations: env_or("IDENTITY_ARGON2_ITERATIONS", 2)?,
        })
    }
}

/// `NOVA_PG_URL` (server URL without a database), default the local server.
pub(crate) fn pg_base() -> String {
    std::env::var("NOVA_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned())
        .trim_end_matches('/')
        .to_owned()
}
