package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// IdempotentClaimLate answers exactly as Idempotent does in every case the
// key can be in; only the order of its statements differs.
func TestIdempotentClaimLate(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		tn := testdb.NewTenant(t, st, "late")
		exists := func(m *pinglinks.Merchant) bool {
			_, err := st.Merchant(ctx, tn.ID, m.ID)
			return err == nil
		}
		var runs atomic.Int32
		create := func(m *pinglinks.Merchant, refuse error) func(context.Context) (store.StoredResponse, error) {
			return func(ctx context.Context) (store.StoredResponse, error) {
				runs.Add(1)
				if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
					return store.StoredResponse{}, err
				}
				if refuse != nil {
					return store.StoredResponse{}, refuse
				}
				return store.StoredResponse{StatusCode: 200, Body: []byte(m.ID.String())}, nil
			}
		}
		type want struct {
			runs   int32
			replay string // the replayed body, "" for none
			err    error
			exists bool
		}
		m1, m2, m3, m4 := newMerchant(st, "1"), newMerchant(st, "2"), newMerchant(st, "3"), newMerchant(st, "4")
		refused := errors.New("refused")
		for _, tc := range []struct {
			name    string
			key, fp string
			m       *pinglinks.Merchant
			refuse  error
			before  func()
			want    want
		}{
			{name: "a new key: one run, committed with its key", key: "k1", fp: "fp", m: m1, want: want{runs: 1, exists: true}},
			{name: "the same request again: replayed, not run", key: "k1", fp: "fp", m: m2, want: want{runs: 1, replay: m1.ID.String()}},
			{name: "another request under the key: refused", key: "k1", fp: "other", m: m2, want: want{runs: 1, err: store.ErrKeyReused}},
			{name: "a refusal: run again under the claim, nothing kept", key: "k2", fp: "fp", m: m3, refuse: refused,
				want: want{runs: 2, err: refused}},
			{name: "a remembered refusal: replayed", key: "k3", fp: "fp", m: m3, before: func() {
				if err := st.RememberResponse(ctx, tn.ID, "k3", "fp", store.StoredResponse{StatusCode: 403, Body: []byte("no")}); err != nil {
					t.Fatal(err)
				}
			}, want: want{runs: 1, replay: "no"}},
			{name: "an expired key: taken over", key: "k1", fp: "new", m: m4, before: func() {
				real := st.Now
				st.Now = func() time.Time { return real().Add(25 * time.Hour) }
				t.Cleanup(func() { st.Now = real })
			}, want: want{runs: 2, exists: true}},
		} {
			if tc.before != nil {
				tc.before()
			}
			runs.Store(0)
			replay, err := st.IdempotentClaimLate(ctx, tn.ID, tc.key, tc.fp, create(tc.m, tc.refuse))
			got := want{runs: runs.Load(), err: err, exists: exists(tc.m)}
			if replay != nil {
				got.replay = string(replay.Body)
			}
			if got.runs != tc.want.runs || got.replay != tc.want.replay || !errors.Is(err, tc.want.err) || got.exists != tc.want.exists {
				t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
			}
		}
	})
}

// Requests racing on one new key under IdempotentClaimLate may each run,
// but one commits; every other is rolled back and replays its response.
func TestIdempotentClaimLateRace(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		tn := testdb.NewTenant(t, st, "race")
		const n = 16
		bodies := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine string
				r, err := st.IdempotentClaimLate(ctx, tn.ID, "same", "fp", func(ctx context.Context) (store.StoredResponse, error) {
					m := newMerchant(st, "racer")
					if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
						return store.StoredResponse{}, err
					}
					mine = m.ID.String()
					return store.StoredResponse{StatusCode: 200, Body: []byte(mine)}, nil
				})
				if err != nil {
					t.Error(err)
				}
				bodies[i] = mine
				if r != nil {
					bodies[i] = string(r.Body)
				}
			}()
		}
		wg.Wait()
		ms, _, err := st.Merchants(ctx, tn.ID, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Fatalf("%d merchants under one key; want 1", len(ms))
		}
		for i, b := range bodies {
			if b != ms[0].ID.String() {
				t.Errorf("request %d was answered %q; the committed merchant is %s", i, b, ms[0].ID)
			}
		}
	})
}

// Keyed creates arriving together commit in groups (on PostgreSQL, the
// claim-late units whose statements all waited for COMMIT; on SQLite, every
// write). One that fails its check inside a group does not take the others
// down: the group is rolled back, each unit runs alone, and each gets its
// own outcome.
func TestGroupedCommitsKeepEachOutcome(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		tn, other := testdb.NewTenant(t, st, "grouped"), testdb.NewTenant(t, st, "other")
		const n = 32
		before := st.GroupStats()
		for round := 0; ; round++ {
			orders := make([]*pinglinks.PaymentOrder, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				tree := tn.DefaultSplitTreeID
				if i%8 == 3 {
					tree = other.DefaultSplitTreeID // not the tenant's: refused
				}
				orders[i] = &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tn.ID, Status: pinglinks.OrderOpen,
					Currency: pinglinks.SEK, SplitTreeID: tree, CreatedAt: st.Now()}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = st.IdempotentClaimLate(ctx, tn.ID, fmt.Sprintf("group-%d-%d", round, i), "fp",
						func(ctx context.Context) (store.StoredResponse, error) {
							if err := st.CreateOrder(ctx, tn.ID, orders[i]); err != nil {
								return store.StoredResponse{}, err
							}
							return store.StoredResponse{StatusCode: 201}, nil
						})
				}()
			}
			close(start)
			wg.Wait()
			for i, o := range orders {
				_, _, err := st.Order(ctx, tn.ID, o.ID)
				if i%8 == 3 {
					if !errors.Is(errs[i], store.ErrUnknownSplitTree) || err == nil {
						t.Errorf("order %d: %v, stored %v; want refused and not stored", i, errs[i], err == nil)
					}
				} else if errs[i] != nil || err != nil {
					t.Errorf("order %d: %v, read back: %v; want stored", i, errs[i], err)
				}
			}
			g := st.GroupStats()
			units, groups := g.Units-before.Units, g.Groups-before.Groups
			if units < int64(n-n/8)*int64(round+1) {
				t.Fatalf("%d units committed in groups after %d rounds of %d good orders", units, round+1, n-n/8)
			}
			if units > groups && (st.Engine() != store.Postgres || g.Split > before.Split) {
				break // some commits were shared, and (PostgreSQL) a group was split for its refused unit
			}
			if round == 9 {
				t.Fatalf("after 10 rounds: %d units in %d groups, %d split; want some shared and one split", units, groups, g.Split-before.Split)
			}
		}
	})
}
