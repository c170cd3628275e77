//! realtime-chat-service's database (bind parameters only).

use nova_events::proto::MessageSent;
use sqlx::PgConnection;

/// Records a message seen on messaging-events (idempotent).
pub async fn insert_message(
    conn: &mut PgConnection,
    message: &MessageSent,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_messages (message_id, conversation_id, sender_id, recipient_ids, body, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&message.message_id)
    .bind(&message.conversation_id)
    .bind(&message.sender_id)
    .bind(&message.recipient_ids)
    .bind(&message.body)
    .bind(sent_at)
    .execute(conn)
    .await?;
    Ok(())
}
