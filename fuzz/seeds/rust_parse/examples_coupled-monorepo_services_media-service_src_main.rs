use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio_postgres::NoTls;

mod attach;
mod store;
mod upload;

pub mod pb {
    tonic::include_proto!("nova.content.v1");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let (client, connection) = tokio_postgres::connect(&database_url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "postgres connection closed");
        }
    });
    let store = Arc::new(store::MediaStore::new(client));

    let janitor = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = janitor.expire_upload_sessions().await {
                tracing::warn!(error = %e, "upload session cleanup failed");
            }
        }
    });

    let attacher = attach::ContentAttacher::from_env().await?;
    let app = upload::router(store, attacher);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8081").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
