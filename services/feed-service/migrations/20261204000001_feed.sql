-- feed-service's own read model, built only from events.
CREATE TABLE feed_authors (
    user_id       TEXT PRIMARY KEY,
    username      TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    -- +1 per PostCreated, -1 per PostDeleted: not idempotent by itself, so it
    -- counts exactly what the consumer's deduplication lets through.
    post_count    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE feed_posts (
    post_id     UUID PRIMARY KEY,          -- UUID v7 from content-service: id order = creation order
    author_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    media_ids   TEXT[] NOT NULL DEFAULT '{}',
    revision    BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX feed_posts_visible_idx ON feed_posts (post_id DESC) WHERE NOT deleted;
