use sqlx::PgPool;

async fn create_order(pool: &PgPool, customer_id: i64) -> Result<(), sqlx::Error> {
    let (id, email) = shared_db::load_customer(pool, customer_id).await?;
    sqlx::query("INSERT INTO orders (customer_id, email) VALUES ($1, $2)")
        .bind(id)
        .bind(email)
        .execute(pool)
        .await?;
    shared_db::bump_counter(pool, "orders").await
}

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let pool = PgPool::connect("postgres://localhost/shop").await?;
    create_order(&pool, 1).await
}
