CREATE TABLE invoices (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    issued_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
