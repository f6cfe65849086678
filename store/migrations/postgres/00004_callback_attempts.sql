-- +goose Up
ALTER TABLE outbox ADD COLUMN last_error text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivered_at timestamptz;

-- Every delivery attempt of a callback, for the tenant to inspect.
CREATE TABLE callback_attempts (
    id uuid PRIMARY KEY,
    outbox_id uuid NOT NULL REFERENCES outbox(id),
    tenant_id uuid NOT NULL,
    attempt integer NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms integer NOT NULL,
    status_code integer NOT NULL,
    error text NOT NULL,
    success boolean NOT NULL
);
CREATE INDEX callback_attempts_outbox ON callback_attempts (outbox_id, attempt);

-- +goose Down
DROP TABLE callback_attempts;
ALTER TABLE outbox DROP COLUMN delivered_at;
ALTER TABLE outbox DROP COLUMN last_error;
