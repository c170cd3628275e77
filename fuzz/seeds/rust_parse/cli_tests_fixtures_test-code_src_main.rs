use sqlx::PgPool;

async fn widgets(pool: &PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM widgets ORDER BY id")
        .fetch_all(pool)
        .await
}

fn main() {
    let _ = widgets;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reset(pool: &PgPool) {
        sqlx::query("DELETE FROM widgets").execute(pool).await.ok();
    }

    #[test]
    fn compiles() {
        let _ = reset;
    }
}
