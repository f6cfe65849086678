-- +goose Up
CREATE TABLE payment_links (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    order_id uuid NOT NULL REFERENCES payment_orders(id),
    payment_id uuid NOT NULL,
    token text NOT NULL UNIQUE,
    receipt_token text NOT NULL UNIQUE,
    status text NOT NULL,
    sms_status text NOT NULL,
    distributed_by_email boolean NOT NULL DEFAULT false,
    invoice_created boolean NOT NULL DEFAULT false,
    customer text NOT NULL,
    delivery_address text,
    invoice_address text,
    due_date text NOT NULL DEFAULT '',
    expires_at timestamptz,
    items text NOT NULL,
    supplier text NOT NULL,
    currency text NOT NULL,
    total_amount bigint NOT NULL,
    locale text NOT NULL,
    logo_image_link text NOT NULL DEFAULT '',
    status_callback_url text NOT NULL DEFAULT '',
    provider_methods text NOT NULL,
    metadata text,
    success_url text NOT NULL DEFAULT '',
    cancel_url text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX payment_links_tenant ON payment_links (tenant_id, id);
CREATE INDEX payment_links_order ON payment_links (order_id);
-- The expiry sweep reads only open links with a due date, soonest first.
CREATE INDEX payment_links_expiry ON payment_links (expires_at) WHERE status = 'CREATED' AND expires_at IS NOT NULL;

ALTER TABLE payments ADD COLUMN link_id uuid;
CREATE INDEX payments_link ON payments (link_id) WHERE link_id IS NOT NULL;

-- Per-tenant sequences (invoice numbers, payment references), taken under a row lock.
CREATE TABLE counters (
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE invoices (
    link_id uuid PRIMARY KEY REFERENCES payment_links(id),
    tenant_id uuid NOT NULL,
    number bigint NOT NULL,
    reference_type text NOT NULL,
    reference text NOT NULL,
    document_name text NOT NULL DEFAULT '',
    file_token text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, reference)
);

-- Messages to payers (SMS, e-mail) waiting to be sent by the messaging worker.
CREATE TABLE messages (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    link_id uuid NOT NULL REFERENCES payment_links(id),
    channel text NOT NULL,
    recipient text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    provider_id text NOT NULL DEFAULT '',
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX messages_link ON messages (link_id);

-- +goose Down
DROP TABLE messages;
DROP TABLE invoices;
DROP TABLE counters;
DROP INDEX payments_link;
ALTER TABLE payments DROP COLUMN link_id;
DROP TABLE payment_links;
