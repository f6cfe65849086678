package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// Message statuses.
const (
	MessageQueued    = "QUEUED"    // waiting for its next attempt
	MessageSent      = "SENT"      // the SMTP server or SMS gateway accepted it
	MessageDelivered = "DELIVERED" // the SMS gateway reported delivery
	MessageKept      = "KEPT"      // never sent: kept for the sandbox outbox (no SMTP or SMS gateway set up)
	MessageFailed    = "FAILED"    // refused for good, or every retry failed
)

// Message is a message to a payer, with what was sent once it was.
type Message struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	LinkID     uuid.UUID
	Channel    string
	Recipient  string
	Kind       string
	Status     string
	Attempts   int
	ProviderID string
	LastError  string
	Subject    string
	Text       string
	HTML       string
	Attachment string // file name of the attached document, if any
	CreatedAt  time.Time
	SentAt     *time.Time
}

const messageColumns = `id, tenant_id, link_id, channel, recipient, kind, status, attempts, provider_id, last_error,
	subject, body_text, body_html, attachment, created_at, sent_at`

func scanMessage(row interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var sent sql.NullTime
	if err := row.Scan(&m.ID, &m.TenantID, &m.LinkID, &m.Channel, &m.Recipient, &m.Kind, &m.Status, &m.Attempts,
		&m.ProviderID, &m.LastError, &m.Subject, &m.Text, &m.HTML, &m.Attachment, &m.CreatedAt, &sent); err != nil {
		return nil, err
	}
	m.CreatedAt, m.SentAt = m.CreatedAt.UTC(), timePtr(sent)
	return &m, nil
}

// ClaimMessages leases up to limit due messages for sending, as
// ClaimCallbacks does for callbacks: a process that dies mid-send loses
// nothing, and on PostgreSQL several processes never claim the same attempt.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Message, error) {
	return claimDue(ctx, s, leased[Message]{table: "messages", columns: messageColumns, key: "id", what: "messages",
		scan: scanMessage, id: func(m *Message) any { return m.ID }, attempts: func(m *Message) *int { return &m.Attempts }},
		now, limit, lease)
}

// SentContent is what a message was sent as.
type SentContent struct {
	Subject, Text, HTML, Attachment string
	ProviderID                      string // the SMS gateway's id, for its delivery report
	Kept                            bool   // not sent, only kept for the sandbox outbox
}

// MarkMessageSent records that attempt of message m was accepted, with what
// was sent, and moves an SMS link's sms_status on: PENDING until the gateway
// reports; a message only kept for the sandbox outbox is KEPT, and its
// link's sms_status DELIVERED, as the sandbox plays a gateway that
// delivers at once. A stale attempt (another process took the lease over)
// changes nothing.
func (s *Store) MarkMessageSent(ctx context.Context, m *Message, c SentContent) error {
	return s.inQuietTx(ctx, func(tx dbTx) error {
		status := MessageSent
		if c.Kept {
			status = MessageKept
		}
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = $3, next_attempt_at = NULL, provider_id = $4,
			subject = $5, body_text = $6, body_html = $7, attachment = $8, sent_at = $9, updated_at = $9, last_error = ''
			WHERE id = $1 AND attempts = $2`, m.ID, m.Attempts, status, c.ProviderID, c.Subject, c.Text, c.HTML,
			c.Attachment, now)
		if err != nil {
			return fmt.Errorf("store: message sent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || m.Channel != ChannelSMS {
			return nil
		}
		sms := pinglinks.SMSPending
		if c.Kept {
			sms = pinglinks.SMSDelivered
		}
		return s.setSMSStatus(ctx, tx, m.TenantID, m.LinkID, m.ID, sms)
	})
}

// MarkMessageFailed records a failed attempt: retried at next, or FAILED
// for good when next is nil (an SMS link's sms_status then says FAILED).
func (s *Store) MarkMessageFailed(ctx context.Context, m *Message, reason string, next *time.Time) error {
	return s.inQuietTx(ctx, func(tx dbTx) error {
		status := MessageQueued
		if next == nil {
			status = MessageFailed
		}
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = $3, next_attempt_at = $4, last_error = $5,
			updated_at = $6 WHERE id = $1 AND attempts = $2`, m.ID, m.Attempts, status, nullTime(next), reason, s.Now())
		if err != nil {
			return fmt.Errorf("store: message failed: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || next != nil || m.Channel != ChannelSMS {
			return nil
		}
		return s.setSMSStatus(ctx, tx, m.TenantID, m.LinkID, m.ID, pinglinks.SMSFailed)
	})
}

// setSMSStatus moves a link's sms_status, as SMS msgID's fate, without
// touching anything else of it; the link's own status is not involved, so
// no callback is written. Only the link's newest SMS speaks for it: news of
// an earlier one (a late report for a wrong number the tenant has since
// corrected and distributed again) changes nothing.
func (s *Store) setSMSStatus(ctx context.Context, tx dbTx, tenantID, linkID, msgID uuid.UUID, status string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE payment_links SET sms_status = $3 WHERE tenant_id = $1 AND id = $2
		AND NOT EXISTS (SELECT 1 FROM messages WHERE link_id = $2 AND channel = $4 AND id > $5)`,
		tenantID, linkID, status, ChannelSMS, msgID); err != nil {
		return fmt.Errorf("store: sms status: %w", err)
	}
	return nil
}

// RecordSMSReport applies an SMS gateway's delivery report for the message
// it knows as providerID: DELIVERED or FAILED, on the message and on its
// link's sms_status. A report for an unknown id is a 404; a repeated report
// changes nothing.
func (s *Store) RecordSMSReport(ctx context.Context, providerID string, delivered bool) error {
	return s.inQuietTx(ctx, func(tx dbTx) error {
		var id, tenantID, linkID uuid.UUID
		if err := tx.QueryRowContext(ctx, `SELECT id, tenant_id, link_id FROM messages WHERE provider_id = $1 AND channel = $2`,
			providerID, ChannelSMS).Scan(&id, &tenantID, &linkID); err != nil {
			return notFound(err, "SMS")
		}
		status, sms := MessageDelivered, pinglinks.SMSDelivered
		if !delivered {
			status, sms = MessageFailed, pinglinks.SMSFailed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = $2, updated_at = $3 WHERE provider_id = $1`,
			providerID, status, s.Now()); err != nil {
			return fmt.Errorf("store: sms report: %w", err)
		}
		return s.setSMSStatus(ctx, tx, tenantID, linkID, id, sms)
	})
}

// RecentMessages lists the tenant's newest messages, for the sandbox outbox.
func (s *Store) RecentMessages(ctx context.Context, tenantID uuid.UUID, limit int) ([]*Message, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE tenant_id = $2
		ORDER BY id DESC LIMIT $1`, limit, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: recent messages: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MessageByID returns one of the tenant's messages, for the sandbox outbox.
func (s *Store) MessageByID(ctx context.Context, tenantID, id uuid.UUID) (*Message, error) {
	m, err := scanMessage(s.q(ctx).QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, notFound(err, "message")
	}
	return m, nil
}
