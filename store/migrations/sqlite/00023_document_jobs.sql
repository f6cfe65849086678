-- +goose Up
-- Documents to render in the background: a row is written in the
-- transaction that creates an invoice or completes a link, and removed once
-- the PDF is stored in files, so that a download is a read. A download that
-- comes first renders the document itself (files keeps the first one).
CREATE TABLE document_jobs (
    token text PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    link_id TEXT NOT NULL REFERENCES payment_links(id),
    kind text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX document_jobs_due ON document_jobs (next_attempt_at);

-- +goose Down
DROP TABLE document_jobs;
