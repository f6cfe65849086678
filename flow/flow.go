// Package flow holds the platform's use cases, each one unit of work:
// create a link, start a payer's attempt, book a bank transfer, complete a
// payment (and with it its link), cancel, expire, refund, distribute. Each
// opens one transaction through the store (Units), applies the domain's
// transitions (package pinglinks decides), writes the callbacks and messages
// it owes the tenant and the payer, and commits — all or nothing. Package
// store only locks, reads and writes rows; the API, the checkout, the
// sandbox and the workers call flow and decide nothing themselves.
package flow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// Units opens units of work: every store call made with the context fn is
// given runs in one transaction, committed if fn returns nil. *store.Store
// is one, on PostgreSQL and on SQLite.
type Units interface {
	Unit(ctx context.Context, fn func(ctx context.Context) error) error
}

var _ Units = (*store.Store)(nil)

// Rails is what the use cases ask of the payment rails (provider.Registry).
type Rails interface {
	// CheckLink checks each method of a new link with its connector; a
	// method the installation lacks is a 403 saying what.
	CheckLink(l *pinglinks.PaymentLink) error
	// Refund moves a refund's money back through the payment's provider.
	Refund(ctx context.Context, p *pinglinks.Payment, r pinglinks.Refund) error
}

// Flow runs the use cases against one store.
type Flow struct {
	Store *store.Store
	// Rails, if set, checks new links' methods and moves refunds' money;
	// without it every method is taken as it is and refunds move no money
	// (tests of the rules alone).
	Rails Rails
}

// New returns the use cases over st, without rails.
func New(st *store.Store) *Flow { return &Flow{Store: st} }

func (f *Flow) now() time.Time { return f.Store.Now() }

// NewToken returns 192 random bits, URL-safe: a checkout's, receipt's or
// invoice's only credential.
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// saveLink writes the link and, if its status changed, queues the link
// status callback in the same unit.
func (f *Flow) saveLink(ctx context.Context, l *pinglinks.PaymentLink) error {
	was, err := f.Store.SaveLink(ctx, l)
	if err != nil || was == l.Status {
		return err
	}
	return f.Store.Enqueue(ctx, l.TenantID, store.KindLinkStatus, l.StatusCallbackURL, LinkStatusPayload(l), l.UpdatedAt)
}

// paymentChanged queues a callback for every status added to p's history
// since index before, and completes p's link when p completes: the link
// becomes COMPLETED (refused if it was paid already, so a link is paid at
// most once), takes the tenant's next receipt number, and the receipt
// e-mail is queued. It runs inside the unit that holds the order's lock.
func (f *Flow) paymentChanged(ctx context.Context, p *pinglinks.Payment, before int) error {
	for _, ch := range p.StatusHistory[before:] {
		if err := f.Store.Enqueue(ctx, p.TenantID, store.KindPaymentStatus, p.StatusCallbackURL,
			PaymentStatusPayload(p, ch), ch.OccurredAt); err != nil {
			return err
		}
		if ch.Status != pinglinks.PaymentCompleted || p.LinkID == uuid.Nil {
			continue
		}
		if err := f.completeLink(ctx, p, ch.OccurredAt); err != nil {
			return err
		}
	}
	return nil
}

// completeLink is what happens when a link's payment completes; its
// receipt PDF is queued for rendering too.
func (f *Flow) completeLink(ctx context.Context, p *pinglinks.Payment, at time.Time) error {
	l, err := f.Store.LockLink(ctx, p.TenantID, p.LinkID)
	if err != nil {
		return err
	}
	if err := l.Complete(at); err != nil {
		return err
	}
	l.PaymentID = p.ID
	if l.ReceiptNumber, err = f.Store.NextNumber(ctx, p.TenantID, "receipt"); err != nil {
		return err
	}
	if l.ReceiptToken != "" {
		if err := f.Store.QueueDocument(ctx, l.TenantID, l.ID, store.FileReceipt, l.ReceiptToken); err != nil {
			return err
		}
	}
	if to := l.ReceiptEmail(p); to != "" {
		if err := f.Store.QueueMessage(ctx, l.TenantID, l.ID, store.Recipient{Channel: store.ChannelEmail, Address: to},
			store.MessageReceipt); err != nil {
			return err
		}
	}
	return f.saveLink(ctx, l)
}

// requireTenantEnabled refuses to take money for a disabled tenant.
func (f *Flow) requireTenantEnabled(ctx context.Context, tenantID uuid.UUID) error {
	ok, err := f.Store.TenantEnabled(ctx, tenantID)
	if err != nil {
		return err
	}
	if !ok {
		return pinglinks.Forbidden("the tenant of this payment link is disabled")
	}
	return nil
}
