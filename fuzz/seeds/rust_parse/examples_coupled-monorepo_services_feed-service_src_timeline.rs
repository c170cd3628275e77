//! Timeline queries. They read content-service's `posts` table directly.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct FeedItem {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn home_timeline(
    pool: &PgPool,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<FeedItem>, sqlx::Error> {
    sqlx::query_as::<_, FeedItem>(
        r#"
        SELECT p.id, p.author_id, p.body, p.created_at
        FROM posts p
        JOIN follows f ON f.followee_id = p.author_id
        WHERE f.follower_id = $1
        ORDER BY p.created_at DESC
        LIMIT $2
        "#,
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn posts_by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<FeedItem>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb: QueryBuilder<Postgres> =
        QueryBuilder::new("SELECT id, author_id, body, created_at FROM posts WHERE id IN (");
    let mut separated = qb.separated(", ");
    for id in ids {
        separated.push_bind(*id);
    }
    separated.push_unseparated(")");
    qb.build_query_as::<FeedItem>().fetch_all(pool).await
}

pub async fn follow(pool: &PgPool, follower: Uuid, followee: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        follower,
        followee
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn unfollow(pool: &PgPool, follower: Uuid, followee: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2",
        follower,
        followee
    )
    .execute(pool)
    .await?;
    Ok(())
}
