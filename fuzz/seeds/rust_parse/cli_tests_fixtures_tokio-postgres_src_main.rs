use tokio_postgres::{Client, Error, NoTls};

async fn list_products(client: &Client) -> Result<Vec<String>, Error> {
    let rows = client.query("SELECT name FROM products WHERE active", &[]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

async fn stock(client: &Client, sku: &str) -> Result<i64, Error> {
    let row = client
        .query_one(
            "SELECT quantity FROM inventory WHERE sku = $1",
            &[&sku],
        )
        .await?;
    Ok(row.get(0))
}

async fn price(client: &Client, sku: &str) -> Result<Option<i64>, Error> {
    let row = client
        .query_opt("SELECT cents FROM prices WHERE sku = $1", &[&sku])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

async fn reserve(client: &Client, sku: &str, n: i64) -> Result<u64, Error> {
    client
        .execute(
            "UPDATE inventory SET quantity = quantity - $2 WHERE sku = $1",
            &[&sku, &n],
        )
        .await
}

async fn ship(client: &Client, order_id: i64) -> Result<(), Error> {
    let stmt = client
        .prepare("INSERT INTO shipments (order_id) VALUES ($1)")
        .await?;
    client.execute(&stmt, &[&order_id]).await?;
    Ok(())
}

async fn cleanup(client: &Client) -> Result<(), Error> {
    client
        .batch_execute("DELETE FROM stale_reservations WHERE created_at < now() - interval '1 day'")
        .await
}

const RECENT_ORDERS: &str = "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id";

// SQL handed to a helper that runs it with an iterator of parameters.
async fn stream_query(client: &Client, query: &str) -> Result<(), Error> {
    client.query_raw(query, std::iter::empty::<i32>()).await?;
    Ok(())
}

async fn recent(client: &Client) -> Result<(), Error> {
    stream_query(client, RECENT_ORDERS).await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (client, connection) = tokio_postgres::connect("host=localhost user=shop", NoTls).await?;
    tokio::spawn(connection);
    list_products(&client).await?;
    stock(&client, "a").await?;
    price(&client, "a").await?;
    reserve(&client, "a", 1).await?;
    ship(&client, 1).await?;
    recent(&client).await?;
    cleanup(&client).await
}
