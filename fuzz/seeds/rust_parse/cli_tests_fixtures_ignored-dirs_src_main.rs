async fn items(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id FROM visible_items").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = items;
}
