-- media-service schema
CREATE TABLE videos (
    id            UUID PRIMARY KEY,
    owner_id      UUID NOT NULL REFERENCES users (id),
    post_id       UUID REFERENCES posts (id) ON DELETE SET NULL,
    storage_key   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'uploading',
    duration_ms   BIGINT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE upload_sessions (
    id              UUID PRIMARY KEY,
    video_id        UUID NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    bytes_expected  BIGINT NOT NULL,
    bytes_received  BIGINT NOT NULL DEFAULT 0,
    expires_at      TIMESTAMPTZ NOT NULL
);
