use std::time::Duration;

use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

mod outbox;

const ORDER_CANCELLED_TOPIC: &str = "orders.cancelled";

struct Order {
    id: u64,
    region: String,
}

fn pick_topic(order: &Order) -> String {
    order.region.to_lowercase() + ".audit"
}

async fn publish(producer: &FutureProducer, order: &Order) -> Result<(), Box<dyn std::error::Error>> {
    let key = order.id.to_string();
    producer
        .send(FutureRecord::to("orders.created").key(&key).payload("{}"), Duration::from_secs(5))
        .await
        .map_err(|(e, _)| e)?;
    producer
        .send(FutureRecord::to(ORDER_CANCELLED_TOPIC).key(&key).payload("{}"), Duration::from_secs(5))
        .await
        .map_err(|(e, _)| e)?;

    let prefix = std::env::var("KAFKA_TOPIC_PREFIX").unwrap_or_else(|_| "dev".to_string());
    let payments_topic = format!("{}.payments.events", prefix);
    producer
        .send(FutureRecord::to(&payments_topic).key(&key).payload("{}"), Duration::from_secs(5))
        .await
        .map_err(|(e, _)| e)?;

    let audit_topic = pick_topic(order);
    producer
        .send(FutureRecord::to(&audit_topic).key(&key).payload("{}"), Duration::from_secs(5))
        .await
        .map_err(|(e, _)| e)?;
    Ok(())
}

async fn ship(pool: &sqlx::PgPool, order: &Order) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(order.id as i64)
        .execute(&mut *tx)
        .await?;
    outbox::enqueue(&mut tx, "orders.shipped", "{}").await?;
    tx.commit().await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let producer: FutureProducer = ClientConfig::new().set("bootstrap.servers", "kafka:9092").create()?;
    let order = Order { id: 1, region: "EU".into() };
    publish(&producer, &order).await?;
    let pool = sqlx::PgPool::connect("postgres://localhost/orders").await?;
    ship(&pool, &order).await?;
    Ok(())
}
