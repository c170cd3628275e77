-- messaging-service schema
CREATE TABLE conversations (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    member_a         UUID NOT NULL REFERENCES users (id),
    member_b         UUID NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_message_at  TIMESTAMPTZ,
    UNIQUE (member_a, member_b)
);

CREATE TABLE messages (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id  UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id        UUID NOT NULL REFERENCES users (id),
    body             TEXT NOT NULL,
    sent_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    edited_at        TIMESTAMPTZ
);

CREATE INDEX messages_conversation_sent_idx ON messages (conversation_id, sent_at DESC);
