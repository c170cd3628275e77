//! `nova-consumer-demo`: an idempotent consumer that records each event's effect
//! in a `demo_effects` table. Used by the crash tests and as a usage example.
//!
//! Environment: `DATABASE_URL`, `KAFKA_BOOTSTRAP`, `NOVA_CONSUMER_GROUP`,
//! `NOVA_CONSUMER_TOPICS` (comma-separated), `NOVA_CONSUMER_MAX_ATTEMPTS` (5),
//! `NOVA_CONSUMER_CRASH_AFTER` (abort the process right after the N-th database
//! commit, before its offset is committed: a crash test hook), `RUST_LOG`.
//! A `content.PostUpdated` event whose title is `poison` always fails.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use nova_consumer::{Consumer, ConsumerConfig, Handler, HandlerError, migrate};
use nova_events::Event;
use nova_events::proto::PostUpdated;
use sqlx::PgConnection;
use sqlx::postgres::PgPoolOptions;

/// Records `(event_id, aggregate_id, revision)` per event.
struct DemoHandler;

impl Handler for DemoHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == "content.PostUpdated").then_some(1)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        let post: PostUpdated = event.payload_as()?;
        if post.title == "poison" {
            return Err(HandlerError::transient("poison post"));
        }
        sqlx::query(
            "INSERT INTO demo_effects (event_id, aggregate_id, revision) VALUES ($1, $2, $3)",
        )
        .bind(event.id)
        .bind(&event.aggregate_id)
        .bind(i64::try_from(post.revision).unwrap_or(i64::MAX))
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let database_url = var("DATABASE_URL")?;
    let mut config = ConsumerConfig::new(
        var("KAFKA_BOOTSTRAP")?,
        var("NOVA_CONSUMER_GROUP")?,
        var("NOVA_CONSUMER_TOPICS")?.split(',').map(str::to_owned),
    );
    config.session_timeout = std::time::Duration::from_secs(6);
    if let Ok(v) = std::env::var("NOVA_CONSUMER_MAX_ATTEMPTS") {
        config.max_attempts = v.parse().context("NOVA_CONSUMER_MAX_ATTEMPTS")?;
    }
    let crash_after: Option<u64> = match std::env::var("NOVA_CONSUMER_CRASH_AFTER") {
        Ok(v) => Some(v.parse().context("NOVA_CONSUMER_CRASH_AFTER")?),
        Err(_) => None,
    };

    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&database_url)
        .await
        .context("connecting to PostgreSQL")?;
    migrate(&pool).await.context("processed-events migration")?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS demo_effects (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id uuid NOT NULL,
            aggregate_id text NOT NULL,
            revision bigint NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp())",
    )
    .execute(&pool)
    .await
    .context("creating demo_effects")?;

    let mut consumer = Consumer::new(pool, config, DemoHandler).context("creating the consumer")?;
    if let Some(n) = crash_after {
        let commits = AtomicU64::new(0);
        consumer = consumer.on_committed(move |event| {
            if commits.fetch_add(1, Ordering::SeqCst) + 1 >= n {
                eprintln!(
                    "nova-consumer-demo: crashing after the commit of {}",
                    event.id
                );
                std::process::abort();
            }
        });
    }
    consumer
        .run(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("consumer failed")?;
    Ok(())
}
