//! Kafka header names carrying the envelope metadata.
//!
//! The relay copies the envelope's metadata into these headers so that brokers,
//! tools and routers can see it without decoding the protobuf value. Header
//! values are UTF-8 text.

/// Event id (UUID text).
pub const EVENT_ID: &str = "nova-event-id";
/// Event type, e.g. `content.PostCreated`.
pub const EVENT_TYPE: &str = "nova-event-type";
/// Payload schema version (decimal).
pub const SCHEMA_VERSION: &str = "nova-schema-version";
/// Aggregate type, e.g. `post`.
pub const AGGREGATE_TYPE: &str = "nova-aggregate-type";
/// Aggregate id (also the message key).
pub const AGGREGATE_ID: &str = "nova-aggregate-id";
/// Occurred-at, RFC 3339.
pub const OCCURRED_AT: &str = "nova-occurred-at";
/// W3C `traceparent`.
pub const TRACEPARENT: &str = "traceparent";
/// W3C `tracestate`.
pub const TRACESTATE: &str = "tracestate";
/// Dead-letter: the error that sent the message to the DLQ.
pub const DLQ_ERROR: &str = "nova-dlq-error";
/// Dead-letter: how many times the handler was tried.
pub const DLQ_ATTEMPTS: &str = "nova-dlq-attempts";
/// Dead-letter: the topic the message was consumed from.
pub const DLQ_ORIGINAL_TOPIC: &str = "nova-dlq-original-topic";
/// Dead-letter: the partition the message was consumed from.
pub const DLQ_ORIGINAL_PARTITION: &str = "nova-dlq-original-partition";
/// Dead-letter: the offset the message was consumed from.
pub const DLQ_ORIGINAL_OFFSET: &str = "nova-dlq-original-offset";
/// Dead-letter: the consumer group that gave up on the message.
pub const DLQ_CONSUMER_GROUP: &str = "nova-dlq-consumer-group";
/// Dead-letter: why, as a short code (`handler-failed`, `undecodable`, `unknown-type`, `newer-version`).
pub const DLQ_REASON: &str = "nova-dlq-reason";
