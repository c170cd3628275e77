use sqlx::PgPool;

mod queries;

const INSERT_LABEL: &str = "INSERT INTO labels (name) VALUES ($1)";
static LIST_BOOKMARKS: &str = "SELECT id, url FROM bookmarks WHERE owner = $1";

pub enum TagChange {
    Remove,
    Rename,
}

async fn add_label(pool: &PgPool, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query(INSERT_LABEL).bind(name).execute(pool).await?;
    Ok(())
}

async fn bookmarks(pool: &PgPool, owner: i64) -> Result<(), sqlx::Error> {
    sqlx::query(LIST_BOOKMARKS).bind(owner).fetch_all(pool).await?;
    Ok(())
}

async fn tags(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(queries::LIST_TAGS).fetch_all(pool).await?;
    Ok(())
}

async fn purge(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(crate::queries::admin::PURGE_AUDIT).execute(pool).await?;
    Ok(())
}

async fn notes(pool: &PgPool, archived: bool) -> Result<(), sqlx::Error> {
    let sql = if archived {
        "SELECT id, body FROM archived_notes"
    } else {
        "SELECT id, body FROM notes"
    };
    sqlx::query(sql).fetch_all(pool).await?;
    Ok(())
}

async fn change_tag(pool: &PgPool, id: i64, change: TagChange) -> Result<(), sqlx::Error> {
    let sql = match change {
        TagChange::Remove => "DELETE FROM tags WHERE id = $1",
        TagChange::Rename => "UPDATE tags SET name = name || ' (old)' WHERE id = $1",
    };
    sqlx::query(sql).bind(id).execute(pool).await?;
    Ok(())
}

async fn count_pins(pool: &PgPool) -> Result<i64, sqlx::Error> {
    let query = "SELECT count(*) FROM pins";
    sqlx::query_scalar(query).fetch_one(pool).await
}

fn main() {
    let _ = (add_label, bookmarks, tags, purge, notes, change_tag, count_pins);
}
