//! Kafka header names used by nova's runtime. Header values are UTF-8 text.
//!
//! The message value is the encoded envelope, which holds all the metadata. The
//! relay adds the event id and type as headers when asked to (so that routers
//! and tools can filter without decoding the value; `RelayConfig::routing_headers`,
//! off by default) and the trace context; the aggregate id is the message key. The consumer adds the
//! dead-letter headers when it sends a message to `<topic>.dlq`.

/// Event id (UUID text).
pub const EVENT_ID: &str = "nova-event-id";
/// Event type, e.g. `content.PostCreated`.
pub const EVENT_TYPE: &str = "nova-event-type";
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
