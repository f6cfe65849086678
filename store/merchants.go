package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// CreateMerchant saves a new merchant. In the sandbox it is approved at once;
// the approval goes to the tenant's merchant status callback, if any.
func (s *Store) CreateMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant, approve bool) error {
	return s.inTx(ctx, func(tx dbTx) error {
		if approve {
			if err := m.Approve(); err != nil {
				return err
			}
		}
		var org, person sql.NullString
		if m.Organization != nil {
			org = sql.NullString{String: mustJSON(m.Organization), Valid: true}
		}
		if m.Person != nil {
			person = sql.NullString{String: mustJSON(m.Person), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO merchants (id, tenant_id, name, status, organization,
			person, email, phone_number, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
			m.ID, tenantID, m.Name, m.Status, org, person, m.Email, m.PhoneNumber, m.CreatedAt); err != nil {
			return fmt.Errorf("store: insert merchant: %w", err)
		}
		if m.Status == pinglinks.MerchantCreated {
			return nil
		}
		return s.enqueueMerchantStatus(ctx, tx, tenantID, m, m.CreatedAt)
	})
}

func (s *Store) enqueueMerchantStatus(ctx context.Context, tx dbTx, tenantID uuid.UUID, m *pinglinks.Merchant, at time.Time) error {
	var url string
	if err := tx.QueryRowContext(ctx, `SELECT merchant_status_callback_url FROM tenants WHERE id = $1`, tenantID).Scan(&url); err != nil {
		return fmt.Errorf("store: tenant callback url: %w", err)
	}
	return s.enqueue(ctx, tx, tenantID, KindMerchantStatus, url, map[string]any{
		"merchant_id": m.ID, "status": m.Status, "occurred_at": at,
	}, at)
}

const merchantColumns = `id, tenant_id, name, status, organization, person, email, phone_number, created_at`

func scanMerchant(row interface{ Scan(...any) error }) (*pinglinks.Merchant, error) {
	var m pinglinks.Merchant
	var org, person sql.NullString
	if err := row.Scan(&m.ID, &m.TenantID, &m.Name, &m.Status, &org, &person, &m.Email, &m.PhoneNumber, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if org.Valid {
		m.Organization = new(pinglinks.Organization)
		if err := json.Unmarshal([]byte(org.String), m.Organization); err != nil {
			return nil, fmt.Errorf("store: merchant organization: %w", err)
		}
	}
	if person.Valid {
		m.Person = new(pinglinks.Person)
		if err := json.Unmarshal([]byte(person.String), m.Person); err != nil {
			return nil, fmt.Errorf("store: merchant person: %w", err)
		}
	}
	return &m, nil
}

// Merchant returns one of the tenant's merchants.
func (s *Store) Merchant(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.Merchant, error) {
	m, err := scanMerchant(s.q(ctx).QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, notFound(err, "merchant")
	}
	return m, nil
}

// Merchants lists the tenant's merchants.
func (s *Store) Merchants(ctx context.Context, tenantID uuid.UUID, p Page) ([]*pinglinks.Merchant, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
	return list(ctx, s.q(ctx), "merchants", `SELECT `+merchantColumns+` FROM merchants`, q, p, scanMerchant)
}

// checkMerchants reports, as validation errors at prop(i), every item whose
// merchant the tenant does not have. merchantOf gives item i's merchant.
func checkMerchants(ctx context.Context, tx dbTx, tenantID uuid.UUID, n int, merchantOf func(i int) uuid.UUID, prop func(i int) string) error {
	known := map[uuid.UUID]bool{}
	var errs pinglinks.Errors
	for i := range n {
		id := merchantOf(i)
		ok, seen := known[id]
		if !seen {
			var c int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id = $2`,
				tenantID, id).Scan(&c); err != nil {
				return fmt.Errorf("store: check merchant: %w", err)
			}
			ok = c > 0
			known[id] = ok
		}
		if !ok {
			errs.Add(prop(i), "unknown merchant")
		}
	}
	return errs.Err()
}
