-- +goose Up
-- Messages the sandbox only kept for its outbox (no SMTP server or SMS
-- gateway set up) were marked DELIVERED; they are KEPT. A message a gateway
-- reported delivered always has the gateway's id.
UPDATE messages SET status = 'KEPT' WHERE status = 'DELIVERED' AND provider_id = '';

-- +goose Down
UPDATE messages SET status = 'DELIVERED' WHERE status = 'KEPT';
