//! What a service needs to exist before it starts: its database and its topics.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, PgPool};

use crate::error::KitError;

/// Connects to the database of `url`, creating it first if it does not exist
/// (through the server's `postgres` database).
pub async fn connect_database(url: &str, max_connections: u32) -> Result<PgPool, KitError> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e: sqlx::Error| KitError::Database(format!("database URL: {e}")))?;
    let name = options.get_database().unwrap_or("postgres").to_owned();
    let connect = || {
        PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
    };
    match connect().await {
        Ok(pool) => return Ok(pool),
        // 3D000 invalid_catalog_name: the database does not exist yet.
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("3D000") => {}
        Err(e) => return Err(KitError::Database(format!("connect to {name}: {e}"))),
    }
    let mut admin = options
        .clone()
        .database("postgres")
        .connect()
        .await
        .map_err(|e| KitError::Database(format!("connect to `postgres` database: {e}")))?;
    // CREATE DATABASE takes no bind parameters: quote the identifier.
    let create = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    match sqlx::Executor::execute(&mut admin, create.as_str()).await {
        Ok(_) => tracing::info!(database = %name, "created database"),
        // 42P04 duplicate_database: another process created it meanwhile.
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42P04") => {}
        Err(e) => return Err(KitError::Database(format!("create database {name}: {e}"))),
    }
    connect()
        .await
        .map_err(|e| KitError::Database(format!("connect to {name}: {e}")))
}

/// Creates the Kafka `topics` that do not exist yet (one partition each by
/// default here; tansu does not create topics on first use).
pub async fn ensure_topics(
    bootstrap: &str,
    topics: &[&str],
    partitions: i32,
) -> Result<(), KitError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .map_err(|e| KitError::Kafka(format!("{bootstrap}: {e}")))?;
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1)))
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .create_topics(&new, &options)
        .await
        .map_err(|e| KitError::Kafka(format!("{bootstrap}: create topics: {e}")))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(KitError::Kafka(format!(
                    "{bootstrap}: create topic {topic}: {code}"
                )));
            }
        }
    }
    Ok(())
}
