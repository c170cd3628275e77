//! End-to-end tests of the reference services: real gRPC on loopback, real
//! PostgreSQL (a fresh database per service per test) and a private tansu broker
//! per test. Needs `NOVA_PG_URL` (or the local default) and the tansu binary
//! (`scripts/kafka.sh install`).

mod auth;
mod chat;
mod common;
mod crash;
mod outage;
mod story;
