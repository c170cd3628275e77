//! feed-service's gRPC handler: reads its own read model only.

use nova_api::feed::feed_service_server::FeedService;
use nova_api::feed::{FeedItem, GetFeedRequest, GetFeedResponse};
use nova_kit::page::{cursor, next_page, page_size};
use nova_kit::{caller, internal};
use sqlx::PgPool;
use tonic::{Request, Response, Status};

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
        let limit = page_size(req.page_size, PAGE_DEFAULT, PAGE_MAX)?;
        let before = cursor(&req.page_token)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let mut rows = store::feed(&mut conn, before, limit + 1)
            .await
            .map_err(|e| internal("reading the feed", e))?;
        let next_page_token = next_page(&mut rows, limit, |r| r.post_id);
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
