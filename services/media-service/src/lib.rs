//! media-service: stores uploads through an [`storage::ObjectStore`] (a local
//! directory by default), keeps their metadata in its own database and
//! publishes `media.MediaUploaded` on `media-events` through its outbox
//! (content-service attaches the media to its post from that event).
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener.

pub mod config;
pub mod events;
pub mod server;
pub mod storage;
pub mod store;

use std::sync::Arc;

use nova_api::media::media_service_server::MediaServiceServer;
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

/// Migrates its database, then serves gRPC on `listener` and relays its outbox
/// until `shutdown`, storing objects in `config.storage_dir`.
pub async fn serve(config: Config, listener: TcpListener, shutdown: Shutdown) -> Result<(), Error> {
    let objects = Arc::new(storage::LocalFs::new(config.storage_dir.clone()));
    serve_with_store(config, listener, shutdown, objects).await
}

/// [`serve`] with another object store.
pub async fn serve_with_store(
    config: Config,
    listener: TcpListener,
    shutdown: Shutdown,
    objects: Arc<dyn storage::ObjectStore>,
) -> Result<(), Error> {
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
    let handlers = server::MediaHandlers::new(pool, outbox, objects, config.max_bytes);
    let grpc = GrpcServer::new()
        .add_service(MediaServiceServer::with_interceptor(
            handlers,
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
