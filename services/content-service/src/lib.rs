//! content-service: posts, comments and likes over gRPC. The author is the
//! caller of a locally verified token (`nova_kit::Authenticator`); it never
//! calls identity-service. Publishes `content.PostCreated`, `PostUpdated` and
//! `PostDeleted` on `content-events` through its outbox; consumes
//! `media.MediaUploaded` from `media-events` and attaches the media to its post.
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener.

pub mod config;
pub mod events;
pub mod server;
pub mod store;

use nova_api::content::content_service_server::ContentServiceServer;
use nova_consumer::{Consumer, ConsumerConfig};
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
    /// The consumer failed.
    #[error(transparent)]
    Consumer(#[from] nova_consumer::ConsumerError),
}

/// Binds `config.listen` and serves until `shutdown`.
pub async fn run(config: Config, shutdown: Shutdown) -> Result<(), Error> {
    let listener = nova_kit::bind(config.listen).await?;
    serve(config, listener, shutdown).await
}

/// Migrates its database, then serves gRPC on `listener`, relays its outbox and
/// consumes media events until `shutdown` (relay and consumer finish their batch).
pub async fn serve(config: Config, listener: TcpListener, shutdown: Shutdown) -> Result<(), Error> {
    let pool = nova_kit::connect_database(&config.database_url, 10).await?;
    MIGRATOR.run(&pool).await?;
    nova_outbox::migrate(&pool).await?;
    nova_consumer::migrate(&pool).await?;
    if config.create_topics {
        let topics = [config.topic.as_str(), config.media_topic.as_str()];
        nova_kit::ensure_topics(&config.kafka_bootstrap, &topics, 1).await?;
    }
    let outbox = Outbox::new(config.topic.clone())?;
    let relay = Relay::new(
        pool.clone(),
        RelayConfig::from_env(config.kafka_bootstrap.clone())?,
    )?;
    let mut consumer_config = ConsumerConfig::new(
        config.kafka_bootstrap.clone(),
        config.group_id.clone(),
        [config.media_topic.clone()],
    );
    consumer_config.consumer_properties.insert(
        "fetch.wait.max.ms".to_owned(),
        config.fetch_wait.as_millis().to_string(),
    );
    let consumer = Consumer::new(
        pool.clone(),
        consumer_config,
        events::MediaHandler {
            outbox: outbox.clone(),
        },
    )?;
    let authenticator = Authenticator::new(config.verifier.clone());
    let grpc = GrpcServer::new()
        .add_service(ContentServiceServer::with_interceptor(
            server::Content::new(pool, outbox),
            authenticator,
        ))
        .file_descriptor_set(nova_api::FILE_DESCRIPTOR_SET);
    let (served, relayed, consumed) = tokio::join!(
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
        async {
            let r = consumer.run(shutdown.wait()).await;
            shutdown.trigger();
            r
        },
    );
    served?;
    relayed?;
    consumed?;
    Ok(())
}
