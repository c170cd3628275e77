//! HTTP handlers.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{content, timeline, AppState};

#[derive(Deserialize)]
pub struct FeedParams {
    limit: Option<i64>,
    pinned: Option<Uuid>,
}

#[derive(Serialize)]
pub struct FeedEntry {
    #[serde(flatten)]
    item: timeline::FeedItem,
    author_name: Option<String>,
}

fn internal<E: std::fmt::Display>(e: E) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

pub async fn get_feed(
    State(state): State<Arc<AppState>>,
    Path(user_id): Path<Uuid>,
    Query(params): Query<FeedParams>,
) -> Result<Json<Vec<FeedEntry>>, (StatusCode, String)> {
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let mut items = timeline::home_timeline(&state.pool, user_id, limit)
        .await
        .map_err(internal)?;

    if let Some(pinned) = params.pinned {
        let local = timeline::posts_by_ids(&state.pool, &[pinned])
            .await
            .map_err(internal)?;
        if local.is_empty() {
            // Not replicated into our read path yet: ask content-service.
            if let Some(post) = content::fetch_post(&state.content, &pinned.to_string())
                .await
                .map_err(internal)?
            {
                tracing::debug!(post_id = %post.id, "pinned post fetched from content-service");
            }
        }
        items.splice(0..0, local);
    }

    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let author = db_common::fetch_user_summary(&state.pool, item.author_id)
            .await
            .map_err(internal)?;
        entries.push(FeedEntry {
            item,
            author_name: author.map(|a| a.username),
        });
    }
    Ok(Json(entries))
}

#[derive(Deserialize)]
pub struct FollowBody {
    follower_id: Uuid,
    followee_id: Uuid,
}

pub async fn follow(
    State(state): State<Arc<AppState>>,
    Json(body): Json<FollowBody>,
) -> Result<StatusCode, (StatusCode, String)> {
    timeline::follow(&state.pool, body.follower_id, body.followee_id)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unfollow(
    State(state): State<Arc<AppState>>,
    Json(body): Json<FollowBody>,
) -> Result<StatusCode, (StatusCode, String)> {
    timeline::unfollow(&state.pool, body.follower_id, body.followee_id)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_500() {
        let (status, _) = internal("boom");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[tokio::test]
    async fn router_builds() {
        assert!(std::mem::size_of::<FollowBody>() > 0);
    }
}
