-- nova transactional outbox: events written in the business transaction,
-- published to Kafka by the relay (nova-outbox). Idempotent: safe to run twice.

CREATE TABLE IF NOT EXISTS nova_outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    topic           text        NOT NULL,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    -- Ordering key: events of one aggregate are published in id order.
    key_hash        integer     GENERATED ALWAYS AS (hashtext(aggregate_type || '/' || aggregate_id)) STORED,
    occurred_at     timestamptz NOT NULL,
    traceparent     text,
    tracestate      text,
    -- The encoded nova.events.v1.Envelope: the Kafka message value.
    envelope        bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Failed publish attempts; a failed row holds back later rows of its aggregate.
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    published_at    timestamptz
);

-- The relay's work queue: unpublished rows in id order.
CREATE INDEX IF NOT EXISTS nova_outbox_pending
    ON nova_outbox (id) WHERE published_at IS NULL;
-- Head of each aggregate's unpublished rows (the relay checks it starts there).
CREATE INDEX IF NOT EXISTS nova_outbox_pending_key
    ON nova_outbox (key_hash, id) WHERE published_at IS NULL;
-- Rows in retry backoff (usually none).
CREATE INDEX IF NOT EXISTS nova_outbox_held
    ON nova_outbox (next_attempt_at) WHERE published_at IS NULL AND attempts > 0;
-- Retention clean-up of published rows.
CREATE INDEX IF NOT EXISTS nova_outbox_published
    ON nova_outbox (published_at) WHERE published_at IS NOT NULL;

-- Wake the relay (LISTEN nova_outbox) once per inserting statement.
CREATE OR REPLACE FUNCTION nova_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nova_outbox', '');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER nova_outbox_notify
    AFTER INSERT ON nova_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION nova_outbox_notify();
