-- +goose NO TRANSACTION
-- +goose Up
-- Fewer index pages written per link: see the SQLite migration of the same
-- number. Built CONCURRENTLY, so that payments and links can be written
-- while a large installation builds them; every step can be run again if
-- the migration stops half way (an index left invalid by a stopped build is
-- dropped first).
DROP INDEX CONCURRENTLY IF EXISTS payment_links_by_order;
CREATE INDEX CONCURRENTLY payment_links_by_order ON payment_links (order_id, tenant_id, status);
DROP INDEX CONCURRENTLY IF EXISTS payment_links_order;
ALTER INDEX payment_links_by_order RENAME TO payment_links_order;

DROP INDEX CONCURRENTLY IF EXISTS payments_by_order;
CREATE INDEX CONCURRENTLY payments_by_order ON payments (order_id, tenant_id);
DROP INDEX CONCURRENTLY IF EXISTS payments_order;
ALTER INDEX payments_by_order RENAME TO payments_order;

DROP INDEX CONCURRENTLY IF EXISTS payment_orders_tenant_created;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_orders_tenant_created ON payment_orders (tenant_id, created_at);
DROP INDEX CONCURRENTLY IF EXISTS payments_by_order;
CREATE INDEX CONCURRENTLY payments_by_order ON payments (tenant_id, order_id);
DROP INDEX CONCURRENTLY IF EXISTS payments_order;
ALTER INDEX payments_by_order RENAME TO payments_order;
DROP INDEX CONCURRENTLY IF EXISTS payment_links_by_order;
CREATE INDEX CONCURRENTLY payment_links_by_order ON payment_links (tenant_id, order_id, status);
DROP INDEX CONCURRENTLY IF EXISTS payment_links_order;
ALTER INDEX payment_links_by_order RENAME TO payment_links_order;
