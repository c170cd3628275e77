//! Errors of the server kit.

/// What can fail while configuring or serving.
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    /// An environment variable has a value that does not parse.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Binding the listen address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The reflection service could not be built from a descriptor set.
    #[error("gRPC reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The database could not be reached or created.
    #[error("database: {0}")]
    Database(String),
    /// The Kafka broker refused an administrative request.
    #[error("kafka: {0}")]
    Kafka(String),
    /// The server failed while serving.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}
