//! Posts, comments and likes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::outbox::{self, ContentEvent, CONTENT_EVENTS_TOPIC};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Post {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub media_urls: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Comment {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy)]
pub enum SortOrder {
    Newest,
    Oldest,
}

#[derive(Clone)]
pub struct PostStore {
    pool: PgPool,
}

impl PostStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn create_post(&self, author_id: Uuid, body: &str) -> Result<Post, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let post = sqlx::query_as::<_, Post>(
            "INSERT INTO posts (author_id, body) VALUES ($1, $2) \
             RETURNING id, author_id, body, media_urls, created_at",
        )
        .bind(author_id)
        .bind(body)
        .fetch_one(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut tx,
            CONTENT_EVENTS_TOPIC,
            post.id,
            &ContentEvent::PostCreated {
                post_id: post.id,
                author_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(post)
    }

    pub async fn get_post(&self, id: Uuid) -> Result<Option<Post>, sqlx::Error> {
        sqlx::query_as!(
            Post,
            "SELECT id, author_id, body, media_urls, created_at FROM posts WHERE id = $1",
            id
        )
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn update_body(&self, id: Uuid, body: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "UPDATE posts SET body = $1, updated_at = now() WHERE id = $2",
            body,
            id
        )
        .execute(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut tx,
            CONTENT_EVENTS_TOPIC,
            id,
            &ContentEvent::PostUpdated { post_id: id },
        )
        .await?;
        tx.commit().await
    }

    pub async fn attach_media(&self, id: Uuid, media_url: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE posts SET media_urls = array_append(media_urls, $2), updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(media_url)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_post(&self, id: Uuid, author_id: Uuid) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM posts WHERE id = $1 AND author_id = $2")
            .bind(id)
            .bind(author_id)
            .execute(&mut *tx)
            .await?;
        outbox::enqueue(
            &mut tx,
            CONTENT_EVENTS_TOPIC,
            id,
            &ContentEvent::PostDeleted { post_id: id },
        )
        .await?;
        tx.commit().await
    }

    pub async fn add_comment(
        &self,
        post_id: Uuid,
        author_id: Uuid,
        body: &str,
    ) -> Result<Uuid, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO comments (post_id, author_id, body) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(post_id)
        .bind(author_id)
        .bind(body)
        .fetch_one(&self.pool)
        .await
    }

    pub async fn list_comments(
        &self,
        post_id: Uuid,
        order: SortOrder,
        limit: i64,
    ) -> Result<Vec<Comment>, sqlx::Error> {
        let direction = match order {
            SortOrder::Newest => "DESC",
            SortOrder::Oldest => "ASC",
        };
        let sql = format!(
            "SELECT id, author_id, body, created_at FROM comments WHERE post_id = $1 ORDER BY created_at {} LIMIT $2",
            direction
        );
        sqlx::query_as::<_, Comment>(&sql)
            .bind(post_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    pub async fn edit_comment(&self, id: Uuid, body: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE comments SET body = $2, edited_at = now() WHERE id = $1")
            .bind(id)
            .bind(body)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_comment(&self, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM comments WHERE id = $1", id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn like(&self, post_id: Uuid, user_id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO likes (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            post_id,
            user_id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn unlike(&self, post_id: Uuid, user_id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "DELETE FROM likes WHERE post_id = $1 AND user_id = $2",
            post_id,
            user_id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn like_count(&self, post_id: Uuid) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "count!" FROM likes WHERE post_id = $1"#,
            post_id
        )
        .fetch_one(&self.pool)
        .await
    }
}
