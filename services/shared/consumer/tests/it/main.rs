//! Idempotent consumer integration tests against real PostgreSQL and the tansu broker.

mod common;
mod crash;
mod delivery;
mod policy;
