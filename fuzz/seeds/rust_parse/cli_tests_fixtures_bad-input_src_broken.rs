// This file does not parse: the parameter list is never closed.

pub async fn broken(pool: &sqlx::PgPool {
    sqlx::query("DELETE FROM never_seen").execute(pool).await.ok();
}
