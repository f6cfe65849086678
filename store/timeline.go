package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// subjectOf names the link, payment or merchant a callback reports, so a
// link's timeline finds its callbacks through an index.
func subjectOf(payload any) uuid.NullUUID {
	m, ok := payload.(map[string]any)
	if !ok {
		return uuid.NullUUID{}
	}
	for _, k := range []string{"payment_link_id", "payment_id", "merchant_id"} {
		if id, ok := m[k].(uuid.UUID); ok {
			return uuid.NullUUID{UUID: id, Valid: true}
		}
	}
	return uuid.NullUUID{}
}

// CallbackLog is a callback with every attempt at delivering it.
type CallbackLog struct {
	OutboxMessage
	Deliveries []CallbackAttempt
}

// LinkTimeline is everything that happened to a link, read at once for the
// dashboard's page of it.
type LinkTimeline struct {
	Link      *pinglinks.PaymentLink
	Payments  []*pinglinks.Payment // every attempt, oldest first
	Messages  []*Message           // distributions, reminders and receipts
	Reminders []*ScheduledReminder
	Invoice   *Invoice // nil without one
	Callbacks []CallbackLog
}

// Timeline reads one of the tenant's links with its whole history.
func (s *Store) Timeline(ctx context.Context, tenantID, linkID uuid.UUID) (*LinkTimeline, error) {
	db := s.q(ctx)
	l, err := s.Link(ctx, tenantID, linkID)
	if err != nil {
		return nil, err
	}
	t := &LinkTimeline{Link: l}
	rows, err := db.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE tenant_id = $1 AND link_id = $2
		ORDER BY id`, tenantID, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: timeline payments: %w", err)
	}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		t.Payments = append(t.Payments, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE tenant_id = $1 AND link_id = $2
		ORDER BY id`, tenantID, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: timeline messages: %w", err)
	}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		t.Messages = append(t.Messages, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if t.Reminders, err = s.LinkReminders(ctx, tenantID, linkID); err != nil {
		return nil, err
	}
	if l.InvoiceCreated {
		if t.Invoice, err = s.LinkInvoice(ctx, tenantID, linkID); err != nil {
			return nil, err
		}
	}
	subjects := []any{tenantID, linkID}
	marks := []string{"$2"}
	for _, p := range t.Payments {
		subjects = append(subjects, p.ID)
		marks = append(marks, fmt.Sprintf("$%d", len(subjects)))
	}
	rows, err = db.QueryContext(ctx, `SELECT id, tenant_id, kind, url, payload, status, attempts, created_at FROM outbox
		WHERE tenant_id = $1 AND subject_id IN (`+strings.Join(marks, ",")+`) ORDER BY id`, subjects...)
	if err != nil {
		return nil, fmt.Errorf("store: timeline callbacks: %w", err)
	}
	for rows.Next() {
		var c CallbackLog
		if err := rows.Scan(&c.ID, &c.TenantID, &c.Kind, &c.URL, &c.Payload, &c.Status, &c.Attempts, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		t.Callbacks = append(t.Callbacks, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range t.Callbacks {
		if t.Callbacks[i].Deliveries, err = s.CallbackAttempts(ctx, tenantID, t.Callbacks[i].ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Timeline event kinds.
const (
	EventCreated  = "created"
	EventOpened   = "opened"   // the payer first opened the checkout
	EventMessage  = "message"  // an SMS or e-mail: the link, a reminder or the receipt
	EventReminder = "reminder" // a reminder scheduled or stopped
	EventInvoice  = "invoice"  // the invoice was created
	EventPayment  = "payment"  // a payment attempt changed status
	EventRefund   = "refund"   // money was refunded
	EventFinished = "finished" // the link completed, expired or was cancelled
	EventCallback = "callback" // a callback to the tenant, with its attempts
)

// TimelineEvent is one line of a link's timeline; exactly one of the
// pointers is set for the kinds that have details.
type TimelineEvent struct {
	At       time.Time
	Kind     string
	Status   string // the new status, the message's or the callback's
	Payment  *pinglinks.Payment
	Refund   *pinglinks.Refund
	Message  *Message
	Reminder *ScheduledReminder
	Callback *CallbackLog
}

// Events lists the timeline in time order (ties keep the order of a
// link's life: created before paid before its callback).
func (t *LinkTimeline) Events() []TimelineEvent {
	l := t.Link
	ev := []TimelineEvent{{At: l.CreatedAt, Kind: EventCreated, Status: string(pinglinks.LinkCreated)}}
	if l.FirstOpenedAt != nil {
		ev = append(ev, TimelineEvent{At: *l.FirstOpenedAt, Kind: EventOpened})
	}
	for _, m := range t.Messages {
		at := m.CreatedAt
		if m.SentAt != nil {
			at = *m.SentAt
		}
		ev = append(ev, TimelineEvent{At: at, Kind: EventMessage, Status: m.Status, Message: m})
	}
	for _, r := range t.Reminders {
		at := r.SendAt
		if r.DoneAt != nil {
			at = *r.DoneAt
		}
		ev = append(ev, TimelineEvent{At: at, Kind: EventReminder, Status: r.Status, Reminder: r})
	}
	if t.Invoice != nil {
		ev = append(ev, TimelineEvent{At: t.Invoice.CreatedAt.UTC(), Kind: EventInvoice})
	}
	for _, p := range t.Payments {
		for _, ch := range p.StatusHistory {
			ev = append(ev, TimelineEvent{At: ch.OccurredAt, Kind: EventPayment, Status: string(ch.Status), Payment: p})
		}
		for i := range p.Refunds {
			ev = append(ev, TimelineEvent{At: p.Refunds[i].CreatedAt, Kind: EventRefund, Status: p.Refunds[i].Status,
				Payment: p, Refund: &p.Refunds[i]})
		}
	}
	if l.Status != pinglinks.LinkCreated {
		ev = append(ev, TimelineEvent{At: l.UpdatedAt, Kind: EventFinished, Status: string(l.Status)})
	}
	for i := range t.Callbacks {
		ev = append(ev, TimelineEvent{At: t.Callbacks[i].CreatedAt, Kind: EventCallback, Status: t.Callbacks[i].Status,
			Callback: &t.Callbacks[i]})
	}
	rank := map[string]int{EventCreated: 0, EventOpened: 1, EventInvoice: 2, EventMessage: 3, EventReminder: 3,
		EventPayment: 4, EventRefund: 5, EventFinished: 6, EventCallback: 7}
	sort.SliceStable(ev, func(i, j int) bool {
		if !ev[i].At.Equal(ev[j].At) {
			return ev[i].At.Before(ev[j].At)
		}
		return rank[ev[i].Kind] < rank[ev[j].Kind]
	})
	return ev
}
