//! Videos and upload sessions, over tokio-postgres.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Error};
use uuid::Uuid;

pub struct Video {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub post_id: Option<Uuid>,
    pub storage_key: String,
    pub status: String,
}

pub struct UploadSession {
    pub id: Uuid,
    pub video_id: Uuid,
    pub bytes_expected: i64,
    pub bytes_received: i64,
    pub expires_at: DateTime<Utc>,
}

pub struct MediaStore {
    client: Client,
}

impl MediaStore {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    pub async fn create_video(
        &self,
        id: Uuid,
        owner_id: Uuid,
        post_id: Option<Uuid>,
        key: &str,
    ) -> Result<(), Error> {
        self.client
            .execute(
                "INSERT INTO videos (id, owner_id, post_id, storage_key) VALUES ($1, $2, $3, $4)",
                &[&id, &owner_id, &post_id, &key],
            )
            .await?;
        Ok(())
    }

    pub async fn get_video(&self, id: Uuid) -> Result<Option<Video>, Error> {
        let row = self
            .client
            .query_opt(
                "SELECT id, owner_id, post_id, storage_key, status FROM videos WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| Video {
            id: r.get(0),
            owner_id: r.get(1),
            post_id: r.get(2),
            storage_key: r.get(3),
            status: r.get(4),
        }))
    }

    pub async fn mark_ready(&self, id: Uuid, duration_ms: i64) -> Result<u64, Error> {
        self.client
            .execute(
                "UPDATE videos SET status = 'ready', duration_ms = $2, updated_at = now() WHERE id = $1",
                &[&id, &duration_ms],
            )
            .await
    }

    pub async fn delete_video(&self, id: Uuid, owner_id: Uuid) -> Result<u64, Error> {
        self.client
            .execute(
                "DELETE FROM videos WHERE id = $1 AND owner_id = $2",
                &[&id, &owner_id],
            )
            .await
    }

    /// The author of a post, read straight from content-service's table.
    pub async fn post_author(&self, post_id: Uuid) -> Result<Option<Uuid>, Error> {
        let row = self
            .client
            .query_opt("SELECT author_id FROM posts WHERE id = $1", &[&post_id])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn open_upload(
        &self,
        id: Uuid,
        video_id: Uuid,
        bytes_expected: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let stmt = self
            .client
            .prepare(
                "INSERT INTO upload_sessions (id, video_id, bytes_expected, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .await?;
        self.client
            .execute(&stmt, &[&id, &video_id, &bytes_expected, &expires_at])
            .await?;
        Ok(())
    }

    pub async fn upload_session(&self, id: Uuid) -> Result<UploadSession, Error> {
        let row = self
            .client
            .query_one(
                "SELECT id, video_id, bytes_expected, bytes_received, expires_at FROM upload_sessions WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(UploadSession {
            id: row.get("id"),
            video_id: row.get("video_id"),
            bytes_expected: row.get("bytes_expected"),
            bytes_received: row.get("bytes_received"),
            expires_at: row.get("expires_at"),
        })
    }

    pub async fn record_chunk(&self, id: Uuid, len: i64) -> Result<u64, Error> {
        self.client
            .execute(
                "UPDATE upload_sessions SET bytes_received = bytes_received + $2 WHERE id = $1",
                &[&id, &len],
            )
            .await
    }

    pub async fn expire_upload_sessions(&self) -> Result<(), Error> {
        self.client
            .batch_execute("DELETE FROM upload_sessions WHERE expires_at < now()")
            .await
    }
}
