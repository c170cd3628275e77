//! Transactional outbox.

use sqlx::{Postgres, Transaction};

pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    topic: &str,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO outbox (topic, payload) VALUES ($1, $2)")
        .bind(topic)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
