//! The transactional outbox: `enqueue` writes a row in the caller's
//! transaction; `Relay` publishes the rows to their topic.

use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::{PgPool, Postgres, Row, Transaction};
use std::time::Duration;

const CLAIM: &str = "SELECT id, topic, payload FROM event_outbox WHERE published_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED";

/// Write `payload` for `topic` in the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    topic: &str,
    payload: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO event_outbox (topic, payload) VALUES ($1, $2)")
        .bind(topic)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

struct OutboxRow {
    id: i64,
    topic: String,
    payload: Vec<u8>,
}

/// Publishes the outbox.
pub struct Relay {
    pool: PgPool,
    producer: FutureProducer,
}

impl Relay {
    pub fn new(pool: PgPool, producer: FutureProducer) -> Self {
        Relay { pool, producer }
    }

    pub async fn publish_pending(&self) -> Result<usize, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(CLAIM).fetch_all(&mut *tx).await?;
        let mut sent = 0;
        for row in rows {
            let row = OutboxRow {
                id: row.try_get("id")?,
                topic: row.try_get("topic")?,
                payload: row.try_get("payload")?,
            };
            let record = FutureRecord::<(), _>::to(&row.topic).payload(&row.payload);
            if self.producer.send(record, Duration::from_secs(5)).await.is_ok() {
                sqlx::query("UPDATE event_outbox SET published_at = now() WHERE id = $1")
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                sent += 1;
            }
        }
        tx.commit().await?;
        Ok(sent)
    }
}
