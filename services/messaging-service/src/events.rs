//! The event messaging-service publishes on `messaging-events` (through its outbox).

use nova_events::Event;
use nova_events::proto::MessageSent;

use crate::store::MessageRow;

/// `messaging.MessageSent`; recipients are the other participants.
pub fn message_sent(message: &MessageRow, participants: &[String]) -> Event {
    Event::new(&MessageSent {
        message_id: message.id.to_string(),
        conversation_id: message.conversation_id.to_string(),
        sender_id: message.sender_id.clone(),
        recipient_ids: participants
            .iter()
            .filter(|p| **p != message.sender_id)
            .cloned()
            .collect(),
        body: message.body.clone(),
        sent_at: Some(prost_types::Timestamp::from(std::time::SystemTime::from(
            message.sent_at,
        ))),
    })
}
