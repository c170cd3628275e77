async fn titles(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT title FROM posts").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = titles;
}
