//! identity-service's database: users and refresh tokens (bind parameters only).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

/// A stored account.
#[derive(Clone, Debug)]
pub struct UserRow {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Unique login name.
    pub username: String,
    /// Unique email.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Free text.
    pub bio: String,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is taken; the field named.
    #[error("{0} is already taken")]
    Taken(&'static str),
    /// Any other database error.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const USER_COLUMNS: &str = "id, username, email, display_name, bio, password_hash";

fn user(row: &sqlx::postgres::PgRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        bio: row.try_get("bio")?,
        password_hash: row.try_get("password_hash")?,
    })
}

/// Inserts a user; a taken username or email is [`StoreError::Taken`].
pub async fn insert_user(conn: &mut PgConnection, row: &UserRow) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO users (id, username, email, display_name, bio, password_hash) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.id)
    .bind(&row.username)
    .bind(&row.email)
    .bind(&row.display_name)
    .bind(&row.bio)
    .bind(&row.password_hash)
    .execute(conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let constraint = e
                .as_database_error()
                .and_then(|d| d.constraint())
                .map(str::to_owned);
            match constraint.as_deref() {
                Some("users_username_key") => Err(StoreError::Taken("username")),
                Some("users_email_key") => Err(StoreError::Taken("email")),
                _ => Err(e.into()),
            }
        }
    }
}

/// The user with `username`.
pub async fn user_by_username(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    sqlx::query(&sql)
        .bind(username)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

/// The user with `id`.
pub async fn user_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

/// Sets the display name and bio of `id`; the updated row, if it exists.
pub async fn update_profile(
    conn: &mut PgConnection,
    id: Uuid,
    display_name: &str,
    bio: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE users SET display_name = $2, bio = $3, updated_at = now() WHERE id = $1 \
         RETURNING {USER_COLUMNS}"
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(display_name)
        .bind(bio)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

/// Stores the hash of a refresh token.
pub async fn insert_refresh_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks the refresh token with `token_hash` used, if it is unused and not
/// expired; its user when it was.
pub async fn use_refresh_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE refresh_tokens SET used_at = now() \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}
