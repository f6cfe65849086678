-- +goose Up
-- A link's bank-transfer reference (OCR/KID): set by its invoice, or when the
-- payer chooses bank transfer on the checkout. A deposit finds its link by it.
ALTER TABLE payment_links ADD COLUMN reference_type text NOT NULL DEFAULT '';
ALTER TABLE payment_links ADD COLUMN reference text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX payment_links_reference ON payment_links (tenant_id, reference) WHERE reference <> '';

-- Rendered documents (invoice and receipt PDFs), served from /files/{token}.
-- Kept in the database so that every process serves the same bytes.
CREATE TABLE files (
    token text PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    link_id TEXT NOT NULL REFERENCES payment_links(id),
    kind text NOT NULL,
    content_type text NOT NULL,
    filename text NOT NULL,
    body BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Logos fetched from logo_image_link, so each is fetched once.
CREATE TABLE logos (
    url text PRIMARY KEY,
    content_type text NOT NULL,
    body BLOB NOT NULL,
    fetch_error text NOT NULL DEFAULT '',
    fetched_at TIMESTAMP NOT NULL
);

-- What was sent, as rendered (shown at /sandbox/outbox), and the gateway's
-- id of an SMS for its delivery report.
ALTER TABLE messages ADD COLUMN subject text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN body_text text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN body_html text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN attachment text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sent_at TIMESTAMP;
CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id <> '';
CREATE INDEX messages_tenant ON messages (tenant_id, id);

-- A completed link's receipt number, sequential per tenant, taken when it completes.
ALTER TABLE payment_links ADD COLUMN receipt_number bigint NOT NULL DEFAULT 0;

-- Payments waiting on their provider (the Swish simulator's round), oldest first.
CREATE INDEX payments_pending ON payments (updated_at) WHERE status = 'PENDING';

-- +goose Down
DROP INDEX payments_pending;
ALTER TABLE payment_links DROP COLUMN receipt_number;
DROP INDEX messages_tenant;
DROP INDEX messages_provider;
ALTER TABLE messages DROP COLUMN sent_at;
ALTER TABLE messages DROP COLUMN attachment;
ALTER TABLE messages DROP COLUMN body_html;
ALTER TABLE messages DROP COLUMN body_text;
ALTER TABLE messages DROP COLUMN subject;
DROP TABLE logos;
DROP TABLE files;
DROP INDEX payment_links_reference;
ALTER TABLE payment_links DROP COLUMN reference;
ALTER TABLE payment_links DROP COLUMN reference_type;
