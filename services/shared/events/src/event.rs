//! The Rust-side view of an envelope.

use chrono::{DateTime, Utc};
use prost::Message;
use uuid::Uuid;

use crate::{DecodeError, Payload, proto};

/// W3C trace context carried with an event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceContext {
    /// `traceparent` value.
    pub traceparent: String,
    /// `tracestate` value (may be empty).
    pub tracestate: String,
}

/// One event: envelope metadata plus the encoded payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Unique id (UUID v7 for events made by [`Event::new`]).
    pub id: Uuid,
    /// Event type, e.g. `content.PostCreated`.
    pub event_type: String,
    /// Payload schema version.
    pub schema_version: u32,
    /// Aggregate type, e.g. `post`.
    pub aggregate_type: String,
    /// Aggregate id; the Kafka key.
    pub aggregate_id: String,
    /// When the change happened.
    pub occurred_at: DateTime<Utc>,
    /// Trace context of the producing operation.
    pub trace: Option<TraceContext>,
    /// Protobuf-encoded payload.
    pub payload: Vec<u8>,
}

impl Event {
    /// A new event for `payload`, with a fresh UUID v7 id, occurred now, no trace context.
    pub fn new<P: Payload>(payload: &P) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: P::EVENT_TYPE.to_owned(),
            schema_version: P::SCHEMA_VERSION,
            aggregate_type: P::AGGREGATE_TYPE.to_owned(),
            aggregate_id: payload.aggregate_id().to_owned(),
            occurred_at: Utc::now(),
            trace: None,
            payload: payload.encode_to_vec(),
        }
    }

    /// Sets the trace context.
    #[must_use]
    pub fn with_trace(mut self, trace: TraceContext) -> Self {
        self.trace = Some(trace);
        self
    }

    /// Sets the occurred-at time.
    #[must_use]
    pub fn with_occurred_at(mut self, at: DateTime<Utc>) -> Self {
        self.occurred_at = at;
        self
    }

    /// Whether this event carries payload type `P`.
    pub fn is<P: Payload>(&self) -> bool {
        self.event_type == P::EVENT_TYPE
    }

    /// Decodes the payload as `P`; fails if the event type is not `P`'s.
    pub fn payload_as<P: Payload>(&self) -> Result<P, DecodeError> {
        if !self.is::<P>() {
            return Err(DecodeError::WrongType {
                expected: P::EVENT_TYPE,
                actual: self.event_type.clone(),
            });
        }
        Ok(P::decode(self.payload.as_slice())?)
    }

    /// The protobuf envelope for this event.
    pub fn to_envelope(&self) -> proto::Envelope {
        proto::Envelope {
            event_id: self.id.to_string(),
            event_type: self.event_type.clone(),
            schema_version: self.schema_version,
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id.clone(),
            occurred_at: Some(prost_types::Timestamp {
                seconds: self.occurred_at.timestamp(),
                nanos: i32::try_from(self.occurred_at.timestamp_subsec_nanos()).unwrap_or(0),
            }),
            trace: self.trace.as_ref().map(|t| proto::TraceContext {
                traceparent: t.traceparent.clone(),
                tracestate: t.tracestate.clone(),
            }),
            payload: self.payload.clone(),
        }
    }

    /// The encoded envelope (the Kafka message value).
    pub fn encode(&self) -> Vec<u8> {
        self.to_envelope().encode_to_vec()
    }

    /// Decodes an encoded envelope.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::try_from(proto::Envelope::decode(bytes)?)
    }
}

impl TryFrom<proto::Envelope> for Event {
    type Error = DecodeError;

    fn try_from(env: proto::Envelope) -> Result<Self, DecodeError> {
        let id = Uuid::parse_str(&env.event_id).map_err(|source| DecodeError::EventId {
            value: env.event_id.clone(),
            source,
        })?;
        if env.event_type.is_empty() {
            return Err(DecodeError::MissingField("event_type"));
        }
        if env.aggregate_id.is_empty() {
            return Err(DecodeError::MissingField("aggregate_id"));
        }
        let ts = env
            .occurred_at
            .ok_or(DecodeError::MissingField("occurred_at"))?;
        let nanos = u32::try_from(ts.nanos).map_err(|_| DecodeError::Timestamp)?;
        let occurred_at =
            DateTime::from_timestamp(ts.seconds, nanos).ok_or(DecodeError::Timestamp)?;
        Ok(Self {
            id,
            event_type: env.event_type,
            schema_version: env.schema_version,
            aggregate_type: env.aggregate_type,
            aggregate_id: env.aggregate_id,
            occurred_at,
            trace: env.trace.map(|t| TraceContext {
                traceparent: t.traceparent,
                tracestate: t.tracestate,
            }),
            payload: env.payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{MessageSent, PostUpdated};

    #[test]
    fn envelope_round_trips() {
        let post = PostUpdated {
            post_id: "p-1".into(),
            revision: 7,
            ..Default::default()
        };
        let event = Event::new(&post).with_trace(TraceContext {
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
            tracestate: String::new(),
        });
        assert_eq!(event.id.get_version_num(), 7);
        assert_eq!(event.event_type, "content.PostUpdated");
        assert_eq!(event.aggregate_type, "post");
        assert_eq!(event.aggregate_id, "p-1");
        let back = Event::decode(&event.encode()).expect("decodes");
        assert_eq!(back, event);
        assert_eq!(back.payload_as::<PostUpdated>().expect("payload"), post);
        assert!(matches!(
            back.payload_as::<MessageSent>(),
            Err(DecodeError::WrongType { .. })
        ));
    }

    #[test]
    fn rejects_bad_envelopes() {
        assert!(matches!(
            Event::decode(&[0xff, 0xff, 0xff]),
            Err(DecodeError::Protobuf(_))
        ));
        let mut env = Event::new(&PostUpdated {
            post_id: "p".into(),
            ..Default::default()
        })
        .to_envelope();
        env.event_id = "not-a-uuid".into();
        assert!(matches!(
            Event::try_from(env.clone()),
            Err(DecodeError::EventId { .. })
        ));
        env.event_id = Uuid::now_v7().to_string();
        env.occurred_at = None;
        assert!(matches!(
            Event::try_from(env),
            Err(DecodeError::MissingField("occurred_at"))
        ));
    }

    #[test]
    fn message_events_are_keyed_by_conversation() {
        let sent = MessageSent {
            message_id: "m-1".into(),
            conversation_id: "c-9".into(),
            ..Default::default()
        };
        let event = Event::new(&sent);
        assert_eq!(event.aggregate_type, "conversation");
        assert_eq!(event.aggregate_id, "c-9");
    }
}
