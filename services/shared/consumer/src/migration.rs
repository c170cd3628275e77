//! The processed-events table's migration.

use sqlx::PgPool;

/// The consumer migration (idempotent SQL).
pub const MIGRATION: &str = include_str!("../migrations/20261122000002_nova_processed_events.sql");

const MIGRATION_LOCK: i64 = 0x6e6f_7661_636f_0001;

/// Creates (or keeps) the `nova_processed_events` table.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    // `Executor::execute` with a `&str` runs the multi-statement script over the
    // simple protocol like `raw_sql`, but its future is provably `Send`
    // (`raw_sql`'s is not, so `migrate` could not run in a spawned task).
    sqlx::Executor::execute(&mut *tx, MIGRATION).await?;
    tx.commit().await
}
