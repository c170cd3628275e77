//! feed-service: consumes `content-events` and `identity-events` idempotently
//! into its own read model and serves `GetFeed` (newest first, cursor
//! pagination, author names). It never calls content-service or
//! identity-service: with them down it still serves what it has.
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener.

pub mod config;
pub mod events;
pub mod server;
pub mod store;

use nova_api::feed::feed_service_server::FeedServiceServer;
use nova_consumer::{Consumer, ConsumerConfig};
use nova_kit::{Authenticator, GrpcServer, Shutdown};
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
    /// The consumer failed.
    #[error(transparent)]
    Consumer(#[from] nova_consumer::ConsumerError),
}

/// Binds `config.listen` and serves until `shutdown`.
pub async fn run(config: Config, shutdown: Shutdown) -> Result<(), Error> {
    let listener = nova_kit::bind(config.listen).await?;
    serve(config, listener, shutdown).await
}

/// Migrates its database, then consumes events and serves gRPC on `listener`
/// until `shutdown` (the consumer finishes the event in hand).
pub async fn serve(config: Config, listener: TcpListener, shutdown: Shutdown) -> Result<(), Error> {
    let pool = nova_kit::connect_database(&config.database_url, 10).await?;
    MIGRATOR.run(&pool).await?;
    nova_consumer::migrate(&pool).await?;
    if config.create_topics {
        let topics = [
            config.content_topic.as_str(),
            config.identity_topic.as_str(),
        ];
        nova_kit::ensure_topics(&config.kafka_bootstrap, &topics, 1).await?;
    }
    let mut consumer_config = ConsumerConfig::new(
        config.kafka_bootstrap.clone(),
        config.group_id.clone(),
        [config.content_topic.clone(), config.identity_topic.clone()],
    );
    consumer_config.consumer_properties.insert(
        "fetch.wait.max.ms".to_owned(),
        config.fetch_wait.as_millis().to_string(),
    );
    let consumer = Consumer::new(pool.clone(), consumer_config, events::FeedHandler)?;
    let grpc = GrpcServer::new()
        .add_service(FeedServiceServer::with_interceptor(
            server::Feed::new(pool),
            Authenticator::new(config.verifier.clone()),
        ))
        .file_descriptor_set(nova_api::FILE_DESCRIPTOR_SET);
    let (served, consumed) = tokio::join!(
        async {
            let r = grpc.serve(listener, shutdown.clone()).await;
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
    consumed?;
    Ok(())
}
