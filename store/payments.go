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

const paymentColumns = `id, tenant_id, order_id, status, status_history, currency, total_amount, funded_amount,
	order_items, provider, method, provider_method_parameters, provider_method_response, status_callback_url,
	metadata, payer, refunds, created_at, updated_at, link_id`

func scanPayment(row interface{ Scan(...any) error }) (*pinglinks.Payment, error) {
	var p pinglinks.Payment
	var cur, history, items, refunds string
	var params, resp, meta, payer sql.NullString
	var linkID uuid.NullUUID
	if err := row.Scan(&p.ID, &p.TenantID, &p.OrderID, &p.Status, &history, &cur, &p.TotalAmount, &p.FundedAmount,
		&items, &p.Provider, &p.Method, &params, &resp, &p.StatusCallbackURL, &meta, &payer, &refunds,
		&p.CreatedAt, &p.UpdatedAt, &linkID); err != nil {
		return nil, err
	}
	p.LinkID = linkID.UUID
	p.Currency = pinglinks.Currency(cur)
	p.ProviderMethodParameters, p.ProviderMethodResponse = rawJSON(params), rawJSON(resp)
	p.Metadata, p.Payer = rawJSON(meta), rawJSON(payer)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(history), &p.StatusHistory); err != nil {
		return nil, fmt.Errorf("store: payment status history: %w", err)
	}
	if err := json.Unmarshal([]byte(items), &p.OrderItems); err != nil {
		return nil, fmt.Errorf("store: payment items: %w", err)
	}
	if err := json.Unmarshal([]byte(refunds), &p.Refunds); err != nil {
		return nil, fmt.Errorf("store: payment refunds: %w", err)
	}
	return &p, nil
}

func (s *Store) orderPayments(ctx context.Context, q querier, tenantID, orderID uuid.UUID, lock string) ([]*pinglinks.Payment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE tenant_id = $1 AND order_id = $2
		ORDER BY id`+lock, tenantID, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order payments: %w", err)
	}
	defer rows.Close()
	out := []*pinglinks.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) insertPayment(ctx context.Context, tx dbTx, tenantID uuid.UUID, p *pinglinks.Payment) error {
	refunds := p.Refunds
	if refunds == nil {
		refunds = []pinglinks.Refund{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (`+paymentColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)`,
		p.ID, tenantID, p.OrderID, p.Status, mustJSON(p.StatusHistory), string(p.Currency), p.TotalAmount,
		p.FundedAmount, mustJSON(p.OrderItems), p.Provider, p.Method, jsonText(p.ProviderMethodParameters),
		jsonText(p.ProviderMethodResponse), p.StatusCallbackURL, jsonText(p.Metadata), jsonText(p.Payer),
		mustJSON(refunds), p.CreatedAt, p.UpdatedAt, uuid.NullUUID{UUID: p.LinkID, Valid: p.LinkID != uuid.Nil})
	if err != nil {
		return fmt.Errorf("store: insert payment: %w", err)
	}
	return nil
}

// Payment returns one payment of one of the tenant's orders.
func (s *Store) Payment(ctx context.Context, tenantID, orderID, id uuid.UUID) (*pinglinks.Payment, error) {
	p, err := scanPayment(s.q(ctx).QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE tenant_id = $1 AND order_id = $2 AND id = $3`, tenantID, orderID, id))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	return p, nil
}

// PaymentFilter narrows a list of payments. Zero fields do not filter.
type PaymentFilter struct {
	Status           pinglinks.PaymentStatus
	Provider, Method string
	OrderID          uuid.UUID
}

// Payments lists the tenant's payments.
func (s *Store) Payments(ctx context.Context, tenantID uuid.UUID, f PaymentFilter, p Page) ([]*pinglinks.Payment, PageInfo, error) {
	return list(ctx, s.q(ctx), "payments", `SELECT `+paymentColumns+` FROM payments`, s.paymentsWhere(tenantID, f), p, scanPayment)
}

func (s *Store) paymentsWhere(tenantID uuid.UUID, f PaymentFilter) *query {
	q := &query{}
	q.add(s.tenantIs(f.OrderID != uuid.Nil), tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.Provider != "" {
		q.add("provider = ?", f.Provider)
	}
	if f.Method != "" {
		q.add("method = ?", f.Method)
	}
	if f.OrderID != uuid.Nil {
		q.add("order_id = ?", f.OrderID)
	}
	return q
}

// PendingPayments lists the provider's payments that have waited for the
// payer since before startedBefore, oldest first, for the providers'
// pollers (provider.Poller).
func (s *Store) PendingPayments(ctx context.Context, provider string, startedBefore time.Time, limit int) ([]pinglinks.PaymentRef, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT tenant_id, order_id, id FROM payments
		WHERE status = 'PENDING' AND provider = $1 AND updated_at <= $2 ORDER BY updated_at LIMIT $3`, provider, startedBefore, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending payments: %w", err)
	}
	defer rows.Close()
	var out []pinglinks.PaymentRef
	for rows.Next() {
		var r pinglinks.PaymentRef
		if err := rows.Scan(&r.TenantID, &r.OrderID, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SandboxPayment finds a payment by id alone. Only the sandbox's Swish
// simulator page uses it: it plays the payer's phone, which knows the
// payment request but not the tenant.
func (s *Store) SandboxPayment(ctx context.Context, id uuid.UUID) (*pinglinks.Payment, error) {
	p, err := scanPayment(s.q(ctx).QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	return p, nil
}
