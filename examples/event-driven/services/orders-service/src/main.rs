//! Orders: takes orders, and marks them paid when the payment arrives.

use eventbus::consumer::{subscribe, Registration};
use eventbus::outbox::enqueue;
use eventbus::topics::SHOP;
use rdkafka::Message;
use sqlx::PgPool;

async fn place_order(pool: &PgPool, customer_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (customer_id, status) VALUES ($1, 'placed') RETURNING id",
    )
    .bind(customer_id)
    .fetch_one(&mut *tx)
    .await?;
    enqueue(&mut tx, SHOP.orders, &id.to_be_bytes()).await?;
    tx.commit().await
}

async fn mark_paid(pool: &PgPool, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET status = 'paid' WHERE id = $1")
        .bind(order_id)
        .execute(pool)
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPool::connect("postgres://orders@db/shop").await?;
    place_order(&pool, 1).await?;
    let consumer = subscribe(
        "kafka:9092",
        &Registration {
            group: "orders",
            topics: vec![SHOP.payments],
        },
    )?;
    loop {
        let msg = consumer.recv().await?;
        let id = i64::from_be_bytes(msg.payload().unwrap_or_default().try_into()?);
        mark_paid(&pool, id).await?;
    }
}
