async fn run(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO alpha_jobs (name) VALUES ('x')").execute(pool).await?;
    beta::read_config(pool).await
}

fn main() {
    let _ = run;
}
