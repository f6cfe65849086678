-- +goose Up
-- The dashboard's people (docs/dashboard.md): each belongs to one tenant.
-- Passwords are argon2id hashes (PHC strings); a TOTP secret is kept once
-- enrolment has started, and counts only once totp_enabled_at is set.
CREATE TABLE dashboard_users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email text NOT NULL UNIQUE,
    name text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    role text NOT NULL,
    totp_secret text NOT NULL DEFAULT '',
    totp_enabled_at TIMESTAMP,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    failed_signins integer NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dashboard_users_tenant ON dashboard_users (tenant_id);

-- Server-side sessions: the cookie holds a random token, the row its hash.
-- verified_at is set once the second factor (if any) has been given.
CREATE TABLE dashboard_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES dashboard_users(id),
    token_hash BLOB NOT NULL UNIQUE,
    csrf_token text NOT NULL,
    verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions (tenant_id, user_id);

-- Invitations (and the owner's first sign-in link, whose email is empty:
-- the owner names it on first use). Only the token's hash is kept.
CREATE TABLE dashboard_invites (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    token_hash BLOB NOT NULL UNIQUE,
    email text NOT NULL DEFAULT '',
    role text NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX dashboard_invites_tenant ON dashboard_invites (tenant_id);

-- Password resets asked for by e-mail; one use, short-lived.
CREATE TABLE dashboard_resets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES dashboard_users(id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- E-mails to dashboard users (invites, password resets): the same message
-- worker sends them, on the same schedule, as the payers' messages; they
-- belong to no payment link, so they have a table of their own.
CREATE TABLE account_mail (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    recipient text NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    last_error text NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX account_mail_due ON account_mail (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX account_mail_tenant ON account_mail (tenant_id);

-- Key rotation: during the overlap the previous API secret still
-- authenticates and callbacks carry a signature with the previous key too.
ALTER TABLE tenants ADD COLUMN previous_secret_hash BLOB;
ALTER TABLE tenants ADD COLUMN previous_secret_expires_at TIMESTAMP;
ALTER TABLE tenants ADD COLUMN previous_signing_key text NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN previous_signing_key_expires_at TIMESTAMP;

-- The checkout's branding: a colour and a logo uploaded in the dashboard.
CREATE TABLE tenant_branding (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    colour text NOT NULL DEFAULT '',
    logo BLOB,
    logo_type text NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE tenant_branding;
ALTER TABLE tenants DROP COLUMN previous_signing_key_expires_at;
ALTER TABLE tenants DROP COLUMN previous_signing_key;
ALTER TABLE tenants DROP COLUMN previous_secret_expires_at;
ALTER TABLE tenants DROP COLUMN previous_secret_hash;
DROP TABLE account_mail;
DROP TABLE dashboard_resets;
DROP TABLE dashboard_invites;
DROP TABLE dashboard_sessions;
DROP TABLE dashboard_users;
