package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// insertMerchant writes a new merchant.
func (s *Store) insertMerchant(ctx context.Context, tx dbTx, tenantID uuid.UUID, m *pinglinks.Merchant) error {
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
	return nil
}

// MerchantCallbackURL returns where the tenant wants merchant status callbacks ("" for nowhere).
func (s *Store) MerchantCallbackURL(ctx context.Context, tenantID uuid.UUID) (string, error) {
	var url string
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT merchant_status_callback_url FROM tenants WHERE id = $1`, tenantID).Scan(&url); err != nil {
		return "", fmt.Errorf("store: tenant callback url: %w", err)
	}
	return url, nil
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
