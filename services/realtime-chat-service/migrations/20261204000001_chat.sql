-- realtime-chat-service's own database: the messages it has seen (the
-- consumer's effect, applied once per event), newest kept for catch-up.
CREATE TABLE chat_messages (
    message_id       TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    sender_id        TEXT NOT NULL,
    recipient_ids    TEXT[] NOT NULL,
    body             TEXT NOT NULL,
    sent_at          TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
