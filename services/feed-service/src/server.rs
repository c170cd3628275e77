//! feed-service's gRPC handler: reads its own read model only.

use nova_api::feed::feed_service_server::FeedService;
use nova_api::feed::{FeedItem, GetFeedRequest, GetFeedResponse};
use nova_kit::{caller, internal, invalid_argument};
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::store;

const PAGE_DEFAULT: u32 = 20;
const PAGE_MAX: u32 = 100;

/// The handler.
#[derive(Clone)]
pub struct Feed {
    pool: PgPool,
}

impl Feed {
    /// A handler over `pool` (migrated).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[tonic::async_trait]
impl FeedService for Feed {
    async fn get_feed(
        &self,
        request: Request<GetFeedRequest>,
    ) -> Result<Response<GetFeedResponse>, Status> {
        caller(&request)?;
        let req = request.get_ref();
        let limit = match req.page_size {
            0 => PAGE_DEFAULT,
            n if n > PAGE_MAX => {
                return Err(invalid_argument(
                    "page_size",
                    format!("must be at most {PAGE_MAX}"),
                ));
            }
            n => n,
        };
        let limit = i64::from(limit);
        let before = if req.page_token.is_empty() {
            None
        } else {
            Some(Uuid::parse_str(&req.page_token).map_err(|_| {
                invalid_argument("page_token", "is not a token this service issued")
            })?)
        };
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let mut rows = store::feed(&mut conn, before, limit + 1)
            .await
            .map_err(|e| internal("reading the feed", e))?;
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > cap;
        rows.truncate(cap);
        let next_page_token = if more {
            rows.last()
                .map(|r| r.post_id.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let items = rows
            .into_iter()
            .map(|r| FeedItem {
                post_id: r.post_id.to_string(),
                author_id: r.author_id,
                author_name: r.author_name,
                title: r.title,
                body: r.body,
                media_ids: r.media_ids,
                revision: u64::try_from(r.revision).unwrap_or(0),
                created_at: Some(prost_types::Timestamp::from(std::time::SystemTime::from(
                    r.created_at,
                ))),
                author_post_count: u64::try_from(r.author_post_count).unwrap_or(0),
            })
            .collect();
        Ok(Response::new(GetFeedResponse {
            items,
            next_page_token,
        }))
    }
}
