-- +goose Up
-- The platform operator's credentials (docs/production.md, "The platform operator"): only the secret's hash is kept.
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    name text NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- A disabled tenant's API calls are refused and its links cannot be paid.
ALTER TABLE tenants ADD COLUMN disabled_at TIMESTAMP;

-- The clearing houses' files as imported (or refused), with their summaries.
CREATE TABLE bank_files (
    id TEXT PRIMARY KEY,
    name text NOT NULL,
    format text NOT NULL,
    sha256 text NOT NULL,
    status text NOT NULL,
    reason text NOT NULL DEFAULT '',
    payments integer NOT NULL DEFAULT 0,
    booked integer NOT NULL DEFAULT 0,
    unmatched integer NOT NULL DEFAULT 0,
    duplicates integer NOT NULL DEFAULT 0,
    amounts text NOT NULL DEFAULT '{}',
    imported_at TIMESTAMP NOT NULL
);

-- Every incoming bank transfer, identified by the bank's own fields
-- (bank_ref), so that it is booked once however often it is delivered.
CREATE TABLE bank_payments (
    id TEXT PRIMARY KEY,
    bank_ref text NOT NULL UNIQUE,
    file_id TEXT REFERENCES bank_files(id),
    source text NOT NULL,
    line integer NOT NULL DEFAULT 0,
    account text NOT NULL DEFAULT '',
    currency text NOT NULL,
    amount INTEGER NOT NULL,
    reference_type text NOT NULL DEFAULT '',
    reference text NOT NULL DEFAULT '',
    payer_name text NOT NULL DEFAULT '',
    paid_on text NOT NULL DEFAULT '',
    status text NOT NULL,
    reason text NOT NULL DEFAULT '',
    tenant_id TEXT,
    link_id TEXT,
    payment_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX bank_payments_status ON bank_payments (status, id);

-- References are platform-wide: a transfer finds its link by reference alone.
CREATE INDEX payment_links_reference_any_tenant ON payment_links (reference) WHERE reference <> '';
