//! Transactional outbox: events are inserted in the same transaction as the
//! change. Debezium's outbox event router (deployed with the Kafka Connect
//! cluster, not in this repository) relays the rows to Kafka.

use serde::Serialize;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// Topic all content events go to.
pub const CONTENT_EVENTS_TOPIC: &str = "content-events";

#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum ContentEvent {
    PostCreated { post_id: Uuid, author_id: Uuid },
    PostUpdated { post_id: Uuid },
    PostDeleted { post_id: Uuid },
}

impl ContentEvent {
    fn name(&self) -> &'static str {
        match self {
            ContentEvent::PostCreated { .. } => "PostCreated",
            ContentEvent::PostUpdated { .. } => "PostUpdated",
            ContentEvent::PostDeleted { .. } => "PostDeleted",
        }
    }
}

/// Adds an event to the outbox inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    topic: &str,
    aggregate_id: Uuid,
    event: &ContentEvent,
) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(event).unwrap_or_default();
    sqlx::query(
        "INSERT INTO outbox_events (topic, aggregate_id, event_type, payload) VALUES ($1, $2, $3, $4)",
    )
    .bind(topic)
    .bind(aggregate_id)
    .bind(event.name())
    .bind(payload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
