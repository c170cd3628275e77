use sqlx::PgPool;

/// The table comes from the caller: nova cannot know it statically.
async fn fetch_any(pool: &PgPool, table: &str, id: i64) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT * FROM {} WHERE id = $1", table);
    sqlx::query(&sql).bind(id).fetch_all(pool).await?;
    Ok(())
}

/// Only the sort column is dynamic; the table is known.
async fn top_reports(pool: &PgPool, column: &str) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT id, title FROM reports ORDER BY {} DESC LIMIT 10", column);
    sqlx::query(&sql).fetch_all(pool).await?;
    Ok(())
}

/// A value spliced into the text (bad practice, but the table is known).
async fn set_metric(pool: &PgPool, id: i64, value: f64) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("UPDATE metrics SET value = {} WHERE id = $1", value))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// SQL assembled with concat!.
async fn active_teams(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(concat!("SELECT id, name ", "FROM teams ", "WHERE active = true"))
        .fetch_all(pool)
        .await?;
    Ok(())
}

fn main() {
    let _ = (fetch_any, top_reports, set_metric, active_teams);
}
