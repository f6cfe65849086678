package flow_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/flowtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// Real goroutines against both engines. Each test lines its goroutines up
// behind a closed channel so that they start together.

const racers = 20

// TestRaceCloseThenSplit: 20 goroutines each close and then split the same
// order. Both steps are idempotent, so none may fail; the order is split
// exactly once and its allocations are written exactly once.
func TestRaceCloseThenSplit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "race-split")
		m2 := w.Merchant(t, "Second", true)
		o := w.Order(t, pinglinks.SEK)
		p := w.NewPayment(o, "https://t.example/p", 3000, 4000)
		p.OrderItems[1].MerchantID = m2.ID
		if err := flow.New(st).CreatePayment(w.Ctx, w.Tn.ID, p); err != nil {
			t.Fatal(err)
		}
		w.Move(t, p, pinglinks.PaymentCompleted)
		declined := w.Payment(t, o, "", 999)
		w.Move(t, declined, pinglinks.PaymentDeclined)

		// A clock that never repeats: a second split would leave a later split_at.
		var tick atomic.Int64
		base := st.Now()
		st.Now = func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Microsecond) }

		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, o.ID, flow.CloseOrder, false); err != nil {
					errs[i] = err
					return
				}
				errs[i] = flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, o.ID, flow.SplitOrder, false)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		got, _, err := st.Order(w.Ctx, w.Tn.ID, o.ID)
		if err != nil || got.Status != pinglinks.OrderSplit || got.ClosedAt == nil || got.SplitAt == nil || !got.SplitAt.After(*got.ClosedAt) {
			t.Fatalf("order after the race: %+v (%v)", got, err)
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM allocations WHERE order_id = $1`, o.ID); c != 2 {
			t.Fatalf("%d allocation rows, want 2", c)
		}
		allocs, err := flow.New(st).Allocations(w.Ctx, w.Tn.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[uuid.UUID]int64{w.M.ID: 3000, m2.ID: 4000}
		for _, a := range allocs {
			if a.Amount != want[a.MerchantID] {
				t.Errorf("allocation %+v", a)
			}
		}
		// No status callbacks came from the lifecycle steps.
		if n := len(w.Outbox(t, store.KindPaymentStatus)); n != 1 {
			t.Errorf("%d payment callbacks, want the 1 for COMPLETED", n)
		}
	})
}

// TestRaceSettleFastForward: the same race with settle and fast_forward
// straight from OPEN, mixed with plain closes.
func TestRaceSettleFastForward(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "race-settle")
		o := w.Order(t, pinglinks.EUR)
		p := w.Payment(t, o, "", 1234)
		w.Move(t, p, pinglinks.PaymentCompleted)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				action := []flow.OrderAction{flow.CloseOrder, flow.SplitOrder, flow.SettleOrder}[i%3]
				errs[i] = flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, o.ID, action, true)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		got, _, _ := st.Order(w.Ctx, w.Tn.ID, o.ID)
		if got.Status != pinglinks.OrderSettled {
			t.Fatalf("order %s", got.Status)
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM allocations WHERE order_id = $1`, o.ID); c != 1 {
			t.Fatalf("%d allocation rows, want 1", c)
		}
	})
}

// TestRacePaymentToTerminal: 20 goroutines move the same INITIATED payment
// to different terminal statuses. Exactly one wins; the others are refused
// with a Forbidden error; the history has two entries and the outbox one row.
func TestRacePaymentToTerminal(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "race-payment")
		o := w.Order(t, pinglinks.SEK)
		p := w.Payment(t, o, "https://t.example/status", 500)
		terminal := []pinglinks.PaymentStatus{pinglinks.PaymentCompleted, pinglinks.PaymentDeclined, pinglinks.PaymentAborted,
			pinglinks.PaymentExpired, pinglinks.PaymentCrashed, pinglinks.PaymentStopped}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = flow.New(st).UpdatePayment(w.Ctx, w.Tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
					return p.SetStatus(terminal[i%len(terminal)], st.Now())
				})
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("goroutines %d and %d both changed the payment", winner, i)
			case err == nil:
				winner = i
			case pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden:
				t.Errorf("goroutine %d: %v, want %s", i, err, pinglinks.ECodeForbidden)
			}
		}
		if winner < 0 {
			t.Fatal("no goroutine changed the payment")
		}
		want := terminal[winner%len(terminal)]
		got, err := st.Payment(w.Ctx, w.Tn.ID, o.ID, p.ID)
		if err != nil || got.Status != want || len(got.StatusHistory) != 2 || got.StatusHistory[1].Status != want {
			t.Fatalf("payment %s with history %+v (%v), winner set %s", got.Status, got.StatusHistory, err, want)
		}
		msgs := w.Outbox(t, store.KindPaymentStatus)
		if len(msgs) != 1 {
			t.Fatalf("%d status callbacks, want 1", len(msgs))
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM outbox`); c != 1 {
			t.Fatalf("%d outbox rows in all, want 1", c)
		}
	})
}

// TestRacePaymentsAgainstClose: goroutines keep creating payments while
// another closes the order. Each payment either was created while the order
// was OPEN (created_at ≤ closed_at) or was refused with payment_order_closed;
// none is lost and none slips in after the close.
func TestRacePaymentsAgainstClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "race-close")
		o := w.Order(t, pinglinks.SEK)
		const perGoroutine = 6
		var wg sync.WaitGroup
		start := make(chan struct{})
		var mu sync.Mutex
		created := map[uuid.UUID]bool{}
		refused := 0
		var firstDone atomic.Int32
		for g := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for k := range perGoroutine {
					p := w.NewPayment(o, "", int64(100+g*perGoroutine+k))
					err := flow.New(st).CreatePayment(w.Ctx, w.Tn.ID, p)
					mu.Lock()
					switch {
					case err == nil:
						created[p.ID] = true
					case pinglinks.ErrorCode(err) == pinglinks.ECodeOrderClosed:
						refused++
					default:
						t.Errorf("create payment: %v", err)
					}
					mu.Unlock()
					firstDone.Add(1)
				}
			}()
		}
		var closeErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Close once some payments are in, while the rest are still racing.
			for firstDone.Load() < racers {
				time.Sleep(100 * time.Microsecond)
			}
			closeErr = flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, o.ID, flow.CloseOrder, false)
		}()
		close(start)
		wg.Wait()
		if closeErr != nil {
			t.Fatal(closeErr)
		}
		got, ps, err := st.Order(w.Ctx, w.Tn.ID, o.ID)
		if err != nil || got.Status != pinglinks.OrderClosed || got.ClosedAt == nil {
			t.Fatalf("order %+v (%v)", got, err)
		}
		if len(created)+refused != racers*perGoroutine {
			t.Fatalf("%d created + %d refused of %d", len(created), refused, racers*perGoroutine)
		}
		if len(ps) != len(created) {
			t.Fatalf("%d payments stored, %d reported created", len(ps), len(created))
		}
		for _, p := range ps {
			if !created[p.ID] {
				t.Errorf("payment %s stored but reported refused", p.ID)
			}
			if p.CreatedAt.After(*got.ClosedAt) {
				t.Errorf("payment %s created at %v, after the order closed at %v", p.ID, p.CreatedAt, got.ClosedAt)
			}
		}
		if c := flowtest.CountRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1`, o.ID); c != len(created) {
			t.Fatalf("%d payment rows, %d created", c, len(created))
		}
		if len(created) < racers {
			t.Errorf("only %d payments before the close; the race did not run as meant", len(created))
		}
		t.Logf("%d payments created, %d refused after the close", len(created), refused)
	})
}
