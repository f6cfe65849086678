package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// Reminder statuses.
const (
	ReminderScheduled = "SCHEDULED" // waiting for its time
	ReminderSent      = "SENT"      // its messages were queued
	ReminderStopped   = "STOPPED"   // not sent: the link was paid, cancelled or expired, or had no recipient
)

// MessageReminder is the kind of the messages a reminder queues.
const MessageReminder = "reminder"

// ScheduledReminder is one reminder of a link, as stored.
type ScheduledReminder struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	LinkID     uuid.UUID
	SendAt     time.Time
	DaysBefore int // 0: on the due date
	Channels   []string
	Status     string
	Note       string // why it was stopped, or where it went
	DoneAt     *time.Time
}

const reminderColumns = `id, tenant_id, link_id, send_at, days_before, channels, status, note, done_at`

func scanReminder(row interface{ Scan(...any) error }) (*ScheduledReminder, error) {
	var r ScheduledReminder
	var channels string
	var done sql.NullTime
	if err := row.Scan(&r.ID, &r.TenantID, &r.LinkID, &r.SendAt, &r.DaysBefore, &channels, &r.Status, &r.Note, &done); err != nil {
		return nil, err
	}
	r.SendAt, r.DoneAt = r.SendAt.UTC(), timePtr(done)
	if err := json.Unmarshal([]byte(channels), &r.Channels); err != nil {
		return nil, fmt.Errorf("store: reminder channels: %w", err)
	}
	return &r, nil
}

// linkCreated writes what a new link brings besides its row, in its
// transaction: its search terms and its reminders' schedule.
func (s *Store) linkCreated(ctx context.Context, tx dbTx, l *pinglinks.PaymentLink) error {
	if err := s.addSearchTerms(ctx, tx, l.TenantID, l.ID, linkTerms(l)...); err != nil {
		return err
	}
	if l.Reminders == nil {
		return nil
	}
	slots := l.Reminders.Schedule(l.DueDate, l.CreatedAt)
	if len(slots) == 0 {
		return nil
	}
	// One statement for the whole schedule, sent with the COMMIT.
	var q strings.Builder
	q.WriteString(`INSERT INTO link_reminders (id, tenant_id, link_id, send_at, days_before, channels, status,
		created_at) VALUES `)
	args := []any{l.TenantID, l.ID, mustJSON(l.Reminders.Channels), ReminderScheduled, l.CreatedAt}
	for i, slot := range slots {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $1, $2, $%d, $%d, $3, $4, $5)", n+1, n+2, n+3)
		args = append(args, pinglinks.NewID(), slot.SendAt, slot.DaysBefore)
	}
	if err := tx.ExecAtCommit(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("store: schedule reminders: %w", err)
	}
	return nil
}

// DueReminders returns up to limit reminders of any tenant whose time has
// come, soonest first, from the partial index of scheduled ones.
func (s *Store) DueReminders(ctx context.Context, now time.Time, limit int) ([]*ScheduledReminder, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+reminderColumns+` FROM link_reminders
		WHERE status = 'SCHEDULED' AND send_at <= $1 ORDER BY send_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	return collectReminders(rows)
}

func collectReminders(rs rows) ([]*ScheduledReminder, error) {
	defer rs.Close()
	var out []*ScheduledReminder
	for rs.Next() {
		r, err := scanReminder(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// LinkReminders lists one of the tenant's links' reminders, in time order.
func (s *Store) LinkReminders(ctx context.Context, tenantID, linkID uuid.UUID) ([]*ScheduledReminder, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+reminderColumns+` FROM link_reminders
		WHERE tenant_id = $1 AND link_id = $2 ORDER BY send_at, id`, tenantID, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: link reminders: %w", err)
	}
	return collectReminders(rows)
}

// ReminderDecision is what to do with a due reminder: queue a message to
// each recipient, or, with none, stop it for the reason given.
type ReminderDecision struct {
	To     []Recipient
	Reason string
}

// SendReminder settles one due reminder in one transaction: decide sees
// the reminder and its link and says where it goes; the reminder is marked
// SENT and its messages queued together (or it is marked STOPPED), so a
// reminder is sent at most once, however many sweeps run or crash. A
// reminder no longer SCHEDULED is left alone (false).
func (s *Store) SendReminder(ctx context.Context, tenantID, id uuid.UUID,
	decide func(l *pinglinks.PaymentLink, r *ScheduledReminder) (ReminderDecision, error)) (bool, error) {
	done := false
	err := s.inTx(ctx, func(tx dbTx) error {
		r, err := scanReminder(tx.QueryRowContext(ctx, `SELECT `+reminderColumns+` FROM link_reminders
			WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, id))
		if err != nil {
			return notFound(err, "reminder")
		}
		if r.Status != ReminderScheduled {
			return nil
		}
		l, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links
			WHERE tenant_id = $1 AND id = $2`, tenantID, r.LinkID))
		if err != nil {
			return notFound(err, "payment link")
		}
		d, err := decide(l, r)
		if err != nil {
			return err
		}
		status, note := ReminderSent, d.Reason
		if len(d.To) == 0 {
			status = ReminderStopped
		} else {
			var to []string
			for _, rc := range d.To {
				if err := s.insertMessage(ctx, tx, tenantID, l.ID, rc, MessageReminder); err != nil {
					return err
				}
				to = append(to, rc.Address)
			}
			note = strings.Join(to, ", ")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE link_reminders SET status = $3, note = $4, done_at = $5
			WHERE tenant_id = $1 AND id = $2`, tenantID, id, status, note, s.Now()); err != nil {
			return fmt.Errorf("store: settle reminder: %w", err)
		}
		done = true
		return nil
	})
	return done, err
}

// SetTenantReminders sets the tenant's default reminders (nil: none).
func (s *Store) SetTenantReminders(ctx context.Context, tenantID uuid.UUID, r *pinglinks.Reminders) error {
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE tenants SET reminders = $2 WHERE id = $1`, tenantID,
		optJSON(r, r != nil))
	if err != nil {
		return fmt.Errorf("store: tenant reminders: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound("tenant")
	}
	return nil
}

// RecordLinkOpened notes the first time the payer opened the link's
// checkout; later calls change nothing. The checkout calls it only while
// the link it read has no such time, so a page view writes at most once.
func (s *Store) RecordLinkOpened(ctx context.Context, tenantID, linkID uuid.UUID) error {
	if _, err := s.q(ctx).ExecContext(ctx, `UPDATE payment_links SET first_opened_at = $3
		WHERE tenant_id = $1 AND id = $2 AND first_opened_at IS NULL`, tenantID, linkID, s.Now()); err != nil {
		return fmt.Errorf("store: link opened: %w", err)
	}
	return nil
}
