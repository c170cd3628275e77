-- feed-service schema: the follow graph. Posts are read from content-service's tables.
CREATE TABLE follows (
    follower_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (follower_id, followee_id)
);

CREATE INDEX follows_followee_idx ON follows (followee_id);
