//! The outbox relay of the shop.

use eventbus::outbox::Relay;
use rdkafka::producer::FutureProducer;
use rdkafka::ClientConfig;
use sqlx::PgPool;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPool::connect("postgres://relay@db/shop").await?;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", "kafka:9092")
        .set("enable.idempotence", "true")
        .create()?;
    let relay = Relay::new(pool, producer);
    loop {
        if relay.publish_pending().await? == 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
