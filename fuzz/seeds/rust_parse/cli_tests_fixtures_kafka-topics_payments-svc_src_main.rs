//! The topics this service consumes are only named in config/default.yaml;
//! the platform's kafka-kit runner subscribes to them.

use serde::Deserialize;

#[derive(Deserialize)]
struct ConsumerSettings {
    group: String,
    topics: Vec<String>,
}

#[derive(Deserialize)]
struct KafkaSettings {
    brokers: String,
    consumer: ConsumerSettings,
}

#[derive(Deserialize)]
struct Settings {
    kafka: KafkaSettings,
}

fn load() -> Result<Settings, config::ConfigError> {
    config::Config::builder()
        .add_source(config::File::with_name("config/default"))
        .add_source(config::Environment::with_prefix("PAYMENTS").separator("__"))
        .build()?
        .try_deserialize()
}

async fn handle(payload: Vec<u8>) -> Result<(), kafka_kit::Error> {
    println!("payment event of {} bytes", payload.len());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = load()?;
    let runner = kafka_kit::Runner::new(&settings.kafka.brokers, &settings.kafka.consumer.group);
    runner.run(&settings.kafka.consumer.topics, handle).await?;
    Ok(())
}
