//! Publishes messaging events straight to Kafka (no outbox).

use std::time::Duration;

use rdkafka::producer::{FutureProducer, FutureRecord};
use serde::Serialize;
use uuid::Uuid;

pub const MESSAGING_EVENTS_TOPIC: &str = "messaging-events";

#[derive(Serialize)]
#[serde(tag = "type")]
pub enum MessagingEvent {
    MessageSent {
        message_id: Uuid,
        conversation_id: Uuid,
        sender_id: Uuid,
    },
}

#[derive(Clone)]
pub struct EventPublisher {
    producer: FutureProducer,
}

impl EventPublisher {
    pub fn new(producer: FutureProducer) -> Self {
        Self { producer }
    }

    pub async fn publish(&self, key: Uuid, event: &MessagingEvent) -> anyhow::Result<()> {
        let payload = serde_json::to_string(event)?;
        let key = key.to_string();
        self.producer
            .send(
                FutureRecord::to(MESSAGING_EVENTS_TOPIC)
                    .key(&key)
                    .payload(&payload),
                Duration::from_secs(5),
            )
            .await
            .map_err(|(e, _)| e)?;
        Ok(())
    }
}
