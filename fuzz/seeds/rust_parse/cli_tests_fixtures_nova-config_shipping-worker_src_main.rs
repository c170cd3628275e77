use sqlx::PgPool;

async fn backfill(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO shipments (order_id) SELECT id FROM orders WHERE shipped = false",
    )
    .execute(pool)
    .await?;
    Ok(())
}

fn main() {
    let _ = backfill;
}
