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

// Message channels and kinds.
const (
	ChannelSMS     = "sms"
	ChannelEmail   = "email"
	MessageLink    = "payment_link"
	MessageReceipt = "receipt"
)

// Recipient is where one message goes.
type Recipient struct {
	Channel string // ChannelSMS or ChannelEmail
	Address string // E.164 phone number or e-mail address
}

// QueueDistribution records that the link is to be sent to the recipients:
// the messages are queued for the messaging worker and the link's sms_status
// and distributed_by_email say so, in one transaction.
func (s *Store) QueueDistribution(ctx context.Context, tenantID, linkID uuid.UUID, to []Recipient) error {
	return s.inTx(ctx, func(tx dbTx) error {
		now := s.Now()
		_, err := s.updateLinkTx(ctx, tx, tenantID, linkID, func(l *pinglinks.PaymentLink, _ *pinglinks.Payment) error {
			if err := l.RequireCreated("distributed"); err != nil {
				return err
			}
			for _, r := range to {
				switch r.Channel {
				case ChannelSMS:
					l.SMSStatus = pinglinks.SMSCreated
				case ChannelEmail:
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
			// A new distribution on a channel replaces one still waiting
			// there: the tenant may be correcting a wrong number or address.
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = $5, next_attempt_at = NULL,
				last_error = 'superseded by a later distribution', updated_at = $6
				WHERE tenant_id = $1 AND link_id = $2 AND channel = $3 AND kind = $4 AND status = $7`,
				tenantID, linkID, r.Channel, MessageLink, MessageFailed, now, MessageQueued); err != nil {
				return fmt.Errorf("store: supersede messages: %w", err)
			}
			if err := s.insertMessage(ctx, tx, tenantID, linkID, r, MessageLink); err != nil {
				return err
			}
		}
		return nil
	})
}

// QueuedMessage is a message to a payer as stored.
type QueuedMessage struct {
	ID        uuid.UUID
	LinkID    uuid.UUID
	Channel   string
	Recipient string
	Kind      string
	Status    string
}

// LinkMessages lists the messages queued for one of the tenant's links.
func (s *Store) LinkMessages(ctx context.Context, tenantID, linkID uuid.UUID) ([]QueuedMessage, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, link_id, channel, recipient, kind, status FROM messages
		WHERE tenant_id = $1 AND link_id = $2 ORDER BY id`, tenantID, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: link messages: %w", err)
	}
	defer rows.Close()
	var out []QueuedMessage
	for rows.Next() {
		var m QueuedMessage
		if err := rows.Scan(&m.ID, &m.LinkID, &m.Channel, &m.Recipient, &m.Kind, &m.Status); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Invoice is the invoice of a payment link.
type Invoice struct {
	LinkID        uuid.UUID
	Number        int64
	ReferenceType string
	Reference     string
	DocumentName  string
	FileToken     string
	CreatedAt     time.Time
}

// nextCounter takes the tenant's next number in a named sequence, inside tx.
func nextCounter(ctx context.Context, tx dbTx, tenantID uuid.UUID, name string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES ($1, $2, 1)
		ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, tenantID, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: counter %s: %w", name, err)
	}
	return v, nil
}

// CreateInvoice gives a CREATED link its invoice: the tenant's next invoice
// number and the link's payment reference (made by makeRef from the tenant's
// next reference number unless the link has one of that type). A link has at
// most one invoice.
func (s *Store) CreateInvoice(ctx context.Context, tenantID, linkID uuid.UUID, inv *Invoice, makeRef func(seq int64) string) error {
	return s.inTx(ctx, func(tx dbTx) error {
		var orderID uuid.UUID
		if err := tx.QueryRowContext(ctx, `SELECT order_id FROM payment_links WHERE tenant_id = $1 AND id = $2`,
			tenantID, linkID).Scan(&orderID); err != nil {
			return notFound(err, "payment link")
		}
		if _, err := s.lockOrder(ctx, tx, tenantID, orderID); err != nil {
			return err
		}
		l, err := s.lockLink(ctx, tx, tenantID, linkID)
		if err != nil {
			return err
		}
		if l.InvoiceCreated {
			return pinglinks.Forbidden("this payment link already has an invoice")
		}
		if err := l.RequireCreated("invoiced"); err != nil {
			return err
		}
		if inv.Number, err = nextCounter(ctx, tx, tenantID, "invoice"); err != nil {
			return err
		}
		// A reference the payer already saw on the checkout stays valid:
		// the invoice prints it, so it cannot be of another type.
		if l.Reference != "" && l.ReferenceType != inv.ReferenceType {
			return pinglinks.Forbidden("this payment link already has the %s reference %s (shown on its checkout); "+
				"its invoice must use reference_type %s", l.ReferenceType, l.Reference, l.ReferenceType)
		}
		if err := s.assignReference(ctx, tx, l, inv.ReferenceType, makeRef); err != nil {
			return err
		}
		inv.LinkID, inv.Reference = linkID, l.Reference
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (link_id, tenant_id, number, reference_type, reference,
			document_name, file_token, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, linkID, tenantID, inv.Number,
			inv.ReferenceType, inv.Reference, inv.DocumentName, inv.FileToken, s.Now()); err != nil {
			return fmt.Errorf("store: insert invoice: %w", err)
		}
		if err := s.queueDocument(ctx, tx, tenantID, linkID, FileInvoice, inv.FileToken); err != nil {
			return err
		}
		if err := s.addSearchTerms(ctx, tx, tenantID, linkID, fmt.Sprintf("i:%d", inv.Number)); err != nil {
			return err
		}
		l.InvoiceCreated, l.UpdatedAt = true, s.Now()
		return s.saveLink(ctx, tx, l)
	})
}

// LinkInvoice returns the invoice of one of the tenant's links.
func (s *Store) LinkInvoice(ctx context.Context, tenantID, linkID uuid.UUID) (*Invoice, error) {
	var inv Invoice
	err := s.q(ctx).QueryRowContext(ctx, `SELECT link_id, number, reference_type, reference, document_name, file_token,
		created_at FROM invoices WHERE tenant_id = $1 AND link_id = $2`, tenantID, linkID).
		Scan(&inv.LinkID, &inv.Number, &inv.ReferenceType, &inv.Reference, &inv.DocumentName, &inv.FileToken, &inv.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pinglinks.Forbidden("this payment link has no invoice yet; create one with PUT …/invoice")
	}
	if err != nil {
		return nil, fmt.Errorf("store: invoice: %w", err)
	}
	return &inv, nil
}

// queueReceipt queues the receipt of a link that has just completed: its
// PDF to render, and its e-mail to the payer, at the address they gave on
// the checkout or else the one the tenant gave; without an address there is
// nothing to send.
func (s *Store) queueReceipt(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
	if l.ReceiptToken != "" {
		if err := s.queueDocument(ctx, tx, l.TenantID, l.ID, FileReceipt, l.ReceiptToken); err != nil {
			return err
		}
	}
	to := l.Customer.Email
	if d, ok := p.PayerDetails(); ok && d.Email != "" {
		to = d.Email
	}
	if to == "" {
		return nil
	}
	return s.insertMessage(ctx, tx, l.TenantID, l.ID, Recipient{Channel: ChannelEmail, Address: to}, MessageReceipt)
}

func (s *Store) insertMessage(ctx context.Context, tx dbTx, tenantID, linkID uuid.UUID, r Recipient, kind string) error {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, tenant_id, link_id, channel, recipient, kind,
		status, next_attempt_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8,$8)`,
		pinglinks.NewID(), tenantID, linkID, r.Channel, r.Address, kind, MessageQueued, now); err != nil {
		return fmt.Errorf("store: queue message: %w", err)
	}
	s.events(tx).enqueued = true // wakes the workers after commit
	return nil
}
