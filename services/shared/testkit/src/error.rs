//! Testkit errors: each says what is missing and how to provide it.

use std::time::Duration;

/// A test resource could not be set up or checked.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// PostgreSQL is unreachable or refused an operation.
    #[error(
        "PostgreSQL at {url} failed: {source}. Tests need a server on NOVA_PG_URL \
         (default postgres://postgres@127.0.0.1:5432, trust auth); run scripts/test.sh"
    )]
    Postgres {
        /// The server URL.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// `KAFKA_BOOTSTRAP` is not set.
    #[error(
        "KAFKA_BOOTSTRAP is not set: run the tests through scripts/test.sh, or start a \
         broker with `eval \"$(scripts/kafka.sh start)\"; export KAFKA_BOOTSTRAP`"
    )]
    NoKafka,
    /// A Kafka operation failed.
    #[error("Kafka at {bootstrap} failed: {detail}")]
    Kafka {
        /// The bootstrap servers.
        bootstrap: String,
        /// What failed.
        detail: String,
    },
    /// The tansu binary is missing or would not start.
    #[error("tansu broker: {0}")]
    Tansu(String),
    /// A condition was not met in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        after: Duration,
    },
    /// Local I/O failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}
