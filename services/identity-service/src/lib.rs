//! identity-service: accounts with argon2id passwords, EdDSA access tokens
//! (`kid` in the header), the JWKS that lets every other service verify them
//! locally, and single-use refresh tokens stored as SHA-256 hashes.
//! Publishes `identity.UserRegistered` and `identity.UserProfileUpdated` on
//! `identity-events` through its transactional outbox.
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener (tests and
//! the one-process stack bind port 0).

pub mod config;
pub mod events;
pub mod server;
pub mod store;

use nova_api::identity::identity_service_server::IdentityServiceServer;
use nova_kit::{GrpcServer, Shutdown};
use nova_outbox::{Outbox, Relay, RelayConfig};
use tokio::net::TcpListener;

pub use config::Config;

/// The service's migrations (`migrations/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Server kit (bind, database, topics, serving).
    #[error(transparent)]
    Kit(#[from] nova_kit::KitError),
    /// Migrations failed.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Database error at start.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Outbox setup.
    #[error(transparent)]
    Outbox(#[from] nova_outbox::OutboxError),
    /// The relay failed.
    #[error(transparent)]
    Relay(#[from] nova_outbox::RelayError),
    /// No signing key configured.
    #[error("no signing key configured")]
    NoSigningKey,
    /// Bad argon2 parameters.
    #[error("argon2 parameters: {0}")]
    Argon2(String),
}

/// Binds `config.listen` and serves until `shutdown`.
pub async fn run(config: Config, shutdown: Shutdown) -> Result<(), Error> {
    let listener = nova_kit::bind(config.listen).await?;
    serve(config, listener, shutdown).await
}

/// Migrates its database, then serves gRPC on `listener` and relays its outbox
/// until `shutdown`; the relay finishes its batch in flight.
pub async fn serve(config: Config, listener: TcpListener, shutdown: Shutdown) -> Result<(), Error> {
    let pool = nova_kit::connect_database(&config.database_url, 10).await?;
    MIGRATOR.run(&pool).await?;
    nova_outbox::migrate(&pool).await?;
    if config.create_topics {
        nova_kit::ensure_topics(&config.kafka_bootstrap, &[config.topic.as_str()], 1).await?;
    }
    let outbox = Outbox::new(config.topic.clone())?;
    let relay = Relay::new(
        pool.clone(),
        RelayConfig::from_env(config.kafka_bootstrap.clone())?,
    )?;
    let handlers = server::Identity::new(pool, outbox, &config)?;
    let grpc = GrpcServer::new()
        .add_service(IdentityServiceServer::new(handlers))
        .file_descriptor_set(nova_api::FILE_DESCRIPTOR_SET);
    let stop_all = shutdown.clone();
    let (served, relayed) = tokio::join!(
        async {
            let r = grpc.serve(listener, shutdown.clone()).await;
            stop_all.trigger();
            r
        },
        async {
            let r = relay.run(shutdown.wait()).await;
            shutdown.trigger();
            r
        },
    );
    served?;
    relayed?;
    Ok(())
}
