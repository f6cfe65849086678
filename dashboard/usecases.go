package dashboard

import (
	"context"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
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

// The use cases the pages share with the API are package flow's (h.Flow):
// the same domain rules and the same units of work, so a link made here is
// the link the API would make. What is left here is the pages' own
// plumbing.

// createOrderAndLink makes the order a new link pays and the link; a
// refused link leaves no order.
func (h *Handler) createOrderAndLink(ctx context.Context, tenantID uuid.UUID, l *pinglinks.PaymentLink) error {
	return h.Flow.CreateOrderAndLink(ctx, tenantID, l)
}

// cancelLink withdraws an unpaid link, stopping its unstarted payment.
func (h *Handler) cancelLink(ctx context.Context, tenantID, id uuid.UUID) error {
	_, err := h.Flow.CancelLink(ctx, tenantID, id)
	return err
}

// distribute queues the link's SMS and e-mail.
func (h *Handler) distribute(ctx context.Context, tenantID, id uuid.UUID, to []store.Recipient) error {
	return h.Flow.Distribute(ctx, tenantID, id, to)
}

// createInvoice gives the link its invoice with a reference of refType.
func (h *Handler) createInvoice(ctx context.Context, tenantID, id uuid.UUID, refType string, makeRef func(int64) string) error {
	token, err := flow.NewToken()
	if err != nil {
		return err
	}
	return h.Flow.CreateInvoice(ctx, tenantID, id, &store.Invoice{ReferenceType: refType, FileToken: token}, makeRef)
}

// refund checks the refund under the platform's rules, has the payment's
// provider move the money, and records it under the rules again.
func (h *Handler) refund(ctx context.Context, tenantID, orderID, paymentID uuid.UUID, ref pinglinks.Refund) error {
	return h.Flow.Refund(ctx, tenantID, orderID, paymentID, ref)
}

// advanceOrder closes, splits or settles an order.
func (h *Handler) advanceOrder(ctx context.Context, tenantID, id uuid.UUID, action flow.OrderAction) error {
	return h.Flow.AdvanceOrder(ctx, tenantID, id, action, false)
}

// createMerchant adds a merchant: approved at once in the sandbox, as the API does.
func (h *Handler) createMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant) error {
	t, err := h.Store.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	return h.Flow.RegisterMerchant(ctx, tenantID, m, h.Sandbox || t.Sandbox)
}
