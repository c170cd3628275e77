use std::net::SocketAddr;

use anyhow::Context;
use tonic::transport::Server;

mod grpc;
mod outbox;
mod posts;

pub mod pb {
    tonic::include_proto!("nova.content.v1");
}

use pb::content_service_server::ContentServiceServer;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let pool = db_common::connect(&database_url, 30).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let addr: SocketAddr = std::env::var("GRPC_ADDR")
        .unwrap_or_else(|_| "0.0.0.0:50052".to_string())
        .parse()?;
    tracing::info!(%addr, "content-service listening");

    Server::builder()
        .add_service(ContentServiceServer::new(grpc::ContentGrpc::new(pool)))
        .serve(addr)
        .await?;
    Ok(())
}
