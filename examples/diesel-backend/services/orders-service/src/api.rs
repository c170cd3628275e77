//! HTTP handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use shop_db::models::{Order, OrderItem};

use crate::store::{self, DbPool, LineRequest};

#[derive(Deserialize)]
pub struct PlaceOrder {
    user_id: i64,
    lines: Vec<LineRequest>,
}

#[derive(Deserialize)]
pub struct Page {
    limit: Option<i64>,
}

type ApiResult<T> = Result<Json<T>, (StatusCode, String)>;

fn internal<E: std::fmt::Display>(e: E) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

pub fn router(pool: DbPool) -> Router {
    Router::new()
        .route("/orders", post(place))
        .route("/orders/:id/cancel", post(cancel))
        .route("/users/:id/orders", get(of_user))
        .route("/back-office/orders", get(back_office))
        .with_state(pool)
}

async fn place(State(pool): State<DbPool>, Json(req): Json<PlaceOrder>) -> ApiResult<Order> {
    let mut conn = pool.get().await.map_err(internal)?;
    let order = store::place_order(&mut conn, req.user_id, &req.lines)
        .await
        .map_err(internal)?;
    Ok(Json(order))
}

async fn cancel(State(pool): State<DbPool>, Path(id): Path<i64>) -> ApiResult<usize> {
    let mut conn = pool.get().await.map_err(internal)?;
    Ok(Json(store::cancel(&mut conn, id).await.map_err(internal)?))
}

async fn of_user(
    State(pool): State<DbPool>,
    Path(id): Path<i64>,
) -> ApiResult<Vec<(Order, Vec<OrderItem>)>> {
    let mut conn = pool.get().await.map_err(internal)?;
    let orders = store::orders_of(&mut conn, id).await.map_err(internal)?;
    tracing::debug!(count = orders.len(), "orders of user {id}");
    Ok(Json(orders))
}

async fn back_office(State(pool): State<DbPool>, Query(page): Query<Page>) -> ApiResult<Vec<(Order, String)>> {
    let mut conn = pool.get().await.map_err(internal)?;
    let limit = page.limit.unwrap_or(50).clamp(1, 500);
    Ok(Json(store::back_office(&mut conn, limit).await.map_err(internal)?))
}
