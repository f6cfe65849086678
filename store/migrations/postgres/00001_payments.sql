-- +goose Up
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    secret_hash bytea NOT NULL,
    callback_signing_key text NOT NULL,
    merchant_status_callback_url text NOT NULL DEFAULT '',
    default_split_tree_id uuid NOT NULL,
    sandbox boolean NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE split_trees (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX split_trees_tenant ON split_trees (tenant_id, id);

CREATE TABLE merchants (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    name text NOT NULL,
    status text NOT NULL,
    organization text,
    person text,
    email text NOT NULL DEFAULT '',
    phone_number text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX merchants_tenant ON merchants (tenant_id, id);

CREATE TABLE payment_orders (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    status text NOT NULL,
    currency text NOT NULL,
    split_tree_id uuid NOT NULL REFERENCES split_trees(id),
    split_parameters text,
    created_at timestamptz NOT NULL,
    closed_at timestamptz,
    split_at timestamptz,
    settled_at timestamptz
);
CREATE INDEX payment_orders_tenant ON payment_orders (tenant_id, id);
CREATE INDEX payment_orders_tenant_created ON payment_orders (tenant_id, created_at);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    order_id uuid NOT NULL REFERENCES payment_orders(id),
    status text NOT NULL,
    status_history text NOT NULL,
    currency text NOT NULL,
    total_amount bigint NOT NULL CHECK (total_amount >= 0),
    funded_amount bigint NOT NULL DEFAULT 0,
    order_items text NOT NULL,
    provider text NOT NULL,
    method text NOT NULL,
    provider_method_parameters text,
    provider_method_response text,
    status_callback_url text NOT NULL DEFAULT '',
    metadata text,
    payer text,
    refunds text NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX payments_tenant ON payments (tenant_id, id);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE allocations (
    tenant_id uuid NOT NULL,
    order_id uuid NOT NULL REFERENCES payment_orders(id),
    merchant_id uuid NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    PRIMARY KEY (order_id, merchant_id)
);

CREATE TABLE idempotency_keys (
    tenant_id uuid NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    status_code integer NOT NULL DEFAULT 0,
    response_body bytea,
    created_at timestamptz NOT NULL,
    completed_at timestamptz,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Callbacks to tenants, written in the same transaction as the state change
-- they report and delivered by a background worker.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    kind text NOT NULL,
    url text NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    next_attempt_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    status text NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_tenant ON outbox (tenant_id, id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE allocations;
DROP TABLE payments;
DROP TABLE payment_orders;
DROP TABLE merchants;
DROP TABLE split_trees;
DROP TABLE tenants;
