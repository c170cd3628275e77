//! The common server kit of the nova reference services.
//!
//! Every service is a library with `run(config, shutdown)`; this crate gives
//! them the same pieces:
//!
//! - [`GrpcServer`]: a tonic server with `grpc.health.v1` health (every added
//!   service reported `SERVING`) and gRPC reflection (v1) for the descriptor
//!   sets you register, served on a [`tokio::net::TcpListener`] until a
//!   [`Shutdown`] fires;
//! - [`Shutdown`]: a cloneable shutdown signal (trigger it by hand in tests,
//!   or on SIGINT/SIGTERM with [`Shutdown::on_signals`]); its
//!   [`Shutdown::wait`] future is what the outbox relay and the consumers take;
//! - [`config`]: typed environment variables with defaults ([`config::env_or`]);
//! - [`init_tracing`]: `tracing` to stderr, filtered by `RUST_LOG`;
//! - [`Authenticator`]: a tonic interceptor that verifies the
//!   `authorization: Bearer <token>` with a [`nova_auth::Verifier`] and rejects
//!   with `Unauthenticated`; handlers read the verified [`Claims`] with
//!   [`caller`];
//! - [`connect_database`] (creates the service's database if absent) and
//!   [`ensure_topics`] (tansu does not create topics on first use);
//! - [`keys`]: signing keys and the verifier from the environment (with a
//!   development key when nothing is configured);
//! - [`invalid_argument`] (naming the field) and [`internal`] statuses.

pub mod config;
mod error;
mod infra;
mod interceptor;
pub mod keys;
pub mod page;
mod server;
mod shutdown;
mod status;

pub use error::KitError;
pub use infra::{connect_database, ensure_topics};
pub use interceptor::{Authenticator, authenticate, bearer_token, caller};
pub use nova_auth::{Claims, Verifier};
pub use server::{GrpcServer, bind};
pub use shutdown::Shutdown;
pub use status::{internal, invalid_argument};

/// Sends `tracing` events to stderr, filtered by `RUST_LOG` (default `info`).
///
/// Safe to call more than once (later calls do nothing), so tests that start
/// several services in one process can each call it.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
