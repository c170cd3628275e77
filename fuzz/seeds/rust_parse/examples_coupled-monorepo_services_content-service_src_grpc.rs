//! The ContentService gRPC API.

use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::pb::content_service_server::ContentService;
use crate::pb::{AttachMediaRequest, AttachMediaResponse, CreatePostRequest, GetPostRequest, Post};
use crate::posts::{self, PostStore};

pub struct ContentGrpc {
    store: PostStore,
}

impl ContentGrpc {
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self {
            store: PostStore::new(pool),
        }
    }

    async fn to_proto(&self, post: posts::Post) -> Result<Post, Status> {
        let author = db_common::fetch_user_summary(self.store.pool(), post.author_id)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Post {
            id: post.id.to_string(),
            author_id: post.author_id.to_string(),
            author_name: author.map(|a| a.username).unwrap_or_default(),
            body: post.body,
            media_urls: post.media_urls,
            created_at: post.created_at.timestamp(),
        })
    }
}

fn parse_id(raw: &str, field: &str) -> Result<Uuid, Status> {
    Uuid::parse_str(raw).map_err(|_| Status::invalid_argument(format!("{field} is not a UUID")))
}

#[tonic::async_trait]
impl ContentService for ContentGrpc {
    async fn create_post(
        &self,
        request: Request<CreatePostRequest>,
    ) -> Result<Response<Post>, Status> {
        let req = request.into_inner();
        let author_id = parse_id(&req.author_id, "author_id")?;
        let post = self
            .store
            .create_post(author_id, &req.body)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(self.to_proto(post).await?))
    }

    async fn get_post(&self, request: Request<GetPostRequest>) -> Result<Response<Post>, Status> {
        let id = parse_id(&request.into_inner().post_id, "post_id")?;
        let post = self
            .store
            .get_post(id)
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .ok_or_else(|| Status::not_found("post not found"))?;
        Ok(Response::new(self.to_proto(post).await?))
    }

    async fn attach_media(
        &self,
        request: Request<AttachMediaRequest>,
    ) -> Result<Response<AttachMediaResponse>, Status> {
        let req = request.into_inner();
        let id = parse_id(&req.post_id, "post_id")?;
        let attached = self
            .store
            .attach_media(id, &req.media_url)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(AttachMediaResponse { attached }))
    }
}
