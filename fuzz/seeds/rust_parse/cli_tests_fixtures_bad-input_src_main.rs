mod broken;
mod latin1;
mod weird_sql;

async fn good(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id FROM good_table").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = good;
}
