//! content-service's gRPC handlers. The author is always the verified caller.

use nova_api::content::content_service_server::ContentService;
use nova_api::content::{
    Comment, CreateCommentRequest, CreatePostRequest, DeleteCommentRequest, DeleteCommentResponse,
    DeletePostRequest, DeletePostResponse, GetPostRequest, LikePostRequest, LikeResponse,
    ListCommentsRequest, ListCommentsResponse, ListPostsRequest, ListPostsResponse, Post,
    UpdatePostRequest,
};
use nova_kit::page::{cursor, next_page, page_size};
use nova_kit::{caller, internal, invalid_argument};
use nova_outbox::Outbox;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::events;
use crate::store::{self, CommentRow, PostRow};

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 10_000;
const PAGE_DEFAULT: u32 = 20;
const PAGE_MAX: u32 = 100;

/// The handlers.
#[derive(Clone)]
pub struct Content {
    pool: PgPool,
    outbox: Outbox,
}

impl Content {
    /// Handlers over `pool` (migrated), publishing through `outbox`.
    pub fn new(pool: PgPool, outbox: Outbox) -> Self {
        Self { pool, outbox }
    }

    async fn load(&self, conn: &mut sqlx::PgConnection, id: Uuid) -> Result<PostRow, Status> {
        store::post_by_id(conn, id)
            .await
            .map_err(|e| internal("reading the post", e))?
            .ok_or_else(|| Status::not_found(format!("post {id} not found")))
    }
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp::from(std::time::SystemTime::from(at))
}

fn to_api(post: &PostRow) -> Post {
    Post {
        post_id: post.id.to_string(),
        author_id: post.author_id.clone(),
        title: post.title.clone(),
        body: post.body.clone(),
        media_ids: post.media_ids.clone(),
        revision: u64::try_from(post.revision).unwrap_or(0),
        like_count: u64::try_from(post.like_count).unwrap_or(0),
        comment_count: u64::try_from(post.comment_count).unwrap_or(0),
        created_at: Some(timestamp(post.created_at)),
        updated_at: Some(timestamp(post.updated_at)),
    }
}

fn comment_to_api(c: &CommentRow) -> Comment {
    Comment {
        comment_id: c.id.to_string(),
        post_id: c.post_id.to_string(),
        author_id: c.author_id.clone(),
        body: c.body.clone(),
        created_at: Some(timestamp(c.created_at)),
    }
}

/// Parses an id field; a bad one is `InvalidArgument` naming the field.
fn id(field: &str, value: &str) -> Result<Uuid, Status> {
    if value.trim().is_empty() {
        return Err(invalid_argument(field, "must not be empty"));
    }
    Uuid::parse_str(value.trim()).map_err(|_| invalid_argument(field, "is not a UUID"))
}

fn text(field: &str, value: &str, max: usize) -> Result<String, Status> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid_argument(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(invalid_argument(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

#[tonic::async_trait]
impl ContentService for Content {
    async fn create_post(
        &self,
        request: Request<CreatePostRequest>,
    ) -> Result<Response<Post>, Status> {
        let author = caller(&request)?.sub.clone();
        let req = request.get_ref();
        let title = text("title", &req.title, TITLE_MAX)?;
        let body = text("body", &req.body, BODY_MAX)?;
        let id = Uuid::now_v7();
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        store::insert_post(&mut tx, id, &author, &title, &body)
            .await
            .map_err(|e| internal("creating the post", e))?;
        let post = self.load(&mut tx, id).await?;
        self.outbox
            .enqueue(&mut tx, &events::post_created(&post))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(to_api(&post)))
    }

    async fn get_post(&self, request: Request<GetPostRequest>) -> Result<Response<Post>, Status> {
        let id = id("post_id", &request.get_ref().post_id)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        Ok(Response::new(to_api(&self.load(&mut conn, id).await?)))
    }

    async fn update_post(
        &self,
        request: Request<UpdatePostRequest>,
    ) -> Result<Response<Post>, Status> {
        let user = caller(&request)?.sub.clone();
        let req = request.get_ref();
        let id = id("post_id", &req.post_id)?;
        let title = text("title", &req.title, TITLE_MAX)?;
        let body = text("body", &req.body, BODY_MAX)?;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        let author = store::lock_post_author(&mut tx, id)
            .await
            .map_err(|e| internal("reading the post", e))?
            .ok_or_else(|| Status::not_found(format!("post {id} not found")))?;
        if author != user {
            return Err(Status::permission_denied(
                "only the author may edit this post",
            ));
        }
        store::update_post(&mut tx, id, &title, &body)
            .await
            .map_err(|e| internal("updating the post", e))?;
        let post = self.load(&mut tx, id).await?;
        self.outbox
            .enqueue(&mut tx, &events::post_updated(&post))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(to_api(&post)))
    }

    async fn delete_post(
        &self,
        request: Request<DeletePostRequest>,
    ) -> Result<Response<DeletePostResponse>, Status> {
        let user = caller(&request)?.sub.clone();
        let id = id("post_id", &request.get_ref().post_id)?;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        let author = store::lock_post_author(&mut tx, id)
            .await
            .map_err(|e| internal("reading the post", e))?
            .ok_or_else(|| Status::not_found(format!("post {id} not found")))?;
        if author != user {
            return Err(Status::permission_denied(
                "only the author may delete this post",
            ));
        }
        store::delete_post(&mut tx, id)
            .await
            .map_err(|e| internal("deleting the post", e))?;
        self.outbox
            .enqueue(&mut tx, &events::post_deleted(id, &author))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(DeletePostResponse {}))
    }

    async fn list_posts(
        &self,
        request: Request<ListPostsRequest>,
    ) -> Result<Response<ListPostsResponse>, Status> {
        let req = request.get_ref();
        let limit = page_size(req.page_size, PAGE_DEFAULT, PAGE_MAX)?;
        let before = cursor(&req.page_token)?;
        let author = Some(req.author_id.trim()).filter(|a| !a.is_empty());
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let mut rows = store::list_posts(&mut conn, author, before, limit + 1)
            .await
            .map_err(|e| internal("listing posts", e))?;
        let next_page_token = next_page(&mut rows, limit, |p| p.id);
        Ok(Response::new(ListPostsResponse {
            posts: rows.iter().map(to_api).collect(),
            next_page_token,
        }))
    }

    async fn create_comment(
        &self,
        request: Request<CreateCommentRequest>,
    ) -> Result<Response<Comment>, Status> {
        let author = caller(&request)?.sub.clone();
        let req = request.get_ref();
        let post_id = id("post_id", &req.post_id)?;
        let body = text("body", &req.body, BODY_MAX)?;
        let row = CommentRow {
            id: Uuid::now_v7(),
            post_id,
            author_id: author,
            body,
            created_at: chrono::Utc::now(),
        };
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        if !store::insert_comment(&mut conn, &row)
            .await
            .map_err(|e| internal("adding the comment", e))?
        {
            return Err(Status::not_found(format!("post {post_id} not found")));
        }
        Ok(Response::new(comment_to_api(&row)))
    }

    async fn list_comments(
        &self,
        request: Request<ListCommentsRequest>,
    ) -> Result<Response<ListCommentsResponse>, Status> {
        let req = request.get_ref();
        let post_id = id("post_id", &req.post_id)?;
        let limit = page_size(req.page_size, PAGE_DEFAULT, PAGE_MAX)?;
        let after = cursor(&req.page_token)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let mut rows = store::list_comments(&mut conn, post_id, after, limit + 1)
            .await
            .map_err(|e| internal("listing comments", e))?;
        let next_page_token = next_page(&mut rows, limit, |c| c.id);
        Ok(Response::new(ListCommentsResponse {
            comments: rows.iter().map(comment_to_api).collect(),
            next_page_token,
        }))
    }

    async fn delete_comment(
        &self,
        request: Request<DeleteCommentRequest>,
    ) -> Result<Response<DeleteCommentResponse>, Status> {
        let user = caller(&request)?.sub.clone();
        let id = id("comment_id", &request.get_ref().comment_id)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let author = store::comment_author(&mut conn, id)
            .await
            .map_err(|e| internal("reading the comment", e))?
            .ok_or_else(|| Status::not_found(format!("comment {id} not found")))?;
        if author != user {
            return Err(Status::permission_denied(
                "only the author may delete this comment",
            ));
        }
        store::delete_comment(&mut conn, id)
            .await
            .map_err(|e| internal("deleting the comment", e))?;
        Ok(Response::new(DeleteCommentResponse {}))
    }

    async fn like_post(
        &self,
        request: Request<LikePostRequest>,
    ) -> Result<Response<LikeResponse>, Status> {
        self.set_like(request, true).await
    }

    async fn unlike_post(
        &self,
        request: Request<LikePostRequest>,
    ) -> Result<Response<LikeResponse>, Status> {
        self.set_like(request, false).await
    }
}

impl Content {
    async fn set_like(
        &self,
        request: Request<LikePostRequest>,
        like: bool,
    ) -> Result<Response<LikeResponse>, Status> {
        let user = caller(&request)?.sub.clone();
        let post_id = id("post_id", &request.get_ref().post_id)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let count = store::set_like(&mut conn, post_id, &user, like)
            .await
            .map_err(|e| internal("liking", e))?
            .ok_or_else(|| Status::not_found(format!("post {post_id} not found")))?;
        Ok(Response::new(LikeResponse {
            like_count: u64::try_from(count).unwrap_or(0),
        }))
    }
}
