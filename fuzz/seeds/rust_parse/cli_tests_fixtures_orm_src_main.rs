mod cake;
mod schema;

async fn flags(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id, enabled FROM flags").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = flags;
}
