-- nova idempotent consumer: one row per applied event and consumer group,
-- written in the same transaction as the event's effect. Idempotent.

CREATE TABLE IF NOT EXISTS nova_processed_events (
    consumer_group text        NOT NULL,
    event_id       uuid        NOT NULL,
    event_type     text        NOT NULL,
    topic          text        NOT NULL,
    kafka_partition integer    NOT NULL,
    kafka_offset   bigint      NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);

CREATE INDEX IF NOT EXISTS nova_processed_events_processed_at
    ON nova_processed_events (processed_at);
