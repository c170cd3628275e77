//! messaging-service configuration, from the environment with local defaults.

use std::net::SocketAddr;

use nova_auth::Verifier;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything messaging-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`MESSAGING_LISTEN`, default `127.0.0.1:50065`).
    pub listen: SocketAddr,
    /// Its own database (`MESSAGING_DATABASE_URL`, default `…/nova_messaging`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Topic it publishes to (`MESSAGING_TOPIC`, default `messaging-events`).
    pub topic: String,
    /// Create the topic at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Verifies access tokens locally (see `nova_kit::keys`).
    pub verifier: Verifier,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env_or(
                "MESSAGING_LISTEN",
                SocketAddr::from(([127, 0, 0, 1], 50065)),
            )?,
            database_url: env_or(
                "MESSAGING_DATABASE_URL",
                format!("{}/nova_messaging", pg_base()),
            )?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            topic: env_or("MESSAGING_TOPIC", "messaging-events".to_owned())?,
            create_topics: env_bool("NOVA_CREATE_TOPICS", true)?,
            verifier: nova_kit::keys::verifier_from_env()?,
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
