use std::time::Duration;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
#[tokio::main]
async fn main() {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", "127.0.0.1:9092")
        .set("debug", "admin,protocol,broker")
        .create().unwrap();
    let t = NewTopic::new("probe1", 2, TopicReplication::Fixed(1));
    let r = tokio::time::timeout(Duration::from_secs(10), admin.create_topics(&[t], &AdminOptions::new())).await;
    println!("{r:?}");
}
