//! Transactional outbox: enqueue events in the business transaction, relay them to Kafka.
//!
//! * [`migrate`] creates the `nova_outbox` table ([`MIGRATION`] is the SQL, for
//!   services that run their own migration tool).
//! * [`Outbox::enqueue`] writes an [`Event`](nova_events::Event) in the caller's
//!   transaction: the event exists if and only if the business change committed.
//! * [`Relay`] publishes committed rows to Kafka with an idempotent producer
//!   (`acks=all`), key = aggregate id, value = the encoded envelope, headers =
//!   [`MESSAGE_HEADERS`] (event id and type, trace context), and marks a row
//!   published only after its delivery report succeeded. Order per aggregate is kept,
//!   also with several relays running and across failures. See `services/README.md`.

mod error;
mod metrics;
mod migration;
mod outbox;
mod relay;

pub use error::{OutboxError, RelayError};
pub use metrics::{RelayMetrics, RelayMetricsSnapshot};
pub use migration::{MIGRATION, NOTIFY_CHANNEL, migrate};
pub use outbox::Outbox;
pub use relay::{BatchOutcome, MESSAGE_HEADERS, Relay, RelayConfig};
