//! media-service configuration, from the environment with local defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use nova_auth::Verifier;
use nova_kit::config::{ConfigError, env_bool, env_or};

/// Everything media-service needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// gRPC listen address (`MEDIA_LISTEN`, default `127.0.0.1:50064`).
    pub listen: SocketAddr,
    /// Its own database (`MEDIA_DATABASE_URL`, default `…/nova_media`).
    pub database_url: String,
    /// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
    pub kafka_bootstrap: String,
    /// Topic it publishes to (`MEDIA_TOPIC`, default `media-events`).
    pub topic: String,
    /// Create the topic at start if missing (`NOVA_CREATE_TOPICS`, default on).
    pub create_topics: bool,
    /// Directory of the local object store (`MEDIA_STORAGE_DIR`, default
    /// `${NOVA_CACHE:-~/.cache/nova}/media`).
    pub storage_dir: PathBuf,
    /// Largest upload in bytes (`MEDIA_MAX_BYTES`, default 1 MiB; gRPC's own limit is 4 MiB).
    pub max_bytes: usize,
    /// Verifies access tokens locally (see `nova_kit::keys`).
    pub verifier: Verifier,
}

impl Config {
    /// Reads the environment; unset variables take the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        let cache = std::env::var("NOVA_CACHE")
            .ok()
            .filter(|v| !v.is_empty())
            .map_or_else(
                || {
                    PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into()))
                        .join(".cache/nova")
                },
                PathBuf::from,
            );
        Ok(Self {
            listen: env_or("MEDIA_LISTEN", SocketAddr::from(([127, 0, 0, 1], 50064)))?,
            database_url: env_or("MEDIA_DATABASE_URL", format!("{}/nova_media", pg_base()))?,
            kafka_bootstrap: env_or("KAFKA_BOOTSTRAP", "127.0.0.1:9092".to_owned())?,
            topic: env_or("MEDIA_TOPIC", "media-events".to_owned())?,
            create_topics: env_bool("NOVA_CREATE_TOPICS", true)?,
            storage_dir: env_or("MEDIA_STORAGE_DIR", cache.join("media"))?,
            max_bytes: env_or("MEDIA_MAX_BYTES", 1024 * 1024)?,
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
