async fn run(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM config_table").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
