//! Payments: charges each placed order.

use eventbus::consumer::{subscribe, Registration};
use eventbus::outbox::enqueue;
use eventbus::topics::SHOP;
use rdkafka::Message;
use sqlx::PgPool;

async fn charge(pool: &PgPool, order_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO payments (order_id, amount_cents) VALUES ($1, 1000)")
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    enqueue(&mut tx, SHOP.payments, &order_id.to_be_bytes()).await?;
    tx.commit().await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPool::connect("postgres://payments@db/shop").await?;
    let consumer = subscribe(
        "kafka:9092",
        &Registration {
            group: "payments",
            topics: vec![SHOP.orders],
        },
    )?;
    loop {
        let msg = consumer.recv().await?;
        let id = i64::from_be_bytes(msg.payload().unwrap_or_default().try_into()?);
        charge(&pool, id).await?;
    }
}
