//! A library no service depends on.

use sqlx::PgPool;

pub async fn purge_ghosts(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ghosts").execute(pool).await?;
    Ok(())
}
