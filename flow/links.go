package flow

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// CreateLink saves a new payment link with its first payment p (nil: one
// for the link's first method), after every business rule of link creation,
// in the order docs/api.md gives (the caller has refused malformed fields
// with 422 already):
//   - 403 if the total is not the items' total or no method is offered
//     (PaymentLink.CheckTerms), or a method's connector refuses it (Rails);
//   - then, under the order's lock: 403 if the tenant has no such order,
//     if it is not OPEN, or if a link or payments of its own already pay it
//     (PaymentOrder.CanTakeLink); 422 for another currency than the order's
//     or an item whose merchant the tenant lacks.
func (f *Flow) CreateLink(ctx context.Context, tenantID uuid.UUID, l *pinglinks.PaymentLink, p *pinglinks.Payment) (*pinglinks.Payment, error) {
	if err := l.CheckTerms(); err != nil {
		return nil, err
	}
	if f.Rails != nil {
		if err := f.Rails.CheckLink(l); err != nil {
			return nil, err
		}
	}
	if p == nil {
		p = l.NewPayment(l.Methods[0], l.CreatedAt)
	}
	l.PaymentID = p.ID
	p.TenantID, l.TenantID = tenantID, tenantID
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		// The usual case in one statement; only a refusal reads step by
		// step below to find which rule refuses.
		if ok, err := f.Store.InsertLinkIfAllowed(ctx, l, p); err != nil || ok {
			return err
		}
		o, err := f.Store.LockOrder(ctx, tenantID, l.OrderID)
		if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
			return &pinglinks.Error{Code: pinglinks.ECodeForbidden, Property: "payment_order_id",
				Message: "payment order not found for this tenant"}
		} else if err != nil {
			return err
		}
		if err := o.CanInitiatePayment(); err != nil {
			return err
		}
		links, own, err := f.Store.OrderUse(ctx, tenantID, l.OrderID, pinglinks.LinkCreated, pinglinks.LinkCompleted)
		if err != nil {
			return err
		}
		if err := o.CanTakeLink(links, own); err != nil {
			return err
		}
		if err := o.CheckCurrency(l.Currency); err != nil {
			return err
		}
		if err := f.checkMerchants(ctx, tenantID, len(l.Items),
			func(i int) uuid.UUID { return l.Items[i].MerchantID },
			func(i int) string { return fmt.Sprintf("items[%d].merchant_id", i) }); err != nil {
			return err
		}
		if err := f.Store.InsertPayment(ctx, p); err != nil {
			return err
		}
		return f.Store.InsertLink(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// checkMerchants reports, as validation errors at prop(i), every item whose
// merchant the tenant does not have. merchantOf gives item i's merchant.
func (f *Flow) checkMerchants(ctx context.Context, tenantID uuid.UUID, n int, merchantOf func(i int) uuid.UUID, prop func(i int) string) error {
	ids := make([]uuid.UUID, n)
	for i := range n {
		ids[i] = merchantOf(i)
	}
	known, err := f.Store.KnownMerchants(ctx, tenantID, ids)
	if err != nil {
		return err
	}
	var errs pinglinks.Errors
	for i, ok := range known {
		if !ok {
			errs.Add(prop(i), "unknown merchant")
		}
	}
	return errs.Err()
}

// updateLink changes a link and its latest payment in one unit: it locks
// the order, the link and the payment (in that order, as every writer
// does), lets fn apply domain transitions, and saves both with their
// callbacks. A payment is completed through UpdatePayment, never here.
func (f *Flow) updateLink(ctx context.Context, tenantID, id uuid.UUID,
	fn func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error) (*pinglinks.PaymentLink, error) {
	var out *pinglinks.PaymentLink
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		l, _, p, err := f.Store.LockLinkAndPayment(ctx, tenantID, id)
		if err != nil {
			return err
		}
		before := len(p.StatusHistory)
		if err := fn(l, p); err != nil {
			return err
		}
		if len(p.StatusHistory) > before {
			if p.Status == pinglinks.PaymentCompleted {
				return fmt.Errorf("flow: a link's update must not complete its payment; use UpdatePayment")
			}
			if err := f.Store.SavePayment(ctx, p); err != nil {
				return err
			}
			if err := f.paymentChanged(ctx, p, before); err != nil {
				return err
			}
		}
		if err := f.saveLink(ctx, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// CancelLink withdraws one of the tenant's unpaid links, stopping its
// unstarted payment (PaymentLink.Withdraw).
func (f *Flow) CancelLink(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.PaymentLink, error) {
	return f.updateLink(ctx, tenantID, id, func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
		return l.Withdraw(p, f.now())
	})
}

// ExpireLink expires a due link, unless its payment is in progress
// (pinglinks.ErrPaymentInProgress). An unstarted (INITIATED) payment
// expires with it (PaymentLink.ExpireDue).
func (f *Flow) ExpireLink(ctx context.Context, tenantID, id uuid.UUID) error {
	_, err := f.updateLink(ctx, tenantID, id, func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
		return l.ExpireDue(p, f.now())
	})
	return err
}

// Distribute sends the link to the recipients: the messages are queued for
// the messaging worker and the link's sms_status and distributed_by_email
// say so, in one unit. A new distribution on a channel replaces one still
// waiting there: the tenant may be correcting a wrong number or address.
func (f *Flow) Distribute(ctx context.Context, tenantID, linkID uuid.UUID, to []store.Recipient) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		now := f.now()
		_, err := f.updateLink(ctx, tenantID, linkID, func(l *pinglinks.PaymentLink, _ *pinglinks.Payment) error {
			if err := l.RequireCreated("distributed"); err != nil {
				return err
			}
			for _, r := range to {
				switch r.Channel {
				case store.ChannelSMS:
					l.SMSStatus = pinglinks.SMSCreated
				case store.ChannelEmail:
					l.DistributedByEmail = true
				}
			}
			l.UpdatedAt = now
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range to {
			if err := f.Store.SupersedeMessages(ctx, tenantID, linkID, r.Channel, store.MessageLink,
				"superseded by a later distribution"); err != nil {
				return err
			}
			if err := f.Store.QueueMessage(ctx, tenantID, linkID, r, store.MessageLink); err != nil {
				return err
			}
		}
		return nil
	})
}

// referenceBase starts every reference number at six digits, so the first
// OCR has eight digits rather than three ("133"): payers and banks read a
// short reference as a typing error.
const referenceBase = 100000

// assignReference gives l a bank-transfer reference of refType made by
// makeRef, unless it has one of that type. The numbers are one sequence for
// the whole platform, not one per tenant: every tenant's payers pay to the
// same bankgiro, so a bank's record of a transfer must name one link by its
// reference alone.
func (f *Flow) assignReference(ctx context.Context, l *pinglinks.PaymentLink, refType string, makeRef func(int64) string) error {
	if l.Reference != "" && l.ReferenceType == refType {
		return nil
	}
	seq, err := f.Store.NextNumber(ctx, uuid.Nil, "reference")
	if err != nil {
		return err
	}
	l.ReferenceType, l.Reference, l.UpdatedAt = refType, makeRef(referenceBase+seq), f.now()
	return f.Store.IndexLink(ctx, l.TenantID, l.ID, "r:"+l.Reference)
}

// AssignReference gives a CREATED link a bank-transfer reference of type
// refType made by makeRef from the platform's next reference number, unless
// it already has one, and returns the link. An existing reference is kept
// whatever its type: it may be printed on the link's invoice, and a
// transfer with it must still pay the link.
func (f *Flow) AssignReference(ctx context.Context, tenantID, linkID uuid.UUID, refType string, makeRef func(int64) string) (*pinglinks.PaymentLink, error) {
	var out *pinglinks.PaymentLink
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		l, _, _, err := f.Store.LockLinkAndPayment(ctx, tenantID, linkID)
		if err != nil {
			return err
		}
		if err := l.RequireCreated("paid by bank transfer"); err != nil {
			return err
		}
		if l.Reference == "" {
			if err := f.assignReference(ctx, l, refType, makeRef); err != nil {
				return err
			}
		}
		out = l
		return f.saveLink(ctx, l)
	})
	return out, err
}

// CreateInvoice gives a CREATED link its invoice: the tenant's next invoice
// number and the link's payment reference (made by makeRef from the next
// reference number unless the link has one of that type). A link has at
// most one invoice, and a reference the payer already saw on the checkout
// stays: the invoice prints it, so it cannot be of another type.
func (f *Flow) CreateInvoice(ctx context.Context, tenantID, linkID uuid.UUID, inv *store.Invoice, makeRef func(seq int64) string) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		l, _, _, err := f.Store.LockLinkAndPayment(ctx, tenantID, linkID)
		if err != nil {
			return err
		}
		if l.InvoiceCreated {
			return pinglinks.Forbidden("this payment link already has an invoice")
		}
		if err := l.RequireCreated("invoiced"); err != nil {
			return err
		}
		if inv.Number, err = f.Store.NextNumber(ctx, tenantID, "invoice"); err != nil {
			return err
		}
		if l.Reference != "" && l.ReferenceType != inv.ReferenceType {
			return pinglinks.Forbidden("this payment link already has the %s reference %s (shown on its checkout); "+
				"its invoice must use reference_type %s", l.ReferenceType, l.Reference, l.ReferenceType)
		}
		if err := f.assignReference(ctx, l, inv.ReferenceType, makeRef); err != nil {
			return err
		}
		inv.LinkID, inv.Reference, inv.CreatedAt = linkID, l.Reference, f.now()
		if err := f.Store.InsertInvoice(ctx, tenantID, inv); err != nil {
			return err
		}
		if err := f.Store.QueueDocument(ctx, tenantID, linkID, store.FileInvoice, inv.FileToken); err != nil {
			return err
		}
		if err := f.Store.IndexLink(ctx, tenantID, linkID, fmt.Sprintf("i:%d", inv.Number)); err != nil {
			return err
		}
		l.InvoiceCreated, l.UpdatedAt = true, f.now()
		return f.saveLink(ctx, l)
	})
}

// CreateOrderAndLink makes the order a new link pays, on the tenant's
// default split tree, and the link, in one unit: a link refused by any rule
// leaves no order behind (the dashboard's one-step link).
func (f *Flow) CreateOrderAndLink(ctx context.Context, tenantID uuid.UUID, l *pinglinks.PaymentLink) error {
	return f.Store.Unit(ctx, func(ctx context.Context) error {
		t, err := f.Store.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		o := &pinglinks.PaymentOrder{ID: pinglinks.NewIDAt(l.CreatedAt), TenantID: tenantID, Status: pinglinks.OrderOpen,
			Currency: l.Currency, SplitTreeID: t.DefaultSplitTreeID, CreatedAt: l.CreatedAt}
		if err := f.CreateOrder(ctx, tenantID, o); err != nil {
			return err
		}
		l.OrderID = o.ID
		_, err = f.CreateLink(ctx, tenantID, l, nil)
		return err
	})
}
