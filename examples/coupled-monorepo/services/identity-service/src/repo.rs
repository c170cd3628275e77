//! Persistence for users and sessions.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

const FIND_USER_BY_ID: &str =
    "SELECT id, username, email, password_hash, created_at FROM users WHERE id = $1 AND deleted_at IS NULL";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

pub struct SessionRow {
    pub user_id: Uuid,
    pub username: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct IdentityRepo {
    pool: PgPool,
}

impl IdentityRepo {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn create_user(
        &self,
        username: &str,
        email: &str,
        password_hash: &str,
    ) -> Result<User, sqlx::Error> {
        sqlx::query_as!(
            User,
            r#"INSERT INTO users (username, email, password_hash)
               VALUES ($1, $2, $3)
               RETURNING id, username, email, password_hash, created_at"#,
            username,
            email,
            password_hash
        )
        .fetch_one(&self.pool)
        .await
    }

    pub async fn find_by_id(&self, id: Uuid) -> Result<Option<User>, sqlx::Error> {
        sqlx::query_as::<_, User>(FIND_USER_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn update_email(&self, id: Uuid, email: &str) -> Result<u64, sqlx::Error> {
        let result = sqlx::query!(
            "UPDATE users SET email = $1, updated_at = now() WHERE id = $2",
            email,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    pub async fn delete_user(&self, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM users WHERE id = $1", id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        user_id: Uuid,
        token_hash: &str,
        ttl: Duration,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(token_hash)
            .bind(Utc::now() + ttl)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn find_session(&self, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
        let row = sqlx::query!(
            r#"
            SELECT s.user_id, u.username, s.expires_at
            FROM sessions s
            JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = $1 AND u.deleted_at IS NULL
            "#,
            token_hash
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SessionRow {
            user_id: r.user_id,
            username: r.username,
            expires_at: r.expires_at,
        }))
    }

    pub async fn revoke_sessions(&self, user_id: Uuid) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
