//! Accounts: sign-up, sign-in, profiles. Synchronous diesel on an r2d2
//! pool, run on tokio's blocking threads.

mod handlers;
mod repo;

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let database_url = std::env::var("DATABASE_URL")?;
    let pool = shop_db::pool(&database_url)?;
    let addr: SocketAddr = std::env::var("LISTEN_ADDR")
        .unwrap_or_else(|_| "0.0.0.0:8080".to_string())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "accounts-service listening");
    axum::serve(listener, handlers::router(pool)).await?;
    Ok(())
}
