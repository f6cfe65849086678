package store_test

import (
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestCreateLinkRefusesAsBefore: a link is written by one statement that
// checks the order and the merchants; every refusal is still reported as the
// rule it breaks, and writes nothing.
func TestCreateLinkRefusesAsBefore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "links")
		other := newWorld(t, st, "other")
		link := func(o *pinglinks.PaymentOrder, cur pinglinks.Currency, merchants ...*pinglinks.Merchant) (*pinglinks.PaymentLink, *pinglinks.Payment) {
			now := st.Now()
			l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: w.tn.ID, OrderID: o.ID,
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
		closed := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.tn.ID, Status: pinglinks.OrderClosed,
			Currency: pinglinks.SEK, SplitTreeID: w.tn.DefaultSplitTreeID, CreatedAt: st.Now()}
		if err := st.CreateOrder(w.ctx, w.tn.ID, closed); err != nil {
			t.Fatal(err)
		}
		linked := w.order(t, pinglinks.SEK)
		if l, p := link(linked, pinglinks.SEK, w.m, w.m); st.CreateLink(w.ctx, w.tn.ID, l, p) != nil {
			t.Fatal("the first link of an open order")
		}
		paid := w.order(t, pinglinks.SEK)
		w.payment(t, paid, "", 100)
		links, payments := countRows(t, st, `SELECT count(*) FROM payment_links`), countRows(t, st, `SELECT count(*) FROM payments`)

		for _, tc := range []struct {
			name     string
			order    *pinglinks.PaymentOrder
			currency pinglinks.Currency
			items    []*pinglinks.Merchant
			code     string
			property string
		}{
			{"another tenant's order", other.order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeForbidden, "payment_order_id"},
			{"no such order", &pinglinks.PaymentOrder{ID: pinglinks.NewID()}, pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeForbidden, "payment_order_id"},
			{"closed order", closed, pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeOrderClosed, ""},
			{"order with an open link", linked, pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeForbidden, ""},
			{"order with payments of its own", paid, pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeForbidden, ""},
			{"another currency", w.order(t, pinglinks.EUR), pinglinks.SEK, []*pinglinks.Merchant{w.m}, pinglinks.ECodeInvalid, "currency"},
			{"unknown merchant", w.order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{w.m, stranger}, pinglinks.ECodeInvalid, "items[1].merchant_id"},
			{"another tenant's merchant", w.order(t, pinglinks.SEK), pinglinks.SEK, []*pinglinks.Merchant{other.m}, pinglinks.ECodeInvalid, "items[0].merchant_id"},
		} {
			l, p := link(tc.order, tc.currency, tc.items...)
			err := st.CreateLink(w.ctx, w.tn.ID, l, p)
			if tc.code == pinglinks.ECodeInvalid {
				wantInvalid(t, tc.name, err, tc.property)
			} else {
				wantCode(t, tc.name, err, tc.code)
				if e, ok := err.(*pinglinks.Error); ok && e.Property != tc.property {
					t.Errorf("%s: property %q, want %q", tc.name, e.Property, tc.property)
				}
			}
		}
		if l, p := countRows(t, st, `SELECT count(*) FROM payment_links`), countRows(t, st, `SELECT count(*) FROM payments`); l != links || p != payments {
			t.Errorf("refusals wrote: %d links and %d payments, want %d and %d", l, p, links, payments)
		}
	})
}
