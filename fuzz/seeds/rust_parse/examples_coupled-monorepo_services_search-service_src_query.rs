//! The search endpoint.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct SearchParams {
    q: String,
    limit: Option<i64>,
}

#[derive(Serialize, sqlx::FromRow)]
pub struct Hit {
    doc_id: Uuid,
    kind: String,
    body: String,
}

pub async fn search(
    State(pool): State<PgPool>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<Hit>>, (StatusCode, String)> {
    let hits = sqlx::query_as::<_, Hit>(
        "SELECT doc_id, kind, body FROM search_documents WHERE body ILIKE '%' || $1 || '%' ORDER BY indexed_at DESC LIMIT $2",
    )
    .bind(&params.q)
    .bind(params.limit.unwrap_or(20).clamp(1, 100))
    .fetch_all(&pool)
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(hits))
}
