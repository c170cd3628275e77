//! Transactional outbox: enqueue in the business transaction, relay to Kafka.
