package flow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// Bank transfers are the platform's, not a tenant's: a transfer names its
// link by a platform-wide reference (see assignReference), so these use
// cases take a tenant id only where they act on a tenant's link.

// BookResult is what booking did with one transfer.
type BookResult struct {
	Duplicate bool                   // its BankRef was booked before: nothing done
	Payment   *pinglinks.Payment     // the deposit payment it funded, if booked
	Link      *pinglinks.PaymentLink // that payment's link, if booked
}

// BookTransfers books the transfers in one unit, in order: bank files
// (reconcile) and Mimic deposits (sandbox) alike. A transfer whose BankRef
// is known is a duplicate and left alone. One the caller left matchable
// (status not UNMATCHED) funds the link its reference names — only among
// tenant's links unless tenant is uuid.Nil — if the link takes it
// (PaymentLink.TakeTransfer), with the same payment status callbacks, link
// completion and receipt as every payment; otherwise it is kept UNMATCHED
// with the reason. Each transfer's Status says which.
//
// The batch costs three statements however many transfers it holds, plus
// the writes of those that fund a link.
func (f *Flow) BookTransfers(ctx context.Context, tenant uuid.UUID, ts []*pinglinks.BankTransfer) ([]BookResult, error) {
	out := make([]BookResult, len(ts))
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		now := f.now()
		links, err := f.Store.LinksByReference(ctx, tenant, ts)
		if err != nil {
			return err
		}
		targets := make([]store.LinkRef, len(ts))
		for i, t := range ts {
			if t.ID == uuid.Nil {
				t.ID = pinglinks.NewID()
			}
			t.CreatedAt, t.UpdatedAt = now, now
			if t.Status == pinglinks.TransferUnmatched {
				continue
			}
			found := links[[2]string{t.ReferenceType, t.Reference}]
			switch len(found) {
			case 0:
				t.Unmatch("no payment link has this reference")
			case 1:
				t.Status = pinglinks.TransferBooked // until the link takes it, below
				targets[i] = found[0]
			default:
				t.Unmatch("the reference names payment links of several tenants")
			}
		}
		inserted, err := f.Store.InsertTransfers(ctx, ts)
		if err != nil {
			return err
		}
		for i, t := range ts {
			if !inserted[t.BankRef] || inserted[t.BankRef+"\x00seen"] {
				out[i].Duplicate = true
				continue
			}
			inserted[t.BankRef+"\x00seen"] = true // the same payment twice in one batch books once
			if t.Status != pinglinks.TransferBooked {
				continue
			}
			p, l, err := f.fundLink(ctx, targets[i].TenantID, targets[i].LinkID, t, now)
			if err != nil {
				var e *pinglinks.Error
				if !errors.As(err, &e) {
					return fmt.Errorf("flow: book %s: %w", t.BankRef, err)
				}
				t.Unmatch(e.Message)
			} else {
				out[i].Payment, out[i].Link = p, l
			}
			if err := f.Store.SaveTransfer(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// fundLink credits t to the link under the order's and the link's locks.
// A refusal is a *pinglinks.Error, and nothing has been written.
func (f *Flow) fundLink(ctx context.Context, tenantID, linkID uuid.UUID, t *pinglinks.BankTransfer, now time.Time) (*pinglinks.Payment, *pinglinks.PaymentLink, error) {
	l, o, latest, err := f.Store.LockLinkAndPayment(ctx, tenantID, linkID)
	if err != nil {
		return nil, nil, err
	}
	if err := f.requireTenantEnabled(ctx, tenantID); err != nil {
		return nil, nil, err
	}
	before := len(latest.StatusHistory)
	p, isNew, err := l.TakeTransfer(latest, o, t.Amount, t.Currency, now)
	if err != nil {
		return nil, nil, err
	}
	if isNew {
		before = 0
		err = f.Store.InsertPayment(ctx, p)
	} else {
		err = f.Store.SavePayment(ctx, p)
	}
	if err != nil {
		return nil, nil, err
	}
	if l.PaymentID != p.ID {
		l.PaymentID, l.UpdatedAt = p.ID, now
		if err := f.saveLink(ctx, l); err != nil {
			return nil, nil, err
		}
	}
	if err := f.paymentChanged(ctx, p, before); err != nil {
		return nil, nil, err
	}
	if p.Status == pinglinks.PaymentCompleted {
		l.Status = pinglinks.LinkCompleted
	}
	t.Status, t.Reason, t.TenantID, t.LinkID, t.PaymentID, t.UpdatedAt = pinglinks.TransferBooked, "", tenantID, linkID, p.ID, now
	return p, l, nil
}

// AssignTransfer books an unmatched transfer to the tenant's link, as if
// its reference had named it: the link must take it (TakeTransfer).
func (f *Flow) AssignTransfer(ctx context.Context, id, tenantID, linkID uuid.UUID) (*pinglinks.BankTransfer, *pinglinks.Payment, error) {
	var out *pinglinks.BankTransfer
	var outP *pinglinks.Payment
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		t, err := f.Store.LockTransfer(ctx, id)
		if err != nil {
			return err
		}
		if err := t.RequireUnmatched(); err != nil {
			return err
		}
		if outP, _, err = f.fundLink(ctx, tenantID, linkID, t, f.now()); err != nil {
			return err
		}
		out = t
		return f.Store.SaveTransfer(ctx, t)
	})
	return out, outP, err
}

// ReturnTransfer records that an unmatched transfer was sent back.
func (f *Flow) ReturnTransfer(ctx context.Context, id uuid.UUID) (*pinglinks.BankTransfer, error) {
	var out *pinglinks.BankTransfer
	err := f.Store.Unit(ctx, func(ctx context.Context) error {
		t, err := f.Store.LockTransfer(ctx, id)
		if err != nil {
			return err
		}
		if err := t.Return(f.now()); err != nil {
			return err
		}
		out = t
		return f.Store.SaveTransfer(ctx, t)
	})
	return out, err
}
