//! content-service configuration, from the environment with local defaults.

use std::net::SocketAddr;

use nova_auth::Verifier;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything content-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`CONTENT_LISTEN`, default `127.0.0.1:50062`).
    pub listen: SocketAddr,
    /// Its own database (`CONTENT_DATABASE_URL`, default `…/nova_content`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Topic it publishes to (`CONTENT_TOPIC`, default `content-events`).
    pub topic: String,
    /// Topic of media events it consumes (`MEDIA_TOPIC`, default `media-events`).
    pub media_topic: String,
    /// Consumer group (`CONTENT_GROUP`, default `content-service`).
    pub group_id: String,
    /// Longest time the broker may hold an empty fetch (`CONTENT_FETCH_WAIT_MS`, default 10;
    /// librdkafka's 500 ms default would delay each event that much on tansu).
    pub fetch_wait: std::time::Duration,
    /// Create the topics at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Verifies access tokens locally (`NOVA_AUTH_JWKS` / `NOVA_AUTH_PUBLIC_KEYS`, see `nova_kit::keys`).
    pub verifier: Verifier,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env_or("CONTENT_LISTEN", SocketAddr::from(([127, 0, 0, 1], 50062)))?,
            database_url: env_or(
                "CONTENT_DATABASE_URL",
                format!("{}/nova_content", pg_base()),
            )?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            topic: env_or("CONTENT_TOPIC", "content-events".to_owned())?,
            media_topic: env_or("MEDIA_TOPIC", "media-events".to_owned())?,
            group_id: env_or("CONTENT_GROUP", "content-service".to_owned())?,
            fetch_wait: nova_kit::config::env_duration_ms(
                "CONTENT_FETCH_WAIT_MS",
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
