-- +goose Up
-- When the payer first opened the link's checkout (recorded once).
ALTER TABLE payment_links ADD COLUMN first_opened_at timestamptz;
-- The link's reminder settings (JSON), NULL for none.
ALTER TABLE payment_links ADD COLUMN reminders text;
-- The tenant's default reminders for new links (JSON), NULL for none.
ALTER TABLE tenants ADD COLUMN reminders text;

-- Each reminder still to send, or sent, or stopped. The sweep reads the
-- partial index of those due; sending one and queueing its messages
-- commit together, so a reminder is sent at most once.
CREATE TABLE link_reminders (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    link_id uuid NOT NULL REFERENCES payment_links(id),
    send_at timestamptz NOT NULL,
    days_before integer NOT NULL,
    channels text NOT NULL,
    status text NOT NULL,
    note text NOT NULL DEFAULT '',
    done_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX link_reminders_due ON link_reminders (send_at) WHERE status = 'SCHEDULED';
CREATE INDEX link_reminders_link ON link_reminders (link_id);

-- Search terms of links ("n:anna", "e:anna@example.com", "p:46701234567",
-- "r:<OCR/KID>", "i:<invoice number>", "a:<amount in minor units>"): a
-- search is an index range scan on (tenant_id, term), however many links.
CREATE TABLE link_search (
    tenant_id uuid NOT NULL,
    term text NOT NULL,
    link_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, term, link_id)
);
INSERT INTO link_search (tenant_id, term, link_id)
SELECT tenant_id, t.term, id FROM payment_links, LATERAL (VALUES
    ('a:' || total_amount::text),
    ('n:' || lower(customer::jsonb->>'first_name')),
    ('n:' || lower(customer::jsonb->>'last_name')),
    ('e:' || lower(customer::jsonb->>'email')),
    ('r:' || reference)) AS t(term)
WHERE t.term IS NOT NULL AND t.term NOT IN ('n:', 'e:', 'r:')
ON CONFLICT DO NOTHING;
INSERT INTO link_search (tenant_id, term, link_id)
SELECT tenant_id, 'i:' || number::text, link_id FROM invoices ON CONFLICT DO NOTHING;

-- The dashboard's filters, newest first within a tenant.
CREATE INDEX payment_links_tenant_status ON payment_links (tenant_id, status, id);
CREATE INDEX payment_links_tenant_due ON payment_links (tenant_id, due_date) WHERE due_date <> '';

-- Which link or payment a callback reports, for a link's timeline.
ALTER TABLE outbox ADD COLUMN subject_id uuid;
CREATE INDEX outbox_subject ON outbox (tenant_id, subject_id) WHERE subject_id IS NOT NULL;

-- Products and customers a tenant saved to make the next link quicker.
CREATE TABLE saved_products (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    description text NOT NULL,
    price bigint NOT NULL,
    currency text NOT NULL,
    vat integer NOT NULL, -- hundredths of a percent
    unit text NOT NULL DEFAULT '',
    item_number text NOT NULL DEFAULT '',
    merchant_id uuid NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX saved_products_tenant ON saved_products (tenant_id, description);

CREATE TABLE saved_customers (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    reference text NOT NULL DEFAULT '',
    address text,
    created_at timestamptz NOT NULL
);
CREATE INDEX saved_customers_tenant ON saved_customers (tenant_id, last_name, first_name);

-- +goose Down
DROP TABLE saved_customers;
DROP TABLE saved_products;
DROP INDEX outbox_subject;
ALTER TABLE outbox DROP COLUMN subject_id;
DROP INDEX payment_links_tenant_due;
DROP INDEX payment_links_tenant_status;
DROP TABLE link_search;
DROP TABLE link_reminders;
ALTER TABLE tenants DROP COLUMN reminders;
ALTER TABLE payment_links DROP COLUMN reminders;
ALTER TABLE payment_links DROP COLUMN first_opened_at;
