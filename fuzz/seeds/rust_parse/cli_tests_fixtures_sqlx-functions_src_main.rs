use sqlx::{FromRow, PgPool, Postgres};

#[derive(FromRow)]
struct Account {
    id: i64,
    owner: String,
}

async fn open_account(pool: &PgPool, owner: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO accounts (owner) VALUES ($1)")
        .bind(owner)
        .execute(pool)
        .await?;
    Ok(())
}

async fn accounts(pool: &PgPool) -> Result<Vec<Account>, sqlx::Error> {
    sqlx::query_as::<_, Account>("SELECT id, owner FROM accounts ORDER BY id")
        .fetch_all(pool)
        .await
}

async fn account(pool: &PgPool, id: i64) -> Result<Account, sqlx::Error> {
    sqlx::query_as::<Postgres, Account>(
        "SELECT id, owner FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
}

async fn entry_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(pool)
        .await
}

async fn release_holds(pool: &PgPool, account_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM holds WHERE account_id = $1",
    )
    .bind(account_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

// SQL handed to a helper as a parameter.
async fn run(pool: &PgPool, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(pool).await?;
    Ok(())
}

async fn purge(pool: &PgPool) -> Result<(), sqlx::Error> {
    run(pool, "DELETE FROM audit_log WHERE created_at < now()").await
}

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let pool = PgPool::connect("postgres://localhost/bank").await?;
    open_account(&pool, "ada").await?;
    for a in accounts(&pool).await? {
        println!("{} {}", a.id, a.owner);
    }
    account(&pool, 1).await?;
    entry_count(&pool).await?;
    release_holds(&pool, 1).await?;
    purge(&pool).await?;
    Ok(())
}
