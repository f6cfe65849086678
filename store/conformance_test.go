package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// More of the conformance suite: every test runs on both engines through
// testdb.Each, and both must answer alike.

// world is one tenant with one approved merchant.
type world struct {
	st  *store.Store
	ctx context.Context
	tn  testdb.Tenant
	m   *pinglinks.Merchant
}

func newWorld(t *testing.T, st *store.Store, name string) *world {
	t.Helper()
	w := &world{st: st, ctx: context.Background(), tn: testdb.NewTenant(t, st, name)}
	w.m = w.merchant(t, "Honungsboden", true)
	return w
}

func (w *world) merchant(t *testing.T, name string, approve bool) *pinglinks.Merchant {
	t.Helper()
	m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: name, Status: pinglinks.MerchantCreated,
		Organization: &pinglinks.Organization{Country: "NO", NOOrganizationNumber: "923609016"}, CreatedAt: w.st.Now()}
	if err := flow.New(w.st).CreateMerchant(w.ctx, w.tn.ID, m, approve); err != nil {
		t.Fatal(err)
	}
	return m
}

func (w *world) order(t *testing.T, cur pinglinks.Currency) *pinglinks.PaymentOrder {
	t.Helper()
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.tn.ID, Status: pinglinks.OrderOpen, Currency: cur,
		SplitTreeID: w.tn.DefaultSplitTreeID, CreatedAt: w.st.Now()}
	if err := w.st.CreateOrder(w.ctx, w.tn.ID, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// newPayment builds (does not store) an INITIATED payment of o, one item per amount, all to w.m.
func (w *world) newPayment(o *pinglinks.PaymentOrder, callback string, amounts ...int64) *pinglinks.Payment {
	now := w.st.Now()
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: w.tn.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
		Currency: o.Currency, Provider: "dummy", Method: "dummy", StatusCallbackURL: callback,
		StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}, CreatedAt: now, UpdatedAt: now}
	for i, a := range amounts {
		p.OrderItems = append(p.OrderItems, pinglinks.OrderItem{Amount: a, Name: fmt.Sprint("item ", i), VATRate: 2500, MerchantID: w.m.ID})
		p.TotalAmount += a
	}
	return p
}

func (w *world) payment(t *testing.T, o *pinglinks.PaymentOrder, callback string, amounts ...int64) *pinglinks.Payment {
	t.Helper()
	p := w.newPayment(o, callback, amounts...)
	if err := flow.New(w.st).CreatePayment(w.ctx, w.tn.ID, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// move drives a stored payment through statuses, one transaction each.
func (w *world) move(t *testing.T, p *pinglinks.Payment, statuses ...pinglinks.PaymentStatus) {
	t.Helper()
	for _, s := range statuses {
		if _, err := flow.New(w.st).UpdatePayment(w.ctx, w.tn.ID, p.OrderID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(s, w.st.Now())
		}); err != nil {
			t.Fatalf("payment to %s: %v", s, err)
		}
	}
}

func (w *world) outbox(t *testing.T, kind string) []store.OutboxMessage {
	t.Helper()
	msgs, _, err := w.st.Outbox(w.ctx, w.tn.ID, store.Page{})
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

func countRows(t *testing.T, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := pinglinks.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %s), want %s", what, err, got, code)
	}
}

// wantInvalid checks for one validation error at property, as *Error or inside Errors.
func wantInvalid(t *testing.T, what string, err error, property string) {
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

func TestTenantsConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if n, err := st.CountTenants(ctx); err != nil || n != 0 {
			t.Fatalf("empty database has %d tenants (%v)", n, err)
		}
		a := testdb.NewTenant(t, st, "Alpha AB")
		b := testdb.NewTenant(t, st, "Beta AS")
		if n, err := st.CountTenants(ctx); err != nil || n != 2 {
			t.Fatalf("%d tenants (%v)", n, err)
		}
		got, err := st.Tenant(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, a.Tenant) {
			t.Fatalf("tenant read back differs:\n%+v\n%+v", got, a.Tenant)
		}
		if now := st.Now(); !got.CheckSecret(a.Secret, now) || got.CheckSecret(b.Secret, now) {
			t.Fatal("stored secret hash does not check")
		}
		if err := st.UpdateTenantCallbacks(ctx, a.ID, "https://alpha.example/merchants"); err != nil {
			t.Fatal(err)
		}
		got, _ = st.Tenant(ctx, a.ID)
		other, _ := st.Tenant(ctx, b.ID)
		if got.MerchantStatusCallbackURL != "https://alpha.example/merchants" || other.MerchantStatusCallbackURL != "" {
			t.Fatalf("callback URL: %q / %q", got.MerchantStatusCallbackURL, other.MerchantStatusCallbackURL)
		}
		if err := st.UpdateTenantCallbacks(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = st.Tenant(ctx, a.ID); got.MerchantStatusCallbackURL != "" {
			t.Fatalf("callback URL not cleared: %q", got.MerchantStatusCallbackURL)
		}
		unknown := pinglinks.NewID()
		_, err = st.Tenant(ctx, unknown)
		wantCode(t, "unknown tenant", err, pinglinks.ECodeNotFound)
		wantCode(t, "update unknown tenant", st.UpdateTenantCallbacks(ctx, unknown, "https://x.example"), pinglinks.ECodeNotFound)
		if ok, err := st.SplitTreeExists(ctx, a.ID, a.DefaultSplitTreeID); !ok || err != nil {
			t.Fatalf("own split tree: %v %v", ok, err)
		}
		if ok, _ := st.SplitTreeExists(ctx, a.ID, b.DefaultSplitTreeID); ok {
			t.Fatal("a tenant sees another's split tree")
		}
		// A second tenant with the same id is refused and changes nothing.
		dup := *a.Tenant
		dup.Name = "impostor"
		if err := st.CreateTenant(ctx, &dup, &pinglinks.SplitTree{ID: pinglinks.NewID(), Name: "x", CreatedAt: st.Now()}); err == nil {
			t.Fatal("duplicate tenant id accepted")
		}
		if n, _ := st.CountTenants(ctx); n != 2 {
			t.Fatalf("%d tenants after a refused duplicate", n)
		}
		if c := countRows(t, st, `SELECT count(*) FROM split_trees`); c != 2 {
			t.Fatalf("%d split trees after a refused duplicate (the transaction did not roll back)", c)
		}
	})
}

func TestMerchantsConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "merchants") // its merchant is approved while no callback URL is set
		if n := len(w.outbox(t, store.KindMerchantStatus)); n != 0 {
			t.Fatalf("%d merchant callbacks without a callback URL", n)
		}
		const url = "https://tenant.example/merchant-status"
		if err := st.UpdateTenantCallbacks(w.ctx, w.tn.ID, url); err != nil {
			t.Fatal(err)
		}
		created := w.merchant(t, "Waiting", false)
		if n := len(w.outbox(t, store.KindMerchantStatus)); n != 0 {
			t.Fatalf("%d callbacks for a merchant that stays CREATED", n)
		}
		approved := w.merchant(t, "Approved", true)
		msgs := w.outbox(t, store.KindMerchantStatus)
		if len(msgs) != 1 || msgs[0].URL != url || msgs[0].Status != store.OutboxPending {
			t.Fatalf("outbox after an approval: %+v", msgs)
		}
		var payload struct {
			MerchantID uuid.UUID `json:"merchant_id"`
			Status     string    `json:"status"`
			OccurredAt time.Time `json:"occurred_at"`
		}
		if err := json.Unmarshal([]byte(msgs[0].Payload), &payload); err != nil || payload.MerchantID != approved.ID ||
			payload.Status != pinglinks.MerchantApproved || !payload.OccurredAt.Equal(approved.CreatedAt) {
			t.Fatalf("payload %s (%v)", msgs[0].Payload, err)
		}

		// Person merchants and every field round-trip.
		p := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Åsa Öberg", Status: pinglinks.MerchantCreated,
			Person: &pinglinks.Person{Country: "SE", Name: "Åsa Öberg", SEPersonalIdentityNumber: "198112289874"},
			Email:  "asa@example.se", PhoneNumber: "+46 70 123 45 67", CreatedAt: st.Now()}
		if err := flow.New(st).CreateMerchant(w.ctx, w.tn.ID, p, false); err != nil {
			t.Fatal(err)
		}
		got, err := st.Merchant(w.ctx, w.tn.ID, p.ID)
		p.TenantID = w.tn.ID
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("person merchant read back:\n%+v\n%+v (%v)", got, p, err)
		}
		if got, _ := st.Merchant(w.ctx, w.tn.ID, created.ID); got.Status != pinglinks.MerchantCreated || got.Person != nil {
			t.Fatalf("created merchant %+v", got)
		}
		_, err = st.Merchant(w.ctx, w.tn.ID, pinglinks.NewID())
		wantCode(t, "unknown merchant", err, pinglinks.ECodeNotFound)
		// A duplicate id is refused without a second callback.
		if err := flow.New(st).CreateMerchant(w.ctx, w.tn.ID, &pinglinks.Merchant{ID: approved.ID, Name: "dup", Status: pinglinks.MerchantCreated,
			Organization: approved.Organization, CreatedAt: st.Now()}, true); err == nil {
			t.Fatal("duplicate merchant id accepted")
		}
		if n := len(w.outbox(t, store.KindMerchantStatus)); n != 1 {
			t.Fatalf("%d merchant callbacks after a refused duplicate", n)
		}
	})
}

func TestMerchantPagination(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "pages")
		ids := []uuid.UUID{w.m.ID}
		for i := range 6 {
			ids = append(ids, w.merchant(t, fmt.Sprint("m", i), i%2 == 0).ID)
		}
		other := newWorld(t, st, "other") // its merchant must never appear
		_ = other
		idsOf := func(ms []*pinglinks.Merchant) []uuid.UUID {
			out := []uuid.UUID{}
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		all, info, err := st.Merchants(w.ctx, w.tn.ID, store.Page{})
		if err != nil || !reflect.DeepEqual(idsOf(all), ids) || info.HasNext || info.HasPrevious {
			t.Fatalf("all: %v %+v %v", idsOf(all), info, err)
		}
		cases := []struct {
			page       store.Page
			want       []uuid.UUID
			next, prev bool
		}{
			{store.Page{Limit: 3}, ids[0:3], true, false},
			{store.Page{Limit: 3, After: ids[2]}, ids[3:6], true, true},
			{store.Page{Limit: 3, After: ids[5]}, ids[6:7], false, true},
			{store.Page{Limit: 3, After: ids[6]}, ids[7:7], false, true},
			{store.Page{Limit: 7}, ids, false, false},
			{store.Page{Limit: 200}, ids, false, false},
			{store.Page{Limit: 3, Before: ids[6]}, ids[3:6], true, true},
			{store.Page{Limit: 3, Before: ids[3]}, ids[0:3], true, false},
			{store.Page{Limit: 3, Before: ids[2]}, ids[0:2], true, false},
			{store.Page{Limit: 3, Before: ids[0]}, ids[0:0], true, false},
			{store.Page{Limit: 1, After: ids[0]}, ids[1:2], true, true},
		}
		for i, c := range cases {
			got, info, err := st.Merchants(w.ctx, w.tn.ID, c.page)
			if err != nil || !reflect.DeepEqual(idsOf(got), c.want) || info.HasNext != c.next || info.HasPrevious != c.prev {
				t.Errorf("case %d %+v: %v %+v %v; want %v next=%v prev=%v", i, c.page, idsOf(got), info, err, c.want, c.next, c.prev)
			}
		}
		// Walking forward then backward visits every merchant once, in order.
		var walked []uuid.UUID
		page := store.Page{Limit: 2}
		for {
			got, info, err := st.Merchants(w.ctx, w.tn.ID, page)
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, idsOf(got)...)
			if !info.HasNext {
				break
			}
			page.After = got[len(got)-1].ID
		}
		if !reflect.DeepEqual(walked, ids) {
			t.Fatalf("forward walk %v", walked)
		}
		walked = nil
		page = store.Page{Limit: 2, Before: uuid.Max}
		for {
			got, info, err := st.Merchants(w.ctx, w.tn.ID, page)
			if err != nil {
				t.Fatal(err)
			}
			walked = append(idsOf(got), walked...)
			if !info.HasPrevious {
				break
			}
			page.Before = got[0].ID
		}
		if !reflect.DeepEqual(walked, ids) {
			t.Fatalf("backward walk %v", walked)
		}
	})
}

func TestTenantIsolationEverywhere(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newWorld(t, st, "A")
		b := newWorld(t, st, "B")
		o := a.order(t, pinglinks.SEK)
		p := a.payment(t, o, "https://a.example/p", 1000)
		a.move(t, p, pinglinks.PaymentCompleted)
		bid := b.tn.ID
		ctx := a.ctx

		_, err := st.Merchant(ctx, bid, a.m.ID)
		wantCode(t, "get merchant", err, pinglinks.ECodeNotFound)
		_, _, err = st.Order(ctx, bid, o.ID)
		wantCode(t, "get order", err, pinglinks.ECodeNotFound)
		_, err = st.Payment(ctx, bid, o.ID, p.ID)
		wantCode(t, "get payment", err, pinglinks.ECodeNotFound)
		_, err = flow.New(st).Allocations(ctx, bid, o.ID)
		wantCode(t, "allocations", err, pinglinks.ECodeNotFound)
		wantCode(t, "update order", flow.New(st).UpdateOrder(ctx, bid, o.ID, b.tn.DefaultSplitTreeID, nil), pinglinks.ECodeNotFound)
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder, flow.SettleOrder} {
			wantCode(t, "advance "+string(action), flow.New(st).AdvanceOrder(ctx, bid, o.ID, action, true), pinglinks.ECodeNotFound)
		}
		called := false
		_, err = flow.New(st).UpdatePayment(ctx, bid, o.ID, p.ID, func(*pinglinks.PaymentOrder, *pinglinks.Payment) error { called = true; return nil })
		wantCode(t, "update payment", err, pinglinks.ECodeNotFound)
		if called {
			t.Error("UpdatePayment called fn for another tenant's payment")
		}
		// B's own order, A's payment id: still not found.
		bo := b.order(t, pinglinks.SEK)
		_, err = st.Payment(ctx, bid, bo.ID, p.ID)
		wantCode(t, "payment through own order", err, pinglinks.ECodeNotFound)
		_, err = flow.New(st).UpdatePayment(ctx, bid, bo.ID, p.ID, func(*pinglinks.PaymentOrder, *pinglinks.Payment) error { return nil })
		wantCode(t, "update payment through own order", err, pinglinks.ECodeNotFound)
		// A payment into A's order by B.
		bp := b.newPayment(o, "", 500)
		wantCode(t, "create payment in another's order", flow.New(st).CreatePayment(ctx, bid, bp), pinglinks.ECodeNotFound)
		// B paying A's merchant in B's order.
		bp = b.newPayment(bo, "", 500)
		bp.OrderItems[0].MerchantID = a.m.ID
		wantInvalid(t, "another tenant's merchant", flow.New(st).CreatePayment(ctx, bid, bp), "order_items[0].merchant_id")
		// B's order on A's split tree.
		wrongTree := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: bid, Status: pinglinks.OrderOpen, Currency: pinglinks.SEK,
			SplitTreeID: a.tn.DefaultSplitTreeID, CreatedAt: st.Now()}
		wantInvalid(t, "another tenant's split tree", flow.New(st).CreateOrder(ctx, bid, wrongTree), "split_tree_id")
		wantInvalid(t, "update to another tenant's split tree", flow.New(st).UpdateOrder(ctx, bid, bo.ID, a.tn.DefaultSplitTreeID, nil), "split_tree_id")

		// Lists: B sees only its own.
		ms, _, err := st.Merchants(ctx, bid, store.Page{})
		if err != nil || len(ms) != 1 || ms[0].ID != b.m.ID {
			t.Errorf("B lists merchants %v (%v)", ms, err)
		}
		os, _, err := st.Orders(ctx, bid, store.OrderFilter{}, store.Page{})
		if err != nil || len(os) != 1 || os[0].ID != bo.ID {
			t.Errorf("B lists orders %v (%v)", os, err)
		}
		ps, _, err := st.Payments(ctx, bid, store.PaymentFilter{OrderID: o.ID}, store.Page{})
		if err != nil || len(ps) != 0 {
			t.Errorf("B lists A's payments by order: %d (%v)", len(ps), err)
		}
		if msgs, _, _ := st.Outbox(ctx, bid, store.Page{}); len(msgs) != 0 {
			t.Errorf("B sees %d callbacks", len(msgs))
		}
		// None of it changed A's data.
		got, gotPs, err := st.Order(ctx, a.tn.ID, o.ID)
		if err != nil || got.Status != pinglinks.OrderOpen || len(gotPs) != 1 || gotPs[0].Status != pinglinks.PaymentCompleted ||
			got.SplitTreeID != a.tn.DefaultSplitTreeID {
			t.Fatalf("A's order after B's attempts: %+v %v", got, err)
		}
		if c := countRows(t, st, `SELECT count(*) FROM payments`); c != 1 {
			t.Fatalf("%d payments stored", c)
		}
	})
}

func TestOrdersConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "orders")
		ctx := w.ctx
		bad := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.EUR,
			SplitTreeID: pinglinks.NewID(), CreatedAt: st.Now()}
		wantInvalid(t, "unknown split tree", flow.New(st).CreateOrder(ctx, w.tn.ID, bad), "split_tree_id")
		if c := countRows(t, st, `SELECT count(*) FROM payment_orders`); c != 0 {
			t.Fatalf("%d orders after a refused one", c)
		}
		_, _, err := st.Order(ctx, w.tn.ID, bad.ID)
		wantCode(t, "refused order", err, pinglinks.ECodeNotFound)

		o := w.order(t, pinglinks.SEK)
		wantInvalid(t, "update to unknown tree", flow.New(st).UpdateOrder(ctx, w.tn.ID, o.ID, pinglinks.NewID(), nil), "split_tree_id")
		if err := flow.New(st).UpdateOrder(ctx, w.tn.ID, o.ID, w.tn.DefaultSplitTreeID, json.RawMessage(`{"fee_percent":2}`)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := st.Order(ctx, w.tn.ID, o.ID); string(got.SplitParameters) != `{"fee_percent":2}` {
			t.Fatalf("split parameters %s", got.SplitParameters)
		}
		wantCode(t, "unknown action", flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, "explode", false), pinglinks.ECodeInternal)
		wantCode(t, "advance unknown order", flow.New(st).AdvanceOrder(ctx, w.tn.ID, pinglinks.NewID(), flow.CloseOrder, false), pinglinks.ECodeNotFound)
		_, err = flow.New(st).Allocations(ctx, w.tn.ID, o.ID)
		wantCode(t, "allocations of an OPEN order", err, pinglinks.ECodeForbidden)
		wantCode(t, "split an OPEN order", flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, flow.SplitOrder, false), pinglinks.ECodeForbidden)
		wantCode(t, "settle an OPEN order", flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, flow.SettleOrder, false), pinglinks.ECodeForbidden)

		// Two merchants, a refunded payment, a declined one and a pending one.
		m2 := w.merchant(t, "Second", true)
		paid := w.newPayment(o, "", 600, 400)
		paid.OrderItems[1].MerchantID = m2.ID
		if err := flow.New(st).CreatePayment(ctx, w.tn.ID, paid); err != nil {
			t.Fatal(err)
		}
		w.move(t, paid, pinglinks.PaymentCompleted)
		if _, err := flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, paid.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 101, Currency: pinglinks.SEK, Reason: "broken jar"}, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		declined := w.payment(t, o, "", 5000)
		w.move(t, declined, pinglinks.PaymentDeclined)
		pending := w.payment(t, o, "", 70)
		w.move(t, pending, pinglinks.PaymentPending)

		step := func(action flow.OrderAction, ff bool) error {
			return flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, action, ff)
		}
		if err := step(flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		closed, _, _ := st.Order(ctx, w.tn.ID, o.ID)
		if closed.Status != pinglinks.OrderClosed || closed.ClosedAt == nil || closed.SplitAt != nil {
			t.Fatalf("closed order %+v", closed)
		}
		wantCode(t, "update a CLOSED order", flow.New(st).UpdateOrder(ctx, w.tn.ID, o.ID, w.tn.DefaultSplitTreeID, nil), pinglinks.ECodeOrderClosed)
		// The pending payment blocks the split, fast_forward or not, and nothing is written.
		for _, ff := range []bool{false, true} {
			wantCode(t, "split with a pending payment", step(flow.SplitOrder, ff), pinglinks.ECodeForbidden)
			wantCode(t, "settle with a pending payment", step(flow.SettleOrder, true), pinglinks.ECodeForbidden)
		}
		if c := countRows(t, st, `SELECT count(*) FROM allocations`); c != 0 {
			t.Fatalf("%d allocations after refused splits", c)
		}
		w.move(t, pending, pinglinks.PaymentUnderfunded)
		wantCode(t, "split with an UNDERFUNDED payment", step(flow.SplitOrder, false), pinglinks.ECodeForbidden)
		w.move(t, pending, pinglinks.PaymentExpired)

		// Repeated close is a no-op: closed_at stays.
		if err := step(flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		if again, _, _ := st.Order(ctx, w.tn.ID, o.ID); !again.ClosedAt.Equal(*closed.ClosedAt) {
			t.Fatalf("second close moved closed_at from %v to %v", closed.ClosedAt, again.ClosedAt)
		}
		if err := step(flow.SplitOrder, false); err != nil {
			t.Fatal(err)
		}
		// kept 899 of 1000: 600·0.899 = 539.4 and 400·0.899 = 359.6 → 539 + 359 = 898, the unit goes to m2.
		want := map[uuid.UUID]int64{w.m.ID: 539, m2.ID: 360}
		allocs, err := flow.New(st).Allocations(ctx, w.tn.ID, o.ID)
		if err != nil || len(allocs) != 2 {
			t.Fatalf("allocations %v (%v)", allocs, err)
		}
		for _, a := range allocs {
			if a.Amount != want[a.MerchantID] || a.Currency != pinglinks.SEK {
				t.Errorf("allocation %+v, want %d", a, want[a.MerchantID])
			}
		}
		split, _, _ := st.Order(ctx, w.tn.ID, o.ID)
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder} {
			for _, ff := range []bool{false, true} {
				if err := step(action, ff); err != nil {
					t.Fatalf("repeated %s: %v", action, err)
				}
			}
		}
		if again, _, _ := st.Order(ctx, w.tn.ID, o.ID); !reflect.DeepEqual(again, split) {
			t.Fatalf("repeated steps changed the order:\n%+v\n%+v", again, split)
		}
		if c := countRows(t, st, `SELECT count(*) FROM allocations`); c != 2 {
			t.Fatalf("%d allocation rows after repeats", c)
		}
		if err := step(flow.SettleOrder, false); err != nil {
			t.Fatal(err)
		}
		settled, _, _ := st.Order(ctx, w.tn.ID, o.ID)
		if settled.Status != pinglinks.OrderSettled || settled.SettledAt == nil || !settled.SplitAt.Equal(*split.SplitAt) {
			t.Fatalf("settled %+v", settled)
		}
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder, flow.SettleOrder} {
			if err := step(action, true); err != nil {
				t.Fatalf("%s of a SETTLED order: %v", action, err)
			}
		}
		if again, _, _ := st.Order(ctx, w.tn.ID, o.ID); !reflect.DeepEqual(again, settled) {
			t.Fatalf("steps after settle changed the order")
		}
		if after, err := flow.New(st).Allocations(ctx, w.tn.ID, o.ID); err != nil || !reflect.DeepEqual(after, allocs) {
			t.Fatalf("allocations after settle %v (%v)", after, err)
		}

		// fast_forward settle straight from OPEN stamps every time and writes allocations.
		ff := w.order(t, pinglinks.SEK)
		fp := w.payment(t, ff, "", 250)
		w.move(t, fp, pinglinks.PaymentPending, pinglinks.PaymentCompleted)
		if err := flow.New(st).AdvanceOrder(ctx, w.tn.ID, ff.ID, flow.SettleOrder, true); err != nil {
			t.Fatal(err)
		}
		got, _, _ := st.Order(ctx, w.tn.ID, ff.ID)
		if got.Status != pinglinks.OrderSettled || got.ClosedAt == nil || got.SplitAt == nil || got.SettledAt == nil {
			t.Fatalf("fast-forwarded order %+v", got)
		}
		if allocs, _ := flow.New(st).Allocations(ctx, w.tn.ID, ff.ID); len(allocs) != 1 || allocs[0].Amount != 250 {
			t.Fatalf("fast-forward allocations %v", allocs)
		}
		// An order without payments splits into no allocations.
		empty := w.order(t, pinglinks.SEK)
		if err := flow.New(st).AdvanceOrder(ctx, w.tn.ID, empty.ID, flow.SplitOrder, true); err != nil {
			t.Fatal(err)
		}
		if allocs, err := flow.New(st).Allocations(ctx, w.tn.ID, empty.ID); err != nil || allocs == nil || len(allocs) != 0 {
			t.Fatalf("empty order allocations %v (%v)", allocs, err)
		}
	})
}

func TestOrderFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "filters")
		base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		// Whole seconds, fractions and microseconds: the boundaries must hold on both engines.
		offsets := []time.Duration{0, 500 * time.Millisecond, time.Second, time.Second + time.Microsecond,
			time.Second + 100*time.Millisecond, 2 * time.Second, time.Hour}
		var ids []uuid.UUID
		for _, d := range offsets {
			o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.NOK,
				SplitTreeID: w.tn.DefaultSplitTreeID, CreatedAt: base.Add(d)}
			if err := st.CreateOrder(w.ctx, w.tn.ID, o); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		if err := flow.New(st).AdvanceOrder(w.ctx, w.tn.ID, ids[1], flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		if err := flow.New(st).AdvanceOrder(w.ctx, w.tn.ID, ids[3], flow.SettleOrder, true); err != nil {
			t.Fatal(err)
		}
		stockholm, err := time.LoadLocation("Europe/Stockholm")
		if err != nil {
			t.Fatal(err)
		}
		at := func(i int) time.Time { return base.Add(offsets[i]) }
		cases := []struct {
			name string
			f    store.OrderFilter
			want []int
		}{
			{"none", store.OrderFilter{}, []int{0, 1, 2, 3, 4, 5, 6}},
			{"OPEN", store.OrderFilter{Status: pinglinks.OrderOpen}, []int{0, 2, 4, 5, 6}},
			{"CLOSED", store.OrderFilter{Status: pinglinks.OrderClosed}, []int{1}},
			{"SETTLED", store.OrderFilter{Status: pinglinks.OrderSettled}, []int{3}},
			{"SPLIT", store.OrderFilter{Status: pinglinks.OrderSplit}, nil},
			{"from a whole second, inclusive", store.OrderFilter{From: at(2)}, []int{2, 3, 4, 5, 6}},
			{"to a whole second, inclusive", store.OrderFilter{To: at(2)}, []int{0, 1, 2}},
			{"from a microsecond", store.OrderFilter{From: at(3)}, []int{3, 4, 5, 6}},
			{"to a microsecond", store.OrderFilter{To: at(3)}, []int{0, 1, 2, 3}},
			{"to half a second", store.OrderFilter{To: at(1)}, []int{0, 1}},
			{"between", store.OrderFilter{From: at(1), To: at(4)}, []int{1, 2, 3, 4}},
			{"from a time in another zone", store.OrderFilter{From: at(2).In(stockholm)}, []int{2, 3, 4, 5, 6}},
			{"to a time in another zone", store.OrderFilter{To: at(5).In(stockholm)}, []int{0, 1, 2, 3, 4, 5}},
			{"status and range", store.OrderFilter{Status: pinglinks.OrderOpen, From: at(1), To: at(5)}, []int{2, 4, 5}},
			{"empty range", store.OrderFilter{From: at(5), To: at(4)}, nil},
		}
		for _, c := range cases {
			got, _, err := st.Orders(w.ctx, w.tn.ID, c.f, store.Page{})
			var gotIdx []int
			for _, o := range got {
				for i, id := range ids {
					if id == o.ID {
						gotIdx = append(gotIdx, i)
					}
				}
			}
			if err != nil || fmt.Sprint(gotIdx) != fmt.Sprint(c.want) {
				t.Errorf("%s: orders %v (%v), want %v", c.name, gotIdx, err, c.want)
			}
		}
		// Filters and pages combine.
		page, info, err := st.Orders(w.ctx, w.tn.ID, store.OrderFilter{Status: pinglinks.OrderOpen}, store.Page{Limit: 2, After: ids[0]})
		if err != nil || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[4] || !info.HasNext || !info.HasPrevious {
			t.Fatalf("filtered page %d %+v %v", len(page), info, err)
		}
	})
}

func TestPaymentsConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "payments")
		ctx := w.ctx
		o := w.order(t, pinglinks.SEK)
		noWrites := func(what string) {
			t.Helper()
			if c := countRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1`, o.ID); c != 0 {
				t.Fatalf("%s: %d payments written", what, c)
			}
			if c := countRows(t, st, `SELECT count(*) FROM outbox WHERE kind = $1`, store.KindPaymentStatus); c != 0 {
				t.Fatalf("%s: %d callbacks written", what, c)
			}
		}
		nok := w.newPayment(o, "https://t.example/p", 100)
		nok.Currency = pinglinks.NOK
		wantInvalid(t, "currency mismatch", flow.New(st).CreatePayment(ctx, w.tn.ID, nok), "currency")
		noWrites("currency mismatch")
		unknown := w.newPayment(o, "https://t.example/p", 100, 200, 300)
		unknown.OrderItems[1].MerchantID = pinglinks.NewID()
		err := flow.New(st).CreatePayment(ctx, w.tn.ID, unknown)
		wantInvalid(t, "unknown merchant", err, "order_items[1].merchant_id")
		if es, ok := err.(pinglinks.Errors); !ok || len(es) != 1 {
			t.Errorf("unknown merchant: %v, want exactly one error", err)
		}
		// Two unknown merchants (one repeated): every item is reported.
		ghost := pinglinks.NewID()
		unknown.OrderItems[0].MerchantID, unknown.OrderItems[2].MerchantID = ghost, ghost
		if es, ok := flow.New(st).CreatePayment(ctx, w.tn.ID, unknown).(pinglinks.Errors); !ok || len(es) != 3 ||
			es[0].Property != "order_items[0].merchant_id" || es[2].Property != "order_items[2].merchant_id" {
			t.Errorf("three unknown items: %v", es)
		}
		noWrites("unknown merchant")
		missing := w.newPayment(&pinglinks.PaymentOrder{ID: pinglinks.NewID(), Currency: pinglinks.SEK}, "", 100)
		wantCode(t, "unknown order", flow.New(st).CreatePayment(ctx, w.tn.ID, missing), pinglinks.ECodeNotFound)

		with := w.payment(t, o, "https://t.example/p", 100)
		without := w.payment(t, o, "", 100)
		if n := len(w.outbox(t, store.KindPaymentStatus)); n != 0 {
			t.Fatalf("%d callbacks for creating payments", n)
		}
		dup := w.newPayment(o, "", 100)
		dup.ID = with.ID
		if err := flow.New(st).CreatePayment(ctx, w.tn.ID, dup); err == nil {
			t.Fatal("duplicate payment id accepted")
		}

		// One outbox row per new status, for the payment with a callback URL only.
		w.move(t, with, pinglinks.PaymentPending)
		w.move(t, without, pinglinks.PaymentPending)
		if _, err := flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			if err := p.SetStatus(pinglinks.PaymentUnderfunded, st.Now()); err != nil {
				return err
			}
			if err := p.SetStatus(pinglinks.PaymentFunded, st.Now()); err != nil {
				return err
			}
			p.FundedAmount = 100
			return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		w.move(t, without, pinglinks.PaymentCompleted)
		msgs := w.outbox(t, store.KindPaymentStatus)
		var statuses []string
		for _, m := range msgs {
			var body struct {
				PaymentID      uuid.UUID          `json:"payment_id"`
				PaymentOrderID uuid.UUID          `json:"payment_order_id"`
				Status         string             `json:"status"`
				OccurredAt     time.Time          `json:"occurred_at"`
				TotalAmount    int64              `json:"total_amount"`
				Currency       pinglinks.Currency `json:"currency"`
			}
			if err := json.Unmarshal([]byte(m.Payload), &body); err != nil || body.PaymentID != with.ID || body.PaymentOrderID != o.ID ||
				body.TotalAmount != 100 || body.Currency != pinglinks.SEK || body.OccurredAt.IsZero() || m.URL != "https://t.example/p" {
				t.Errorf("callback %+v (%v)", m, err)
			}
			statuses = append(statuses, body.Status)
		}
		if fmt.Sprint(statuses) != "[PENDING UNDERFUNDED FUNDED COMPLETED]" {
			t.Fatalf("callbacks for statuses %v", statuses)
		}
		// An update that changes no status writes no callback.
		if _, err := flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 40, Currency: pinglinks.SEK, Reason: "r"}, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if n := len(w.outbox(t, store.KindPaymentStatus)); n != 4 {
			t.Fatalf("%d callbacks after a refund", n)
		}
		// A failing fn rolls everything back: status, refunds, funded amount, callbacks.
		before, _ := st.Payment(ctx, w.tn.ID, o.ID, with.ID)
		third := w.payment(t, o, "https://t.example/p", 100)
		_, err = flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, third.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			p.FundedAmount = 99
			p.Payer = json.RawMessage(`{"name":"x"}`)
			if err := p.SetStatus(pinglinks.PaymentCompleted, st.Now()); err != nil {
				return err
			}
			if err := p.AddRefund(pinglinks.Refund{Amount: 10, Currency: pinglinks.SEK, Reason: "r"}, st.Now()); err != nil {
				return err
			}
			return fmt.Errorf("provider unreachable")
		})
		if err == nil || err.Error() != "provider unreachable" {
			t.Fatalf("failing fn: %v", err)
		}
		after, _ := st.Payment(ctx, w.tn.ID, o.ID, third.ID)
		if after.Status != pinglinks.PaymentInitiated || len(after.StatusHistory) != 1 || len(after.Refunds) != 0 ||
			after.FundedAmount != 0 || after.Payer != nil {
			t.Fatalf("failed update left %+v", after)
		}
		if n := len(w.outbox(t, store.KindPaymentStatus)); n != 4 {
			t.Fatalf("%d callbacks after a failed update", n)
		}
		if again, _ := st.Payment(ctx, w.tn.ID, o.ID, with.ID); !reflect.DeepEqual(again, before) {
			t.Fatal("a failed update of one payment changed another")
		}
		// Terminal stays terminal in the store too.
		_, err = flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentDeclined, st.Now())
		})
		wantCode(t, "COMPLETED → DECLINED", err, pinglinks.ECodeForbidden)

		// Closed order: no new payments, but existing ones still update.
		if err := flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		late := w.newPayment(o, "", 100)
		wantCode(t, "payment on a CLOSED order", flow.New(st).CreatePayment(ctx, w.tn.ID, late), pinglinks.ECodeOrderClosed)
		if _, err := st.Payment(ctx, w.tn.ID, o.ID, late.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("refused payment stored: %v", err)
		}
		w.move(t, third, pinglinks.PaymentAborted)

		// Filters.
		count := func(f store.PaymentFilter) int {
			ps, _, err := st.Payments(ctx, w.tn.ID, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}
		o2 := w.order(t, pinglinks.SEK)
		swish := w.newPayment(o2, "", 100)
		swish.Provider, swish.Method = "swish", "e_commerce"
		if err := flow.New(st).CreatePayment(ctx, w.tn.ID, swish); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    store.PaymentFilter
			want int
		}{
			{store.PaymentFilter{}, 4},
			{store.PaymentFilter{Status: pinglinks.PaymentCompleted}, 2},
			{store.PaymentFilter{Status: pinglinks.PaymentAborted}, 1},
			{store.PaymentFilter{Status: pinglinks.PaymentInitiated}, 1},
			{store.PaymentFilter{Provider: "swish"}, 1},
			{store.PaymentFilter{Provider: "swish", Method: "m_commerce"}, 0},
			{store.PaymentFilter{Method: "dummy"}, 3},
			{store.PaymentFilter{OrderID: o.ID}, 3},
			{store.PaymentFilter{OrderID: o2.ID, Status: pinglinks.PaymentInitiated}, 1},
			{store.PaymentFilter{OrderID: pinglinks.NewID()}, 0},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("filter %+v: %d payments, want %d", c.f, got, c.want)
			}
		}
	})
}

// TestEveryFieldRoundTrips writes each object with every field set (JSON
// columns, nullable times, µs times in and out of UTC) and reads it back.
func TestEveryFieldRoundTrips(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "roundtrip")
		ctx := w.ctx
		stockholm, _ := time.LoadLocation("Europe/Stockholm")
		clock := time.Date(2026, 7, 1, 23, 59, 59, 123456000, time.UTC)
		st.Now = func() time.Time { return clock }

		o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.DKK,
			SplitTreeID: w.tn.DefaultSplitTreeID, SplitParameters: json.RawMessage(`{"nested":{"a":[1,2,"ö"]},"n":null}`),
			CreatedAt: time.Date(2026, 7, 1, 8, 0, 0, 1000, stockholm)}
		if err := st.CreateOrder(ctx, w.tn.ID, o); err != nil {
			t.Fatal(err)
		}
		got, _, err := st.Order(ctx, w.tn.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(o.CreatedAt) {
			t.Errorf("created_at %v, want %v in UTC", got.CreatedAt, o.CreatedAt)
		}
		var wantParams, gotParams any
		json.Unmarshal(o.SplitParameters, &wantParams)
		if err := json.Unmarshal(got.SplitParameters, &gotParams); err != nil || !reflect.DeepEqual(gotParams, wantParams) {
			t.Errorf("split_parameters %s", got.SplitParameters)
		}
		if got.ClosedAt != nil || got.SplitAt != nil || got.SettledAt != nil {
			t.Errorf("nullable times of an OPEN order: %+v", got)
		}

		other := w.merchant(t, "Other", false)
		link := pinglinks.NewID()
		p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: w.tn.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
			StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: clock.Add(-time.Second)}},
			Currency:      pinglinks.DKK, TotalAmount: pinglinks.MaxAmount, FundedAmount: 0,
			OrderItems: []pinglinks.OrderItem{
				{Amount: pinglinks.MaxAmount - 1, Name: "Ålborg \"akvavit\" <b>", VATRate: 2550, MerchantID: w.m.ID,
					Metadata: json.RawMessage(`{"sku":"A-1","qty":2}`), Tags: []string{"drinks", "ä"}},
				{Amount: 1, Name: "pant", VATRate: 0, MerchantID: other.ID},
			},
			Provider: "ping", Method: "deposit", ProviderMethodParameters: json.RawMessage(`{"reference_type":"KID"}`),
			ProviderMethodResponse: json.RawMessage(`{"reference":"12345678903"}`), StatusCallbackURL: "https://t.example/cb?a=1&b=2",
			Metadata: json.RawMessage(`{"order":"x"}`), Payer: json.RawMessage(`{"email":"p@example.dk"}`),
			Refunds: []pinglinks.Refund{}, CreatedAt: clock.Add(-time.Second), UpdatedAt: clock.Add(-time.Second)}
		// A payment naming a link needs the link; keep LinkID empty here (links have their own tests).
		_ = link
		if err := flow.New(st).CreatePayment(ctx, w.tn.ID, p); err != nil {
			t.Fatal(err)
		}
		w.move(t, p, pinglinks.PaymentCompleted)
		if _, err := flow.New(st).UpdatePayment(ctx, w.tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, q *pinglinks.Payment) error {
			q.FundedAmount = pinglinks.MaxAmount
			return q.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 7, Currency: pinglinks.DKK, Reason: "för dyrt", Description: "line\nbreak"}, clock)
		}); err != nil {
			t.Fatal(err)
		}
		p.Status, p.FundedAmount, p.UpdatedAt = pinglinks.PaymentCompleted, pinglinks.MaxAmount, clock
		p.StatusHistory = append(p.StatusHistory, pinglinks.StatusChange{Status: pinglinks.PaymentCompleted, OccurredAt: clock})
		stored, err := st.Payment(ctx, w.tn.ID, o.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Refunds) != 1 {
			t.Fatalf("refunds %+v", stored.Refunds)
		}
		r := stored.Refunds[0]
		if r.Amount != 7 || r.Reason != "för dyrt" || r.Description != "line\nbreak" || r.Status != "COMPLETED" || !r.CreatedAt.Equal(clock) {
			t.Errorf("refund %+v", r)
		}
		p.Refunds = stored.Refunds
		if !reflect.DeepEqual(stored, p) {
			a, _ := json.Marshal(p)
			b, _ := json.Marshal(stored)
			t.Errorf("payment changed in the store:\n%s\n%s", a, b)
		}
		for _, tm := range []time.Time{stored.CreatedAt, stored.UpdatedAt, stored.StatusHistory[1].OccurredAt} {
			if tm.Location() != time.UTC {
				t.Errorf("time %v not in UTC", tm)
			}
		}
		// Absent JSON stays absent.
		bare := w.newPayment(o, "", 5)
		if err := flow.New(st).CreatePayment(ctx, w.tn.ID, bare); err != nil {
			t.Fatal(err)
		}
		if b, _ := st.Payment(ctx, w.tn.ID, o.ID, bare.ID); b.Metadata != nil || b.Payer != nil || b.ProviderMethodParameters != nil ||
			b.ProviderMethodResponse != nil || b.LinkID != uuid.Nil || b.Refunds == nil || b.OrderItems[0].Metadata != nil || b.OrderItems[0].Tags != nil {
			t.Errorf("bare payment %+v", b)
		}
		w.move(t, bare, pinglinks.PaymentExpired)

		// Every nullable time of the order, at the clock, after a fast-forward settle.
		if err := flow.New(st).AdvanceOrder(ctx, w.tn.ID, o.ID, flow.SettleOrder, true); err != nil {
			t.Fatal(err)
		}
		got, ps, _ := st.Order(ctx, w.tn.ID, o.ID)
		for name, tm := range map[string]*time.Time{"closed_at": got.ClosedAt, "split_at": got.SplitAt, "settled_at": got.SettledAt} {
			if tm == nil || !tm.Equal(clock) || tm.Location() != time.UTC || tm.Nanosecond() != 123456000 {
				t.Errorf("%s = %v, want %v", name, tm, clock)
			}
		}
		if len(ps) != 2 || ps[0].ID != p.ID {
			t.Fatalf("order payments %d", len(ps))
		}
		allocs, _ := flow.New(st).Allocations(ctx, w.tn.ID, o.ID)
		var sum int64
		for _, a := range allocs {
			sum += a.Amount
			if a.Currency != pinglinks.DKK {
				t.Errorf("allocation currency %s", a.Currency)
			}
		}
		if len(allocs) != 2 || sum != pinglinks.MaxAmount-7 {
			t.Errorf("allocations %v sum %d, want %d", allocs, sum, pinglinks.MaxAmount-7)
		}
		// Orders listed carry the same times as Order.
		listed, _, _ := st.Orders(ctx, w.tn.ID, store.OrderFilter{}, store.Page{})
		if len(listed) != 1 || !reflect.DeepEqual(listed[0], got) {
			t.Errorf("listed order %+v, got %+v", listed, got)
		}
	})
}
