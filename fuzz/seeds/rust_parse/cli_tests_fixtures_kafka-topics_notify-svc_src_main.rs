use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message};

mod topics {
    pub const ORDER_CANCELLED: &str = "orders.cancelled";
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", "kafka:9092")
        .set("group.id", "notify")
        .create()?;
    consumer.subscribe(&["orders.created", topics::ORDER_CANCELLED])?;
    loop {
        let msg = consumer.recv().await?;
        println!("notify about {:?}", msg.key());
    }
}
