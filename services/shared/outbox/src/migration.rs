//! The outbox table's migration.

use sqlx::PgPool;

/// The outbox migration (idempotent SQL): table, indexes and the NOTIFY trigger.
pub const MIGRATION: &str = include_str!("../migrations/20261122000001_nova_outbox.sql");

/// The channel the relay `LISTEN`s on; every insert into the outbox notifies it.
pub const NOTIFY_CHANNEL: &str = "nova_outbox";

/// Advisory lock key serialising concurrent runs of the migration.
const MIGRATION_LOCK: i64 = 0x6e6f_7661_6f62_0001;

/// Creates (or keeps) the `nova_outbox` table, its indexes and trigger.
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
