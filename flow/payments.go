package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// CreatePayment adds an INITIATED payment to an OPEN order of the tenant
// (the Payments API). The order's link, currency and the items' merchants
// are checked under the order's lock, so a concurrent close cannot slip in.
func (f *Flow) CreatePayment(ctx context.Context, tenantID uuid.UUID, p *pinglinks.Payment) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		o, err := f.Store.LockOrder(ctx, tenantID, p.OrderID)
		if err != nil {
			return err
		}
		if err := o.CanInitiatePayment(); err != nil {
			return err
		}
		// A link's order is paid through the link alone: it is what bounds
		// the order's payments to the link's total.
		linkID, err := f.Store.OrderLink(ctx, tenantID, p.OrderID, p.LinkID)
		if err != nil {
			return err
		}
		if linkID != uuid.Nil {
			return pinglinks.Forbidden("this payment order belongs to payment link %s and takes no payment but that link's own", linkID)
		}
		if err := o.CheckCurrency(p.Currency); err != nil {
			return err
		}
		if err := f.checkMerchants(ctx, tenantID, len(p.OrderItems),
			func(i int) uuid.UUID { return p.OrderItems[i].MerchantID },
			func(i int) string { return fmt.Sprintf("order_items[%d].merchant_id", i) }); err != nil {
			return err
		}
		p.TenantID = tenantID
		return f.Store.InsertPayment(ctx, p)
	})
}

// UpdatePayment changes one payment in one unit: it locks the order and then
// the payment, lets fn apply domain transitions to them, saves the payment,
// and writes a status callback for every status fn added; a payment of a
// link that completes completes its link (receipt number, receipt e-mail,
// link callback) — all or nothing. fn must not keep its arguments.
func (f *Flow) UpdatePayment(ctx context.Context, tenantID, orderID, id uuid.UUID,
	fn func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error) (*pinglinks.Payment, error) {
	var out *pinglinks.Payment
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		o, p, err := f.Store.LockPayment(ctx, tenantID, orderID, id)
		if err != nil {
			return err
		}
		before := len(p.StatusHistory)
		if err := fn(o, p); err != nil {
			return err
		}
		if err := f.Store.SavePayment(ctx, p); err != nil {
			return err
		}
		if err := f.paymentChanged(ctx, p, before); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

// Payment returns one payment of one of the tenant's orders.
func (f *Flow) Payment(ctx context.Context, tenantID, orderID, id uuid.UUID) (*pinglinks.Payment, error) {
	return f.Store.Payment(ctx, tenantID, orderID, id)
}

// Refund refunds ref of a payment: the platform's rules first (on a copy,
// PaymentOrder.Refund), then the provider moves the money (Rails), then the
// refund is recorded under the rules again, so a refund the provider
// refused is never recorded. The provider is given the refund's id, so a
// retry cannot move the money twice.
func (f *Flow) Refund(ctx context.Context, tenantID, orderID, id uuid.UUID, ref pinglinks.Refund) error {
	o, _, err := f.Store.Order(ctx, tenantID, orderID)
	if err != nil {
		return err
	}
	p, err := f.Store.Payment(ctx, tenantID, orderID, id)
	if err != nil {
		return err
	}
	if err := o.Refund(p, ref, f.now()); err != nil {
		return err
	}
	if f.Rails != nil {
		if err := f.Rails.Refund(ctx, p, ref); err != nil {
			return err
		}
	}
	_, err = f.UpdatePayment(ctx, tenantID, orderID, id, func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		return o.Refund(p, ref, f.now())
	})
	return err
}

// StartAttempt begins the payer's attempt to pay a link with one of its
// methods, in one unit under the order's and the link's locks: the link
// decides whether its unstarted payment is reused, a new one is made after
// a failure, or no attempt may start (PaymentLink.NextAttempt); start then
// runs the provider's first step. The payment, the link's payment_id, the
// status callbacks and — if start completed it — the link's completion are
// written together.
func (f *Flow) StartAttempt(ctx context.Context, tenantID, linkID uuid.UUID, m pinglinks.LinkMethod,
	payer json.RawMessage, start func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error) (*pinglinks.PaymentLink, *pinglinks.Payment, error) {
	var outLink *pinglinks.PaymentLink
	var outPayment *pinglinks.Payment
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		l, o, latest, err := f.Store.LockLinkAndPayment(ctx, tenantID, linkID)
		if err != nil {
			return err
		}
		if err := f.requireTenantEnabled(ctx, tenantID); err != nil {
			return err
		}
		now := f.now()
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
			err = f.Store.InsertPayment(ctx, p)
		} else {
			err = f.Store.SavePayment(ctx, p)
		}
		if err != nil {
			return err
		}
		l.PaymentID, l.UpdatedAt = p.ID, now
		if err := f.saveLink(ctx, l); err != nil {
			return err
		}
		if err := f.paymentChanged(ctx, p, before); err != nil {
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

// PendingPayments lists the provider's payments that have waited for the
// payer since before startedBefore, oldest first (provider.Poller).
func (f *Flow) PendingPayments(ctx context.Context, provider string, startedBefore time.Time, limit int) ([]pinglinks.PaymentRef, error) {
	return f.Store.PendingPayments(ctx, provider, startedBefore, limit)
}
