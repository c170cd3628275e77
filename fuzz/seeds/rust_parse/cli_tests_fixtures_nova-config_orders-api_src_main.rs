use sqlx::PgPool;

async fn place(pool: &PgPool, sku: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO orders (sku) VALUES ($1)").bind(sku).execute(pool).await?;
    Ok(())
}

async fn ship(pool: &PgPool, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO shipments (order_id) VALUES ($1)")
        .bind(order_id)
        .execute(pool)
        .await?;
    Ok(())
}

fn main() {
    let _ = (place, ship);
}
