use sqlx::PgPool;

async fn send(pool: &PgPool, id: sqlx::types::Uuid, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT mq_insert($1, 'jobs', $2::jsonb)")
        .bind(id)
        .bind(payload)
        .execute(pool)
        .await?;
    Ok(())
}

async fn poll(pool: &PgPool) -> Result<Vec<(sqlx::types::Uuid,)>, sqlx::Error> {
    sqlx::query_as("SELECT id FROM mq_poll($1, 10)")
        .bind("jobs")
        .fetch_all(pool)
        .await
}

async fn purge(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("CALL mq_purge($1)").bind("jobs").execute(pool).await?;
    sqlx::query("SELECT mq_legacy_clear(), now(), count(*) FROM generate_series(1, 2)")
        .execute(pool)
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let pool = PgPool::connect("postgres://localhost/queue").await?;
    send(&pool, sqlx::types::Uuid::nil(), "{}").await?;
    poll(&pool).await?;
    purge(&pool).await
}
