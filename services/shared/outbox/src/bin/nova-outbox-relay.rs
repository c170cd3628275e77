//! `nova-outbox-relay`: runs the outbox relay as a process.
//!
//! Configuration from the environment:
//! `DATABASE_URL` (required), `KAFKA_BOOTSTRAP` (required),
//! `NOVA_OUTBOX_BATCH_SIZE` (2000), `NOVA_OUTBOX_BATCHES_IN_FLIGHT` (1),
//! `NOVA_OUTBOX_ROUTING_HEADERS` (`0`; `1` adds `nova-event-id`/`nova-event-type`), `NOVA_OUTBOX_POLL_MS` (1000),
//! `NOVA_OUTBOX_RETENTION_SECS` (86400), `NOVA_OUTBOX_CLEANUP_SECS` (60),
//! `NOVA_OUTBOX_METRICS_SECS` (5), `NOVA_OUTBOX_LINGER_MS` (producer `linger.ms`, 2),
//! `NOVA_OUTBOX_PRODUCER_PROPERTIES` (`k=v,…`), `NOVA_OUTBOX_MIGRATE` (`1` runs the migration first),
//! `RUST_LOG` (tracing filter, default `info`). Stops gracefully on SIGINT/SIGTERM.

use anyhow::{Context, Result};
use nova_outbox::{Relay, RelayConfig, migrate};
use sqlx::postgres::PgPoolOptions;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let bootstrap = std::env::var("KAFKA_BOOTSTRAP").context("KAFKA_BOOTSTRAP is not set")?;
    let config = RelayConfig::from_env(bootstrap)?;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&database_url)
        .await
        .context("connecting to PostgreSQL")?;
    if std::env::var("NOVA_OUTBOX_MIGRATE").is_ok_and(|v| v == "1") {
        migrate(&pool)
            .await
            .context("running the outbox migration")?;
    }
    let relay = Relay::new(pool, config).context("creating the relay")?;
    relay.run(shutdown_signal()).await.context("relay failed")?;
    Ok(())
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
