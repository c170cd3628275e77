mod embedded {
    refinery::embed_migrations!("migrations");
}

async fn open_tickets(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id, title FROM tickets WHERE status = 'open'")
        .fetch_all(pool)
        .await?;
    Ok(())
}

fn main() {
    let _ = open_tickets;
}
