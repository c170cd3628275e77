//! Test support: fresh PostgreSQL databases and Kafka topics with unique names,
//! cleaned up after, and a private tansu broker that a test can stop and restart.
//!
//! Environment (set by `scripts/test.sh`):
//! * `NOVA_PG_URL`: PostgreSQL server URL without a database
//!   (default `postgres://postgres@127.0.0.1:5432`);
//! * `KAFKA_BOOTSTRAP`: the shared test broker (`scripts/kafka.sh start`);
//! * `NOVA_TANSU` / `NOVA_CACHE`: where the tansu binary is, for private brokers.
//!
//! When PostgreSQL or Kafka is missing, the constructors return an error saying so:
//! tests fail with that message instead of skipping silently.

mod broker;
mod db;
mod error;
mod kafka;

pub use broker::{TansuBroker, tansu_binary};
pub use db::{TestDb, pg_base_url};
pub use error::TestkitError;
pub use kafka::{TestTopics, kafka_bootstrap, read_messages};

use std::future::Future;
use std::time::{Duration, Instant};

/// A name no other test uses: `<prefix>_<32 hex digits>`.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Polls `check` every `every` until it returns `Some`, or fails after `timeout`.
pub async fn wait_for<T, F, Fut>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut check: F,
) -> Result<T, TestkitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            return Err(TestkitError::Timeout {
                what: what.to_owned(),
                after: timeout,
            });
        }
        tokio::time::sleep(every).await;
    }
}
