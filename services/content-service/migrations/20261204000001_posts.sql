-- content-service's own database: posts, their media, comments and likes.
CREATE TABLE posts (
    id          UUID PRIMARY KEY,          -- UUID v7: id order = creation order
    author_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    revision    BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX posts_author_idx ON posts (author_id, id DESC);

-- Media known from media-events (media.MediaUploaded); attached to its post.
-- (Not `media`: that is media-service's table, in its own database.)
CREATE TABLE known_media (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL,
    post_id       UUID,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE post_media (
    post_id   UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    media_id  TEXT NOT NULL,
    position  INT NOT NULL,
    PRIMARY KEY (post_id, media_id)
);

CREATE TABLE comments (
    id          UUID PRIMARY KEY,
    post_id     UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id   TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX comments_post_idx ON comments (post_id, id);

CREATE TABLE likes (
    post_id     UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, user_id)
);
