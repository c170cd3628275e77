//! Billing: invoices the pending orders every minute, settles invoices
//! and marks their orders paid, reports the daily revenue.

mod invoicing;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shop_db::models::Invoice;
use shop_db::DbPool;
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let pool = shop_db::pool(&std::env::var("DATABASE_URL")?)?;
    let worker = pool.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let pool = worker.clone();
            let done = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get()?;
                Ok::<_, anyhow::Error>(invoicing::issue_invoices(&mut conn)?)
            })
            .await;
            match done {
                Ok(Ok(n)) => tracing::info!(n, "invoices issued"),
                Ok(Err(e)) => tracing::warn!(%e, "invoicing failed"),
                Err(e) => tracing::warn!(%e, "invoicing task panicked"),
            }
        }
    });
    let app = Router::new()
        .route("/invoices/:id/settle", post(settle))
        .route("/reports/revenue", get(revenue))
        .with_state(pool);
    let addr: SocketAddr = "0.0.0.0:8082".parse()?;
    axum::serve(tokio::net::TcpListener::bind(addr).await?, app).await?;
    Ok(())
}

fn internal<E: std::fmt::Display>(e: E) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

async fn settle(
    State(pool): State<DbPool>,
    Path(id): Path<i64>,
) -> Result<Json<Invoice>, (StatusCode, String)> {
    let invoice = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(internal)?;
        invoicing::settle(&mut conn, id).map_err(internal)
    })
    .await
    .map_err(internal)??;
    Ok(Json(invoice))
}

async fn revenue(
    State(pool): State<DbPool>,
) -> Result<Json<Vec<(String, i64)>>, (StatusCode, String)> {
    let rows = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(internal)?;
        invoicing::daily_revenue(&mut conn).map_err(internal)
    })
    .await
    .map_err(internal)??;
    Ok(Json(rows.into_iter().map(|r| (r.day, r.cents)).collect()))
}
