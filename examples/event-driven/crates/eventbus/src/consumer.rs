//! Consumer registration: a service lists the topics it handles.

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::ClientConfig;

/// What a consumer subscribes to.
pub struct Registration {
    pub group: &'static str,
    pub topics: Vec<&'static str>,
}

/// A consumer subscribed to every topic of `reg`.
pub fn subscribe(brokers: &str, reg: &Registration) -> Result<StreamConsumer, rdkafka::error::KafkaError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", reg.group)
        .create()?;
    consumer.subscribe(&reg.topics)?;
    Ok(consumer)
}
