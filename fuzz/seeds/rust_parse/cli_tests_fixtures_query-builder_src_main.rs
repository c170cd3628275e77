use sqlx::{PgPool, Postgres, QueryBuilder};

struct Event {
    id: i64,
    kind: String,
}

async fn insert_events(pool: &PgPool, events: &[Event]) -> Result<(), sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("INSERT INTO events (id, kind) ");
    qb.push_values(events, |mut b, e| {
        b.push_bind(e.id).push_bind(e.kind.clone());
    });
    qb.build().execute(pool).await?;
    Ok(())
}

async fn search_audit(pool: &PgPool, actor: Option<&str>) -> Result<(), sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT id, action FROM audit_log WHERE 1 = 1");
    if let Some(actor) = actor {
        qb.push(" AND actor = ");
        qb.push_bind(actor.to_string());
    }
    qb.push(" ORDER BY id DESC LIMIT 100");
    qb.build().fetch_all(pool).await?;
    Ok(())
}

async fn rename_widget(pool: &PgPool, id: i64, name: &str) -> Result<(), sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE widgets SET ");
    qb.push("name = ").push_bind(name.to_string());
    qb.push(" WHERE id = ").push_bind(id);
    qb.build().execute(pool).await?;
    Ok(())
}

fn main() {
    let _ = (insert_events, search_audit, rename_widget);
}
