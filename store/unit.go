package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// The methods in this file are the steps of a use case (package flow): they
// lock, read and write rows inside the unit of work the context carries, and
// decide nothing. Outside a unit they refuse to run, so a lock can never be
// taken and released at once by accident.

// Unit runs fn as one unit of work: every store call fn makes with the
// context it is given runs in one transaction, committed if fn returns nil
// and none of its statements failed; then OnCommit and OnLinkStatus are told
// what it did. Inside another unit (an idempotent request, say) fn joins it,
// and the outer unit commits or not as a whole.
func (s *Store) Unit(ctx context.Context, fn func(ctx context.Context) error) error {
	if u := unitFrom(ctx); u != nil {
		// A refused or failed inner unit may have written part of its
		// work: the outer unit must not commit.
		return u.run(func(dbTx) error { return fn(ctx) })
	}
	return s.inTx(ctx, func(tx dbTx) error {
		u := &unit{tx: tx}
		if err := fn(context.WithValue(ctx, unitKey{}, u)); err != nil {
			return err
		}
		if u.failed != nil {
			return fmt.Errorf("store: a step of the unit failed, so none of it is kept: %w", u.failed)
		}
		return nil
	})
}

// errNoUnit is a programming error: a step called outside Unit.
var errNoUnit = errors.New("store: a use-case step must run inside a unit of work (Store.Unit)")

// write runs a step that writes: any error spoils the unit.
func (s *Store) write(ctx context.Context, fn func(tx dbTx) error) error {
	u := unitFrom(ctx)
	if u == nil {
		return errNoUnit
	}
	return u.run(fn)
}

// read runs a step that reads or locks: a failed statement spoils the unit
// (PostgreSQL would refuse the rest of it), a row not found does not.
func (s *Store) read(ctx context.Context, fn func(tx dbTx) error) error {
	u := unitFrom(ctx)
	if u == nil {
		return errNoUnit
	}
	err := fn(u.tx)
	var e *pinglinks.Error
	if err != nil && !errors.As(err, &e) && u.failed == nil {
		u.failed = err
	}
	return err
}

// LockOrder reads one of the tenant's orders and locks its row until the
// unit ends. Every unit that changes an order, its payments or its link
// takes this lock first, so they run one after another per order.
func (s *Store) LockOrder(ctx context.Context, tenantID, id uuid.UUID) (o *pinglinks.PaymentOrder, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		o, err = s.lockOrder(ctx, tx, tenantID, id)
		return err
	})
	return o, err
}

// LockLinkAndPayment locks a link's order, the link and its latest payment,
// in the order every writer takes them.
func (s *Store) LockLinkAndPayment(ctx context.Context, tenantID, linkID uuid.UUID) (l *pinglinks.PaymentLink, o *pinglinks.PaymentOrder, p *pinglinks.Payment, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		l, o, p, err = s.lockLinkAndPayment(ctx, tx, tenantID, linkID)
		return err
	})
	return l, o, p, err
}

// LockLink locks one link whose order the unit has locked already.
func (s *Store) LockLink(ctx context.Context, tenantID, id uuid.UUID) (l *pinglinks.PaymentLink, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		l, err = s.lockLink(ctx, tx, tenantID, id)
		return err
	})
	return l, err
}

// LockPayment locks an order and then one of its payments.
func (s *Store) LockPayment(ctx context.Context, tenantID, orderID, id uuid.UUID) (o *pinglinks.PaymentOrder, p *pinglinks.Payment, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		if o, err = s.lockOrder(ctx, tx, tenantID, orderID); err != nil {
			return err
		}
		p, err = scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments
			WHERE tenant_id = $1 AND order_id = $2 AND id = $3`+s.forUpdate(), tenantID, orderID, id))
		return notFound(err, "payment")
	})
	return o, p, err
}

// LockTenant reads a tenant and locks its row until the unit ends, so two
// changes of its keys run one after the other.
func (s *Store) LockTenant(ctx context.Context, tenantID uuid.UUID) (t *pinglinks.Tenant, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		t, err = scanTenant(tx.QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`+s.forUpdate(), tenantID))
		return notFound(err, "tenant")
	})
	return t, err
}

// LockOrderPayments locks the payments of an order the unit has locked
// already, oldest first.
func (s *Store) LockOrderPayments(ctx context.Context, tenantID, orderID uuid.UUID) (ps []*pinglinks.Payment, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		ps, err = s.orderPayments(ctx, tx, tenantID, orderID, s.forUpdate())
		return err
	})
	return ps, err
}

// InsertAllocations writes the merchants' shares of a split order.
func (s *Store) InsertAllocations(ctx context.Context, tenantID, orderID uuid.UUID, allocs []pinglinks.Allocation) error {
	return s.write(ctx, func(tx dbTx) error {
		for _, a := range allocs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO allocations (tenant_id, order_id, merchant_id, amount, currency)
				VALUES ($1,$2,$3,$4,$5)`, tenantID, orderID, a.MerchantID, a.Amount, string(a.Currency)); err != nil {
				return fmt.Errorf("store: insert allocation: %w", err)
			}
		}
		return nil
	})
}

// OrderUse counts what already pays an order: its links in one of
// linkStatuses, and its payments made apart from any link.
func (s *Store) OrderUse(ctx context.Context, tenantID, orderID uuid.UUID, linkStatuses ...pinglinks.LinkStatus) (links, ownPayments int, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		args := []any{tenantID, orderID}
		in := ""
		for i, st := range linkStatuses {
			if i > 0 {
				in += ", "
			}
			args = append(args, st)
			in += fmt.Sprintf("$%d", len(args))
		}
		if in == "" {
			in = "NULL"
		}
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN (`+in+`)),
			(SELECT count(*) FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)`,
			args...).Scan(&links, &ownPayments); err != nil {
			return fmt.Errorf("store: payment order's links: %w", err)
		}
		return nil
	})
	return links, ownPayments, err
}

// OrderLink returns a link of the order other than except, if it has one.
func (s *Store) OrderLink(ctx context.Context, tenantID, orderID, except uuid.UUID) (linkID uuid.UUID, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND id <> $3 LIMIT 1`,
			tenantID, orderID, except).Scan(&linkID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("store: payment order's link: %w", err)
		}
		return nil
	})
	return linkID, err
}

// KnownMerchants reports, for each id, whether the tenant has that merchant.
func (s *Store) KnownMerchants(ctx context.Context, tenantID uuid.UUID, ids []uuid.UUID) (known []bool, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		seen := map[uuid.UUID]bool{}
		known = make([]bool, len(ids))
		for i, id := range ids {
			ok, done := seen[id]
			if !done {
				var c int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id = $2`,
					tenantID, id).Scan(&c); err != nil {
					return fmt.Errorf("store: check merchant: %w", err)
				}
				ok = c > 0
				seen[id] = ok
			}
			known[i] = ok
		}
		return nil
	})
	return known, err
}

// SaveOrder writes an order's status, split tree and lifecycle times.
func (s *Store) SaveOrder(ctx context.Context, o *pinglinks.PaymentOrder) error {
	return s.write(ctx, func(tx dbTx) error { return s.saveOrder(ctx, tx, o) })
}

// InsertMerchant writes a new merchant of the tenant.
func (s *Store) InsertMerchant(ctx context.Context, tenantID uuid.UUID, m *pinglinks.Merchant) error {
	return s.write(ctx, func(tx dbTx) error { return s.insertMerchant(ctx, tx, tenantID, m) })
}

// LockMerchant reads any tenant's merchant (the operator's review) and
// locks it until the unit ends.
func (s *Store) LockMerchant(ctx context.Context, id uuid.UUID) (m *pinglinks.Merchant, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		m, err = scanMerchant(tx.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE id = $1`+s.forUpdate(), id))
		return notFound(err, "merchant")
	})
	return m, err
}

// SaveMerchantStatus writes a merchant's status.
func (s *Store) SaveMerchantStatus(ctx context.Context, m *pinglinks.Merchant) error {
	return s.write(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE merchants SET status = $3 WHERE tenant_id = $1 AND id = $2`,
			m.TenantID, m.ID, m.Status); err != nil {
			return fmt.Errorf("store: update merchant: %w", err)
		}
		return nil
	})
}

// InsertPayment writes a new payment.
func (s *Store) InsertPayment(ctx context.Context, p *pinglinks.Payment) error {
	return s.write(ctx, func(tx dbTx) error { return s.insertPayment(ctx, tx, p.TenantID, p) })
}

// SavePayment writes every mutable field of a payment.
func (s *Store) SavePayment(ctx context.Context, p *pinglinks.Payment) error {
	return s.write(ctx, func(tx dbTx) error { return s.writePayment(ctx, tx, p) })
}

// InsertLinkIfAllowed writes a new link and its first payment in one
// statement that also checks, under the order's lock, what link creation
// requires of the rows (see insertLinkIfAllowed): the usual case in one
// round trip. It reports false, having written nothing, when a check
// fails; flow.CreateLink then applies the rules step by step to say which.
func (s *Store) InsertLinkIfAllowed(ctx context.Context, l *pinglinks.PaymentLink, p *pinglinks.Payment) (ok bool, err error) {
	err = s.write(ctx, func(tx dbTx) error {
		if ok, err = s.insertLinkIfAllowed(ctx, tx, l.TenantID, l, p); err != nil || !ok {
			return err
		}
		return s.linkCreated(ctx, tx, l)
	})
	return ok, err
}

// IndexLink adds search terms to a link (the dashboard's search).
func (s *Store) IndexLink(ctx context.Context, tenantID, linkID uuid.UUID, terms ...string) error {
	return s.write(ctx, func(tx dbTx) error { return s.addSearchTerms(ctx, tx, tenantID, linkID, terms...) })
}

// QueueDocument queues a link's invoice or receipt (kind FileInvoice or
// FileReceipt) for rendering in the background, once the unit commits.
func (s *Store) QueueDocument(ctx context.Context, tenantID, linkID uuid.UUID, kind, token string) error {
	return s.write(ctx, func(tx dbTx) error { return s.queueDocument(ctx, tx, tenantID, linkID, kind, token) })
}

// InsertLink writes a new payment link.
func (s *Store) InsertLink(ctx context.Context, l *pinglinks.PaymentLink) error {
	return s.write(ctx, func(tx dbTx) error { return s.insertLink(ctx, tx, l) })
}

// SaveLink writes a link's mutable fields and returns the status it had
// before, so the caller can tell the tenant of a change.
func (s *Store) SaveLink(ctx context.Context, l *pinglinks.PaymentLink) (was pinglinks.LinkStatus, err error) {
	err = s.write(ctx, func(tx dbTx) error {
		was, err = s.saveLink(ctx, tx, l)
		return err
	})
	return was, err
}

// Enqueue writes a callback to the outbox; it is delivered once the unit
// commits, and never if it does not. An empty url writes nothing.
func (s *Store) Enqueue(ctx context.Context, tenantID uuid.UUID, kind, url string, payload any, at time.Time) error {
	return s.write(ctx, func(tx dbTx) error { return s.enqueue(ctx, tx, tenantID, kind, url, payload, at) })
}

// NextNumber takes the next number of a named sequence: the tenant's, or the
// platform's for uuid.Nil.
func (s *Store) NextNumber(ctx context.Context, tenantID uuid.UUID, name string) (n int64, err error) {
	err = s.write(ctx, func(tx dbTx) error {
		n, err = nextCounter(ctx, tx, tenantID, name)
		return err
	})
	return n, err
}

// QueueMessage queues a message of kind about a link for the messaging worker.
func (s *Store) QueueMessage(ctx context.Context, tenantID, linkID uuid.UUID, r Recipient, kind string) error {
	return s.write(ctx, func(tx dbTx) error { return s.insertMessage(ctx, tx, tenantID, linkID, r, kind) })
}

// SupersedeMessages ends the messages of kind still queued for a link on
// channel, as failed with the reason.
func (s *Store) SupersedeMessages(ctx context.Context, tenantID, linkID uuid.UUID, channel, kind, reason string) error {
	return s.write(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = $5, next_attempt_at = NULL,
			last_error = $8, updated_at = $6
			WHERE tenant_id = $1 AND link_id = $2 AND channel = $3 AND kind = $4 AND status = $7`,
			tenantID, linkID, channel, kind, MessageFailed, s.Now(), MessageQueued, reason); err != nil {
			return fmt.Errorf("store: supersede messages: %w", err)
		}
		return nil
	})
}

// InsertInvoice writes a link's invoice.
func (s *Store) InsertInvoice(ctx context.Context, tenantID uuid.UUID, inv *Invoice) error {
	return s.write(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (link_id, tenant_id, number, reference_type, reference,
			document_name, file_token, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, inv.LinkID, tenantID, inv.Number,
			inv.ReferenceType, inv.Reference, inv.DocumentName, inv.FileToken, inv.CreatedAt); err != nil {
			return fmt.Errorf("store: insert invoice: %w", err)
		}
		return nil
	})
}

// LinksByReference finds, for each distinct reference of the transfers
// (those not already UNMATCHED), the links that carry it: only the tenant's
// unless tenant is uuid.Nil. The key is reference type and reference.
func (s *Store) LinksByReference(ctx context.Context, tenant uuid.UUID, ts []*pinglinks.BankTransfer) (out map[[2]string][]LinkRef, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		out, err = s.linksByReference(ctx, tx, tenant, ts)
		return err
	})
	return out, err
}

// LinkRef names one tenant's link.
type LinkRef struct{ TenantID, LinkID uuid.UUID }

// InsertTransfers writes the transfers, skipping those whose BankRef is
// known, and returns the BankRefs it wrote.
func (s *Store) InsertTransfers(ctx context.Context, ts []*pinglinks.BankTransfer) (written map[string]bool, err error) {
	err = s.write(ctx, func(tx dbTx) error {
		written, err = s.insertTransfers(ctx, tx, ts)
		return err
	})
	return written, err
}

// SaveTransfer writes a transfer's status and what it booked.
func (s *Store) SaveTransfer(ctx context.Context, t *pinglinks.BankTransfer) error {
	return s.write(ctx, func(tx dbTx) error { return s.saveTransfer(ctx, tx, t) })
}

// LockTransfer reads a transfer and locks it until the unit ends.
func (s *Store) LockTransfer(ctx context.Context, id uuid.UUID) (t *pinglinks.BankTransfer, err error) {
	err = s.read(ctx, func(tx dbTx) error {
		t, err = s.lockTransfer(ctx, tx, id)
		return err
	})
	return t, err
}
