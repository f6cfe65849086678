package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// StartLinkPayment begins the payer's attempt to pay a link with one of its
// methods, in one transaction under the order's and the link's locks: the
// link decides whether its unstarted payment is reused, a new one is made
// after a failure, or no attempt may start (pinglinks.PaymentLink.NextAttempt);
// start then runs the provider's first step. The payment, the link's
// payment_id, the status callbacks and — if start completed it — the link's
// completion are written together.
func (s *Store) StartLinkPayment(ctx context.Context, tenantID, linkID uuid.UUID, m pinglinks.LinkMethod,
	payer json.RawMessage, start func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error) (*pinglinks.PaymentLink, *pinglinks.Payment, error) {
	var outLink *pinglinks.PaymentLink
	var outPayment *pinglinks.Payment
	err := s.inTx(ctx, func(tx dbTx) error {
		l, o, latest, err := s.lockLinkAndPayment(ctx, tx, tenantID, linkID)
		if err != nil {
			return err
		}
		if err := s.requireTenantEnabled(ctx, tx, tenantID); err != nil {
			return err
		}
		now := s.Now()
		p, isNew, err := l.NextAttempt(latest, m, now)
		if err != nil {
			return err
		}
		before := len(p.StatusHistory)
		if isNew {
			if err := o.CanInitiatePayment(); err != nil {
				return err
			}
			before = 0
		}
		if len(payer) > 0 {
			p.Payer = payer
		}
		if err := start(l, p); err != nil {
			return err
		}
		if isNew {
			if err := s.insertPayment(ctx, tx, tenantID, p); err != nil {
				return err
			}
		} else if err := s.writePayment(ctx, tx, p); err != nil {
			return err
		}
		l.PaymentID, l.UpdatedAt = p.ID, now
		if err := s.saveLink(ctx, tx, l); err != nil {
			return err
		}
		if err := s.paymentChanged(ctx, tx, p, before); err != nil {
			return err
		}
		outLink, outPayment = l, p
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if outPayment.Status == pinglinks.PaymentCompleted {
		outLink.Status = pinglinks.LinkCompleted
	}
	return outLink, outPayment, nil
}

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

// AssignReference gives a CREATED link a bank-transfer reference of type
// refType made by makeRef from the tenant's next reference number, unless it
// already has one, and returns the link. An existing reference is kept
// whatever its type: it may be printed on the link's invoice, and a transfer
// with it must still pay the link.
func (s *Store) AssignReference(ctx context.Context, tenantID, linkID uuid.UUID, refType string, makeRef func(int64) string) (*pinglinks.PaymentLink, error) {
	var out *pinglinks.PaymentLink
	err := s.inTx(ctx, func(tx dbTx) error {
		l, _, _, err := s.lockLinkAndPayment(ctx, tx, tenantID, linkID)
		if err != nil {
			return err
		}
		if err := l.RequireCreated("paid by bank transfer"); err != nil {
			return err
		}
		if l.Reference == "" {
			if err := s.assignReference(ctx, tx, l, refType, makeRef); err != nil {
				return err
			}
		}
		out = l
		return s.saveLink(ctx, tx, l)
	})
	return out, err
}

// referenceBase starts every tenant's references at six digits, so the
// first OCR has eight digits rather than three ("133"): payers and banks read a short
// reference as a typing error.
const referenceBase = 100000

func (s *Store) assignReference(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink, refType string, makeRef func(int64) string) error {
	if l.Reference != "" && l.ReferenceType == refType {
		return nil
	}
	// One sequence for the whole platform, not one per tenant: every
	// tenant's payers pay to the same bankgiro, so a bank's record of a
	// transfer must name one link by its reference alone.
	seq, err := nextCounter(ctx, tx, uuid.Nil, "reference")
	if err != nil {
		return err
	}
	l.ReferenceType, l.Reference, l.UpdatedAt = refType, makeRef(referenceBase+seq), s.Now()
	return s.addSearchTerms(ctx, tx, l.TenantID, l.ID, "r:"+l.Reference)
}
