//! messaging-service's database (bind parameters only).

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

/// A message.
#[derive(Clone, Debug)]
pub struct MessageRow {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
    /// The verified sender.
    pub sender_id: String,
    /// Text.
    pub body: String,
    /// When sent.
    pub sent_at: DateTime<Utc>,
}

fn message(row: &PgRow) -> Result<MessageRow, sqlx::Error> {
    Ok(MessageRow {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        sender_id: row.try_get("sender_id")?,
        body: row.try_get("body")?,
        sent_at: row.try_get("sent_at")?,
    })
}

/// Creates a conversation with its participants (the creator among them).
pub async fn insert_conversation(
    conn: &mut PgConnection,
    id: Uuid,
    created_by: &str,
    participants: &[String],
) -> Result<DateTime<Utc>, sqlx::Error> {
    let created_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO conversations (id, created_by) VALUES ($1, $2) RETURNING created_at",
    )
    .bind(id)
    .bind(created_by)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO participants (conversation_id, user_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(participants)
    .execute(conn)
    .await?;
    Ok(created_at)
}

/// The participants of `conversation_id` (empty: no such conversation).
pub async fn participants(
    conn: &mut PgConnection,
    conversation_id: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM participants WHERE conversation_id = $1 ORDER BY user_id",
    )
    .bind(conversation_id)
    .fetch_all(conn)
    .await
}

/// Stores a message.
pub async fn insert_message(conn: &mut PgConnection, row: &MessageRow) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO messages (id, conversation_id, sender_id, body, sent_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(row.id)
        .bind(row.conversation_id)
        .bind(&row.sender_id)
        .bind(&row.body)
        .bind(row.sent_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` messages of `conversation_id` after `after`, oldest first.
pub async fn list_messages(
    conn: &mut PgConnection,
    conversation_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, conversation_id, sender_id, body, sent_at FROM messages \
         WHERE conversation_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
    )
    .bind(conversation_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(message).collect()
}
