package store

import (
	"context"
	"database/sql"
	"encoding/json"
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

// insertLink writes a new payment link, its search terms and its reminders.
func (s *Store) insertLink(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payment_links (`+linkColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,
		$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33)`,
		l.ID, l.TenantID, l.OrderID, l.PaymentID, l.Token, l.Status, l.SMSStatus, l.DistributedByEmail,
		l.InvoiceCreated, mustJSON(l.Customer), optJSON(l.DeliveryAddress, l.DeliveryAddress != nil),
		optJSON(l.InvoiceAddress, l.InvoiceAddress != nil), l.DueDate, nullTime(l.ExpiresAt), mustJSON(l.Items),
		mustJSON(l.Supplier), string(l.Currency), l.TotalAmount, l.Locale, l.LogoImageLink, l.StatusCallbackURL,
		mustJSON(l.Methods), jsonText(l.Metadata), l.SuccessURL, l.CancelURL, l.CreatedAt, l.UpdatedAt, l.ReceiptToken,
		l.ReferenceType, l.Reference, l.ReceiptNumber, nullTime(l.FirstOpenedAt), optJSON(l.Reminders, l.Reminders != nil))
	if err != nil {
		return fmt.Errorf("store: insert payment link: %w", err)
	}
	return s.linkCreated(ctx, tx, l)
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
	Status  pinglinks.LinkStatus
	OrderID uuid.UUID
}

// Links lists the tenant's payment links.
func (s *Store) Links(ctx context.Context, tenantID uuid.UUID, f LinkFilter, p Page) ([]*pinglinks.PaymentLink, PageInfo, error) {
	return list(ctx, s.q(ctx), "payment links", `SELECT `+linkColumns+` FROM payment_links`, s.linksWhere(tenantID, f), p, scanLink)
}

func (s *Store) linksWhere(tenantID uuid.UUID, f LinkFilter) *query {
	q := &query{}
	q.add(s.tenantIs(f.OrderID != uuid.Nil), tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.OrderID != uuid.Nil {
		q.add("order_id = ?", f.OrderID)
	}
	return q
}

func (s *Store) lockLink(ctx context.Context, tx dbTx, tenantID, id uuid.UUID) (*pinglinks.PaymentLink, error) {
	l, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links
		WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, id))
	if err != nil {
		return nil, notFound(err, "payment link")
	}
	return l, nil
}

// saveLink writes the link's mutable fields and returns the status it had
// before; a change is counted for OnLinkStatus once the transaction commits.
func (s *Store) saveLink(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink) (pinglinks.LinkStatus, error) {
	var old pinglinks.LinkStatus
	if err := tx.QueryRowContext(ctx, `SELECT status FROM payment_links WHERE tenant_id = $1 AND id = $2`,
		l.TenantID, l.ID).Scan(&old); err != nil {
		return "", fmt.Errorf("store: payment link status: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payment_links SET status = $3, payment_id = $4, sms_status = $5,
		distributed_by_email = $6, invoice_created = $7, customer = $8, delivery_address = $9, invoice_address = $10,
		updated_at = $11, reference_type = $12, reference = $13, receipt_number = $14 WHERE tenant_id = $1 AND id = $2`,
		l.TenantID, l.ID, l.Status, l.PaymentID, l.SMSStatus, l.DistributedByEmail, l.InvoiceCreated,
		mustJSON(l.Customer), optJSON(l.DeliveryAddress, l.DeliveryAddress != nil),
		optJSON(l.InvoiceAddress, l.InvoiceAddress != nil), l.UpdatedAt, l.ReferenceType, l.Reference,
		l.ReceiptNumber); err != nil {
		return "", fmt.Errorf("store: update payment link: %w", err)
	}
	if old != l.Status {
		ev := s.events(tx)
		ev.linkTransitions = append(ev.linkTransitions, [2]string{string(old), string(l.Status)})
	}
	return old, nil
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
