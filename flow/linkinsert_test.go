package flow_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
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

// TestCheckedWritesUnderClaimLate: under a claim-late key (as the API runs a
// keyed create), the order's and the link's checked writes wait for COMMIT:
// on PostgreSQL the whole unit is one round trip, on SQLite it takes the
// writer's turn only to run its statements. A check that fails
// there rolls the unit back, and the request runs again under the key's
// claim, which refuses it by the same rule and keeps nothing.
func TestCheckedWritesUnderClaimLate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "checked")
		other := flowtest.NewWorld(t, st, "other")
		// keyed runs step under a new key and returns what each run of it
		// returned (the step's own error, before the unit commits).
		keyed := func(key string, step func(ctx context.Context) error) (runs []error, err error) {
			_, err = st.IdempotentClaimLate(w.Ctx, w.Tn.ID, key, "fp", func(ctx context.Context) (store.StoredResponse, error) {
				err := step(ctx)
				runs = append(runs, err)
				if err != nil {
					return store.StoredResponse{}, err
				}
				return store.StoredResponse{StatusCode: 201, Body: []byte(key)}, nil
			})
			return runs, err
		}
		order := func(tree uuid.UUID) *pinglinks.PaymentOrder {
			return &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen,
				Currency: pinglinks.SEK, SplitTreeID: tree, CreatedAt: st.Now()}
		}
		link := w.NewLink
		createOrder := func(o *pinglinks.PaymentOrder) func(ctx context.Context) error {
			return func(ctx context.Context) error { return st.CreateOrder(ctx, w.Tn.ID, o) }
		}
		createLink := func(l *pinglinks.PaymentLink) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				_, err := flow.New(st).CreateLink(ctx, w.Tn.ID, l, nil)
				return err
			}
		}
		exists := func(table string, id uuid.UUID) bool {
			return flowtest.CountRows(t, st, `SELECT count(*) FROM `+table+` WHERE id = $1`, id) == 1
		}
		keyKept := func(key string) bool {
			return flowtest.CountRows(t, st, `SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1 AND key = $2
				AND completed_at IS NOT NULL`, w.Tn.ID, key) == 1
		}

		open := order(w.Tn.DefaultSplitTreeID)
		foreign := order(other.Tn.DefaultSplitTreeID)
		closed := w.Order(t, pinglinks.SEK)
		if err := flow.New(st).AdvanceOrder(w.Ctx, w.Tn.ID, closed.ID, flow.CloseOrder, false); err != nil {
			t.Fatal(err)
		}
		first, second := link(open, w.M), link(open, w.M)
		for _, tc := range []struct {
			name string
			step func(ctx context.Context) error
			row  string // table and id of what the step creates
			id   uuid.UUID
			want func(error) bool // the refusal, nil for none
		}{
			{name: "an order", step: createOrder(open), row: "payment_orders", id: open.ID},
			{name: "an order on another tenant's split tree", step: createOrder(foreign), row: "payment_orders", id: foreign.ID,
				want: func(err error) bool { return errors.Is(err, store.ErrUnknownSplitTree) }},
			{name: "a link", step: createLink(first), row: "payment_links", id: first.ID},
			{name: "a second link on the order", step: createLink(second), row: "payment_links", id: second.ID,
				want: func(err error) bool { return pinglinks.ErrorCode(err) == pinglinks.ECodeForbidden }},
			{name: "a link on a closed order", step: createLink(link(closed, w.M)), row: "payment_orders", id: uuid.Nil,
				want: func(err error) bool { return pinglinks.ErrorCode(err) == pinglinks.ECodeOrderClosed }},
			{name: "a link with another tenant's merchant", step: createLink(link(w.Order(t, pinglinks.SEK), other.M)),
				row: "payment_orders", id: uuid.Nil,
				want: func(err error) bool {
					var errs pinglinks.Errors
					return errors.As(err, &errs) && len(errs) == 1 && errs[0].Property == "items[0].merchant_id"
				}},
		} {
			key := "k-" + tc.name
			before := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_links`)
			runs, err := keyed(key, tc.step)
			if tc.want == nil {
				if err != nil || len(runs) != 1 || runs[0] != nil {
					t.Errorf("%s: runs %v, err %v; want one run that commits", tc.name, runs, err)
				}
				if tc.id != uuid.Nil && !exists(tc.row, tc.id) {
					t.Errorf("%s: not written", tc.name)
				}
				if !keyKept(key) {
					t.Errorf("%s: the key's response was not kept with it", tc.name)
				}
				continue
			}
			// The first run's check waits for COMMIT and fails there;
			// the second run (under the claim) names the rule.
			if len(runs) != 2 || runs[0] != nil || !tc.want(runs[1]) || !tc.want(err) {
				t.Errorf("%s: runs %v, err %v; want the refusal found on run 2", tc.name, runs, err)
			}
			if tc.id != uuid.Nil && exists(tc.row, tc.id) {
				t.Errorf("%s: written although refused", tc.name)
			}
			if after := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_links`); after != before {
				t.Errorf("%s: %d links before, %d after a refusal", tc.name, before, after)
			}
			if keyKept(key) {
				t.Errorf("%s: a refusal's key was kept by the store (the API remembers refusals itself)", tc.name)
			}
		}
	})
}

// TestCheckedLinksRace: links on one order created at once, each under its
// own key with its checks waiting for COMMIT: the order's lock still lets
// exactly one in, and every other is refused as an order already linked.
func TestCheckedLinksRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "racing links")
		const rounds, n = 10, 8
		for round := range rounds {
			o := w.Order(t, pinglinks.SEK)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := w.NewLink(o, w.M)
					<-start
					errs[i] = w.Keyed("race-"+l.ID.String(), func(ctx context.Context) error {
						_, err := flow.New(st).CreateLink(ctx, w.Tn.ID, l, nil)
						return err
					})
				}()
			}
			close(start)
			wg.Wait()
			won := flowtest.Wins(t, fmt.Sprintf("round %d, link", round), errs)
			links := flowtest.CountRows(t, st, `SELECT count(*) FROM payment_links WHERE order_id = $1`, o.ID)
			payments := flowtest.CountRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1`, o.ID)
			if won != 1 || links != 1 || payments != 1 {
				t.Fatalf("round %d: %d links created, %d links and %d payments on the order; want 1 of each", round, won, links, payments)
			}
		}
	})
}

// TestGroupedCommitsDoNotWaitOnLocks: a keyed create that must wait for a
// row lock (a link on an order another request holds) does not wait inside
// a commit group on PostgreSQL, where it would hold up every unit of its
// group and, with a few such, every group: its statement gives up after a
// moment, and it runs again in a transaction of its own, which waits.
// Meanwhile other requests' keyed creates commit.
func TestGroupedCommitsDoNotWaitOnLocks(t *testing.T) {
	st := testdb.Open(t, store.Postgres) // SQLite has one writer: a held lock holds every write
	w := flowtest.NewWorld(t, st, "locked")
	o := w.Order(t, pinglinks.SEK)
	locked, release, released := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		released <- st.Unit(w.Ctx, func(ctx context.Context) error {
			if _, err := st.LockOrder(ctx, w.Tn.ID, o.ID); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	const links, orders = 4, 16
	linkErrs := make([]error, links)
	var linksDone sync.WaitGroup
	for i := range links {
		linksDone.Add(1)
		go func() {
			defer linksDone.Done()
			l := w.NewLink(o, w.M)
			linkErrs[i] = w.Keyed("link-"+l.ID.String(), func(ctx context.Context) error {
				_, err := flow.New(st).CreateLink(ctx, w.Tn.ID, l, nil)
				return err
			})
		}()
	}
	time.Sleep(200 * time.Millisecond) // the links reach the database, and its lock, first

	orderErrs := make([]error, orders)
	var ordersDone sync.WaitGroup
	for i := range orders {
		ordersDone.Add(1)
		go func() {
			defer ordersDone.Done()
			o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: w.Tn.ID, Status: pinglinks.OrderOpen,
				Currency: pinglinks.SEK, SplitTreeID: w.Tn.DefaultSplitTreeID, CreatedAt: st.Now()}
			orderErrs[i] = w.Keyed("order-"+o.ID.String(), func(ctx context.Context) error { return st.CreateOrder(ctx, w.Tn.ID, o) })
		}()
	}
	done := make(chan struct{})
	go func() { ordersDone.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("keyed orders were still waiting after 10 s for a lock another request holds on another order")
	}
	for i, err := range orderErrs {
		if err != nil {
			t.Errorf("order %d: %v", i, err)
		}
	}
	close(release)
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	linksDone.Wait()
	if won := flowtest.Wins(t, "link", linkErrs); won != 1 {
		t.Errorf("%d links on the order once its lock was released; want 1", won)
	}
}
