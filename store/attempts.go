package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// lockLinkAndPayment locks a link's order, the link and its latest payment,
// in the order every writer takes them.
func (s *Store) lockLinkAndPayment(ctx context.Context, tx dbTx, tenantID, linkID uuid.UUID) (*pinglinks.PaymentLink, *pinglinks.PaymentOrder, *pinglinks.Payment, error) {
	var orderID uuid.UUID
	if err := tx.QueryRowContext(ctx, `SELECT order_id FROM payment_links WHERE tenant_id = $1 AND id = $2`,
		tenantID, linkID).Scan(&orderID); err != nil {
		return nil, nil, nil, notFound(err, "payment link")
	}
	o, err := s.lockOrder(ctx, tx, tenantID, orderID)
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := s.lockLink(ctx, tx, tenantID, linkID)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, l.PaymentID))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: link payment: %w", err)
	}
	return l, o, p, nil
}

// writePayment saves every mutable field of a payment.
func (s *Store) writePayment(ctx context.Context, tx dbTx, p *pinglinks.Payment) error {
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = $3, status_history = $4, funded_amount = $5,
		provider_method_response = $6, payer = $7, refunds = $8, updated_at = $9, provider = $10, method = $11,
		provider_method_parameters = $12 WHERE tenant_id = $1 AND id = $2`, p.TenantID, p.ID, p.Status,
		mustJSON(p.StatusHistory), p.FundedAmount, jsonText(p.ProviderMethodResponse), jsonText(p.Payer),
		mustJSON(p.Refunds), p.UpdatedAt, p.Provider, p.Method, jsonText(p.ProviderMethodParameters)); err != nil {
		return fmt.Errorf("store: update payment: %w", err)
	}
	return nil
}
