package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// KindLinkStatus is the outbox kind of payment link status callbacks.
const KindLinkStatus = "payment_link_status"

const linkColumns = `id, tenant_id, order_id, payment_id, token, status, sms_status, distributed_by_email,
	invoice_created, customer, delivery_address, invoice_address, due_date, expires_at, items, supplier,
	currency, total_amount, locale, logo_image_link, status_callback_url, provider_methods, metadata,
	success_url, cancel_url, created_at, updated_at, receipt_token, reference_type, reference, receipt_number,
	first_opened_at, reminders`

func scanLink(row interface{ Scan(...any) error }) (*pinglinks.PaymentLink, error) {
	var l pinglinks.PaymentLink
	var customer, items, supplier, methods, cur string
	var delivery, invoice, meta, reminders sql.NullString
	var expires, opened sql.NullTime
	if err := row.Scan(&l.ID, &l.TenantID, &l.OrderID, &l.PaymentID, &l.Token, &l.Status, &l.SMSStatus,
		&l.DistributedByEmail, &l.InvoiceCreated, &customer, &delivery, &invoice, &l.DueDate, &expires, &items,
		&supplier, &cur, &l.TotalAmount, &l.Locale, &l.LogoImageLink, &l.StatusCallbackURL, &methods, &meta,
		&l.SuccessURL, &l.CancelURL, &l.CreatedAt, &l.UpdatedAt, &l.ReceiptToken, &l.ReferenceType, &l.Reference,
		&l.ReceiptNumber, &opened, &reminders); err != nil {
		return nil, err
	}
	l.Currency, l.Metadata, l.ExpiresAt = pinglinks.Currency(cur), rawJSON(meta), timePtr(expires)
	l.CreatedAt, l.UpdatedAt, l.FirstOpenedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC(), timePtr(opened)
	for _, f := range []struct {
		src string
		dst any
	}{{customer, &l.Customer}, {items, &l.Items}, {supplier, &l.Supplier}, {methods, &l.Methods},
		{delivery.String, &l.DeliveryAddress}, {invoice.String, &l.InvoiceAddress}, {reminders.String, &l.Reminders}} {
		if f.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, fmt.Errorf("store: payment link column: %w", err)
		}
	}
	return &l, nil
}

func optJSON(v any, present bool) sql.NullString {
	if !present {
		return sql.NullString{}
	}
	return sql.NullString{String: mustJSON(v), Valid: true}
}

// CreateLink saves a new payment link together with its first payment, in
// one transaction under the order's lock. An order the tenant does not have,
// or one that is not OPEN, is a 403 (docs/api.md), as is a total that differs
// from the items'.
func (s *Store) CreateLink(ctx context.Context, tenantID uuid.UUID, l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
	return s.inTx(ctx, func(tx dbTx) error {
		// The usual case in one statement; only a refusal reads step by step
		// below to find which rule refuses, so the answers stay the same.
		if ok, err := s.insertLinkIfAllowed(ctx, tx, tenantID, l, p); err != nil {
			return err
		} else if ok {
			return s.linkCreated(ctx, tx, l)
		}
		o, err := s.lockOrder(ctx, tx, tenantID, l.OrderID)
		if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
			return &pinglinks.Error{Code: pinglinks.ECodeForbidden, Property: "payment_order_id",
				Message: "payment order not found for this tenant"}
		} else if err != nil {
			return err
		}
		if err := o.CanInitiatePayment(); err != nil {
			return err
		}
		// One link pays an order, and nothing else does, so the order is
		// never paid beyond that link's total. A cancelled or expired link
		// (never paid) leaves room for a new one.
		var links, others int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN ($3, $4)),
			(SELECT count(*) FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)`,
			tenantID, l.OrderID, pinglinks.LinkCreated, pinglinks.LinkCompleted).Scan(&links, &others); err != nil {
			return fmt.Errorf("store: payment order's links: %w", err)
		}
		if links > 0 {
			return pinglinks.Forbidden("this payment order already has a payment link that is open or paid")
		}
		if others > 0 {
			return pinglinks.Forbidden("this payment order already has payments of its own; a link needs an order without payments")
		}
		if l.Currency != o.Currency {
			return pinglinks.Invalid("currency", "must equal the payment order's currency %s", o.Currency)
		}
		if err := checkMerchants(ctx, tx, tenantID, len(l.Items),
			func(i int) uuid.UUID { return l.Items[i].MerchantID },
			func(i int) string { return fmt.Sprintf("items[%d].merchant_id", i) }); err != nil {
			return err
		}
		if err := s.insertPayment(ctx, tx, tenantID, p); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO payment_links (`+linkColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,
			$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33)`,
			l.ID, tenantID, l.OrderID, l.PaymentID, l.Token, l.Status, l.SMSStatus, l.DistributedByEmail,
			l.InvoiceCreated, mustJSON(l.Customer), optJSON(l.DeliveryAddress, l.DeliveryAddress != nil),
			optJSON(l.InvoiceAddress, l.InvoiceAddress != nil), l.DueDate, nullTime(l.ExpiresAt), mustJSON(l.Items),
			mustJSON(l.Supplier), string(l.Currency), l.TotalAmount, l.Locale, l.LogoImageLink, l.StatusCallbackURL,
			mustJSON(l.Methods), jsonText(l.Metadata), l.SuccessURL, l.CancelURL, l.CreatedAt, l.UpdatedAt, l.ReceiptToken,
			l.ReferenceType, l.Reference, l.ReceiptNumber, nullTime(l.FirstOpenedAt), optJSON(l.Reminders, l.Reminders != nil))
		if err != nil {
			return fmt.Errorf("store: insert payment link: %w", err)
		}
		return s.linkCreated(ctx, tx, l)
	})
}

// Link returns one of the tenant's payment links.
func (s *Store) Link(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.PaymentLink, error) {
	l, err := scanLink(s.q(ctx).QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, notFound(err, "payment link")
	}
	return l, nil
}

// LinkByToken finds a link by its checkout token: the token is the payer's
// only credential, so this is the one lookup without a tenant id.
func (s *Store) LinkByToken(ctx context.Context, token string) (*pinglinks.PaymentLink, error) {
	l, err := scanLink(s.q(ctx).QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE token = $1`, token))
	if err != nil {
		return nil, notFound(err, "payment link")
	}
	return l, nil
}

// LinkFilter narrows a list of links. Zero fields do not filter.
type LinkFilter struct {
	Status  string
	OrderID uuid.UUID
}

// Links lists the tenant's payment links.
func (s *Store) Links(ctx context.Context, tenantID uuid.UUID, f LinkFilter, p Page) ([]*pinglinks.PaymentLink, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.OrderID != uuid.Nil {
		q.add("order_id = ?", f.OrderID)
	}
	return list(ctx, s.q(ctx), "payment links", `SELECT `+linkColumns+` FROM payment_links`, q, p, scanLink)
}

func (s *Store) lockLink(ctx context.Context, tx dbTx, tenantID, id uuid.UUID) (*pinglinks.PaymentLink, error) {
	l, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links
		WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, id))
	if err != nil {
		return nil, notFound(err, "payment link")
	}
	return l, nil
}

// saveLink writes the link's mutable fields, and a status callback if its
// status differs from what is stored.
func (s *Store) saveLink(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink) error {
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM payment_links WHERE tenant_id = $1 AND id = $2`,
		l.TenantID, l.ID).Scan(&old); err != nil {
		return fmt.Errorf("store: payment link status: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payment_links SET status = $3, payment_id = $4, sms_status = $5,
		distributed_by_email = $6, invoice_created = $7, customer = $8, delivery_address = $9, invoice_address = $10,
		updated_at = $11, reference_type = $12, reference = $13, receipt_number = $14 WHERE tenant_id = $1 AND id = $2`,
		l.TenantID, l.ID, l.Status, l.PaymentID, l.SMSStatus, l.DistributedByEmail, l.InvoiceCreated,
		mustJSON(l.Customer), optJSON(l.DeliveryAddress, l.DeliveryAddress != nil),
		optJSON(l.InvoiceAddress, l.InvoiceAddress != nil), l.UpdatedAt, l.ReferenceType, l.Reference,
		l.ReceiptNumber); err != nil {
		return fmt.Errorf("store: update payment link: %w", err)
	}
	if old == l.Status {
		return nil
	}
	ev := s.events(tx)
	ev.linkTransitions = append(ev.linkTransitions, [2]string{old, l.Status})
	return s.enqueue(ctx, tx, l.TenantID, KindLinkStatus, l.StatusCallbackURL, LinkStatusPayload(l), l.UpdatedAt)
}

// LinkStatusPayload is the body of a link status callback. The field is
// spelled occured_at on purpose: existing receivers expect it (docs/api.md).
func LinkStatusPayload(l *pinglinks.PaymentLink) map[string]any {
	return map[string]any{"payment_link_id": l.ID, "status": l.Status, "occured_at": l.UpdatedAt}
}

// UpdateLink changes a link and its latest payment in one transaction: it
// locks the order, the link and the payment (in that order, as every writer
// does), lets fn apply domain transitions, and saves both with their callbacks.
func (s *Store) UpdateLink(ctx context.Context, tenantID, id uuid.UUID,
	fn func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error) (*pinglinks.PaymentLink, error) {
	var out *pinglinks.PaymentLink
	err := s.inTx(ctx, func(tx dbTx) error {
		var err error
		out, err = s.updateLinkTx(ctx, tx, tenantID, id, fn)
		return err
	})
	return out, err
}

func (s *Store) updateLinkTx(ctx context.Context, tx dbTx, tenantID, id uuid.UUID,
	fn func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error) (*pinglinks.PaymentLink, error) {
	var orderID uuid.UUID
	if err := tx.QueryRowContext(ctx, `SELECT order_id FROM payment_links WHERE tenant_id = $1 AND id = $2`,
		tenantID, id).Scan(&orderID); err != nil {
		return nil, notFound(err, "payment link")
	}
	if _, err := s.lockOrder(ctx, tx, tenantID, orderID); err != nil {
		return nil, err
	}
	l, err := s.lockLink(ctx, tx, tenantID, id)
	if err != nil {
		return nil, err
	}
	p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, l.PaymentID))
	if err != nil {
		return nil, fmt.Errorf("store: link payment: %w", err)
	}
	before := len(p.StatusHistory)
	if err := fn(l, p); err != nil {
		return nil, err
	}
	if len(p.StatusHistory) > before {
		if p.Status == pinglinks.PaymentCompleted {
			return nil, fmt.Errorf("store: UpdateLink must not complete payments; use UpdatePayment")
		}
		if err := s.savePaymentStatus(ctx, tx, p); err != nil {
			return nil, err
		}
		for _, ch := range p.StatusHistory[before:] {
			if err := s.enqueue(ctx, tx, tenantID, KindPaymentStatus, p.StatusCallbackURL, PaymentStatusPayload(p, ch), ch.OccurredAt); err != nil {
				return nil, err
			}
		}
	}
	if err := s.saveLink(ctx, tx, l); err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Store) savePaymentStatus(ctx context.Context, tx dbTx, p *pinglinks.Payment) error {
	_, err := tx.ExecContext(ctx, `UPDATE payments SET status = $3, status_history = $4, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, p.TenantID, p.ID, p.Status, mustJSON(p.StatusHistory), p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update payment status: %w", err)
	}
	return nil
}

// DueLink names a link whose due date has passed.
type DueLink struct {
	TenantID, ID uuid.UUID
}

// DueLinks returns up to limit CREATED links whose due date ended before now,
// soonest first, using the partial index on expires_at (no table scan).
func (s *Store) DueLinks(ctx context.Context, now time.Time, limit int) ([]DueLink, error) {
	// A link whose payment is under way is left out here rather than
	// refused later, so that many of them cannot fill every batch and hold
	// back the links behind them.
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT l.tenant_id, l.id FROM payment_links l
		WHERE l.status = 'CREATED' AND l.expires_at IS NOT NULL AND l.expires_at <= $1
		AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = l.payment_id
			AND p.status IN ('PENDING', 'UNDERFUNDED', 'FUNDED', 'OVERFUNDED'))
		ORDER BY l.expires_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due links: %w", err)
	}
	defer rows.Close()
	var out []DueLink
	for rows.Next() {
		var d DueLink
		if err := rows.Scan(&d.TenantID, &d.ID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrPaymentInProgress is returned when a link cannot expire yet because the
// payer's payment is still under way: it decides first.
var ErrPaymentInProgress = errors.New("store: the link's payment is in progress")

// ExpireLink expires a due link, unless its payment is in progress. An
// unstarted (INITIATED) payment expires with it.
func (s *Store) ExpireLink(ctx context.Context, tenantID, id uuid.UUID) error {
	_, err := s.UpdateLink(ctx, tenantID, id, func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
		now := s.Now()
		if l.Status != pinglinks.LinkCreated || l.ExpiresAt == nil || l.ExpiresAt.After(now) {
			return nil // already finished, or its due date was moved: nothing to do
		}
		switch {
		case p.Status == pinglinks.PaymentInitiated:
			if err := p.SetStatus(pinglinks.PaymentExpired, now); err != nil {
				return err
			}
		case !p.Terminal():
			return ErrPaymentInProgress
		}
		return l.Expire(now)
	})
	return err
}
