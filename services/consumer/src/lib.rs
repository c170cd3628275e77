//! Idempotent Kafka consumer: each event's effect applied once, in a PostgreSQL transaction.
