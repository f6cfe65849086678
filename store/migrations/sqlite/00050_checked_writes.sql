-- +goose Up
-- The checks of link creation ask for an order's open or paid links and its
-- payments without a link. Indexed on order_id alone, a planner without
-- statistics may prefer the tenant's (tenant_id, status) index and read
-- every open link of the tenant for each new one; led by
-- (tenant_id, order_id) the right index wins with or without statistics.
-- (PostgreSQL's migration of the same number also adds pinglinks_expect,
-- which SQLite does not need: its statements are function calls, not
-- round trips.)
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (tenant_id, order_id, status);
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (tenant_id, order_id);

-- +goose Down
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (order_id);
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (order_id);
