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

/// Up to `limit` messages to or from `user_id` after `after` (message ids are
/// UUID v7: their text order is their send order), oldest first.
pub async fn messages_after(
    conn: &mut PgConnection,
    user_id: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<nova_api::chat::ChatMessage>, sqlx::Error> {
    use sqlx::Row as _;
    let rows = sqlx::query(
        "SELECT message_id, conversation_id, sender_id, recipient_ids, body, sent_at FROM chat_messages \
         WHERE message_id > $2 AND (sender_id = $1 OR $1 = ANY (recipient_ids)) \
         ORDER BY message_id LIMIT $3",
    )
    .bind(user_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let sent_at: chrono::DateTime<chrono::Utc> = row.try_get("sent_at")?;
            Ok(nova_api::chat::ChatMessage {
                message_id: row.try_get("message_id")?,
                conversation_id: row.try_get("conversation_id")?,
                sender_id: row.try_get("sender_id")?,
                recipient_ids: row.try_get("recipient_ids")?,
                body: row.try_get("body")?,
                sent_at: Some(prost_types::Timestamp::from(std::time::SystemTime::from(
                    sent_at,
                ))),
            })
        })
        .collect()
}
