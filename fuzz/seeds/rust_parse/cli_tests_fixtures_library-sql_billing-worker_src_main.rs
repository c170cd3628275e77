use shared_db::bump_counter;
use sqlx::PgPool;

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let pool = PgPool::connect("postgres://localhost/shop").await?;
    loop {
        bump_counter(&pool, "billing_runs").await?;
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}
