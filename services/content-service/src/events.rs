//! content-service's events: what it publishes on `content-events` (through
//! its outbox) and the `media.MediaUploaded` handler for `media-events`.

use nova_consumer::{Handler, HandlerError};
use nova_events::proto::{MediaUploaded, PostCreated, PostDeleted, PostUpdated};
use nova_events::{Event, Payload as _};
use nova_outbox::Outbox;
use sqlx::{Connection as _, PgConnection};
use uuid::Uuid;

use crate::store::{self, PostRow};

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp::from(std::time::SystemTime::from(at))
}

/// `content.PostCreated`.
pub fn post_created(post: &PostRow) -> Event {
    Event::new(&PostCreated {
        post_id: post.id.to_string(),
        author_id: post.author_id.clone(),
        title: post.title.clone(),
        body: post.body.clone(),
        media_ids: post.media_ids.clone(),
        created_at: Some(timestamp(post.created_at)),
    })
}

/// `content.PostUpdated` (full state after the change).
pub fn post_updated(post: &PostRow) -> Event {
    Event::new(&PostUpdated {
        post_id: post.id.to_string(),
        author_id: post.author_id.clone(),
        title: post.title.clone(),
        body: post.body.clone(),
        media_ids: post.media_ids.clone(),
        revision: u64::try_from(post.revision).unwrap_or(0),
        updated_at: Some(timestamp(post.updated_at)),
    })
}

/// `content.PostDeleted`.
pub fn post_deleted(post_id: Uuid, author_id: &str) -> Event {
    Event::new(&PostDeleted {
        post_id: post_id.to_string(),
        author_id: author_id.to_owned(),
        deleted_at: Some(prost_types::Timestamp::from(std::time::SystemTime::now())),
    })
}

/// Applies `media.MediaUploaded`: records the media and, when it names a post
/// of the same owner, attaches it and publishes `content.PostUpdated` in the
/// same transaction.
pub struct MediaHandler {
    /// Where `PostUpdated` goes.
    pub outbox: Outbox,
}

impl Handler for MediaHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == MediaUploaded::EVENT_TYPE).then_some(MediaUploaded::SCHEMA_VERSION)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        let media: MediaUploaded = event
            .payload_as()
            .map_err(|e| HandlerError::permanent(format!("undecodable MediaUploaded: {e}")))?;
        let post_id = if media.post_id.is_empty() {
            None
        } else {
            Some(Uuid::parse_str(&media.post_id).map_err(|_| {
                HandlerError::permanent(format!(
                    "MediaUploaded.post_id {:?} is not a UUID",
                    media.post_id
                ))
            })?)
        };
        let db = |e: sqlx::Error| HandlerError::transient("database").with_source(e);
        store::upsert_media(
            conn,
            &media.media_id,
            &media.owner_id,
            post_id,
            &media.content_type,
            i64::try_from(media.size_bytes).unwrap_or(i64::MAX),
        )
        .await
        .map_err(db)?;
        let Some(post_id) = post_id else {
            return Ok(());
        };
        // A savepoint inside the consumer's transaction: the outbox takes a transaction.
        let mut tx = conn.begin().await.map_err(db)?;
        match store::lock_post_author(&mut tx, post_id)
            .await
            .map_err(db)?
        {
            None => {
                tracing::warn!(%post_id, media_id = %media.media_id, "media for an unknown post: recorded, not attached");
                tx.rollback().await.map_err(db)?;
                return Ok(());
            }
            Some(author) if author != media.owner_id => {
                tracing::warn!(%post_id, media_id = %media.media_id, "media owner is not the post's author: not attached");
                tx.rollback().await.map_err(db)?;
                return Ok(());
            }
            Some(_) => {}
        }
        if store::attach_media(&mut tx, post_id, &media.media_id)
            .await
            .map_err(db)?
        {
            let post = store::post_by_id(&mut tx, post_id)
                .await
                .map_err(db)?
                .ok_or_else(|| HandlerError::transient("post vanished"))?;
            self.outbox
                .enqueue(&mut tx, &post_updated(&post))
                .await
                .map_err(|e| HandlerError::transient("outbox").with_source(e))?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
