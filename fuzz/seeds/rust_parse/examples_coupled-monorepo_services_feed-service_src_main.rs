use std::sync::Arc;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use tonic::transport::Channel;

mod content;
mod handlers;
mod timeline;

pub mod pb {
    pub mod content {
        tonic::include_proto!("nova.content.v1");
    }
}

use pb::content::content_service_client::ContentServiceClient;

pub struct AppState {
    pub pool: sqlx::PgPool,
    pub content: ContentServiceClient<Channel>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let pool = db_common::connect(&database_url, 20).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let content_url = std::env::var("CONTENT_SERVICE_URL")
        .unwrap_or_else(|_| "http://content-service:50052".to_string());
    let content = ContentServiceClient::connect(content_url)
        .await
        .context("content-service is not reachable")?;

    let state = Arc::new(AppState { pool, content });
    let app = Router::new()
        .route("/v1/feed/:user_id", get(handlers::get_feed))
        .route(
            "/v1/follows",
            post(handlers::follow).delete(handlers::unfollow),
        )
        .with_state(state);

    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
