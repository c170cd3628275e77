async fn run(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM standalone_queue WHERE done").execute(pool).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
