use sqlx::PgPool;

async fn seed(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO widgets (name) VALUES ('sprocket')")
        .execute(pool)
        .await?;
    Ok(())
}

#[test]
fn seeds() {
    let _ = seed;
}
