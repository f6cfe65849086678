// Package flowtest is the fixture of the use-case tests in store and flow:
// a tenant with an approved merchant on one engine, and the orders and
// payments the tests start from, made through package flow.
package flowtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// World is one tenant with one approved merchant.
type World struct {
	St  *store.Store
	Ctx context.Context
	Tn  testdb.Tenant
	M   *pinglinks.Merchant
}

// NewWorld makes a tenant called name in st, with an approved merchant.
func NewWorld(t testing.TB, st *store.Store, name string) *World {
	t.Helper()
	w := &World{St: st, Ctx: context.Background(), Tn: testdb.NewTenant(t, st, name)}
	w.M = w.Merchant(t, "Honungsboden", true)
	return w
}

// Merchant adds a Norwegian merchant, approved or awaiting review.
func (w *World) Merchant(t testing.TB, name string, approve bool) *pinglinks.Merchant {
	t.Helper()
	m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: name, Status: pinglinks.MerchantCreated,
		Organization: &pinglinks.Organization{Country: "NO", NOOrganizationNumber: "923609016"}, CreatedAt: w.St.Now()}
	if err := flow.New(w.St).CreateMerchant(w.Ctx, w.Tn.ID, m, approve); err != nil {
		t.Fatal(err)
	}
	return m
}

// Order stores an OPEN order in cur on the tenant's default split tree.
func (w *World) Order(t testing.TB, cur pinglinks.Currency) *pinglinks.PaymentOrder {
	t.Helper()
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen, Currency: cur,
		SplitTreeID: w.Tn.DefaultSplitTreeID, CreatedAt: w.St.Now()}
	if err := w.St.CreateOrder(w.Ctx, w.Tn.ID, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// NewPayment builds (does not store) an INITIATED payment of o, one item
// per amount, all to w.M.
func (w *World) NewPayment(o *pinglinks.PaymentOrder, callback string, amounts ...int64) *pinglinks.Payment {
	now := w.St.Now()
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: w.Tn.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
		Currency: o.Currency, Provider: "dummy", Method: "dummy", StatusCallbackURL: callback,
		StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}, CreatedAt: now, UpdatedAt: now}
	for i, a := range amounts {
		p.OrderItems = append(p.OrderItems, pinglinks.OrderItem{Amount: a, Name: fmt.Sprint("item ", i), VATRate: 2500, MerchantID: w.M.ID})
		p.TotalAmount += a
	}
	return p
}

// NewLink builds (does not store) an open link of o: one item of 50.00 SEK
// to m, paid with the dummy method.
func (w *World) NewLink(o *pinglinks.PaymentOrder, m *pinglinks.Merchant) *pinglinks.PaymentLink {
	now := w.St.Now()
	return &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: w.Tn.ID, OrderID: o.ID,
		Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
		Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
		Customer: pinglinks.Customer{FirstName: "Åsa"}, Supplier: pinglinks.Supplier{Name: "Biodlarna"},
		Items:    []pinglinks.LinkItem{{Description: "Honey", MerchantID: m.ID, Price: 5000, Quantity: 1, VAT: 1200}},
		Currency: pinglinks.SEK, TotalAmount: 5000, Locale: "sv-SE",
		Methods: []pinglinks.LinkMethod{{Provider: "dummy", Method: "dummy"}}, CreatedAt: now, UpdatedAt: now}
}

// Keyed runs step as a keyed create does (store.IdempotentClaimLate under
// key), answering 201 when step succeeds.
func (w *World) Keyed(key string, step func(ctx context.Context) error) error {
	_, err := w.St.IdempotentClaimLate(w.Ctx, w.Tn.ID, key, "fp", func(ctx context.Context) (store.StoredResponse, error) {
		if err := step(ctx); err != nil {
			return store.StoredResponse{}, err
		}
		return store.StoredResponse{StatusCode: 201}, nil
	})
	return err
}

// Wins counts the racers whose errs entry is nil and reports, as what i,
// every other that is not a 403: those racing for one thing only one may
// have.
func Wins(t testing.TB, what string, errs []error) int {
	t.Helper()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden:
			t.Errorf("%s %d: %v; want 403", what, i, err)
		}
	}
	return won
}

// Payment stores a NewPayment through flow.CreatePayment.
func (w *World) Payment(t testing.TB, o *pinglinks.PaymentOrder, callback string, amounts ...int64) *pinglinks.Payment {
	t.Helper()
	p := w.NewPayment(o, callback, amounts...)
	if err := flow.New(w.St).CreatePayment(w.Ctx, w.Tn.ID, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Move drives a stored payment through statuses, one unit each.
func (w *World) Move(t testing.TB, p *pinglinks.Payment, statuses ...pinglinks.PaymentStatus) {
	t.Helper()
	for _, s := range statuses {
		if _, err := flow.New(w.St).UpdatePayment(w.Ctx, w.Tn.ID, p.OrderID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(s, w.St.Now())
		}); err != nil {
			t.Fatalf("payment to %s: %v", s, err)
		}
	}
}

// Outbox lists the tenant's queued callbacks of kind.
func (w *World) Outbox(t testing.TB, kind string) []store.OutboxMessage {
	t.Helper()
	msgs, _, err := w.St.Outbox(w.Ctx, w.Tn.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMessage
	for _, m := range msgs {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// CountRows runs a count query.
func CountRows(t testing.TB, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// WantCode checks err's API error code.
func WantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := pinglinks.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %s), want %s", what, err, got, code)
	}
}

// WantInvalid checks for one validation error at property, as *Error or
// inside Errors.
func WantInvalid(t testing.TB, what string, err error, property string) {
	t.Helper()
	var e *pinglinks.Error
	switch v := err.(type) {
	case *pinglinks.Error:
		e = v
	case pinglinks.Errors:
		if len(v) > 0 {
			e = v[0]
		}
	}
	if e == nil || e.Code != pinglinks.ECodeInvalid || e.Property != property {
		t.Errorf("%s: %v, want %s at %s", what, err, pinglinks.ECodeInvalid, property)
	}
}
