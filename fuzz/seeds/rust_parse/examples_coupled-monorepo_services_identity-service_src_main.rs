use std::net::SocketAddr;

use anyhow::Context;
use tonic::transport::Server;

mod grpc;
mod repo;

pub mod pb {
    tonic::include_proto!("nova.identity.v1");
}

use pb::identity_service_server::IdentityServiceServer;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let pool = db_common::connect(&database_url, 20).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let addr: SocketAddr = std::env::var("GRPC_ADDR")
        .unwrap_or_else(|_| "0.0.0.0:50051".to_string())
        .parse()?;
    tracing::info!(%addr, "identity-service listening");

    Server::builder()
        .add_service(IdentityServiceServer::new(grpc::IdentityGrpc::new(pool)))
        .serve(addr)
        .await?;
    Ok(())
}
