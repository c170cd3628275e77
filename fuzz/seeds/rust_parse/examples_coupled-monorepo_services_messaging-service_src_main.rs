use std::net::SocketAddr;

use anyhow::Context;
use rdkafka::producer::FutureProducer;
use rdkafka::ClientConfig;
use tonic::transport::Server;

mod events;
mod grpc;
mod store;

pub mod pb {
    pub mod messaging {
        tonic::include_proto!("nova.messaging.v1");
    }
    pub mod identity {
        tonic::include_proto!("nova.identity.v1");
    }
}

use pb::identity::identity_service_client::IdentityServiceClient;
use pb::messaging::messaging_service_server::MessagingServiceServer;

pub struct Config {
    pub database_url: String,
    pub identity_url: String,
    pub kafka_brokers: String,
    pub grpc_addr: SocketAddr,
}

impl Config {
    fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            database_url: std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?,
            identity_url: std::env::var("IDENTITY_SERVICE_URL")
                .unwrap_or_else(|_| "http://identity-service:50051".to_string()),
            kafka_brokers: std::env::var("KAFKA_BROKERS")
                .unwrap_or_else(|_| "kafka:9092".to_string()),
            grpc_addr: std::env::var("GRPC_ADDR")
                .unwrap_or_else(|_| "0.0.0.0:50053".to_string())
                .parse()?,
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let cfg = Config::from_env()?;

    let pool = db_common::connect(&cfg.database_url, 20).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let identity = IdentityServiceClient::connect(cfg.identity_url.clone())
        .await
        .context("identity-service is not reachable")?;

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &cfg.kafka_brokers)
        .set("message.timeout.ms", "5000")
        .create()?;

    let svc = grpc::MessagingGrpc::new(pool, identity, events::EventPublisher::new(producer));
    Server::builder()
        .add_service(MessagingServiceServer::new(svc))
        .serve(cfg.grpc_addr)
        .await?;
    Ok(())
}
