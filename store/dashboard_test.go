package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

// link saves a link of amount to customer, offering methods, due on due.
func (f *fixture) link(t testing.TB, c pinglinks.Customer, amount int64, due string, methods ...pinglinks.LinkMethod) *pinglinks.PaymentLink {
	t.Helper()
	o := f.order(t)
	now := f.st.Now()
	if len(methods) == 0 {
		methods = []pinglinks.LinkMethod{{Provider: "dummy", Method: "dummy"}}
	}
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: f.tenant.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
		Currency: pinglinks.SEK, TotalAmount: amount, Provider: methods[0].Provider, Method: methods[0].Method,
		StatusCallbackURL: "https://tenant.example/payments",
		OrderItems:        []pinglinks.OrderItem{{Amount: amount, Name: "Honung", VATRate: 1200, MerchantID: f.merchant.ID}},
		StatusHistory:     []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}, CreatedAt: now, UpdatedAt: now}
	l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: f.tenant.ID, OrderID: o.ID, PaymentID: p.ID,
		Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
		Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated, Customer: c, DueDate: due,
		Supplier: pinglinks.Supplier{Name: "Biodlarna"},
		Items:    []pinglinks.LinkItem{{Description: "Honung", MerchantID: f.merchant.ID, Price: amount, Quantity: 1, VAT: 1200}},
		Currency: pinglinks.SEK, TotalAmount: amount, Locale: "sv-SE", StatusCallbackURL: "https://tenant.example/links",
		Methods: methods, CreatedAt: now, UpdatedAt: now}
	p.LinkID = l.ID
	if _, err := flow.New(f.st).CreateLink(f.ctx, f.tenant.ID, l, p); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSearchLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		swish := pinglinks.LinkMethod{Provider: "swish", Method: "e_commerce"}
		card := pinglinks.LinkMethod{Provider: "payment_iq", Method: "card"}
		asa := f.link(t, pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg-Lind", Email: "Asa@Example.com", Phone: "070-123 45 67"},
			12550, "2030-01-15", swish)
		per := f.link(t, pinglinks.Customer{FirstName: "Per", LastName: "Ek", Email: "per@example.se", Phone: "+47 412 34 567"},
			9900, "2030-03-01", card)
		anna := f.link(t, pinglinks.Customer{FirstName: "Anna", LastName: "Ek"}, 50000, "", card, swish)
		if _, err := flow.New(st).AssignReference(f.ctx, f.tenant.ID, per.ID, "OCR", reference.NewOCR); err != nil {
			t.Fatal(err)
		}
		per, _ = st.Link(f.ctx, f.tenant.ID, per.ID)
		inv := &store.Invoice{ReferenceType: "OCR", FileToken: "inv-" + pinglinks.NewID().String()}
		if err := flow.New(st).CreateInvoice(f.ctx, f.tenant.ID, anna.ID, inv, reference.NewOCR); err != nil {
			t.Fatal(err)
		}
		if _, err := flow.New(st).CancelLink(f.ctx, f.tenant.ID, asa.ID); err != nil { // its INITIATED payment stops with it
			t.Fatal(err)
		}
		names := map[uuid.UUID]string{asa.ID: "asa", per.ID: "per", anna.ID: "anna"}
		tests := []struct {
			name string
			f    store.LinkSearch
			want string // names, newest first
		}{
			{"all", store.LinkSearch{}, "anna per asa"},
			{"first name prefix, any case", store.LinkSearch{Query: "ÅS"}, "asa"},
			{"last name", store.LinkSearch{Query: "ek"}, "anna per"},
			{"both names", store.LinkSearch{Query: "anna ek"}, "anna"},
			{"hyphenated name part", store.LinkSearch{Query: "lind"}, "asa"},
			{"e-mail", store.LinkSearch{Query: "asa@example.com"}, "asa"},
			{"e-mail prefix", store.LinkSearch{Query: "per@"}, "per"},
			{"phone as written", store.LinkSearch{Query: "070 123 45 67"}, "asa"},
			{"phone in E.164", store.LinkSearch{Query: "+46701234567"}, "asa"},
			{"phone prefix as written", store.LinkSearch{Query: "0701"}, "asa"},
			{"phone prefix in E.164 without +", store.LinkSearch{Query: "4670"}, "asa"},
			{"phone with international prefix", store.LinkSearch{Query: "0047 412"}, "per"},
			{"Norwegian phone", store.LinkSearch{Query: "+4741234567"}, "per"},
			{"amount with comma", store.LinkSearch{Query: "125,50"}, "asa"},
			{"amount whole", store.LinkSearch{Query: "500"}, "anna"},
			{"OCR", store.LinkSearch{Query: per.Reference}, "per"},
			{"invoice number", store.LinkSearch{Query: fmt.Sprint(inv.Number)}, "anna"},
			{"no match", store.LinkSearch{Query: "zebra"}, ""},
			{"status", store.LinkSearch{Status: pinglinks.LinkCancelled}, "asa"},
			{"status and word", store.LinkSearch{Status: pinglinks.LinkCreated, Query: "ek"}, "anna per"},
			{"due from", store.LinkSearch{DueFrom: "2030-02-01"}, "per"},
			{"due to", store.LinkSearch{DueTo: "2030-02-01"}, "asa"},
			{"method", store.LinkSearch{Provider: "swish", Method: "e_commerce"}, "anna asa"},
			{"method with LIKE characters", store.LinkSearch{Provider: "swish", Method: "e%commerce"}, ""},
			{"created today", store.LinkSearch{CreatedFrom: st.Now().Add(-time.Hour), CreatedTo: st.Now().Add(time.Hour)}, "anna per asa"},
			{"created before", store.LinkSearch{CreatedTo: st.Now().Add(-time.Hour)}, ""},
		}
		for _, tc := range tests {
			got, _, err := st.SearchLinks(f.ctx, f.tenant.ID, tc.f, store.Page{})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var s string
			for i, l := range got {
				if i > 0 {
					s += " "
				}
				s += names[l.ID]
			}
			if s != tc.want {
				t.Errorf("%s: got %q, want %q", tc.name, s, tc.want)
			}
		}
		// Cursor paging, newest first, and back.
		page1, info, err := st.SearchLinks(f.ctx, f.tenant.ID, store.LinkSearch{}, store.Page{Limit: 2})
		if err != nil || len(page1) != 2 || !info.HasNext || info.HasPrevious || page1[0].ID != anna.ID {
			t.Fatalf("page 1: %d %+v %v", len(page1), info, err)
		}
		page2, info, _ := st.SearchLinks(f.ctx, f.tenant.ID, store.LinkSearch{}, store.Page{Limit: 2, After: page1[1].ID})
		if len(page2) != 1 || page2[0].ID != asa.ID || info.HasNext || !info.HasPrevious {
			t.Fatalf("page 2: %d %+v", len(page2), info)
		}
		back, info, _ := st.SearchLinks(f.ctx, f.tenant.ID, store.LinkSearch{}, store.Page{Limit: 2, Before: page2[0].ID})
		if len(back) != 2 || back[0].ID != anna.ID || back[1].ID != per.ID || info.HasPrevious {
			t.Fatalf("back: %d %+v", len(back), info)
		}
		// Another tenant finds none of them, whatever it searches.
		other := testdb.NewTenant(t, st, "other")
		for _, q := range []string{"", "ek", "asa@example.com", "125,50"} {
			if got, _, _ := st.SearchLinks(f.ctx, other.ID, store.LinkSearch{Query: q}, store.Page{}); len(got) != 0 {
				t.Errorf("another tenant's search %q found %d links", q, len(got))
			}
		}
	})
}

func TestTimeline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		// A clock that ticks at every reading puts each event at its own time.
		tick := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
		st.Now = func() time.Time { tick = tick.Add(time.Millisecond); return tick }
		f := newFixture(t, st)
		l := f.link(t, pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg", Email: "asa@example.com"}, 7000, "")
		if err := flow.New(st).Distribute(f.ctx, f.tenant.ID, l.ID, []store.Recipient{{Channel: store.ChannelEmail, Address: "asa@example.com"}}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := st.RecordLinkOpened(f.ctx, f.tenant.ID, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		opened, _ := st.Link(f.ctx, f.tenant.ID, l.ID)
		if opened.FirstOpenedAt == nil {
			t.Fatal("first opening not recorded")
		}
		first := *opened.FirstOpenedAt
		if _, err := flow.New(st).UpdatePayment(f.ctx, f.tenant.ID, l.OrderID, l.PaymentID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if err := st.RecordLinkOpened(f.ctx, f.tenant.ID, l.ID); err != nil {
			t.Fatal(err)
		}
		tl, err := st.Timeline(f.ctx, f.tenant.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !tl.Link.FirstOpenedAt.Equal(first) {
			t.Errorf("the first opening moved: %v, was %v", tl.Link.FirstOpenedAt, first)
		}
		if len(tl.Payments) != 1 || len(tl.Messages) != 2 { // the link's e-mail, the receipt
			t.Fatalf("payments %d, messages %d", len(tl.Payments), len(tl.Messages))
		}
		// The payment's INITIATED and COMPLETED callbacks and the link's COMPLETED one.
		if len(tl.Callbacks) != 2 {
			for _, c := range tl.Callbacks {
				t.Logf("callback %s %s", c.Kind, c.Payload)
			}
			t.Fatalf("callbacks %d", len(tl.Callbacks))
		}
		var kinds []string
		for _, e := range tl.Events() {
			kinds = append(kinds, e.Kind+":"+e.Status)
		}
		want := []string{"created:CREATED", "payment:INITIATED", "message:QUEUED", "opened:", "payment:COMPLETED",
			"finished:COMPLETED", "callback:PENDING", "callback:PENDING", "message:QUEUED"}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Errorf("events %v\nwant %v", kinds, want)
		}
		if _, err := st.Timeline(f.ctx, testdb.NewTenant(t, st, "other").ID, l.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Errorf("another tenant's timeline: %v", err)
		}
	})
}

func TestSavedProductsAndCustomers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		other := testdb.NewTenant(t, st, "other")
		p := &pinglinks.Product{ID: pinglinks.NewID(), Description: "Honung 500 g", Price: 7000, Currency: pinglinks.SEK,
			VAT: 1200, Unit: "burk", MerchantID: f.merchant.ID, CreatedAt: st.Now()}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveProduct(f.ctx, other.ID, p); !errors.Is(err, store.ErrUnknownMerchant) {
			t.Errorf("a product of another tenant's merchant: %v", err)
		}
		if err := st.SaveProduct(f.ctx, f.tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		ps, err := st.Products(f.ctx, f.tenant.ID)
		if err != nil || len(ps) != 1 || *ps[0] != (pinglinks.Product{ID: p.ID, TenantID: f.tenant.ID, Description: p.Description,
			Price: 7000, Currency: pinglinks.SEK, VAT: 1200, Unit: "burk", MerchantID: f.merchant.ID, CreatedAt: p.CreatedAt}) {
			t.Fatalf("products %+v, %v", ps, err)
		}
		c := &pinglinks.SavedCustomer{ID: pinglinks.NewID(), Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg",
			Email: "asa@example.com", Phone: "070  123"}, Address: &pinglinks.Address{StreetAddress: "Storgatan 1", Zip: "753 20", City: "Uppsala"},
			CreatedAt: st.Now()}
		if err := c.Validate(); err != nil || c.Customer.Phone != "070 123" {
			t.Fatalf("validate %v, phone %q", err, c.Customer.Phone)
		}
		if err := st.SaveCustomer(f.ctx, f.tenant.ID, c); err != nil {
			t.Fatal(err)
		}
		got, err := st.Customer(f.ctx, f.tenant.ID, c.ID)
		if err != nil || got.Customer != c.Customer || *got.Address != *c.Address {
			t.Fatalf("customer %+v, %v", got, err)
		}
		for name, n := range map[string]func() int{
			"products":  func() int { l, _ := st.Products(f.ctx, other.ID); return len(l) },
			"customers": func() int { l, _ := st.Customers(f.ctx, other.ID); return len(l) },
		} {
			if n() != 0 {
				t.Errorf("another tenant sees %s", name)
			}
		}
		if err := st.DeleteCustomer(f.ctx, other.ID, c.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Errorf("another tenant deleted a customer: %v", err)
		}
		if err := st.DeleteProduct(f.ctx, f.tenant.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteCustomer(f.ctx, f.tenant.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if ps, _ := st.Products(f.ctx, f.tenant.ID); len(ps) != 0 {
			t.Errorf("deleted product still listed")
		}
		bad := &pinglinks.Product{Description: " ", Price: -1, Currency: "USD", VAT: 10001}
		if err := bad.Validate(); err == nil {
			t.Error("a product without description, with negative price, unknown currency and VAT over 100 % passed")
		}
	})
}

// FuzzSearchQuery sends any text as a dashboard search on both engines: it
// is never an error (FTS5's query syntax on SQLite, term ranges on
// PostgreSQL, both built from it), and it finds only the tenant's links.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{"ÅS", `"`, "*", "NOT ek", "per OR ek", "ek*", "0701", "+46 70", "(", "\x00", "125,50",
		"n:per", "e:", "per@", "-", strings.Repeat("å", 400), "\xff\xfe", "AND", "^ek", "ek:per", "NEAR(a b)"} {
		f.Add(q)
	}
	type engine struct {
		st     *store.Store
		tenant uuid.UUID
		links  map[uuid.UUID]bool
	}
	var engines []engine
	for _, e := range testdb.Engines {
		st := testdb.Open(f, e)
		fx := newFixture(f, st)
		links := map[uuid.UUID]bool{}
		for _, c := range []pinglinks.Customer{
			{FirstName: "Per", LastName: "Ek", Email: "per@example.se", Phone: "0701234567"},
			{FirstName: "Åsa", LastName: "Öberg-Lind"},
		} {
			links[fx.link(f, c, 12550, "").ID] = true
		}
		other := newFixture(f, st)
		other.link(f, pinglinks.Customer{FirstName: "Per", LastName: "Ek", Email: "per@example.se"}, 12550, "")
		engines = append(engines, engine{st, fx.tenant.ID, links})
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, e := range engines {
			got, _, err := e.st.SearchLinks(context.Background(), e.tenant, store.LinkSearch{Query: q}, store.Page{})
			if err != nil {
				t.Fatalf("%s: search %q: %v", e.st.Engine(), q, err)
			}
			for _, l := range got {
				if !e.links[l.ID] {
					t.Fatalf("%s: search %q found another tenant's link", e.st.Engine(), q)
				}
			}
		}
	})
}
