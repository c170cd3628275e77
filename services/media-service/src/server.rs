//! media-service's gRPC handlers.

use std::sync::Arc;

use nova_api::media::media_service_server::MediaService;
use nova_api::media::{GetMediaRequest, Media, UploadRequest};
use nova_kit::{caller, internal, invalid_argument};
use nova_outbox::Outbox;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::events;
use crate::storage::ObjectStore;
use crate::store::{self, MediaRow};

/// The handlers.
#[derive(Clone)]
pub struct MediaHandlers {
    pool: PgPool,
    outbox: Outbox,
    objects: Arc<dyn ObjectStore>,
    max_bytes: usize,
}

impl MediaHandlers {
    /// Handlers storing bytes in `objects` and metadata in `pool`.
    pub fn new(
        pool: PgPool,
        outbox: Outbox,
        objects: Arc<dyn ObjectStore>,
        max_bytes: usize,
    ) -> Self {
        Self {
            pool,
            outbox,
            objects,
            max_bytes,
        }
    }
}

fn to_api(m: &MediaRow) -> Media {
    Media {
        media_id: m.id.to_string(),
        owner_id: m.owner_id.clone(),
        content_type: m.content_type.clone(),
        size_bytes: u64::try_from(m.size_bytes).unwrap_or(0),
        storage_key: m.storage_key.clone(),
        post_id: m.post_id.clone(),
        uploaded_at: Some(prost_types::Timestamp::from(std::time::SystemTime::from(
            m.uploaded_at,
        ))),
    }
}

/// `type/subtype`, printable ASCII without spaces.
fn check_content_type(value: &str) -> Result<(), Status> {
    let valid = value.len() <= 100
        && value
            .split_once('/')
            .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty())
        && value.chars().all(|c| c.is_ascii_graphic());
    if valid {
        Ok(())
    } else {
        Err(invalid_argument(
            "content_type",
            "must be a MIME type like `image/png`",
        ))
    }
}

#[tonic::async_trait]
impl MediaService for MediaHandlers {
    async fn upload(&self, request: Request<UploadRequest>) -> Result<Response<Media>, Status> {
        let owner = caller(&request)?.sub.clone();
        let req = request.into_inner();
        check_content_type(&req.content_type)?;
        if req.data.is_empty() {
            return Err(invalid_argument("data", "must not be empty"));
        }
        if req.data.len() > self.max_bytes {
            return Err(invalid_argument(
                "data",
                format!("must be at most {} bytes", self.max_bytes),
            ));
        }
        let post_id = req.post_id.trim();
        if !post_id.is_empty() && Uuid::parse_str(post_id).is_err() {
            return Err(invalid_argument("post_id", "is not a UUID"));
        }
        let id = Uuid::now_v7();
        // The owner id comes from a verified token; keep the key to safe characters anyway.
        let owner_dir: String = owner
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let row = MediaRow {
            id,
            owner_id: owner,
            content_type: req.content_type,
            size_bytes: i64::try_from(req.data.len()).unwrap_or(i64::MAX),
            storage_key: format!("{owner_dir}/{id}"),
            post_id: post_id.to_owned(),
            uploaded_at: chrono::Utc::now(),
        };
        // Bytes first: the event (committed with the metadata) must never name a missing object.
        self.objects
            .put(&row.storage_key, &req.data)
            .await
            .map_err(|e| internal("storing the object", e))?;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        store::insert_media(&mut tx, &row)
            .await
            .map_err(|e| internal("recording the upload", e))?;
        self.outbox
            .enqueue(&mut tx, &events::media_uploaded(&row))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(to_api(&row)))
    }

    async fn get_media(
        &self,
        request: Request<GetMediaRequest>,
    ) -> Result<Response<Media>, Status> {
        caller(&request)?;
        let raw = request.get_ref().media_id.trim();
        let id = Uuid::parse_str(raw).map_err(|_| invalid_argument("media_id", "is not a UUID"))?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let row = store::media_by_id(&mut conn, id)
            .await
            .map_err(|e| internal("reading media", e))?
            .ok_or_else(|| Status::not_found(format!("media {id} not found")))?;
        Ok(Response::new(to_api(&row)))
    }
}
