//! content-service's database (bind parameters only).

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

/// A post with its media and counters.
#[derive(Clone, Debug)]
pub struct PostRow {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The verified author.
    pub author_id: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Increases by one per change.
    pub revision: i64,
    /// Attached media ids, in attachment order.
    pub media_ids: Vec<String>,
    /// Likes.
    pub like_count: i64,
    /// Comments.
    pub comment_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A comment.
#[derive(Clone, Debug)]
pub struct CommentRow {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Its post.
    pub post_id: Uuid,
    /// The verified author.
    pub author_id: String,
    /// Text.
    pub body: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const POST_SELECT: &str = "SELECT p.id, p.author_id, p.title, p.body, p.revision, p.created_at, p.updated_at, \
     COALESCE((SELECT array_agg(m.media_id ORDER BY m.position) FROM post_media m WHERE m.post_id = p.id), '{}') AS media_ids, \
     (SELECT count(*) FROM likes l WHERE l.post_id = p.id) AS like_count, \
     (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comment_count \
     FROM posts p";

fn post(row: &PgRow) -> Result<PostRow, sqlx::Error> {
    Ok(PostRow {
        id: row.try_get("id")?,
        author_id: row.try_get("author_id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        revision: row.try_get("revision")?,
        media_ids: row.try_get("media_ids")?,
        like_count: row.try_get("like_count")?,
        comment_count: row.try_get("comment_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn comment(row: &PgRow) -> Result<CommentRow, sqlx::Error> {
    Ok(CommentRow {
        id: row.try_get("id")?,
        post_id: row.try_get("post_id")?,
        author_id: row.try_get("author_id")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a post (revision 1).
pub async fn insert_post(
    conn: &mut PgConnection,
    id: Uuid,
    author_id: &str,
    title: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO posts (id, author_id, title, body) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(author_id)
        .bind(title)
        .bind(body)
        .execute(conn)
        .await?;
    Ok(())
}

/// The post `id`.
pub async fn post_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<PostRow>, sqlx::Error> {
    let sql = format!("{POST_SELECT} WHERE p.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(post)
        .transpose()
}

/// The author of post `id`, locking the post for the rest of the transaction.
pub async fn lock_post_author(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT author_id FROM posts WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Sets title and body, bumping the revision.
pub async fn update_post(
    conn: &mut PgConnection,
    id: Uuid,
    title: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE posts SET title = $2, body = $3, revision = revision + 1, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(title)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a post (its comments, likes and media links go with it).
pub async fn delete_post(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Up to `limit` posts older than `before` (newest first), of `author` if set.
pub async fn list_posts(
    conn: &mut PgConnection,
    author: Option<&str>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PostRow>, sqlx::Error> {
    let sql = format!(
        "{POST_SELECT} WHERE ($1::text IS NULL OR p.author_id = $1) AND ($2::uuid IS NULL OR p.id < $2) \
         ORDER BY p.id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(author)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(post).collect()
}

/// Inserts a comment; `false` when the post does not exist.
pub async fn insert_comment(
    conn: &mut PgConnection,
    row: &CommentRow,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO comments (id, post_id, author_id, body, created_at) \
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM posts WHERE id = $2)",
    )
    .bind(row.id)
    .bind(row.post_id)
    .bind(&row.author_id)
    .bind(&row.body)
    .bind(row.created_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Up to `limit` comments of `post_id` after `after` (oldest first).
pub async fn list_comments(
    conn: &mut PgConnection,
    post_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CommentRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, post_id, author_id, body, created_at FROM comments \
         WHERE post_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
    )
    .bind(post_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(comment).collect()
}

/// The author of comment `id`.
pub async fn comment_author(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT author_id FROM comments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Deletes comment `id`.
pub async fn delete_comment(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM comments WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Likes (or unlikes) `post_id` as `user_id`; the like count after, or `None`
/// when the post does not exist.
pub async fn set_like(
    conn: &mut PgConnection,
    post_id: Uuid,
    user_id: &str,
    like: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM posts WHERE id = $1)")
        .bind(post_id)
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(None);
    }
    let sql = if like {
        "INSERT INTO likes (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM likes WHERE post_id = $1 AND user_id = $2"
    };
    sqlx::query(sql)
        .bind(post_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM likes WHERE post_id = $1")
        .bind(post_id)
        .fetch_one(conn)
        .await?;
    Ok(Some(count))
}

/// Records a media object from media-events (idempotent).
pub async fn upsert_media(
    conn: &mut PgConnection,
    id: &str,
    owner_id: &str,
    post_id: Option<Uuid>,
    content_type: &str,
    size_bytes: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO known_media (id, owner_id, post_id, content_type, size_bytes) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(owner_id)
    .bind(post_id)
    .bind(content_type)
    .bind(size_bytes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Attaches `media_id` to `post_id` (after the media already there) and bumps
/// the revision; `false` if it was attached already.
pub async fn attach_media(
    conn: &mut PgConnection,
    post_id: Uuid,
    media_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO post_media (post_id, media_id, position) \
         SELECT $1, $2, COALESCE(MAX(position), 0) + 1 FROM post_media WHERE post_id = $1 \
         ON CONFLICT DO NOTHING",
    )
    .bind(post_id)
    .bind(media_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE posts SET revision = revision + 1, updated_at = now() WHERE id = $1")
        .bind(post_id)
        .execute(conn)
        .await?;
    Ok(true)
}
