//! Event envelope and payloads (prost), generated from `proto/events`.
//!
//! Every event nova's services exchange travels in an [`proto::Envelope`]: event id
//! (UUID v7), type, schema version, aggregate type and id, occurred-at, trace
//! context and the protobuf-encoded payload. [`Event`] is the Rust-side view of an
//! envelope; [`Payload`] ties each payload message to its event type, schema
//! version and aggregate.

mod error;
mod event;
pub mod headers;
mod payload;

pub use error::DecodeError;
pub use event::{Event, TraceContext};
pub use payload::Payload;

/// Generated protobuf types (`nova.events.v1`).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/nova.events.v1.rs"));
}
