//! Errors of the consumer and of handlers.

use std::error::Error as StdError;

/// The consumer cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// A database operation failed.
    #[error("consumer database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Kafka client creation, subscription or receive failed.
    #[error("consumer Kafka error: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    /// The configuration is unusable.
    #[error("invalid consumer configuration: {0}")]
    Config(String),
}

/// A handler failed to apply an event.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct HandlerError {
    message: String,
    permanent: bool,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl HandlerError {
    /// A failure that may pass on retry (the consumer retries with backoff).
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
            source: None,
        }
    }

    /// A failure that retrying cannot fix: the message is dead-lettered at once.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
            source: None,
        }
    }

    /// Attaches the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Whether retrying is pointless.
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }
}

impl From<sqlx::Error> for HandlerError {
    fn from(e: sqlx::Error) -> Self {
        Self::transient(format!("database: {e}")).with_source(e)
    }
}

impl From<nova_events::DecodeError> for HandlerError {
    fn from(e: nova_events::DecodeError) -> Self {
        Self::permanent(format!("payload: {e}")).with_source(e)
    }
}
