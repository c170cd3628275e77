//! Outbox + relay integration tests against real PostgreSQL and the tansu broker.

mod common;
mod e2e;
mod failures;
mod ordering;
