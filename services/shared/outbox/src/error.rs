//! Errors of the outbox and the relay.

/// Writing to the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The database rejected the statement.
    #[error("outbox database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The topic name is not usable.
    #[error("invalid outbox topic {0:?}: must be 1-249 chars of [a-zA-Z0-9._-]")]
    InvalidTopic(String),
}

/// The relay failed in a way it cannot retry by itself.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A database operation failed.
    #[error("relay database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The Kafka producer could not be created or configured.
    #[error("relay Kafka producer error: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    /// A setting from the environment does not parse.
    #[error("{variable}={value:?}: expected {expected}")]
    Config {
        /// The variable.
        variable: String,
        /// Its value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
}
