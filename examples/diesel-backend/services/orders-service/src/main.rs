//! Orders: the basket is placed as an order, stock is reserved, the back
//! office lists orders. diesel-async on a deadpool pool.

mod api;
mod store;

use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::AsyncPgConnection;
use std::net::SocketAddr;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let database_url = std::env::var("DATABASE_URL")?;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(database_url);
    let pool = store::DbPool::builder(manager).max_size(16).build()?;
    let addr: SocketAddr = std::env::var("LISTEN_ADDR")
        .unwrap_or_else(|_| "0.0.0.0:8081".to_string())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "orders-service listening");
    axum::serve(listener, api::router(pool)).await?;
    Ok(())
}
