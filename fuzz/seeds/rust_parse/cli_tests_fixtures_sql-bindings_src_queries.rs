//! SQL kept in its own module.

pub const LIST_TAGS: &str = "SELECT id, name FROM tags ORDER BY name";

pub mod admin {
    pub const PURGE_AUDIT: &str = "DELETE FROM audit_events WHERE created_at < now() - interval '90 days'";
}
