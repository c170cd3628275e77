//! media-service's database: media metadata (bind parameters only).

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

/// Metadata of a stored object.
#[derive(Clone, Debug)]
pub struct MediaRow {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The verified uploader.
    pub owner_id: String,
    /// MIME type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// Key in the object store.
    pub storage_key: String,
    /// Post it belongs to, or empty.
    pub post_id: String,
    /// When stored.
    pub uploaded_at: DateTime<Utc>,
}

fn media(row: &PgRow) -> Result<MediaRow, sqlx::Error> {
    Ok(MediaRow {
        id: row.try_get("id")?,
        owner_id: row.try_get("owner_id")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        storage_key: row.try_get("storage_key")?,
        post_id: row.try_get("post_id")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

/// Inserts the metadata.
pub async fn insert_media(conn: &mut PgConnection, row: &MediaRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO media (id, owner_id, content_type, size_bytes, storage_key, post_id, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(row.id)
    .bind(&row.owner_id)
    .bind(&row.content_type)
    .bind(row.size_bytes)
    .bind(&row.storage_key)
    .bind(&row.post_id)
    .bind(row.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The metadata of `id`.
pub async fn media_by_id(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<MediaRow>, sqlx::Error> {
    sqlx::query(
        "SELECT id, owner_id, content_type, size_bytes, storage_key, post_id, uploaded_at FROM media WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(media)
    .transpose()
}
