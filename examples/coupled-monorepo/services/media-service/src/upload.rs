//! HTTP upload API.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::attach::ContentAttacher;
use crate::store::MediaStore;

#[derive(Clone)]
struct Ctx {
    store: Arc<MediaStore>,
    attacher: ContentAttacher,
}

pub fn router(store: Arc<MediaStore>, attacher: ContentAttacher) -> Router {
    Router::new()
        .route("/v1/uploads", post(start_upload))
        .route("/v1/uploads/:id", put(upload_chunk))
        .route("/v1/uploads/:id/complete", post(complete_upload))
        .route("/v1/videos/:id", delete(delete_video))
        .with_state(Ctx { store, attacher })
}

#[derive(Deserialize)]
struct StartUpload {
    owner_id: Uuid,
    post_id: Option<Uuid>,
    size: i64,
}

fn internal<E: std::fmt::Display>(e: E) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

async fn start_upload(
    State(ctx): State<Ctx>,
    Json(req): Json<StartUpload>,
) -> Result<Json<Uuid>, (StatusCode, String)> {
    if let Some(post_id) = req.post_id {
        let author = ctx.store.post_author(post_id).await.map_err(internal)?;
        if author != Some(req.owner_id) {
            return Err((StatusCode::FORBIDDEN, "not the author of the post".into()));
        }
    }
    let video_id = Uuid::new_v4();
    let key = format!("videos/{}/{}", req.owner_id, video_id);
    ctx.store
        .create_video(video_id, req.owner_id, req.post_id, &key)
        .await
        .map_err(internal)?;
    let session_id = Uuid::new_v4();
    ctx.store
        .open_upload(
            session_id,
            video_id,
            req.size,
            Utc::now() + Duration::hours(2),
        )
        .await
        .map_err(internal)?;
    Ok(Json(session_id))
}

async fn upload_chunk(
    State(ctx): State<Ctx>,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Result<StatusCode, (StatusCode, String)> {
    ctx.store
        .record_chunk(id, body.len() as i64)
        .await
        .map_err(internal)?;
    Ok(StatusCode::ACCEPTED)
}

async fn complete_upload(
    State(ctx): State<Ctx>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, (StatusCode, String)> {
    let session = ctx.store.upload_session(id).await.map_err(internal)?;
    if session.bytes_received < session.bytes_expected {
        return Err((StatusCode::CONFLICT, "upload incomplete".into()));
    }
    ctx.store
        .mark_ready(session.video_id, 0)
        .await
        .map_err(internal)?;
    let video = ctx
        .store
        .get_video(session.video_id)
        .await
        .map_err(internal)?
        .ok_or((StatusCode::NOT_FOUND, "video not found".to_string()))?;
    if let Some(post_id) = video.post_id {
        let url = format!("https://media.nova.example/{}", video.storage_key);
        ctx.attacher
            .attach(&post_id.to_string(), &url)
            .await
            .map_err(internal)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_video(
    State(ctx): State<Ctx>,
    Path(id): Path<Uuid>,
    Json(owner_id): Json<Uuid>,
) -> Result<StatusCode, (StatusCode, String)> {
    ctx.store
        .delete_video(id, owner_id)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT)
}
