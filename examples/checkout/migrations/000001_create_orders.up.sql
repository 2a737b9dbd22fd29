CREATE TABLE IF NOT EXISTS orders (
    id          text        PRIMARY KEY,
    customer_id text        NOT NULL,
    currency    char(3)     NOT NULL,
    items       jsonb       NOT NULL,
    total_cents bigint      NOT NULL CHECK (total_cents >= 0),
    status      text        NOT NULL DEFAULT 'pending',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
