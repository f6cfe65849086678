package flow_test

import (
	"context"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestLinkPaidAtMostOnce makes many payment attempts for one link (the payer
// retrying, a second tab, a second device) and has goroutines complete them
// all at once. Exactly one completes; the link is COMPLETED once, names that
// payment, and has exactly one COMPLETED callback.
func TestLinkPaidAtMostOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tn := testdb.NewTenant(t, st, "race")
		now := st.Now()
		m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
			Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: now}
		if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, true); err != nil {
			t.Fatal(err)
		}
		o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.SEK,
			SplitTreeID: tn.DefaultSplitTreeID, CreatedAt: now}
		if err := st.CreateOrder(ctx, tn.ID, o); err != nil {
			t.Fatal(err)
		}
		newPayment := func() *pinglinks.Payment {
			p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: tn.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
				Currency: pinglinks.SEK, TotalAmount: 5000, Provider: "dummy", Method: "dummy",
				OrderItems:    []pinglinks.OrderItem{{Amount: 5000, Name: "Honey", VATRate: 1200, MerchantID: m.ID}},
				StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}, CreatedAt: now, UpdatedAt: now}
			return p
		}
		first := newPayment()
		l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: tn.ID, OrderID: o.ID, PaymentID: first.ID,
			Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
			Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
			Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg"}, Supplier: pinglinks.Supplier{Name: "Biodlarna"},
			Items:    []pinglinks.LinkItem{{Description: "Honey", MerchantID: m.ID, Price: 5000, Quantity: 1, VAT: 1200}},
			Currency: pinglinks.SEK, TotalAmount: 5000, Locale: "sv-SE", StatusCallbackURL: "https://tenant.example/links",
			Methods: []pinglinks.LinkMethod{{Provider: "dummy", Method: "dummy"}}, CreatedAt: now, UpdatedAt: now}
		first.LinkID = l.ID
		if _, err := flow.New(st).CreateLink(ctx, tn.ID, l, first); err != nil {
			t.Fatal(err)
		}
		const attempts = 12
		payments := []*pinglinks.Payment{first}
		for range attempts - 1 {
			p := newPayment()
			p.LinkID = l.ID
			if err := flow.New(st).CreatePayment(ctx, tn.ID, p); err != nil {
				t.Fatal(err)
			}
			payments = append(payments, p)
		}

		var wg sync.WaitGroup
		errs := make([]error, attempts)
		start := make(chan struct{})
		for i, p := range payments {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = flow.New(st).UpdatePayment(ctx, tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
					return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
				})
			}()
		}
		close(start)
		wg.Wait()

		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("payments %d and %d both completed the link", won, i)
			case err == nil:
				won = i
			case pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden:
				t.Fatalf("attempt %d: unexpected error %v", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no attempt completed the link")
		}
		got, err := st.Link(ctx, tn.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != pinglinks.LinkCompleted || got.PaymentID != payments[won].ID {
			t.Fatalf("link %s names payment %s, winner %s", got.Status, got.PaymentID, payments[won].ID)
		}
		completed := 0
		for _, p := range payments {
			pp, err := st.Payment(ctx, tn.ID, o.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if pp.Status == pinglinks.PaymentCompleted {
				completed++
			}
		}
		msgs, _, err := st.Outbox(ctx, tn.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		linkCallbacks := 0
		for _, m := range msgs {
			if m.Kind == store.KindLinkStatus {
				linkCallbacks++
			}
		}
		if completed != 1 || linkCallbacks != 1 {
			t.Fatalf("%d payments COMPLETED and %d link callbacks, want 1 and 1", completed, linkCallbacks)
		}
	})
}
