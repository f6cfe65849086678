package expiry_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/expiry"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

func TestSweepOnce(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		today := time.Now().In(pinglinks.Stockholm).Format(time.DateOnly)
		later := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 30).Format(time.DateOnly)
		due := func(date string) func(map[string]any) {
			return func(b map[string]any) {
				if date != "" {
					b["due_date"] = date
				}
			}
		}
		unpaid, inProgress, notYet, noDate := e.NewLink(t, due(today)), e.NewLink(t, due(today)), e.NewLink(t, due(later)), e.NewLink(t, due(""))
		// The payer is in a 3-D Secure challenge on one of them.
		form := url.Values{"method": {"payment_iq/card"}, "first_name": {"Åsa"}, "last_name": {"Öberg"},
			"card_number": {"4000002760003184"}, "card_expiry": {"12/30"}, "card_cvc": {"123"}}
		resp, err := http.Post(inProgress.CheckoutURL+"/pay", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()

		s := &expiry.Sweeper{Store: e.Store}
		if n, err := s.SweepOnce(context.Background()); err != nil || n != 0 {
			t.Fatalf("before the due dates: expired %d, %v", n, err)
		}
		real := e.Store.Now
		e.Store.Now = func() time.Time { return real().Add(48 * time.Hour) }
		defer func() { e.Store.Now = real }()
		if n, err := s.SweepOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("after: expired %d, %v; want 1", n, err)
		}
		want := map[string]string{unpaid.ID: pinglinks.LinkExpired, inProgress.ID: pinglinks.LinkCreated,
			notYet.ID: pinglinks.LinkCreated, noDate.ID: pinglinks.LinkCreated}
		for id, status := range want {
			l, err := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(id))
			if err != nil {
				t.Fatal(err)
			}
			if l.Status != status {
				t.Errorf("link %s is %s, want %s", id, l.Status, status)
			}
		}
		// The unstarted payment of the expired link expired with it.
		l, _ := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(unpaid.ID))
		p, _ := e.Store.Payment(context.Background(), e.Tenant.ID, l.OrderID, l.PaymentID)
		if p.Status != pinglinks.PaymentExpired {
			t.Errorf("its payment is %s", p.Status)
		}
		if n, _ := s.SweepOnce(context.Background()); n != 0 {
			t.Errorf("a second sweep expired %d more", n)
		}
	})
}
