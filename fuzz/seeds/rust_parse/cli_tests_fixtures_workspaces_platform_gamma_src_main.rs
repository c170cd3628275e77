async fn run(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE gamma_state SET ticks = ticks + 1").execute(pool).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
