pub async fn read_config(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT key, value FROM settings").fetch_all(pool).await?;
    Ok(())
}
