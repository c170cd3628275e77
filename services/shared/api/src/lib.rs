//! gRPC API of the nova reference services, generated from `proto/services`
//! (tonic 0.14 servers and clients, prost messages).
//!
//! [`FILE_DESCRIPTOR_SET`] holds every service's descriptors, for gRPC
//! reflection (`nova_kit::GrpcServer::file_descriptor_set`).

/// Encoded `FileDescriptorSet` of all the services' protos.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/nova_services_descriptor.bin"));

/// `nova.identity.v1`: accounts, tokens, public keys.
pub mod identity {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.identity.v1");
}

/// `nova.content.v1`: posts, comments, likes.
pub mod content {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.content.v1");
}

/// `nova.feed.v1`: the feed read model.
pub mod feed {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.feed.v1");
}

/// `nova.media.v1`: uploads and their metadata.
pub mod media {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.media.v1");
}

/// `nova.messaging.v1`: conversations and messages.
pub mod messaging {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.messaging.v1");
}

/// `nova.chat.v1`: the realtime message stream.
pub mod chat {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("nova.chat.v1");
}
