-- +goose Up
ALTER TABLE outbox ADD COLUMN last_error text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivered_at TIMESTAMP;

-- Every delivery attempt of a callback, for the tenant to inspect.
CREATE TABLE callback_attempts (
    id TEXT PRIMARY KEY,
    outbox_id TEXT NOT NULL REFERENCES outbox(id),
    tenant_id TEXT NOT NULL,
    attempt integer NOT NULL,
    started_at TIMESTAMP NOT NULL,
    duration_ms integer NOT NULL,
    status_code integer NOT NULL,
    error text NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX callback_attempts_outbox ON callback_attempts (outbox_id, attempt);

-- +goose Down
DROP TABLE callback_attempts;
ALTER TABLE outbox DROP COLUMN delivered_at;
ALTER TABLE outbox DROP COLUMN last_error;
