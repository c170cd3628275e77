//! The `messaging.MessageSent` handler and the hub that fans messages out to
//! connected clients once the consumer has committed them.

use std::sync::Arc;

use nova_api::chat::ChatMessage;
use nova_consumer::{Handler, HandlerError};
use nova_events::proto::MessageSent;
use nova_events::{Event, Payload as _};
use sqlx::PgConnection;
use tokio::sync::broadcast;

use crate::store;

/// Fans committed messages out to subscribers.
#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<ChatMessage>>,
}

impl Hub {
    /// A hub buffering up to `capacity` messages per slow subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// A receiver of every message published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChatMessage>> {
        self.tx.subscribe()
    }

    /// Publishes a committed `MessageSent` event (others are ignored).
    pub fn publish_event(&self, event: &Event) {
        if !event.is::<MessageSent>() {
            return;
        }
        match event.payload_as::<MessageSent>() {
            Ok(m) => {
                // No subscriber is not an error.
                let _ = self.tx.send(Arc::new(ChatMessage {
                    message_id: m.message_id,
                    conversation_id: m.conversation_id,
                    sender_id: m.sender_id,
                    recipient_ids: m.recipient_ids,
                    body: m.body,
                    sent_at: m.sent_at,
                }));
            }
            Err(e) => tracing::warn!(error = %e, "undecodable MessageSent after commit"),
        }
    }
}

/// Records each `messaging.MessageSent` in the service's database.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChatHandler;

impl Handler for ChatHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == MessageSent::EVENT_TYPE).then_some(MessageSent::SCHEMA_VERSION)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        let message: MessageSent = event
            .payload_as()
            .map_err(|e| HandlerError::permanent(format!("undecodable MessageSent: {e}")))?;
        let sent_at = message
            .sent_at
            .as_ref()
            .and_then(|t| {
                chrono::DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0))
            })
            .unwrap_or(event.occurred_at);
        store::insert_message(conn, &message, sent_at)
            .await
            .map_err(|e| HandlerError::transient("database").with_source(e))
    }
}
