// Package reminder sends a link again before and on its due date, as the
// link's reminders say. Like the expiry sweep its state is the database's:
// each reminder is settled in one transaction together with the messages
// it queues, so a crash or a second process never sends one twice, and a
// link paid, cancelled or expired meanwhile gets no reminder.
package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/store"
)

// Sweeper periodically sends due reminders.
type Sweeper struct {
	Store    *store.Store
	Log      *slog.Logger
	Interval time.Duration // between sweeps; default 1 min
	Batch    int           // reminders per query; default 100
}

// Run sweeps at once and then every Interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("reminder sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SweepOnce settles every due reminder and reports how many it sent.
func (s *Sweeper) SweepOnce(ctx context.Context) (sent int, err error) {
	batch := s.Batch
	if batch <= 0 {
		batch = 100
	}
	for {
		due, err := s.Store.DueReminders(ctx, s.Store.Now(), batch)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		for _, r := range due {
			var queued bool
			if _, err := s.Store.SendReminder(ctx, r.TenantID, r.ID, func(l *pinglinks.PaymentLink, r *store.ScheduledReminder) (store.ReminderDecision, error) {
				d := Decide(l, r.Channels)
				queued = len(d.To) > 0
				return d, nil
			}); err != nil {
				return sent, err
			}
			if queued {
				sent++
			}
		}
		if len(due) < batch {
			return sent, nil
		}
	}
}

// Decide says where a reminder of l goes: nowhere once the link is no
// longer open; else to the customer's mobile number and e-mail address for
// each channel that has one.
func Decide(l *pinglinks.PaymentLink, channels []string) store.ReminderDecision {
	if l.Status != pinglinks.LinkCreated {
		return store.ReminderDecision{Reason: fmt.Sprintf("not sent: the link is %s", l.Status)}
	}
	var d store.ReminderDecision
	for _, c := range channels {
		switch c {
		case pinglinks.RemindBySMS:
			if n, err := phone.Mobile(l.Customer.Phone, l.Locale.Region()); err == nil {
				d.To = append(d.To, store.Recipient{Channel: store.ChannelSMS, Address: n})
			}
		case pinglinks.RemindByEmail:
			if pinglinks.ValidEmail(l.Customer.Email) {
				d.To = append(d.To, store.Recipient{Channel: store.ChannelEmail, Address: l.Customer.Email})
			}
		}
	}
	if len(d.To) == 0 {
		d.Reason = "not sent: the customer has no mobile number or e-mail address for its methods"
	}
	return d
}
