//! Helpers shared by the services.

use sqlx::PgPool;

pub struct Customer {
    pub id: i64,
    pub email: String,
}

pub async fn load_customer(pool: &PgPool, id: i64) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as("SELECT id, email FROM customers WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

pub async fn bump_counter(pool: &PgPool, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE counters SET value = value + 1 WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?;
    Ok(())
}
