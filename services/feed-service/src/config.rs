//! feed-service configuration, from the environment with local defaults.

use std::net::SocketAddr;

use nova_auth::Verifier;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything feed-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`FEED_LISTEN`, default `127.0.0.1:50063`).
    pub listen: SocketAddr,
    /// Its own database (`FEED_DATABASE_URL`, default `…/nova_feed`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Content events (`CONTENT_TOPIC`, default `content-events`).
    pub content_topic: String,
    /// Identity events (`IDENTITY_TOPIC`, default `identity-events`).
    pub identity_topic: String,
    /// Consumer group (`FEED_GROUP`, default `feed-service`).
    pub group_id: String,
    /// Longest time the broker may hold a fetch when it has no new records
    /// (`FEED_FETCH_WAIT_MS`, default 10; librdkafka's own default, 500, is
    /// what a new post would wait for on a broker that does not answer a
    /// waiting fetch early).
    pub fetch_wait: std::time::Duration,
    /// Create the topics at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Verifies access tokens locally (see `nova_kit::keys`).
    pub verifier: Verifier,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env_or("FEED_LISTEN", SocketAddr::from(([127, 0, 0, 1], 50063)))?,
            database_url: env_or("FEED_DATABASE_URL", format!("{}/nova_feed", pg_base()))?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            content_topic: env_or("CONTENT_TOPIC", "content-events".to_owned())?,
            identity_topic: env_or("IDENTITY_TOPIC", "identity-events".to_owned())?,
            group_id: env_or("FEED_GROUP", "feed-service".to_owned())?,
            fetch_wait: nova_kit::config::env_duration_ms(
                "FEED_FETCH_WAIT_MS",
                std::time::Duration::from_millis(10),
            )?,
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
