use sqlx::PgPool;

struct Customer {
    id: i64,
    name: String,
}

async fn place_order(pool: &PgPool, customer_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO orders (customer_id) VALUES ($1)", customer_id)
        .execute(pool)
        .await?;
    Ok(())
}

async fn customer(pool: &PgPool, id: i64) -> Result<Customer, sqlx::Error> {
    sqlx::query_as!(
        Customer,
        "SELECT id, name FROM customers WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
}

async fn open_invoices(pool: &PgPool) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT COUNT(*) FROM invoices WHERE paid = false"#)
        .fetch_one(pool)
        .await
}

async fn archive(pool: &PgPool, before: i64) -> Result<(), sqlx::Error> {
    sqlx::query_file!("queries/archive_orders.sql", before)
        .execute(pool)
        .await?;
    Ok(())
}

async fn clear_cart(pool: &PgPool, customer_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        DELETE FROM carts
        WHERE customer_id = $1
        "#,
        customer_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let pool = PgPool::connect("postgres://localhost/shop").await?;
    place_order(&pool, 1).await?;
    let c = customer(&pool, 1).await?;
    println!("{} {} {:?}", c.id, c.name, open_invoices(&pool).await?);
    archive(&pool, 0).await?;
    clear_cart(&pool, 1).await
}
