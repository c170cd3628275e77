//! Shipping: ships paid orders and announces the shipment.

use eventbus::consumer::{subscribe, Registration};
use eventbus::outbox::enqueue;
use eventbus::topics::SHOP;
use rdkafka::Message;
use sqlx::PgPool;

async fn ship(pool: &PgPool, order_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO shipments (order_id, carrier) VALUES ($1, 'post')")
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    enqueue(&mut tx, SHOP.shipments, &order_id.to_be_bytes()).await?;
    tx.commit().await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPool::connect("postgres://shipping@db/shop").await?;
    let consumer = subscribe(
        "kafka:9092",
        &Registration {
            group: "shipping",
            topics: vec![SHOP.payments],
        },
    )?;
    loop {
        let msg = consumer.recv().await?;
        let id = i64::from_be_bytes(msg.payload().unwrap_or_default().try_into()?);
        ship(&pool, id).await?;
    }
}
