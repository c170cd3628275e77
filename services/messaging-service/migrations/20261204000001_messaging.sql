-- messaging-service's own database: conversations, participants, messages.
CREATE TABLE conversations (
    id          UUID PRIMARY KEY,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE participants (
    conversation_id  UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX participants_user_idx ON participants (user_id);

CREATE TABLE messages (
    id               UUID PRIMARY KEY,     -- UUID v7: id order = send order
    conversation_id  UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id        TEXT NOT NULL,
    body             TEXT NOT NULL,
    sent_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
