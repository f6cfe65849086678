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

// ErrNoInvoice says the link has no invoice yet.
var ErrNoInvoice = errors.New("store: the payment link has no invoice")

// LinkInvoice returns the invoice of one of the tenant's links.
func (s *Store) LinkInvoice(ctx context.Context, tenantID, linkID uuid.UUID) (*Invoice, error) {
	var inv Invoice
	err := s.q(ctx).QueryRowContext(ctx, `SELECT link_id, number, reference_type, reference, document_name, file_token,
		created_at FROM invoices WHERE tenant_id = $1 AND link_id = $2`, tenantID, linkID).
		Scan(&inv.LinkID, &inv.Number, &inv.ReferenceType, &inv.Reference, &inv.DocumentName, &inv.FileToken, &inv.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoInvoice
	}
	if err != nil {
		return nil, fmt.Errorf("store: invoice: %w", err)
	}
	return &inv, nil
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
