package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// The operator runs the platform (docs/operator.md): these methods act across
// tenants by design, which is why they take no tenant id.

// CreateOperator saves an operator credential (its secret's hash only).
func (s *Store) CreateOperator(ctx context.Context, op *pinglinks.Operator) error {
	if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO operators (id, name, secret_hash, created_at) VALUES ($1,$2,$3,$4)`,
		op.ID, op.Name, op.SecretHash, op.CreatedAt); err != nil {
		return fmt.Errorf("store: insert operator: %w", err)
	}
	return nil
}

// OperatorBySecretHash finds the operator whose secret hashes to hash.
func (s *Store) OperatorBySecretHash(ctx context.Context, hash []byte) (*pinglinks.Operator, error) {
	var op pinglinks.Operator
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, name, secret_hash, created_at FROM operators WHERE secret_hash = $1`, hash).
		Scan(&op.ID, &op.Name, &op.SecretHash, &op.CreatedAt)
	if err != nil {
		return nil, notFound(err, "operator")
	}
	op.CreatedAt = op.CreatedAt.UTC()
	return &op, nil
}

// Tenants lists every tenant.
func (s *Store) Tenants(ctx context.Context, p Page) ([]*pinglinks.Tenant, PageInfo, error) {
	q := &query{}
	q.add("1 = ?", 1)
	return list(ctx, s.q(ctx), "tenants", `SELECT `+tenantColumns+` FROM tenants`, q, p, scanTenant)
}

// DisableTenant turns a tenant off: its API calls are refused and its
// links cannot be paid.
func (s *Store) DisableTenant(ctx context.Context, tenantID uuid.UUID) (*pinglinks.Tenant, error) {
	var out *pinglinks.Tenant
	err := s.inTx(ctx, func(tx dbTx) error {
		t, err := scanTenant(tx.QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`+s.forUpdate(), tenantID))
		if err != nil {
			return notFound(err, "tenant")
		}
		t.Disable(s.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET disabled_at = $2 WHERE id = $1`, t.ID, nullTime(t.DisabledAt)); err != nil {
			return fmt.Errorf("store: disable tenant: %w", err)
		}
		out = t
		return nil
	})
	return out, err
}

// TenantEnabled reports whether the tenant may take payments.
func (s *Store) TenantEnabled(ctx context.Context, tenantID uuid.UUID) (bool, error) {
	var disabled sql.NullTime
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT disabled_at FROM tenants WHERE id = $1`, tenantID).Scan(&disabled); err != nil {
		return false, notFound(err, "tenant")
	}
	return !disabled.Valid, nil
}

// MerchantsByStatus lists every tenant's merchants with the given status
// (all when empty): the operator's review queue is status CREATED.
func (s *Store) MerchantsByStatus(ctx context.Context, status string, p Page) ([]*pinglinks.Merchant, PageInfo, error) {
	q := &query{}
	q.add("1 = ?", 1)
	if status != "" {
		q.add("status = ?", status)
	}
	return list(ctx, s.q(ctx), "merchants", `SELECT `+merchantColumns+` FROM merchants`, q, p, scanMerchant)
}

func jsonUnmarshal(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
