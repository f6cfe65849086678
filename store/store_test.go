package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// The conformance suite: every test runs on SQLite and on PostgreSQL, and
// both must behave alike.

type fixture struct {
	st       *store.Store
	tenant   testdb.Tenant
	merchant *pinglinks.Merchant
	ctx      context.Context
}

func newFixture(t testing.TB, st *store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, tenant: testdb.NewTenant(t, st, "conformance"), ctx: context.Background()}
	f.merchant = &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Åsa's Honung", Status: pinglinks.MerchantCreated,
		Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"},
		Email:        "asa@example.com", PhoneNumber: "+46701234567", CreatedAt: st.Now()}
	if err := flow.New(st).CreateMerchant(f.ctx, f.tenant.ID, f.merchant, true); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) order(t testing.TB) *pinglinks.PaymentOrder {
	t.Helper()
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: f.tenant.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.SEK,
		SplitTreeID: f.tenant.DefaultSplitTreeID, SplitParameters: json.RawMessage(`{"fee":1}`), CreatedAt: f.st.Now()}
	if err := f.st.CreateOrder(f.ctx, f.tenant.ID, o); err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *fixture) payment(t testing.TB, o *pinglinks.PaymentOrder, callbackURL string) *pinglinks.Payment {
	t.Helper()
	now := f.st.Now()
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: f.tenant.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
		Currency: pinglinks.SEK, TotalAmount: 7000, Provider: "dummy", Method: "dummy", StatusCallbackURL: callbackURL,
		OrderItems: []pinglinks.OrderItem{{Amount: 7000, Name: "Honung", VATRate: 1200, MerchantID: f.merchant.ID,
			Metadata: json.RawMessage(`{"k":"v"}`), Tags: []string{"a"}}},
		ProviderMethodParameters: json.RawMessage(`{"desired_payment_status":"COMPLETED"}`),
		Metadata:                 json.RawMessage(`{"m":1}`), Payer: json.RawMessage(`{"name":"Per"}`),
		StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}},
		CreatedAt:     now, UpdatedAt: now}
	if err := flow.New(f.st).CreatePayment(f.ctx, f.tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrips(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		m, err := st.Merchant(f.ctx, f.tenant.ID, f.merchant.ID)
		if err != nil || m.Name != f.merchant.Name || m.Status != pinglinks.MerchantApproved || *m.Organization != *f.merchant.Organization ||
			m.Email != f.merchant.Email || !m.CreatedAt.Equal(f.merchant.CreatedAt) {
			t.Fatalf("merchant %+v, %v", m, err)
		}
		o := f.order(t)
		p := f.payment(t, o, "https://tenant.example/p")
		got, ps, err := st.Order(f.ctx, f.tenant.ID, o.ID)
		if err != nil || got.Status != o.Status || string(got.SplitParameters) != `{"fee":1}` || !got.CreatedAt.Equal(o.CreatedAt) ||
			got.ClosedAt != nil || len(ps) != 1 {
			t.Fatalf("order %+v %d payments, %v", got, len(ps), err)
		}
		gp := ps[0]
		p.Refunds = []pinglinks.Refund{} // stored as an empty list
		want, _ := json.Marshal(p)
		have, _ := json.Marshal(gp)
		if string(want) != string(have) {
			t.Fatalf("payment changed in the store:\n%s\n%s", want, have)
		}
		if err := flow.New(st).AdvanceOrder(f.ctx, f.tenant.ID, o.ID, flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		got, _, _ = st.Order(f.ctx, f.tenant.ID, o.ID)
		if got.Status != pinglinks.OrderClosed || got.ClosedAt == nil || got.ClosedAt.Location() != time.UTC {
			t.Fatalf("closed order %+v", got)
		}
	})
}

func TestTenantIsolationInTheStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		o := f.order(t)
		p := f.payment(t, o, "")
		other := testdb.NewTenant(t, st, "other")
		notFound := func(what string, err error) {
			t.Helper()
			if pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
				t.Errorf("%s across tenants: %v", what, err)
			}
		}
		_, err := st.Merchant(f.ctx, other.ID, f.merchant.ID)
		notFound("merchant", err)
		_, _, err = st.Order(f.ctx, other.ID, o.ID)
		notFound("order", err)
		_, err = st.Payment(f.ctx, other.ID, o.ID, p.ID)
		notFound("payment", err)
		notFound("advance", flow.New(st).AdvanceOrder(f.ctx, other.ID, o.ID, flow.CloseOrder, true))
		_, err = flow.New(st).UpdatePayment(f.ctx, other.ID, o.ID, p.ID, func(*pinglinks.PaymentOrder, *pinglinks.Payment) error { return nil })
		notFound("update payment", err)
		_, err = flow.New(st).Allocations(f.ctx, other.ID, o.ID)
		notFound("allocations", err)
		for name, n := range map[string]func() (int, error){
			"merchants": func() (int, error) { l, _, err := st.Merchants(f.ctx, other.ID, store.Page{}); return len(l), err },
			"orders": func() (int, error) {
				l, _, err := st.Orders(f.ctx, other.ID, store.OrderFilter{}, store.Page{})
				return len(l), err
			},
			"payments": func() (int, error) {
				l, _, err := st.Payments(f.ctx, other.ID, store.PaymentFilter{}, store.Page{})
				return len(l), err
			},
		} {
			if c, err := n(); err != nil || c != 0 {
				t.Errorf("other tenant lists %d %s (%v)", c, name, err)
			}
		}
		if ok, _ := st.SplitTreeExists(f.ctx, other.ID, f.tenant.DefaultSplitTreeID); ok {
			t.Error("other tenant sees the split tree")
		}
	})
}

func TestUpdatePaymentIsAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		o := f.order(t)
		with := f.payment(t, o, "https://tenant.example/p")
		without := f.payment(t, o, "")
		count := func() int {
			msgs, _, _ := st.Outbox(f.ctx, f.tenant.ID, store.Page{})
			n := 0
			for _, m := range msgs {
				if m.Kind == store.KindPaymentStatus {
					n++
				}
			}
			return n
		}
		_, err := flow.New(st).UpdatePayment(f.ctx, f.tenant.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			if err := p.SetStatus(pinglinks.PaymentPending, st.Now()); err != nil {
				return err
			}
			return pinglinks.Forbidden("changed my mind")
		})
		if pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden || count() != 0 {
			t.Fatalf("failed update: %v, %d callbacks", err, count())
		}
		if p, _ := st.Payment(f.ctx, f.tenant.ID, o.ID, with.ID); p.Status != pinglinks.PaymentInitiated {
			t.Fatalf("failed update left status %s", p.Status)
		}
		for _, id := range []uuid.UUID{with.ID, without.ID} {
			if _, err := flow.New(st).UpdatePayment(f.ctx, f.tenant.ID, o.ID, id, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
				if err := p.SetStatus(pinglinks.PaymentPending, st.Now()); err != nil {
					return err
				}
				return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
			}); err != nil {
				t.Fatal(err)
			}
		}
		if count() != 2 {
			t.Fatalf("%d callbacks for two status changes of the payment with a callback URL", count())
		}
	})
}

func TestPaging(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		var ids []uuid.UUID
		for range 7 {
			ids = append(ids, f.order(t).ID)
		}
		page, info, err := st.Orders(f.ctx, f.tenant.ID, store.OrderFilter{}, store.Page{Limit: 3})
		if err != nil || len(page) != 3 || !info.HasNext || info.HasPrevious || page[0].ID != ids[0] {
			t.Fatalf("first page %d %+v %v", len(page), info, err)
		}
		page, info, _ = st.Orders(f.ctx, f.tenant.ID, store.OrderFilter{}, store.Page{Limit: 3, After: ids[5]})
		if len(page) != 1 || info.HasNext || !info.HasPrevious || page[0].ID != ids[6] {
			t.Fatalf("last page %d %+v", len(page), info)
		}
		page, info, _ = st.Orders(f.ctx, f.tenant.ID, store.OrderFilter{}, store.Page{Limit: 3, Before: ids[4]})
		if len(page) != 3 || page[0].ID != ids[1] || page[2].ID != ids[3] || !info.HasPrevious || !info.HasNext {
			t.Fatalf("page before %v: %d %+v", ids[4], len(page), info)
		}
		page, _, _ = st.Orders(f.ctx, f.tenant.ID, store.OrderFilter{From: time.Now().Add(time.Hour)}, store.Page{})
		if len(page) != 0 {
			t.Fatalf("from the future: %d", len(page))
		}
	})
}

// TestCloseTwice: closing a store a second time (as deferred cleanups in
// tests and shutdown paths do) returns instead of waiting forever.
func TestCloseTwice(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			st := testdb.Open(t, engine)
			st.Close()
			done := make(chan struct{})
			go func() { st.Close(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the second Close did not return")
			}
		})
	}
}

// TestPoolSizeFromURL: PostgreSQL's pool takes pool_max_conns from the
// database URL when the operator sets it, and 20 connections otherwise.
func TestPoolSizeFromURL(t *testing.T) {
	t.Parallel()
	base := testdb.URL(t, store.Postgres)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 20},
		{"pool_max_conns=7", 7},
		{"pool_max_conns=64&pool_max_conn_idle_time=1m", 64},
	} {
		t.Run(tc.query, func(t *testing.T) {
			url := base
			if tc.query != "" {
				url += "&" + tc.query
			}
			st, err := store.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := st.PoolStats().MaxOpenConnections; got != tc.want {
				t.Errorf("%s: pool of %d connections, want %d", tc.query, got, tc.want)
			}
			if got := st.DB().Stats().MaxOpenConnections; got != tc.want {
				t.Errorf("%s: database/sql may open %d connections, want %d", tc.query, got, tc.want)
			}
		})
	}
}

// TestOneOrdersListReadsTheOrdersIndex: on SQLite, listing one order's
// links or payments reads that order's entries in its index, however many
// links the tenant has, without statistics (SQLite's planner does not
// weigh the tables' sizes, so an empty database shows the plan a large one
// gets). SQLite only: PostgreSQL's planner weighs a table's real size even
// without statistics, so an empty table says nothing of a large one's plan
// (it picks the tenant's index there, which costs nothing, and the order's
// from a few thousand rows).
func TestOneOrdersListReadsTheOrdersIndex(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	ctx := context.Background()
	tn := testdb.NewTenant(t, st, "plans")
	for _, tc := range []struct{ list, index string }{
		{"payment_links", "payment_links_order"},
		{"payments", "payments_order"},
	} {
		plan, err := st.ListPlan(ctx, tc.list, tn.ID, pinglinks.NewID())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, tc.index) || strings.Contains(plan, tc.list+"_tenant") {
			t.Errorf("%s of one order: plan\n%s\nwant it read by %s, not the tenant's index", tc.list, plan, tc.index)
		}
	}
}
