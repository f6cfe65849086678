package flow_test

import (
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/flowtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestCreateLinkRefusesAsBefore: a link is written by one statement that
// checks the order and the merchants; every refusal is still reported as the
// rule it breaks, and writes nothing.
func TestCreateLinkRefusesAsBefore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "links")
		other := flowtest.NewWorld(t, st, "other")
		link := func(o *pinglinks.PaymentOrder, cur pinglinks.Currency, merchants ...*pinglinks.Merchant) (*pinglinks.PaymentLink, *pinglinks.Payment) {
			now := st.Now()
			l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: w.Tn.ID, OrderID: o.ID,
				Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
				Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
				Customer: pinglinks.Customer{FirstName: "Åsa"}, Supplier: pinglinks.Supplier{Name: "Biodlarna"},
				Currency: cur, Locale: "sv-SE", Methods: []pinglinks.LinkMethod{{Provider: "dummy", Method: "dummy"}},
				CreatedAt: now, UpdatedAt: now}
			for _, m := range merchants {
				l.Items = append(l.Items, pinglinks.LinkItem{Description: "Honey", MerchantID: m.ID, Price: 5000, Quantity: 1, VAT: 1200})
				l.TotalAmount += 5000
			}
			p := l.NewPayment(l.Methods[0], now)
			l.PaymentID = p.ID
			return l, p
		}
		stranger := &pinglinks.Merchant{ID: pinglinks.NewID()}
		closed := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderClosed,
			Currency: pinglinks.SEK, SplitTreeID: w.Tn.DefaultSplitTreeID, CreatedAt: st.Now()}
		if err := st.CreateOrder(w.Ctx, w.Tn.ID, closed); err != nil {
			t.Fatal(err)
		}
		linked := w.Order(t, pinglinks.SEK)
		if l, p := link(linked, pinglinks.SEK, w.M, w.M); createLink(st, w, l, p) != nil {
			t.Fatal("the first link of an open order")
		}
		paid := w.Order(t, pinglinks.SEK)
		w.Payment(t, paid, "", 100)
		links, payments := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_links`), flowtest.CountRows(t, st, `SELECT count(*) FROM payments`)

		for _, tc := range []struct {
			name     string
			order    *pinglinks.PaymentOrder
			currency pinglinks.Currency
			items    []*pinglinks.Merchant
			code     string
			property string
		}{
			{"another tenant's order", other.Order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeForbidden, "payment_order_id"},
			{"no such order", &pinglinks.PaymentOrder{ID: pinglinks.NewID()}, pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeForbidden, "payment_order_id"},
			{"closed order", closed, pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeOrderClosed, ""},
			{"order with an open link", linked, pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeForbidden, ""},
			{"order with payments of its own", paid, pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeForbidden, ""},
			{"another currency", w.Order(t, pinglinks.EUR), pinglinks.SEK, []*pinglinks.Merchant{w.M}, pinglinks.ECodeInvalid, "currency"},
			{"unknown merchant", w.Order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{w.M, stranger}, pinglinks.ECodeInvalid, "items[1].merchant_id"},
			{"another tenant's merchant", w.Order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{other.M}, pinglinks.ECodeInvalid, "items[0].merchant_id"},
		} {
			l, p := link(tc.order, tc.currency, tc.items...)
			err := createLink(st, w, l, p)
			if tc.code == pinglinks.ECodeInvalid {
				flowtest.WantInvalid(t, tc.name, err, tc.property)
			} else {
				flowtest.WantCode(t, tc.name, err, tc.code)
				if e, ok := err.(*pinglinks.Error); ok && e.Property != tc.property {
					t.Errorf("%s: property %q, want %q", tc.name, e.Property, tc.property)
				}
			}
		}
		if l, p := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_links`), flowtest.CountRows(t, st, `SELECT count(*) FROM payments`); l != links || p != payments {
			t.Errorf("refusals wrote: %d links and %d payments, want %d and %d", l, p, links, payments)
		}
	})
}

// createLink creates a link through its use case, which tries the one
// statement first.
func createLink(st *store.Store, w *flowtest.World, l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
	_, err := flow.New(st).CreateLink(w.Ctx, w.Tn.ID, l, p)
	return err
}
