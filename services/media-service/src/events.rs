//! The event media-service publishes on `media-events` (through its outbox).

use nova_events::Event;
use nova_events::proto::MediaUploaded;

use crate::store::MediaRow;

/// `media.MediaUploaded` for a stored object.
pub fn media_uploaded(media: &MediaRow) -> Event {
    Event::new(&MediaUploaded {
        media_id: media.id.to_string(),
        owner_id: media.owner_id.clone(),
        content_type: media.content_type.clone(),
        size_bytes: u64::try_from(media.size_bytes).unwrap_or(0),
        storage_key: media.storage_key.clone(),
        uploaded_at: Some(prost_types::Timestamp::from(std::time::SystemTime::from(
            media.uploaded_at,
        ))),
        post_id: media.post_id.clone(),
    })
}
