//! Integration tests of nova-kit.

mod auth;
mod config;
mod server;
