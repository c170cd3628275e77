//! Database helpers shared by several services.
//!
//! Every service connects to the same `nova` database, so small helpers
//! around the `users` table ended up here instead of behind the identity
//! API.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;
use uuid::Uuid;

/// Opens the shared connection pool.
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(database_url)
        .await
}

/// The public part of a user, as shown next to posts and messages.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub avatar_url: Option<String>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Records that a user was active just now.
pub async fn touch_last_seen(pool: &PgPool, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_seen_at = now() WHERE id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    tracing::trace!(%user_id, "last_seen_at updated");
    Ok(())
}

/// Loads the public summary of a user.
pub async fn fetch_user_summary(
    pool: &PgPool,
    user_id: Uuid,
) -> Result<Option<UserSummary>, sqlx::Error> {
    sqlx::query_as::<_, UserSummary>(
        "SELECT id, username, avatar_url, last_seen_at FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}
