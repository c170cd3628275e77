//! Integration tests of nova-kit.

mod auth;
mod config;
mod keys;
mod server;
