package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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

// CreatePayment adds an INITIATED payment to an OPEN order of the tenant.
// The order's currency and the items' merchants are checked under the
// order's lock, so a concurrent close cannot slip in between.
func (s *Store) CreatePayment(ctx context.Context, tenantID uuid.UUID, p *pinglinks.Payment) error {
	return s.inTx(ctx, func(tx dbTx) error {
		o, err := s.lockOrder(ctx, tx, tenantID, p.OrderID)
		if err != nil {
			return err
		}
		if err := o.CanInitiatePayment(); err != nil {
			return err
		}
		// A link's order is paid through the link alone: it is what bounds
		// the order's payments to the link's total.
		var linkID uuid.UUID
		err = tx.QueryRowContext(ctx, `SELECT id FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND id <> $3 LIMIT 1`,
			tenantID, p.OrderID, p.LinkID).Scan(&linkID)
		switch {
		case err == nil:
			return pinglinks.Forbidden("this payment order belongs to payment link %s and takes no payment but that link's own", linkID)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: payment order's link: %w", err)
		}
		if p.Currency != o.Currency {
			return pinglinks.Invalid("currency", "must equal the payment order's currency %s", o.Currency)
		}
		if err := checkMerchants(ctx, tx, tenantID, len(p.OrderItems),
			func(i int) uuid.UUID { return p.OrderItems[i].MerchantID },
			func(i int) string { return fmt.Sprintf("order_items[%d].merchant_id", i) }); err != nil {
			return err
		}
		return s.insertPayment(ctx, tx, tenantID, p)
	})
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
	Status, Provider, Method string
	OrderID                  uuid.UUID
}

// Payments lists the tenant's payments.
func (s *Store) Payments(ctx context.Context, tenantID uuid.UUID, f PaymentFilter, p Page) ([]*pinglinks.Payment, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
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
	return list(ctx, s.q(ctx), "payments", `SELECT `+paymentColumns+` FROM payments`, q, p, scanPayment)
}

// UpdatePayment changes one payment in a transaction: it locks the order and
// then the payment, lets fn apply domain transitions to them, saves the
// payment, and writes a status callback for every status fn added — all or
// nothing. fn must not keep references to its arguments.
func (s *Store) UpdatePayment(ctx context.Context, tenantID, orderID, id uuid.UUID,
	fn func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error) (*pinglinks.Payment, error) {
	var out *pinglinks.Payment
	err := s.inTx(ctx, func(tx dbTx) error {
		o, err := s.lockOrder(ctx, tx, tenantID, orderID)
		if err != nil {
			return err
		}
		p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments
			WHERE tenant_id = $1 AND order_id = $2 AND id = $3`+s.forUpdate(), tenantID, orderID, id))
		if err != nil {
			return notFound(err, "payment")
		}
		before := len(p.StatusHistory)
		if err := fn(o, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = $3, status_history = $4, funded_amount = $5,
			provider_method_response = $6, payer = $7, refunds = $8, updated_at = $9
			WHERE tenant_id = $1 AND id = $2`, tenantID, id, p.Status, mustJSON(p.StatusHistory), p.FundedAmount,
			jsonText(p.ProviderMethodResponse), jsonText(p.Payer), mustJSON(p.Refunds), p.UpdatedAt); err != nil {
			return fmt.Errorf("store: update payment: %w", err)
		}
		if err := s.paymentChanged(ctx, tx, p, before); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

// PaymentStatusPayload is the body of a payment status callback (docs/api.md).
func PaymentStatusPayload(p *pinglinks.Payment, ch pinglinks.StatusChange) map[string]any {
	return map[string]any{
		"payment_id": p.ID, "payment_order_id": p.OrderID, "status": ch.Status,
		"occurred_at": ch.OccurredAt, "total_amount": p.TotalAmount, "currency": p.Currency,
	}
}

// paymentChanged writes a callback for every status added to p's history
// since index `before`, and completes p's payment link when p completes —
// refusing the completion if the link was already paid, so that a link is
// paid at most once. It runs inside the caller's transaction, which holds
// the order's lock.
func (s *Store) paymentChanged(ctx context.Context, tx dbTx, p *pinglinks.Payment, before int) error {
	for _, ch := range p.StatusHistory[before:] {
		if err := s.enqueue(ctx, tx, p.TenantID, KindPaymentStatus, p.StatusCallbackURL, PaymentStatusPayload(p, ch), ch.OccurredAt); err != nil {
			return err
		}
		if ch.Status != pinglinks.PaymentCompleted || p.LinkID == uuid.Nil {
			continue
		}
		l, err := s.lockLink(ctx, tx, p.TenantID, p.LinkID)
		if err != nil {
			return err
		}
		if err := l.Complete(ch.OccurredAt); err != nil {
			return err
		}
		l.PaymentID = p.ID
		if l.ReceiptNumber, err = nextCounter(ctx, tx, p.TenantID, "receipt"); err != nil {
			return err
		}
		if err := s.queueReceipt(ctx, tx, l, p); err != nil {
			return err
		}
		if err := s.saveLink(ctx, tx, l); err != nil {
			return err
		}
	}
	return nil
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
