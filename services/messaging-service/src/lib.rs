//! messaging-service: conversations and messages over gRPC. Verifies tokens
//! locally and never calls identity-service; publishes `messaging.MessageSent`
//! on `messaging-events` through its outbox (realtime-chat-service pushes it
//! to connected clients).
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener.

pub mod config;
pub mod events;
pub mod server;
pub mod store;

use nova_api::messaging::messaging_service_server::MessagingServiceServer;
use nova_kit::{Authenticator, GrpcServer, Shutdown};
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
}

/// Binds `config.listen` and serves until `shutdown`.
pub async fn run(config: Config, shutdown: Shutdown) -> Result<(), Error> {
    let listener = nova_kit::bind(config.listen).await?;
    serve(config, listener, shutdown).await
}

/// Migrates its database, then serves gRPC on `listener` and relays its outbox until `shutdown`.
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
    let grpc = GrpcServer::new()
        .add_service(MessagingServiceServer::with_interceptor(
            server::Messaging::new(pool, outbox),
            Authenticator::new(config.verifier.clone()),
        ))
        .file_descriptor_set(nova_api::FILE_DESCRIPTOR_SET);
    let (served, relayed) = tokio::join!(
        async {
            let r = grpc.serve(listener, shutdown.clone()).await;
            shutdown.trigger();
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
