//! realtime-chat-service configuration, from the environment with local defaults.

use std::net::SocketAddr;

use nova_auth::Verifier;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything realtime-chat-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`CHAT_LISTEN`, default `127.0.0.1:50066`).
    pub listen: SocketAddr,
    /// Its own database (`CHAT_DATABASE_URL`, default `…/nova_chat`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Messaging events (`MESSAGING_TOPIC`, default `messaging-events`).
    pub messaging_topic: String,
    /// Consumer group (`CHAT_GROUP`, default `realtime-chat-service`).
    pub group_id: String,
    /// Longest time the broker may hold an empty fetch (`CHAT_FETCH_WAIT_MS`, default 10;
    /// librdkafka's 500 ms default would delay each event that much on tansu).
    pub fetch_wait: std::time::Duration,
    /// Create the topic at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Verifies access tokens locally (see `nova_kit::keys`).
    pub verifier: Verifier,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env_or("CHAT_LISTEN", SocketAddr::from(([127, 0, 0, 1], 50066)))?,
            database_url: env_or("CHAT_DATABASE_URL", format!("{}/nova_chat", pg_base()))?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            messaging_topic: env_or("MESSAGING_TOPIC", "messaging-events".to_owned())?,
            group_id: env_or("CHAT_GROUP", "realtime-chat-service".to_owned())?,
            fetch_wait: nova_kit::config::env_duration_ms(
                "CHAT_FETCH_WAIT_MS",
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
