//! The events feed-service applies: content-events and identity-events.

use nova_consumer::{Handler, HandlerError};
use nova_events::proto::{
    PostCreated, PostDeleted, PostUpdated, UserProfileUpdated, UserRegistered,
};
use nova_events::{Event, Payload};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::store::{self, PostState};

/// Applies posts and user names to the read model.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeedHandler;

fn decode<P: Payload>(event: &Event) -> Result<P, HandlerError> {
    event
        .payload_as()
        .map_err(|e| HandlerError::permanent(format!("undecodable {}: {e}", P::EVENT_TYPE)))
}

fn post_id(value: &str) -> Result<Uuid, HandlerError> {
    Uuid::parse_str(value)
        .map_err(|_| HandlerError::permanent(format!("post_id {value:?} is not a UUID")))
}

fn time(ts: Option<&prost_types::Timestamp>, event: &Event) -> chrono::DateTime<chrono::Utc> {
    ts.and_then(|t| {
        chrono::DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0))
    })
    .unwrap_or(event.occurred_at)
}

fn db(e: sqlx::Error) -> HandlerError {
    HandlerError::transient("database").with_source(e)
}

impl Handler for FeedHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        [
            (PostCreated::EVENT_TYPE, PostCreated::SCHEMA_VERSION),
            (PostUpdated::EVENT_TYPE, PostUpdated::SCHEMA_VERSION),
            (PostDeleted::EVENT_TYPE, PostDeleted::SCHEMA_VERSION),
            (UserRegistered::EVENT_TYPE, UserRegistered::SCHEMA_VERSION),
            (
                UserProfileUpdated::EVENT_TYPE,
                UserProfileUpdated::SCHEMA_VERSION,
            ),
        ]
        .into_iter()
        .find_map(|(t, v)| (t == event_type).then_some(v))
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            PostCreated::EVENT_TYPE => {
                let p: PostCreated = decode(event)?;
                let state = PostState {
                    post_id: post_id(&p.post_id)?,
                    author_id: &p.author_id,
                    title: &p.title,
                    body: &p.body,
                    media_ids: &p.media_ids,
                    revision: 1,
                    created_at: time(p.created_at.as_ref(), event),
                };
                store::upsert_post(&mut *conn, &state).await.map_err(db)?;
                store::count_post(conn, &p.author_id, 1).await.map_err(db)
            }
            PostUpdated::EVENT_TYPE => {
                let p: PostUpdated = decode(event)?;
                let id = post_id(&p.post_id)?;
                // UUID v7: the post's creation time is in its id.
                let created_at = id
                    .get_timestamp()
                    .and_then(|ts| {
                        let (secs, nanos) = ts.to_unix();
                        chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos)
                    })
                    .unwrap_or(event.occurred_at);
                let state = PostState {
                    post_id: id,
                    author_id: &p.author_id,
                    title: &p.title,
                    body: &p.body,
                    media_ids: &p.media_ids,
                    revision: i64::try_from(p.revision).unwrap_or(i64::MAX),
                    created_at,
                };
                store::upsert_post(conn, &state).await.map_err(db)
            }
            PostDeleted::EVENT_TYPE => {
                let p: PostDeleted = decode(event)?;
                store::delete_post(&mut *conn, post_id(&p.post_id)?, &p.author_id)
                    .await
                    .map_err(db)?;
                store::count_post(conn, &p.author_id, -1).await.map_err(db)
            }
            UserRegistered::EVENT_TYPE => {
                let u: UserRegistered = decode(event)?;
                store::upsert_username(conn, &u.user_id, &u.username)
                    .await
                    .map_err(db)
            }
            UserProfileUpdated::EVENT_TYPE => {
                let u: UserProfileUpdated = decode(event)?;
                store::upsert_display_name(conn, &u.user_id, &u.display_name)
                    .await
                    .map_err(db)
            }
            other => Err(HandlerError::permanent(format!(
                "unexpected event type {other}"
            ))),
        }
    }
}
