use sqlx::PgPool;

async fn book_title(pool: &PgPool, id: i64) -> Result<String, sqlx::Error> {
    let row = sqlx::query!("SELECT title FROM books WHERE id = $1", id)
        .fetch_one(pool)
        .await?;
    Ok(row.title)
}

async fn lend(pool: &PgPool, book_id: i64, member_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO loans (book_id, member_id) VALUES ($1, $2)",
        book_id,
        member_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

fn main() {
    let _ = (book_title, lend);
}
