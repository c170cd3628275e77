use anyhow::Context;
use axum::routing::get;
use axum::Router;

mod indexer;
mod query;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let pool = db_common::connect(&database_url, 10).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let brokers = std::env::var("KAFKA_BROKERS").unwrap_or_else(|_| "kafka:9092".to_string());
    let indexer = indexer::Indexer::new(pool.clone(), &brokers)?;
    tokio::spawn(async move {
        if let Err(e) = indexer.run().await {
            tracing::error!(error = %e, "indexer stopped");
        }
    });

    let app = Router::new()
        .route("/v1/search", get(query::search))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8083").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
