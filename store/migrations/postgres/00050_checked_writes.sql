-- +goose Up
-- A keyed write that only touches the database sends its whole unit —
-- BEGIN, its conditional INSERTs, the idempotency key and COMMIT — in one
-- round trip. A conditional INSERT whose conditions do not hold must then
-- stop the statements after it: wrapped as a CTE, it calls this function
-- on the rows it wrote, and an error aborts the transaction, so COMMIT
-- rolls back and the store runs the request again step by step to say
-- which rule refused it.
-- +goose StatementBegin
CREATE FUNCTION pinglinks_expect(ok boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'pinglinks: a checked write found its conditions unmet' USING ERRCODE = 'PL001';
    END IF;
END
$$;
-- +goose StatementEnd

-- The checks of link creation ask for an order's open or paid links and its
-- payments without a link. Indexed on order_id alone, the planner preferred
-- the tenant's (tenant_id, status) index whenever the tables had no
-- statistics yet (a new database, or autovacuum off) and read every open link
-- of the tenant for each new one; led by (tenant_id, order_id) the right
-- index wins with or without statistics.
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (tenant_id, order_id, status);
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (tenant_id, order_id);

-- +goose Down
DROP INDEX payments_order;
CREATE INDEX payments_order ON payments (order_id);
DROP INDEX payment_links_order;
CREATE INDEX payment_links_order ON payment_links (order_id);
DROP FUNCTION pinglinks_expect(boolean);
