//! Binding of payload messages to event types, versions and aggregates.

use crate::proto;

/// A payload message: knows its event type, schema version and aggregate.
pub trait Payload: prost::Message + Default {
    /// Event type, `<context>.<MessageName>`.
    const EVENT_TYPE: &'static str;
    /// Current schema version of this payload.
    const SCHEMA_VERSION: u32;
    /// Aggregate type the event belongs to.
    const AGGREGATE_TYPE: &'static str;
    /// The aggregate id (the Kafka key): events of one aggregate stay in order.
    fn aggregate_id(&self) -> &str;
}

macro_rules! payload {
    ($ty:ident, $event_type:literal, $version:literal, $aggregate:literal, $field:ident) => {
        impl Payload for proto::$ty {
            const EVENT_TYPE: &'static str = $event_type;
            const SCHEMA_VERSION: u32 = $version;
            const AGGREGATE_TYPE: &'static str = $aggregate;
            fn aggregate_id(&self) -> &str {
                &self.$field
            }
        }
    };
}

payload!(
    UserRegistered,
    "identity.UserRegistered",
    1,
    "user",
    user_id
);
payload!(
    UserProfileUpdated,
    "identity.UserProfileUpdated",
    1,
    "user",
    user_id
);
payload!(UserDeleted, "identity.UserDeleted", 1, "user", user_id);
payload!(PostCreated, "content.PostCreated", 1, "post", post_id);
payload!(PostUpdated, "content.PostUpdated", 1, "post", post_id);
payload!(PostDeleted, "content.PostDeleted", 1, "post", post_id);
payload!(MediaUploaded, "media.MediaUploaded", 1, "media", media_id);
payload!(
    MessageSent,
    "messaging.MessageSent",
    1,
    "conversation",
    conversation_id
);
payload!(
    MessageRead,
    "messaging.MessageRead",
    1,
    "conversation",
    conversation_id
);
