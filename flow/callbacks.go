package flow

import (
	"time"

	"github.com/pinglinks/pinglinks"
)

// The bodies of the callbacks the tenant receives (docs/api.md). The
// outbox stores them as written here; package callback signs and sends them.

// LinkStatusPayload is the body of a link status callback. The field is
// spelled occured_at on purpose: existing receivers expect it (docs/api.md).
func LinkStatusPayload(l *pinglinks.PaymentLink) map[string]any {
	return map[string]any{"payment_link_id": l.ID, "status": l.Status, "occured_at": l.UpdatedAt}
}

// PaymentStatusPayload is the body of a payment status callback (docs/api.md).
func PaymentStatusPayload(p *pinglinks.Payment, ch pinglinks.StatusChange) map[string]any {
	return map[string]any{
		"payment_id": p.ID, "payment_order_id": p.OrderID, "status": ch.Status,
		"occurred_at": ch.OccurredAt, "total_amount": p.TotalAmount, "currency": p.Currency,
	}
}

// MerchantStatusPayload is the body of a merchant status callback (docs/api.md).
func MerchantStatusPayload(m *pinglinks.Merchant, at time.Time) map[string]any {
	return map[string]any{"merchant_id": m.ID, "status": m.Status, "occurred_at": at}
}
