//! Conversations and messages.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

const LIST_MESSAGES: &str = "SELECT id, conversation_id, sender_id, body, sent_at \
     FROM messages WHERE conversation_id = $1 AND sent_at < $2 \
     ORDER BY sent_at DESC LIMIT $3";

pub async fn open_conversation(pool: &PgPool, a: Uuid, b: Uuid) -> Result<Uuid, sqlx::Error> {
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    let existing: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE member_a = $1 AND member_b = $2")
            .bind(first)
            .bind(second)
            .fetch_optional(pool)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    sqlx::query_scalar!(
        "INSERT INTO conversations (member_a, member_b) VALUES ($1, $2) RETURNING id",
        first,
        second
    )
    .fetch_one(pool)
    .await
}

pub async fn insert_message(
    pool: &PgPool,
    conversation_id: Uuid,
    sender_id: Uuid,
    body: &str,
) -> Result<Message, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let message = sqlx::query_as::<_, Message>(
        "INSERT INTO messages (conversation_id, sender_id, body) VALUES ($1, $2, $3) \
         RETURNING id, conversation_id, sender_id, body, sent_at",
    )
    .bind(conversation_id)
    .bind(sender_id)
    .bind(body)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE conversations SET last_message_at = $2 WHERE id = $1",
        conversation_id,
        message.sent_at
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(message)
}

pub async fn list_messages(
    pool: &PgPool,
    conversation_id: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Message>, sqlx::Error> {
    sqlx::query_as::<_, Message>(LIST_MESSAGES)
        .bind(conversation_id)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await
}

pub async fn edit_message(
    pool: &PgPool,
    id: Uuid,
    sender_id: Uuid,
    body: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE messages SET body = $3, edited_at = now() WHERE id = $1 AND sender_id = $2",
    )
    .bind(id)
    .bind(sender_id)
    .bind(body)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_message(pool: &PgPool, id: Uuid, sender_id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM messages WHERE id = $1 AND sender_id = $2",
        id,
        sender_id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
