//! Test support: fresh PostgreSQL databases and Kafka topics with unique names, cleaned up after.
