package reminder_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/reminder"
	"github.com/pinglinks/pinglinks/store"
)

// at moves the store's clock to 10:00 Stockholm time, days before date.
func at(e *apitest.Env, date string, daysBefore int) func() {
	d, _ := time.ParseInLocation(time.DateOnly, date, pinglinks.Stockholm)
	d = d.AddDate(0, 0, -daysBefore).Add(10 * time.Hour)
	real := e.Store.Now
	e.Store.Now = func() time.Time { return d.UTC() }
	return func() { e.Store.Now = real }
}

func reminders(t *testing.T, e *apitest.Env, id string) []*store.ScheduledReminder {
	t.Helper()
	rs, err := e.Store.LinkReminders(context.Background(), e.Tenant.ID, uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func messages(t *testing.T, e *apitest.Env, id string) map[string]int {
	t.Helper()
	ms, err := e.Store.LinkMessages(context.Background(), e.Tenant.ID, uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range ms {
		out[m.Kind+"/"+m.Channel]++
	}
	return out
}

func TestRemindersBeforeAndOnTheDueDate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 10).Format(time.DateOnly)
		withReminders := func(b map[string]any) {
			b["due_date"] = due
			b["reminders"] = map[string]any{"methods": []string{"sms", "email"}, "days_before": 3}
		}
		open, cancelled, paid := e.NewLink(t, withReminders), e.NewLink(t, withReminders), e.NewLink(t, withReminders)
		if rs := reminders(t, e, open.ID); len(rs) != 2 || rs[0].DaysBefore != 3 || rs[1].DaysBefore != 0 ||
			rs[0].Status != store.ReminderScheduled {
			t.Fatalf("schedule: %+v", rs)
		}
		var got struct {
			Reminders *pinglinks.Reminders `json:"reminders"`
		}
		e.Do(t, "GET", "/payment_links/api/v1/payment_links/"+open.ID, nil).Want(t, 200).JSON(t, &got)
		if got.Reminders == nil || got.Reminders.DaysBefore != 3 || !got.Reminders.OnDueDate || len(got.Reminders.Channels) != 2 {
			t.Fatalf("GET shows reminders %+v", got.Reminders)
		}
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+cancelled.ID+"/cancel", nil).Want(t, 204)
		l, err := e.Store.Link(ctx, e.Tenant.ID, uuid.MustParse(paid.ID))
		if err != nil {
			t.Fatal(err)
		}
		completeLink(t, e, l)

		s := &reminder.Sweeper{Store: e.Store}
		if n, err := s.SweepOnce(ctx); err != nil || n != 0 {
			t.Fatalf("ten days before: sent %d, %v", n, err)
		}
		restore := at(e, due, 3)
		if n, err := s.SweepOnce(ctx); err != nil || n != 1 {
			t.Fatalf("three days before: sent %d, %v; want 1 (the open link)", n, err)
		}
		if n, _ := s.SweepOnce(ctx); n != 0 {
			t.Fatalf("a second sweep sent %d more", n)
		}
		if m := messages(t, e, open.ID); m["reminder/sms"] != 1 || m["reminder/email"] != 1 {
			t.Fatalf("open link's messages %v", m)
		}
		for _, id := range []string{cancelled.ID, paid.ID} {
			if m := messages(t, e, id); m["reminder/sms"]+m["reminder/email"] != 0 {
				t.Errorf("a finished link got reminders: %v", m)
			}
			rs := reminders(t, e, id)
			if rs[0].Status != store.ReminderStopped || !strings.Contains(rs[0].Note, "the link is") {
				t.Errorf("finished link's reminder %+v", rs[0])
			}
		}
		// The messaging worker sends them as reminders (kept in the sandbox outbox).
		if _, err := e.Platform.Messages.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _ := e.Store.RecentMessages(ctx, e.Tenant.ID, 20)
		var sms, mail *store.Message
		for _, m := range ms {
			if m.LinkID.String() == open.ID && m.Kind == store.MessageReminder {
				if m.Channel == store.ChannelSMS {
					sms = m
				} else {
					mail = m
				}
			}
		}
		if sms == nil || sms.Status != store.MessageKept || !strings.HasPrefix(sms.Text, "Påminnelse") || sms.Recipient != "+46701234567" {
			t.Errorf("reminder SMS %+v", sms)
		}
		if mail == nil || mail.Status != store.MessageKept || !strings.HasPrefix(mail.Subject, "Påminnelse") {
			t.Errorf("reminder e-mail %+v", mail)
		}
		restore()
		// On the due date: the second reminder, once.
		defer at(e, due, 0)()
		if n, err := s.SweepOnce(ctx); err != nil || n != 1 {
			t.Fatalf("on the due date: sent %d, %v", n, err)
		}
		if m := messages(t, e, open.ID); m["reminder/sms"] != 2 || m["reminder/email"] != 2 {
			t.Fatalf("after the due date's reminder: %v", m)
		}
	})
}

// completeLink pays the link's own payment through the sandbox's dummy rail.
func completeLink(t *testing.T, e *apitest.Env, l *pinglinks.PaymentLink) {
	t.Helper()
	_, err := e.Flow.UpdatePayment(context.Background(), e.Tenant.ID, l.OrderID, l.PaymentID,
		func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentCompleted, e.Store.Now())
		})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.Store.Link(context.Background(), e.Tenant.ID, l.ID)
	if got.Status != pinglinks.LinkCompleted {
		t.Fatalf("link is %s after its payment completed", got.Status)
	}
}

// Several sweeps at once (two processes, or one restarted mid-sweep) send
// each reminder once.
func TestConcurrentSweepsSendOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 5).Format(time.DateOnly)
		var ids []string
		for range 4 {
			ids = append(ids, e.NewLink(t, func(b map[string]any) {
				b["due_date"] = due
				b["reminders"] = map[string]any{"methods": []string{"email"}, "on_due_date": true}
			}).ID)
		}
		defer at(e, due, 0)()
		var wg sync.WaitGroup
		sent := make([]int, 4)
		for i := range sent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := (&reminder.Sweeper{Store: e.Store, Batch: 1}).SweepOnce(context.Background())
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			}()
		}
		wg.Wait()
		if total := sent[0] + sent[1] + sent[2] + sent[3]; total != 4 {
			t.Errorf("sweeps sent %v reminders in all, want 4", sent)
		}
		for _, id := range ids {
			if m := messages(t, e, id); m["reminder/email"] != 1 {
				t.Errorf("link %s: %v", id, m)
			}
		}
	})
}

func TestTenantDefaultReminders(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		def := &pinglinks.Reminders{Channels: []string{"sms", "email"}, DaysBefore: 2, OnDueDate: true}
		e.NewLink(t, nil) // the API now holds the tenant, without defaults, in its cache
		if err := e.Store.SetTenantReminders(ctx, e.Tenant.ID, def); err != nil {
			t.Fatal(err)
		}
		e.API.ForgetTenant(e.Tenant.ID) // as the dashboard's settings page does (Handler.TenantChanged)
		due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 7).Format(time.DateOnly)
		// Left out: the default, on the channels the customer has.
		noPhone := e.NewLink(t, func(b map[string]any) {
			b["due_date"] = due
			b["customer"] = map[string]any{"first_name": "Per", "last_name": "Ek", "email": "per@example.com"}
		})
		rs := reminders(t, e, noPhone.ID)
		if len(rs) != 2 || len(rs[0].Channels) != 1 || rs[0].Channels[0] != "email" {
			t.Fatalf("default reminders of a customer without phone: %+v", rs)
		}
		// Turned off for one link.
		off := e.NewLink(t, func(b map[string]any) {
			b["due_date"] = due
			b["reminders"] = map[string]any{"methods": []string{}}
		})
		if rs := reminders(t, e, off.ID); len(rs) != 0 {
			t.Fatalf("reminders turned off, yet %+v", rs)
		}
		// No due date: nothing to remind of.
		if rs := reminders(t, e, e.NewLink(t, nil).ID); len(rs) != 0 {
			t.Fatalf("a link without due date has reminders %+v", rs)
		}
		tn, err := e.Store.Tenant(ctx, e.Tenant.ID)
		if err != nil || tn.Reminders == nil || tn.Reminders.DaysBefore != 2 {
			t.Fatalf("tenant reminders %+v, %v", tn, err)
		}
		if err := e.Store.SetTenantReminders(ctx, e.Tenant.ID, nil); err != nil {
			t.Fatal(err)
		}
		if tn, err := e.Store.Tenant(ctx, e.Tenant.ID); err != nil || tn.Reminders != nil {
			t.Fatalf("cleared, yet %+v, %v", tn, err)
		}
	})
}
