package flow_test

import (
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

// The use cases of orders and payments, on both engines through
// testdb.Each: both must answer alike.
func TestOrdersConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "orders")
		ctx := w.Ctx
		bad := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.EUR,
			SplitTreeID: pinglinks.NewID(), CreatedAt: st.Now()}
		flowtest.WantInvalid(t, "unknown split tree", flow.New(st).CreateOrder(ctx, w.Tn.ID, bad), "split_tree_id")
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_orders`); c != 0 {
			t.Fatalf("%d orders after a refused one", c)
		}
		_, _, err := st.Order(ctx, w.Tn.ID, bad.ID)
		flowtest.WantCode(t, "refused order", err, pinglinks.ECodeNotFound)

		o := w.Order(t, pinglinks.SEK)
		flowtest.WantInvalid(t, "update to unknown tree", flow.New(st).UpdateOrder(ctx, w.Tn.ID, o.ID, pinglinks.NewID(), nil), "split_tree_id")
		if err := flow.New(st).UpdateOrder(ctx, w.Tn.ID, o.ID, w.Tn.DefaultSplitTreeID, json.RawMessage(`{"fee_percent":2}`)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := st.Order(ctx, w.Tn.ID, o.ID); string(got.SplitParameters) != `{"fee_percent":2}` {
			t.Fatalf("split parameters %s", got.SplitParameters)
		}
		flowtest.WantCode(t, "unknown action", flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, "explode", false), pinglinks.ECodeInternal)
		flowtest.WantCode(t, "advance unknown order", flow.New(st).AdvanceOrder(ctx, w.Tn.ID, pinglinks.NewID(), flow.CloseOrder, false), pinglinks.ECodeNotFound)
		_, err = flow.New(st).Allocations(ctx, w.Tn.ID, o.ID)
		flowtest.WantCode(t, "allocations of an OPEN order", err, pinglinks.ECodeForbidden)
		flowtest.WantCode(t, "split an OPEN order", flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, flow.SplitOrder, false), pinglinks.ECodeForbidden)
		flowtest.WantCode(t, "settle an OPEN order", flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, flow.SettleOrder, false), pinglinks.ECodeForbidden)

		// Two merchants, a refunded payment, a declined one and a pending one.
		m2 := w.Merchant(t, "Second", true)
		paid := w.NewPayment(o, "", 600, 400)
		paid.OrderItems[1].MerchantID = m2.ID
		if err := flow.New(st).CreatePayment(ctx, w.Tn.ID, paid); err != nil {
			t.Fatal(err)
		}
		w.Move(t, paid, pinglinks.PaymentCompleted)
		if _, err := flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, paid.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 101, Currency: pinglinks.SEK, Reason: "broken jar"}, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		declined := w.Payment(t, o, "", 5000)
		w.Move(t, declined, pinglinks.PaymentDeclined)
		pending := w.Payment(t, o, "", 70)
		w.Move(t, pending, pinglinks.PaymentPending)

		step := func(action flow.OrderAction, ff bool) error {
			return flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, action, ff)
		}
		if err := step(flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		closed, _, _ := st.Order(ctx, w.Tn.ID, o.ID)
		if closed.Status != pinglinks.OrderClosed || closed.ClosedAt == nil || closed.SplitAt != nil {
			t.Fatalf("closed order %+v", closed)
		}
		flowtest.WantCode(t, "update a CLOSED order", flow.New(st).UpdateOrder(ctx, w.Tn.ID, o.ID, w.Tn.DefaultSplitTreeID, nil), pinglinks.ECodeOrderClosed)
		// The pending payment blocks the split, fast_forward or not, and nothing is written.
		for _, ff := range []bool{false, true} {
			flowtest.WantCode(t, "split with a pending payment", step(flow.SplitOrder, ff), pinglinks.ECodeForbidden)
			flowtest.WantCode(t, "settle with a pending payment", step(flow.SettleOrder, true), pinglinks.ECodeForbidden)
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM allocations`); c != 0 {
			t.Fatalf("%d allocations after refused splits", c)
		}
		w.Move(t, pending, pinglinks.PaymentUnderfunded)
		flowtest.WantCode(t, "split with an UNDERFUNDED payment", step(flow.SplitOrder, false), pinglinks.ECodeForbidden)
		w.Move(t, pending, pinglinks.PaymentExpired)

		// Repeated close is a no-op: closed_at stays.
		if err := step(flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		if again, _, _ := st.Order(ctx, w.Tn.ID, o.ID); !again.ClosedAt.Equal(*closed.ClosedAt) {
			t.Fatalf("second close moved closed_at from %v to %v", closed.ClosedAt, again.ClosedAt)
		}
		if err := step(flow.SplitOrder, false); err != nil {
			t.Fatal(err)
		}
		// kept 899 of 1000: 600·0.899 = 539.4 and 400·0.899 = 359.6 → 539 + 359 = 898, the unit goes to m2.
		want := map[uuid.UUID]int64{w.M.ID: 539, m2.ID: 360}
		allocs, err := flow.New(st).Allocations(ctx, w.Tn.ID, o.ID)
		if err != nil || len(allocs) != 2 {
			t.Fatalf("allocations %v (%v)", allocs, err)
		}
		for _, a := range allocs {
			if a.Amount != want[a.MerchantID] || a.Currency != pinglinks.SEK {
				t.Errorf("allocation %+v, want %d", a, want[a.MerchantID])
			}
		}
		split, _, _ := st.Order(ctx, w.Tn.ID, o.ID)
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder} {
			for _, ff := range []bool{false, true} {
				if err := step(action, ff); err != nil {
					t.Fatalf("repeated %s: %v", action, err)
				}
			}
		}
		if again, _, _ := st.Order(ctx, w.Tn.ID, o.ID); !reflect.DeepEqual(again, split) {
			t.Fatalf("repeated steps changed the order:\n%+v\n%+v", again, split)
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM allocations`); c != 2 {
			t.Fatalf("%d allocation rows after repeats", c)
		}
		if err := step(flow.SettleOrder, false); err != nil {
			t.Fatal(err)
		}
		settled, _, _ := st.Order(ctx, w.Tn.ID, o.ID)
		if settled.Status != pinglinks.OrderSettled || settled.SettledAt == nil || !settled.SplitAt.Equal(*split.SplitAt) {
			t.Fatalf("settled %+v", settled)
		}
		for _, action := range []flow.OrderAction{flow.CloseOrder, flow.SplitOrder, flow.SettleOrder} {
			if err := step(action, true); err != nil {
				t.Fatalf("%s of a SETTLED order: %v", action, err)
			}
		}
		if again, _, _ := st.Order(ctx, w.Tn.ID, o.ID); !reflect.DeepEqual(again, settled) {
			t.Fatalf("steps after settle changed the order")
		}
		if after, err := flow.New(st).Allocations(ctx, w.Tn.ID, o.ID); err != nil || !reflect.DeepEqual(after, allocs) {
			t.Fatalf("allocations after settle %v (%v)", after, err)
		}

		// fast_forward settle straight from OPEN stamps every time and writes allocations.
		ff := w.Order(t, pinglinks.SEK)
		fp := w.Payment(t, ff, "", 250)
		w.Move(t, fp, pinglinks.PaymentPending, pinglinks.PaymentCompleted)
		if err := flow.New(st).AdvanceOrder(ctx, w.Tn.ID, ff.ID, flow.SettleOrder, true); err != nil {
			t.Fatal(err)
		}
		got, _, _ := st.Order(ctx, w.Tn.ID, ff.ID)
		if got.Status != pinglinks.OrderSettled || got.ClosedAt == nil || got.SplitAt == nil || got.SettledAt == nil {
			t.Fatalf("fast-forwarded order %+v", got)
		}
		if allocs, _ := flow.New(st).Allocations(ctx, w.Tn.ID, ff.ID); len(allocs) != 1 || allocs[0].Amount != 250 {
			t.Fatalf("fast-forward allocations %v", allocs)
		}
		// An order without payments splits into no allocations.
		empty := w.Order(t, pinglinks.SEK)
		if err := flow.New(st).AdvanceOrder(ctx, w.Tn.ID, empty.ID, flow.SplitOrder, true); err != nil {
			t.Fatal(err)
		}
		if allocs, err := flow.New(st).Allocations(ctx, w.Tn.ID, empty.ID); err != nil || allocs == nil || len(allocs) != 0 {
			t.Fatalf("empty order allocations %v (%v)", allocs, err)
		}
	})
}

func TestPaymentsConformance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "payments")
		ctx := w.Ctx
		o := w.Order(t, pinglinks.SEK)
		noWrites := func(what string) {
			t.Helper()
			if c := flowtest.CountRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1`, o.ID); c != 0 {
				t.Fatalf("%s: %d payments written", what, c)
			}
			if c := flowtest.CountRows(t, st, `SELECT count(*) FROM outbox WHERE kind = $1`, store.KindPaymentStatus); c != 0 {
				t.Fatalf("%s: %d callbacks written", what, c)
			}
		}
		nok := w.NewPayment(o, "https://t.example/p", 100)
		nok.Currency = pinglinks.NOK
		flowtest.WantInvalid(t, "currency mismatch", flow.New(st).CreatePayment(ctx, w.Tn.ID, nok), "currency")
		noWrites("currency mismatch")
		unknown := w.NewPayment(o, "https://t.example/p", 100, 200, 300)
		unknown.OrderItems[1].MerchantID = pinglinks.NewID()
		err := flow.New(st).CreatePayment(ctx, w.Tn.ID, unknown)
		flowtest.WantInvalid(t, "unknown merchant", err, "order_items[1].merchant_id")
		if es, ok := err.(pinglinks.Errors); !ok || len(es) != 1 {
			t.Errorf("unknown merchant: %v, want exactly one error", err)
		}
		// Two unknown merchants (one repeated): every item is reported.
		ghost := pinglinks.NewID()
		unknown.OrderItems[0].MerchantID, unknown.OrderItems[2].MerchantID = ghost, ghost
		if es, ok := flow.New(st).CreatePayment(ctx, w.Tn.ID, unknown).(pinglinks.Errors); !ok || len(es) != 3 ||
			es[0].Property != "order_items[0].merchant_id" || es[2].Property != "order_items[2].merchant_id" {
			t.Errorf("three unknown items: %v", es)
		}
		noWrites("unknown merchant")
		missing := w.NewPayment(&pinglinks.PaymentOrder{ID: pinglinks.NewID(), Currency: pinglinks.SEK}, "", 100)
		flowtest.WantCode(t, "unknown order", flow.New(st).CreatePayment(ctx, w.Tn.ID, missing), pinglinks.ECodeNotFound)

		with := w.Payment(t, o, "https://t.example/p", 100)
		without := w.Payment(t, o, "", 100)
		if n := len(w.Outbox(t, store.KindPaymentStatus)); n != 0 {
			t.Fatalf("%d callbacks for creating payments", n)
		}
		dup := w.NewPayment(o, "", 100)
		dup.ID = with.ID
		if err := flow.New(st).CreatePayment(ctx, w.Tn.ID, dup); err == nil {
			t.Fatal("duplicate payment id accepted")
		}

		// One outbox row per new status, for the payment with a callback URL only.
		w.Move(t, with, pinglinks.PaymentPending)
		w.Move(t, without, pinglinks.PaymentPending)
		if _, err := flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
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
		w.Move(t, without, pinglinks.PaymentCompleted)
		msgs := w.Outbox(t, store.KindPaymentStatus)
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
		if _, err := flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.AddRefund(pinglinks.Refund{ID: pinglinks.NewID(), Amount: 40, Currency: pinglinks.SEK, Reason: "r"}, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if n := len(w.Outbox(t, store.KindPaymentStatus)); n != 4 {
			t.Fatalf("%d callbacks after a refund", n)
		}
		// A failing fn rolls everything back: status, refunds, funded amount, callbacks.
		before, _ := st.Payment(ctx, w.Tn.ID, o.ID, with.ID)
		third := w.Payment(t, o, "https://t.example/p", 100)
		_, err = flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, third.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
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
		after, _ := st.Payment(ctx, w.Tn.ID, o.ID, third.ID)
		if after.Status != pinglinks.PaymentInitiated || len(after.StatusHistory) != 1 || len(after.Refunds) != 0 ||
			after.FundedAmount != 0 || after.Payer != nil {
			t.Fatalf("failed update left %+v", after)
		}
		if n := len(w.Outbox(t, store.KindPaymentStatus)); n != 4 {
			t.Fatalf("%d callbacks after a failed update", n)
		}
		if again, _ := st.Payment(ctx, w.Tn.ID, o.ID, with.ID); !reflect.DeepEqual(again, before) {
			t.Fatal("a failed update of one payment changed another")
		}
		// Terminal stays terminal in the store too.
		_, err = flow.New(st).UpdatePayment(ctx, w.Tn.ID, o.ID, with.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentDeclined, st.Now())
		})
		flowtest.WantCode(t, "COMPLETED → DECLINED", err, pinglinks.ECodeForbidden)

		// Closed order: no new payments, but existing ones still update.
		if err := flow.New(st).AdvanceOrder(ctx, w.Tn.ID, o.ID, flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		late := w.NewPayment(o, "", 100)
		flowtest.WantCode(t, "payment on a CLOSED order", flow.New(st).CreatePayment(ctx, w.Tn.ID, late), pinglinks.ECodeOrderClosed)
		if _, err := st.Payment(ctx, w.Tn.ID, o.ID, late.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("refused payment stored: %v", err)
		}
		w.Move(t, third, pinglinks.PaymentAborted)

		// Filters.
		count := func(f store.PaymentFilter) int {
			ps, _, err := st.Payments(ctx, w.Tn.ID, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}
		o2 := w.Order(t, pinglinks.SEK)
		swish := w.NewPayment(o2, "", 100)
		swish.Provider, swish.Method = "swish", "e_commerce"
		if err := flow.New(st).CreatePayment(ctx, w.Tn.ID, swish); err != nil {
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
