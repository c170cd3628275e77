use clickhouse::Client as ClickHouse;
use neo4rs::{query, Graph};
use sqlx::PgPool;

async fn daily_views(ch: &ClickHouse) -> Result<u64, clickhouse::error::Error> {
    ch.query("SELECT count() FROM page_views WHERE event_date = today()")
        .fetch_one::<u64>()
        .await
}

async fn followers(graph: &Graph, id: i64) -> Result<(), neo4rs::Error> {
    let mut rows = graph
        .execute(query("MATCH (u:User {id: $id})<-[:FOLLOWS]-(f:User) RETURN f.id").param("id", id))
        .await?;
    while let Some(_row) = rows.next().await? {}
    Ok(())
}

async fn accounts(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id FROM accounts").fetch_all(pool).await?;
    Ok(())
}

fn main() {
    let ch = ClickHouse::default().with_url("http://clickhouse:8123");
    let _ = (ch, daily_views, followers, accounts);
}
