-- +goose Up
-- Fewer pages written per link. An index led by tenant_id puts each
-- tenant's new entries on a page of their own, so a commit of twenty
-- tenants' links writes twenty pages of it; led by the order's id, which is
-- time-ordered (UUIDv7), new entries go to the index's last pages, shared
-- by every tenant. tenant_id stays in the index, second, so that a planner
-- without statistics still sees it match every column the checks of link
-- creation ask for.
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (order_id, tenant_id, status);
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (order_id, tenant_id);
-- A filter on an order's creation time is a range of its ids (NewIDAt), so
-- the (tenant_id, id) index serves it.
DROP INDEX payment_orders_tenant_created;

-- +goose Down
CREATE INDEX payment_orders_tenant_created ON payment_orders (tenant_id, created_at);
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (tenant_id, order_id);
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (tenant_id, order_id, status);
