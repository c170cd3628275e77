//! Idempotent Kafka consumer: each event's effect applied once, in a PostgreSQL transaction.
//!
//! [`Consumer`] reads a consumer group with manual offset commits, decodes the
//! [`Event`](nova_events::Event) envelope and runs the [`Handler`] inside a
//! transaction that first records the event id in `nova_processed_events`
//! (a duplicate is skipped). It commits the transaction, then the offset. A failing
//! handler is retried with backoff; after `max_attempts` the message goes to
//! `<topic>.dlq` with the error in headers. Messages already fetched are applied
//! together in one transaction (one processed-event row each); a batch that fails
//! is rolled back and processed one message at a time. Unknown event types and newer schema
//! versions follow [`UnsupportedPolicy`].

mod config;
mod consumer;
mod error;
mod handler;
mod metrics;
mod migration;

pub use config::{ConsumerConfig, UnsupportedPolicy};
pub use consumer::{Consumer, Outcome, clean_processed_events};
pub use error::{ConsumerError, HandlerError};
pub use handler::Handler;
pub use metrics::{ConsumerMetrics, ConsumerMetricsSnapshot};
pub use migration::{MIGRATION, migrate};
