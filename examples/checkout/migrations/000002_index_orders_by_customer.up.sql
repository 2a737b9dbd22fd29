-- Order history lookups (GET /v1/customers/{id}/orders, planned for 1.5) read by customer,
-- newest first. CONCURRENTLY keeps writes flowing while the index builds; golang-migrate
-- runs this file outside a transaction because it holds a single statement.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx
    ON orders (customer_id, created_at DESC);
