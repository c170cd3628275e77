//! realtime-chat-service: consumes `messaging-events` (idempotently, into its
//! own database) and pushes each committed `messaging.MessageSent` to the
//! connected, authenticated clients it concerns (sender and recipients) over a
//! gRPC server stream. It never calls messaging-service.
//!
//! [`run`] binds `config.listen`; [`serve`] takes a bound listener.

pub mod config;
pub mod events;
pub mod server;
pub mod store;

use nova_api::chat::realtime_chat_service_server::RealtimeChatServiceServer;
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

/// Migrates its database, then consumes messaging events and serves the
/// stream on `listener` until `shutdown` (open streams end then).
pub async fn serve(config: Config, listener: TcpListener, shutdown: Shutdown) -> Result<(), Error> {
    let pool = nova_kit::connect_database(&config.database_url, 10).await?;
    MIGRATOR.run(&pool).await?;
    nova_consumer::migrate(&pool).await?;
    if config.create_topics {
        nova_kit::ensure_topics(
            &config.kafka_bootstrap,
            &[config.messaging_topic.as_str()],
            1,
        )
        .await?;
    }
    let hub = events::Hub::new(1024);
    let publisher = hub.clone();
    let mut consumer_config = ConsumerConfig::new(
        config.kafka_bootstrap.clone(),
        config.group_id.clone(),
        [config.messaging_topic.clone()],
    );
    consumer_config.consumer_properties.insert(
        "fetch.wait.max.ms".to_owned(),
        config.fetch_wait.as_millis().to_string(),
    );
    let consumer = Consumer::new(pool.clone(), consumer_config, events::ChatHandler)?
        .on_committed(move |event| publisher.publish_event(event));
    let grpc = GrpcServer::new()
        .add_service(RealtimeChatServiceServer::with_interceptor(
            server::Chat::new(hub, pool, shutdown.clone()),
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
