//! Generated protobuf code, checked in so that builds need no protoc.

#[path = "content.v1.rs"]
pub mod content;
