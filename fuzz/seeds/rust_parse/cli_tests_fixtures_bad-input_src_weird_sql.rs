//! SQL that does not parse.

pub async fn weird(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE fallback_table SET WHERE id = $1 LIMIT")
        .execute(pool)
        .await?;
    Ok(())
}
