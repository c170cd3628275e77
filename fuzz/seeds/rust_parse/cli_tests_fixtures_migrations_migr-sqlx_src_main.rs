use sqlx::PgPool;

async fn purchases(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id, customer_id FROM purchases").fetch_all(pool).await?;
    Ok(())
}

async fn record(pool: &PgPool, sensor: i64, value: f64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO measurements (sensor_id, taken_at, value) VALUES ($1, now(), $2)")
        .bind(sensor)
        .bind(value)
        .execute(pool)
        .await?;
    Ok(())
}

async fn ghosts(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id FROM ghost_table").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = (purchases, record, ghosts);
}
