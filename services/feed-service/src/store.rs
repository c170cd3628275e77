//! feed-service's read model (bind parameters only). Every write is
//! idempotent on its own (upserts guarded by revision), on top of the
//! consumer's event-id deduplication.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

/// A post of the feed with its author's name.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// Post id.
    pub post_id: Uuid,
    /// Author id.
    pub author_id: String,
    /// Display name, else username, else empty.
    pub author_name: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Attached media.
    pub media_ids: Vec<String>,
    /// Revision applied.
    pub revision: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// The author's post count.
    pub author_post_count: i64,
}

fn feed_row(row: &PgRow) -> Result<FeedRow, sqlx::Error> {
    Ok(FeedRow {
        post_id: row.try_get("post_id")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        media_ids: row.try_get("media_ids")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        author_post_count: row.try_get("author_post_count")?,
    })
}

/// A post as an event states it.
pub struct PostState<'a> {
    /// Post id.
    pub post_id: Uuid,
    /// Author id.
    pub author_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
    /// Media.
    pub media_ids: &'a [String],
    /// Revision (1 when created).
    pub revision: i64,
    /// Created (for an update seen before its creation: the update's time).
    pub created_at: DateTime<Utc>,
}

/// Applies a post state unless a newer (or equal) revision is there or the post is deleted.
pub async fn upsert_post(conn: &mut PgConnection, post: &PostState<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feed_posts (post_id, author_id, title, body, media_ids, revision, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (post_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, \
           media_ids = EXCLUDED.media_ids, revision = EXCLUDED.revision \
         WHERE feed_posts.revision < EXCLUDED.revision AND NOT feed_posts.deleted",
    )
    .bind(post.post_id)
    .bind(post.author_id)
    .bind(post.title)
    .bind(post.body)
    .bind(post.media_ids)
    .bind(post.revision)
    .bind(post.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a post deleted (a tombstone, so a late event cannot bring it back).
pub async fn delete_post(
    conn: &mut PgConnection,
    post_id: Uuid,
    author_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feed_posts (post_id, author_id, title, body, revision, created_at, deleted) \
         VALUES ($1, $2, '', '', 0, now(), true) \
         ON CONFLICT (post_id) DO UPDATE SET deleted = true, title = '', body = '', media_ids = '{}'",
    )
    .bind(post_id)
    .bind(author_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds `delta` to the author's post count (once per applied event).
pub async fn count_post(
    conn: &mut PgConnection,
    author_id: &str,
    delta: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feed_authors (user_id, post_count) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET post_count = feed_authors.post_count + EXCLUDED.post_count",
    )
    .bind(author_id)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a user's username (from `UserRegistered`).
pub async fn upsert_username(
    conn: &mut PgConnection,
    user_id: &str,
    username: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feed_authors (user_id, username) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username",
    )
    .bind(user_id)
    .bind(username)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a user's display name (from `UserProfileUpdated`).
pub async fn upsert_display_name(
    conn: &mut PgConnection,
    user_id: &str,
    display_name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feed_authors (user_id, display_name) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name",
    )
    .bind(user_id)
    .bind(display_name)
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` visible posts older than `before`, newest first, with author names.
pub async fn feed(
    conn: &mut PgConnection,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.post_id, p.author_id, \
           COALESCE(NULLIF(a.display_name, ''), a.username, '') AS author_name, \
           p.title, p.body, p.media_ids, p.revision, p.created_at, \
           COALESCE(a.post_count, 0) AS author_post_count \
         FROM feed_posts p LEFT JOIN feed_authors a ON a.user_id = p.author_id \
         WHERE NOT p.deleted AND ($1::uuid IS NULL OR p.post_id < $1) \
         ORDER BY p.post_id DESC LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(feed_row).collect()
}
