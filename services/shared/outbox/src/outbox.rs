//! Writing events into the outbox, inside the caller's transaction.

use nova_events::Event;
use sqlx::{Postgres, Transaction};

use crate::OutboxError;

/// Advisory-lock class taken by writers per aggregate (see [`Outbox::enqueue`]).
pub(crate) const WRITER_LOCK_CLASS: i32 = 0x6e6f_7661; // "nova"

const INSERT: &str = "\
WITH writer_lock AS (
    SELECT pg_advisory_xact_lock($11, hashtext($5 || '/' || $6))
)
INSERT INTO nova_outbox (event_id, topic, event_type, schema_version, aggregate_type,
                         aggregate_id, occurred_at, traceparent, tracestate, envelope)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM writer_lock";

/// An outbox writing to one Kafka topic, e.g. `content-events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    topic: String,
}

impl Outbox {
    /// An outbox whose events the relay publishes to `topic`.
    pub fn new(topic: impl Into<String>) -> Result<Self, OutboxError> {
        let topic = topic.into();
        let valid = !topic.is_empty()
            && topic.len() <= 249
            && topic != "."
            && topic != ".."
            && topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self { topic })
        } else {
            Err(OutboxError::InvalidTopic(topic))
        }
    }

    /// The topic the events go to.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Writes `event` into the outbox as part of `tx`.
    ///
    /// The event is published only if `tx` commits. Writers of the same aggregate
    /// are serialised (a transaction-scoped advisory lock per aggregate, taken here),
    /// so for one aggregate the outbox id order is the commit order and the relay
    /// publishes in that order. Enqueue events of several aggregates in a consistent
    /// order across transactions, as with row locks, to avoid deadlocks.
    pub async fn enqueue(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        event: &Event,
    ) -> Result<(), OutboxError> {
        let (traceparent, tracestate) = match &event.trace {
            Some(t) => (
                Some(t.traceparent.as_str()),
                (!t.tracestate.is_empty()).then_some(t.tracestate.as_str()),
            ),
            None => (None, None),
        };
        sqlx::query(INSERT)
            .bind(event.id)
            .bind(&self.topic)
            .bind(&event.event_type)
            .bind(i32::try_from(event.schema_version).unwrap_or(i32::MAX))
            .bind(&event.aggregate_type)
            .bind(&event.aggregate_id)
            .bind(event.occurred_at)
            .bind(traceparent)
            .bind(tracestate)
            .bind(event.encode())
            .bind(WRITER_LOCK_CLASS)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Writes several events, in the given order, as part of `tx`.
    pub async fn enqueue_all(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        events: &[Event],
    ) -> Result<(), OutboxError> {
        for event in events {
            self.enqueue(tx, event).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_topic_names() {
        assert!(Outbox::new("content-events").is_ok());
        assert!(Outbox::new("a.b_c-1").is_ok());
        for bad in ["", ".", "..", "has space", "sl/ash", &"x".repeat(250)] {
            assert!(
                matches!(Outbox::new(bad), Err(OutboxError::InvalidTopic(_))),
                "{bad:?}"
            );
        }
    }
}
