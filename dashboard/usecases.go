package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

// Payments is what the links, orders and merchants pages need besides the
// store: the payment rails (a new link's methods, refunds) and the public
// URLs of checkouts and documents.
type Payments struct {
	Providers   *provider.Registry
	CheckoutURL func(l *pinglinks.PaymentLink) string
	FileURL     func(token string) string
}

// The use cases the pages share with the API, each what the API's handler
// does after parsing its JSON: the same domain rules and the same store
// units of work, so a link made here is the link the API would make.

// createOrderAndLink makes the order a new link pays and the link, after
// every rule of the link has passed, so that a refused link leaves no order.
func (h *Handler) createOrderAndLink(ctx context.Context, tenantID uuid.UUID, l *pinglinks.PaymentLink) error {
	if err := h.Payments.Providers.CheckLink(l); err != nil {
		return err
	}
	t, err := h.Store.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tenantID, Status: pinglinks.OrderOpen,
		Currency: l.Currency, SplitTreeID: t.DefaultSplitTreeID, CreatedAt: l.CreatedAt}
	if err := h.Store.CreateOrder(ctx, tenantID, o); err != nil {
		return err
	}
	l.OrderID = o.ID
	p := l.NewPayment(l.Methods[0], l.CreatedAt)
	l.PaymentID = p.ID
	return h.Store.CreateLink(ctx, tenantID, l, p)
}

// cancelLink withdraws an unpaid link, stopping its unstarted payment.
func (h *Handler) cancelLink(ctx context.Context, tenantID, id uuid.UUID) error {
	_, err := h.Store.UpdateLink(ctx, tenantID, id, func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
		now := h.Store.Now()
		if err := l.RequireCreated("cancelled"); err != nil {
			return err
		}
		switch {
		case p.Status == pinglinks.PaymentInitiated:
			if err := p.SetStatus(pinglinks.PaymentStopped, now); err != nil {
				return err
			}
		case !p.Terminal():
			return pinglinks.Forbidden("the payer's payment is in progress (%s); the link cannot be cancelled now", p.Status)
		}
		return l.Cancel(now)
	})
	return err
}

// distribute queues the link's SMS and e-mail.
func (h *Handler) distribute(ctx context.Context, tenantID, id uuid.UUID, to []store.Recipient) error {
	return h.Store.QueueDistribution(ctx, tenantID, id, to)
}

// createInvoice gives the link its invoice with a reference of refType.
func (h *Handler) createInvoice(ctx context.Context, tenantID, id uuid.UUID, refType string, makeRef func(int64) string) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	return h.Store.CreateInvoice(ctx, tenantID, id, &store.Invoice{ReferenceType: refType, FileToken: token}, makeRef)
}

// refund checks the refund under the platform's rules, has the payment's
// provider move the money, and records it under the rules again.
func (h *Handler) refund(ctx context.Context, tenantID, orderID, paymentID uuid.UUID, ref pinglinks.Refund) error {
	refundable := func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		if o.Status == pinglinks.OrderSplit || o.Status == pinglinks.OrderSettled {
			return pinglinks.Forbidden("payment order is %s; its funds are already allocated", o.Status)
		}
		return p.AddRefund(ref, h.Store.Now())
	}
	o, _, err := h.Store.Order(ctx, tenantID, orderID)
	if err != nil {
		return err
	}
	p, err := h.Store.Payment(ctx, tenantID, orderID, paymentID)
	if err != nil {
		return err
	}
	if err := refundable(o, p); err != nil {
		return err
	}
	if err := h.Payments.Providers.Refund(ctx, p, ref); err != nil {
		return err
	}
	_, err = h.Store.UpdatePayment(ctx, tenantID, orderID, paymentID, refundable)
	return err
}

// advanceOrder closes, splits or settles an order.
func (h *Handler) advanceOrder(ctx context.Context, tenantID, id uuid.UUID, action store.OrderAction) error {
	return h.Store.AdvanceOrder(ctx, tenantID, id, action, false)
}

// createMerchant adds a merchant: approved at once in the sandbox, as the API does.
func (h *Handler) createMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant) error {
	t, err := h.Store.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	sandbox := h.Sandbox || t.Sandbox
	validate := m.Validate
	if sandbox {
		validate = m.ValidateWellFormed
	}
	if err := validate(); err != nil {
		return err
	}
	return h.Store.CreateMerchant(ctx, tenantID, m, sandbox)
}

// newToken returns 192 random bits, URL-safe, as the API's tokens.
func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
