package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// CreateTenant saves a new tenant with its default split tree.
func (s *Store) CreateTenant(ctx context.Context, t *pinglinks.Tenant, tree *pinglinks.SplitTree) error {
	return s.inTx(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenants (id, name, secret_hash, callback_signing_key,
			merchant_status_callback_url, default_split_tree_id, sandbox, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
			t.ID, t.Name, t.SecretHash, t.CallbackSigningKey, t.MerchantStatusCallbackURL,
			t.DefaultSplitTreeID, t.Sandbox, t.CreatedAt); err != nil {
			return fmt.Errorf("store: insert tenant: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO split_trees (id, tenant_id, name, created_at) VALUES ($1,$2,$3,$4)`,
			tree.ID, t.ID, tree.Name, tree.CreatedAt); err != nil {
			return fmt.Errorf("store: insert split tree: %w", err)
		}
		return nil
	})
}

const tenantColumns = `id, name, secret_hash, callback_signing_key, merchant_status_callback_url,
	default_split_tree_id, sandbox, created_at, disabled_at, previous_secret_hash, previous_secret_expires_at,
	previous_signing_key, previous_signing_key_expires_at, reminders`

func scanTenant(row interface{ Scan(...any) error }) (*pinglinks.Tenant, error) {
	var t pinglinks.Tenant
	var disabled, secretUntil, keyUntil sql.NullTime
	var reminders sql.NullString
	err := row.Scan(&t.ID, &t.Name, &t.SecretHash, &t.CallbackSigningKey, &t.MerchantStatusCallbackURL,
		&t.DefaultSplitTreeID, &t.Sandbox, &t.CreatedAt, &disabled, &t.PreviousSecretHash, &secretUntil,
		&t.PreviousSigningKey, &keyUntil, &reminders)
	if err == nil && reminders.Valid && reminders.String != "" {
		t.Reminders = new(pinglinks.Reminders)
		if err = json.Unmarshal([]byte(reminders.String), t.Reminders); err != nil {
			err = fmt.Errorf("store: tenant reminders: %w", err)
		}
	}
	t.PreviousSecretExpires, t.PreviousSigningKeyExpires = timePtr(secretUntil), timePtr(keyUntil)
	t.CreatedAt = t.CreatedAt.UTC()
	if disabled.Valid {
		d := disabled.Time.UTC()
		t.DisabledAt = &d
	}
	return &t, err
}

// Tenant returns the tenant with the given id.
func (s *Store) Tenant(ctx context.Context, tenantID uuid.UUID) (*pinglinks.Tenant, error) {
	t, err := scanTenant(s.q(ctx).QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, tenantID))
	if err != nil {
		return nil, notFound(err, "tenant")
	}
	return t, nil
}

// CountTenants reports how many tenants exist (to spot an empty database).
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM tenants`).Scan(&n)
	return n, err
}

// UpdateTenantCallbacks sets the tenant's merchant status callback URL.
func (s *Store) UpdateTenantCallbacks(ctx context.Context, tenantID uuid.UUID, merchantStatusURL string) error {
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE tenants SET merchant_status_callback_url = $2 WHERE id = $1`,
		tenantID, merchantStatusURL)
	if err != nil {
		return fmt.Errorf("store: update tenant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound("tenant")
	}
	return nil
}

// SplitTreeExists reports whether the tenant owns the split tree.
func (s *Store) SplitTreeExists(ctx context.Context, tenantID, treeID uuid.UUID) (bool, error) {
	var n int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM split_trees WHERE tenant_id = $1 AND id = $2`,
		tenantID, treeID).Scan(&n)
	return n > 0, err
}

// SaveTenantKeys writes the tenant's API secret hash and callback signing
// key with their previous ones (a rotation's overlap).
func (s *Store) SaveTenantKeys(ctx context.Context, tenantID uuid.UUID, t *pinglinks.Tenant) error {
	if t.ID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE tenants SET secret_hash = $2, previous_secret_hash = $3,
		previous_secret_expires_at = $4, callback_signing_key = $5, previous_signing_key = $6,
		previous_signing_key_expires_at = $7 WHERE id = $1`, tenantID, t.SecretHash, t.PreviousSecretHash,
		nullTime(t.PreviousSecretExpires), t.CallbackSigningKey, t.PreviousSigningKey, nullTime(t.PreviousSigningKeyExpires))
	if err != nil {
		return fmt.Errorf("store: save tenant keys: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound("tenant")
	}
	return nil
}
