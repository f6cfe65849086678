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
	"github.com/pinglinks/pinglinks/internal/flowtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// More of the conformance suite: every test runs on both engines through
// testdb.Each, and both must answer alike. The fixture (flowtest.World) is
// shared with the use cases' tests in package flow.
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
		flowtest.WantCode(t, "unknown tenant", err, pinglinks.ECodeNotFound)
		flowtest.WantCode(t, "update unknown tenant", st.UpdateTenantCallbacks(ctx, unknown, "https://x.example"), pinglinks.ECodeNotFound)
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
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM split_trees`); c != 2 {
			t.Fatalf("%d split trees after a refused duplicate (the transaction did not roll back)", c)
		}
	})
}

func TestMerchantsConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "merchants") // its merchant is approved while no callback URL is set
		if n := len(w.Outbox(t, store.KindMerchantStatus)); n != 0 {
			t.Fatalf("%d merchant callbacks without a callback URL", n)
		}
		const url = "https://tenant.example/merchant-status"
		if err := st.UpdateTenantCallbacks(w.Ctx, w.Tn.ID, url); err != nil {
			t.Fatal(err)
		}
		created := w.Merchant(t, "Waiting", false)
		if n := len(w.Outbox(t, store.KindMerchantStatus)); n != 0 {
			t.Fatalf("%d callbacks for a merchant that stays CREATED", n)
		}
		approved := w.Merchant(t, "Approved", true)
		msgs := w.Outbox(t, store.KindMerchantStatus)
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
		if err := flow.New(st).CreateMerchant(w.Ctx, w.Tn.ID, p, false); err != nil {
			t.Fatal(err)
		}
		got, err := st.Merchant(w.Ctx, w.Tn.ID, p.ID)
		p.TenantID = w.Tn.ID
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("person merchant read back:\n%+v\n%+v (%v)", got, p, err)
		}
		if got, _ := st.Merchant(w.Ctx, w.Tn.ID, created.ID); got.Status != pinglinks.MerchantCreated || got.Person != nil {
			t.Fatalf("created merchant %+v", got)
		}
		_, err = st.Merchant(w.Ctx, w.Tn.ID, pinglinks.NewID())
		flowtest.WantCode(t, "unknown merchant", err, pinglinks.ECodeNotFound)
		// A duplicate id is refused without a second callback.
		if err := flow.New(st).CreateMerchant(w.Ctx, w.Tn.ID, &pinglinks.Merchant{ID: approved.ID, Name: "dup", Status: pinglinks.MerchantCreated,
			Organization: approved.Organization, CreatedAt: st.Now()}, true); err == nil {
			t.Fatal("duplicate merchant id accepted")
		}
		if n := len(w.Outbox(t, store.KindMerchantStatus)); n != 1 {
			t.Fatalf("%d merchant callbacks after a refused duplicate", n)
		}
	})
}

func TestMerchantPagination(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "pages")
		ids := []uuid.UUID{w.M.ID}
		for i := range 6 {
			ids = append(ids, w.Merchant(t, fmt.Sprint("m", i), i%2 == 0).ID)
		}
		other := flowtest.NewWorld(t, st, "other") // its merchant must never appear
		_ = other
		idsOf := func(ms []*pinglinks.Merchant) []uuid.UUID {
			out := []uuid.UUID{}
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		all, info, err := st.Merchants(w.Ctx, w.Tn.ID, store.Page{})
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
			got, info, err := st.Merchants(w.Ctx, w.Tn.ID, c.page)
			if err != nil || !reflect.DeepEqual(idsOf(got), c.want) || info.HasNext != c.next || info.HasPrevious != c.prev {
				t.Errorf("case %d %+v: %v %+v %v; want %v next=%v prev=%v", i, c.page, idsOf(got), info, err, c.want, c.next, c.prev)
			}
		}
		// Walking forward then backward visits every merchant once, in order.
		var walked []uuid.UUID
		page := store.Page{Limit: 2}
		for {
			got, info, err := st.Merchants(w.Ctx, w.Tn.ID, page)
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
			got, info, err := st.Merchants(w.Ctx, w.Tn.ID, page)
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
		a := flowtest.NewWorld(t, st, "A")
		b := flowtest.NewWorld(t, st, "B")
		o := a.Order(t, pinglinks.SEK)
		p := a.Payment(t, o, "https://a.example/p", 1000)
		a.Move(t, p, pinglinks.PaymentCompleted)
		bid := b.Tn.ID
		ctx := a.Ctx

		_, err := st.Merchant(ctx, bid, a.M.ID)
		flowtest.WantCode(t, "get merchant", err, pinglinks.ECodeNotFound)
		_, _, err = st.Order(ctx, bid, o.ID)
		flowtest.WantCode(t, "get order", err, pinglinks.ECodeNotFound)
		_, err = st.Payment(ctx, bid, o.ID, p.ID)
		flowtest.WantCode(t, "get payment", err, pinglinks.ECodeNotFound)
		_, err = flow.New(st).Allocations(ctx, bid, o.ID)
		flowtest.WantCode(t, "allocations", err, pinglinks.ECodeNotFound)
		flowtest.WantCode(t, "update order", flow.New(st).UpdateOrder(ctx, bid, o.ID, b.Tn.DefaultSplitTreeID, nil), pinglinks.ECodeNotFound)
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder, flow.SettleOrder} {
			flowtest.WantCode(t, "advance "+string(action), flow.New(st).AdvanceOrder(ctx, bid, o.ID, action, true), pinglinks.ECodeNotFound)
		}
		called := false
		_, err = flow.New(st).UpdatePayment(ctx, bid, o.ID, p.ID, func(*pinglinks.PaymentOrder, *pinglinks.Payment) error { called = true; return nil })
		flowtest.WantCode(t, "update payment", err, pinglinks.ECodeNotFound)
		if called {
			t.Error("UpdatePayment called fn for another tenant's payment")
		}
		// B's own order, A's payment id: still not found.
		bo := b.Order(t, pinglinks.SEK)
		_, err = st.Payment(ctx, bid, bo.ID, p.ID)
		flowtest.WantCode(t, "payment through own order", err, pinglinks.ECodeNotFound)
		_, err = flow.New(st).UpdatePayment(ctx, bid, bo.ID, p.ID, func(*pinglinks.PaymentOrder, *pinglinks.Payment) error { return nil })
		flowtest.WantCode(t, "update payment through own order", err, pinglinks.ECodeNotFound)
		// A payment into A's order by B.
		bp := b.NewPayment(o, "", 500)
		flowtest.WantCode(t, "create payment in another's order", flow.New(st).CreatePayment(ctx, bid, bp), pinglinks.ECodeNotFound)
		// B paying A's merchant in B's order.
		bp = b.NewPayment(bo, "", 500)
		bp.OrderItems[0].MerchantID = a.M.ID
		flowtest.WantInvalid(t, "another tenant's merchant", flow.New(st).CreatePayment(ctx, bid, bp), "order_items[0].merchant_id")
		// B's order on A's split tree.
		wrongTree := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: bid, Status: pinglinks.OrderOpen, Currency: pinglinks.SEK,
			SplitTreeID: a.Tn.DefaultSplitTreeID, CreatedAt: st.Now()}
		flowtest.WantInvalid(t, "another tenant's split tree", flow.New(st).CreateOrder(ctx, bid, wrongTree), "split_tree_id")
		flowtest.WantInvalid(t, "update to another tenant's split tree", flow.New(st).UpdateOrder(ctx, bid, bo.ID, a.Tn.DefaultSplitTreeID, nil), "split_tree_id")

		// Lists: B sees only its own.
		ms, _, err := st.Merchants(ctx, bid, store.Page{})
		if err != nil || len(ms) != 1 || ms[0].ID != b.M.ID {
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
		got, gotPs, err := st.Order(ctx, a.Tn.ID, o.ID)
		if err != nil || got.Status != pinglinks.OrderOpen || len(gotPs) != 1 || gotPs[0].Status != pinglinks.PaymentCompleted ||
			got.SplitTreeID != a.Tn.DefaultSplitTreeID {
			t.Fatalf("A's order after B's attempts: %+v %v", got, err)
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM payments`); c != 1 {
			t.Fatalf("%d payments stored", c)
		}
	})
}

func TestOrderFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "filters")
		base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		// Whole seconds, fractions and microseconds: the boundaries must hold on both engines.
		offsets := []time.Duration{0, 500 * time.Millisecond, time.Second, time.Second + time.Microsecond,
			time.Second + 100*time.Millisecond, 2 * time.Second, time.Hour}
		var ids []uuid.UUID
		for _, d := range offsets {
			o := &pinglinks.PaymentOrder{ID: pinglinks.NewIDAt(base.Add(d)), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen,
				Currency: pinglinks.NOK, SplitTreeID: w.Tn.DefaultSplitTreeID, CreatedAt: base.Add(d)}
			if err := st.CreateOrder(w.Ctx, w.Tn.ID, o); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		if err := flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, ids[1], flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		if err := flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, ids[3], flow.SettleOrder, true); err != nil {
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
			got, _, err := st.Orders(w.Ctx, w.Tn.ID, c.f, store.Page{})
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
		page, info, err := st.Orders(w.Ctx, w.Tn.ID, store.OrderFilter{Status: pinglinks.OrderOpen}, store.Page{Limit: 2, After: ids[0]})
		if err != nil || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[4] || !info.HasNext || !info.HasPrevious {
			t.Fatalf("filtered page %d %+v %v", len(page), info, err)
		}
	})
}

// TestEveryFieldRoundTrips writes each object with every field set (JSON
// columns, nullable times, µs times in and out of UTC) and reads it back.
func TestEveryFieldRoundTrips(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "roundtrip")
		ctx := w.Ctx
		stockholm, _ := time.LoadLocation("Europe/Stockholm")
		clock := time.Date(2026, 7, 1, 23, 59, 59, 123456000, time.UTC)
		st.Now = func() time.Time { return clock }

		o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.DKK,
			SplitTreeID: w.Tn.DefaultSplitTreeID, SplitParameters: json.RawMessage(`{"nested":{"a":[1,2,"ö"]},"n":null}`),
			CreatedAt: time.Date(2026, 7, 1, 8, 0, 0, 1000, stockholm)}
		if err := st.CreateOrder(ctx, w.Tn.ID, o); err != nil {
			t.Fatal(err)
		}
		got, _, err := st.Order(ctx, w.Tn.ID, o.ID)
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

		other := w.Merchant(t, "Other", false)
		link := pinglinks.NewID()
		p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: w.Tn.ID, OrderID: o.ID, Status: pinglinks.PaymentInitiated,
			StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: clock.Add(-time.Second)}},
			Currency:      pinglinks.DKK, TotalAmount: pinglinks.MaxAmount, FundedAmount: 0,
			OrderItems: []pinglinks.OrderItem{
				{Amount: pinglinks.MaxAmount - 1, Name: "Ålborg \"akvavit\" <b>", VATRate: 2550, MerchantID: w.M.ID,
					Metadata: json.RawMessage(`{"sku":"A-1","qty":2}`), Tags: []string{"drinks", "ä"}},
				{Amount: 1, Name: "pant", VATRate: 0, MerchantID: other.ID},
			},
			Provider: "ping", Method: "deposit", ProviderMethodParameters: json.RawMessage(`{"reference_type":"KID"}`),
			ProviderMethodResponse: json.RawMessage(`{"reference":"12345678903"}`), StatusCallbackURL: "https://t.example/cb?a=1&b=2",
			Metadata: json.RawMessage(`{"order":"x"}`), Payer: json.RawMessage(`{"email":"p@example.dk"}`),
			Refunds: []pinglinks.Refund{}, CreatedAt: clock.Add(-time.Second), UpdatedAt: clock.Add(-time.Second)}
		// A payment naming a link needs the link; keep LinkID empty here (links have their own tests).
		_ = link
		if err := flow.New(st).CreatePayment(ctx, w.Tn.ID, p); err != nil {
			t.Fatal(err)
		}
		w.Move(t, p, pinglinks.PaymentCompleted)
		if _, err := flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, q *pinglinks.Payment) error {
			q.FundedAmount = pinglinks.MaxAmount
			return q.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 7, Currency: pinglinks.DKK, Reason: "för dyrt", Description: "line\nbreak"}, clock)
		}); err != nil {
			t.Fatal(err)
		}
		p.Status, p.FundedAmount, p.UpdatedAt = pinglinks.PaymentCompleted, pinglinks.MaxAmount, clock
		p.StatusHistory = append(p.StatusHistory, pinglinks.StatusChange{Status: pinglinks.PaymentCompleted, OccurredAt: clock})
		stored, err := st.Payment(ctx, w.Tn.ID, o.ID, p.ID)
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
		bare := w.NewPayment(o, "", 5)
		if err := flow.New(st).CreatePayment(ctx, w.Tn.ID, bare); err != nil {
			t.Fatal(err)
		}
		if b, _ := st.Payment(ctx, w.Tn.ID, o.ID, bare.ID); b.Metadata != nil || b.Payer != nil || b.ProviderMethodParameters != nil ||
			b.ProviderMethodResponse != nil || b.LinkID != uuid.Nil || b.Refunds == nil || b.OrderItems[0].Metadata != nil || b.OrderItems[0].Tags != nil {
			t.Errorf("bare payment %+v", b)
		}
		w.Move(t, bare, pinglinks.PaymentExpired)

		// Every nullable time of the order, at the clock, after a fast-forward settle.
		if err := flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, flow.SettleOrder, true); err != nil {
			t.Fatal(err)
		}
		got, ps, _ := st.Order(ctx, w.Tn.ID, o.ID)
		for name, tm := range map[string]*time.Time{"closed_at": got.ClosedAt, "split_at": got.SplitAt, "settled_at": got.SettledAt} {
			if tm == nil || !tm.Equal(clock) || tm.Location() != time.UTC || tm.Nanosecond() != 123456000 {
				t.Errorf("%s = %v, want %v", name, tm, clock)
			}
		}
		if len(ps) != 2 || ps[0].ID != p.ID {
			t.Fatalf("order payments %d", len(ps))
		}
		allocs, _ := flow.New(st).Allocations(ctx, w.Tn.ID, o.ID)
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
		listed, _, _ := st.Orders(ctx, w.Tn.ID, store.OrderFilter{}, store.Page{})
		if len(listed) != 1 || !reflect.DeepEqual(listed[0], got) {
			t.Errorf("listed order %+v, got %+v", listed, got)
		}
	})
}
