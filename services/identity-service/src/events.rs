//! The events identity-service publishes (through its outbox) on `identity-events`.

use nova_events::Event;
use nova_events::proto::{UserProfileUpdated, UserRegistered};

use crate::store::UserRow;

/// `identity.UserRegistered` for a new account.
pub fn user_registered(user: &UserRow) -> Event {
    let now = std::time::SystemTime::now();
    Event::new(&UserRegistered {
        user_id: user.id.to_string(),
        username: user.username.clone(),
        email: user.email.clone(),
        registered_at: Some(prost_types::Timestamp::from(now)),
    })
}

/// `identity.UserProfileUpdated` after a profile change.
pub fn user_profile_updated(user: &UserRow) -> Event {
    Event::new(&UserProfileUpdated {
        user_id: user.id.to_string(),
        display_name: user.display_name.clone(),
        avatar_media_id: String::new(),
        bio: user.bio.clone(),
    })
}
