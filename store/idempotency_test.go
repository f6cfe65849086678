package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

func newMerchant(st *store.Store, name string) *pinglinks.Merchant {
	return &pinglinks.Merchant{ID: pinglinks.NewID(), Name: name, Status: pinglinks.MerchantCreated,
		Organization: &pinglinks.Organization{Country: "NO", NOOrganizationNumber: "923609016"}, CreatedAt: st.Now()}
}

// TestIdempotentUnit: a request's objects and its stored response are
// committed together or not at all.
func TestIdempotentUnit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a := testdb.NewTenant(t, st, "a")
		b := testdb.NewTenant(t, st, "b")
		exists := func(tn testdb.Tenant, m *pinglinks.Merchant) bool {
			_, err := st.Merchant(ctx, tn.ID, m.ID)
			if err != nil && pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
				t.Fatal(err)
			}
			return err == nil
		}
		create := func(tn testdb.Tenant, m *pinglinks.Merchant, status int) func(context.Context) (store.StoredResponse, error) {
			return func(ctx context.Context) (store.StoredResponse, error) {
				if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
					return store.StoredResponse{}, err
				}
				// Reads inside the unit see its own writes.
				if _, err := st.Merchant(ctx, tn.ID, m.ID); err != nil {
					return store.StoredResponse{}, err
				}
				return store.StoredResponse{StatusCode: status, Body: []byte(`{"id":"` + m.ID.String() + `"}`)}, nil
			}
		}

		m1 := newMerchant(st, "one")
		replay, err := st.Idempotent(ctx, a.ID, "k1", "fp1", create(a, m1, 201))
		if err != nil || replay != nil || !exists(a, m1) {
			t.Fatalf("first run: %v %v exists=%v", replay, err, exists(a, m1))
		}
		// The same request replays without running; another is refused.
		m2 := newMerchant(st, "two")
		replay, err = st.Idempotent(ctx, a.ID, "k1", "fp1", create(a, m2, 201))
		if err != nil || replay == nil || replay.StatusCode != 201 || string(replay.Body) != `{"id":"`+m1.ID.String()+`"}` || exists(a, m2) {
			t.Fatalf("replay %+v %v", replay, err)
		}
		if _, err := st.Idempotent(ctx, a.ID, "k1", "fp2", create(a, m2, 201)); !errors.Is(err, store.ErrKeyReused) || exists(a, m2) {
			t.Fatalf("other request under the key: %v", err)
		}
		// Keys are per tenant.
		if replay, err := st.Idempotent(ctx, b.ID, "k1", "fp2", create(b, m2, 201)); err != nil || replay != nil || !exists(b, m2) {
			t.Fatalf("same key, other tenant: %v %v", replay, err)
		}

		// A failed request keeps nothing, and frees its key.
		m3 := newMerchant(st, "three")
		boom := errors.New("boom")
		_, err = st.Idempotent(ctx, a.ID, "k3", "fp", func(ctx context.Context) (store.StoredResponse, error) {
			if err := flow.New(st).CreateMerchant(ctx, a.ID, m3, false); err != nil {
				return store.StoredResponse{}, err
			}
			return store.StoredResponse{}, boom
		})
		if !errors.Is(err, boom) || exists(a, m3) {
			t.Fatalf("failed request: %v, merchant kept: %v", err, exists(a, m3))
		}
		// A step that failed inside a request that carried on is not kept either.
		_, err = st.Idempotent(ctx, a.ID, "k3", "fp", func(ctx context.Context) (store.StoredResponse, error) {
			if err := flow.New(st).CreateMerchant(ctx, a.ID, m3, false); err != nil {
				return store.StoredResponse{}, err
			}
			dup := *m1
			_ = flow.New(st).CreateMerchant(ctx, a.ID, &dup, false) // fails: the id exists
			return store.StoredResponse{StatusCode: 201}, nil
		})
		if err == nil || exists(a, m3) {
			t.Fatalf("request with a failed step: %v, merchant kept: %v", err, exists(a, m3))
		}
		// A request cut off mid-way (client gone, process dying) keeps nothing.
		cut, cancel := context.WithCancel(ctx)
		_, err = st.Idempotent(cut, a.ID, "k3", "fp", func(ctx context.Context) (store.StoredResponse, error) {
			if err := flow.New(st).CreateMerchant(ctx, a.ID, m3, false); err != nil {
				return store.StoredResponse{}, err
			}
			cancel()
			return store.StoredResponse{StatusCode: 201}, nil
		})
		if err == nil || exists(a, m3) {
			t.Fatalf("cut-off request: %v, merchant kept: %v", err, exists(a, m3))
		}
		if replay, err := st.Idempotent(ctx, a.ID, "k3", "fp", create(a, m3, 201)); err != nil || replay != nil || !exists(a, m3) {
			t.Fatalf("retry after failures: %v %v", replay, err)
		}

		// A refusal remembered apart replays byte for byte; an empty body too.
		body := []byte("{\"id\":\"é\"}\x00\xff")
		if err := st.RememberResponse(ctx, a.ID, "k4", "fp", store.StoredResponse{StatusCode: 422, Body: body}); err != nil {
			t.Fatal(err)
		}
		if err := st.RememberResponse(ctx, a.ID, "k5", "fp", store.StoredResponse{StatusCode: 204}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			key  string
			code int
			body []byte
		}{{"k4", 422, body}, {"k5", 204, nil}} {
			r, err := st.Idempotent(ctx, a.ID, c.key, "fp", create(a, newMerchant(st, "x"), 201))
			if err != nil || r == nil || r.StatusCode != c.code || string(r.Body) != string(c.body) {
				t.Fatalf("%s: replay %+v %v", c.key, r, err)
			}
		}
		// Remembering never overwrites a completed key.
		if err := st.RememberResponse(ctx, a.ID, "k1", "fp1", store.StoredResponse{StatusCode: 422}); err != nil {
			t.Fatal(err)
		}
		if r, _ := st.Idempotent(ctx, a.ID, "k1", "fp1", create(a, m2, 201)); r == nil || r.StatusCode != 201 {
			t.Fatalf("k1 after RememberResponse: %+v", r)
		}

		// After 24 h a key is free again, and purged.
		real := st.Now
		st.Now = func() time.Time { return real().Add(25 * time.Hour) }
		m6 := newMerchant(st, "six")
		if r, err := st.Idempotent(ctx, a.ID, "k1", "fp9", create(a, m6, 201)); err != nil || r != nil || !exists(a, m6) {
			t.Fatalf("after 24 h: %v %v", r, err)
		}
		st.Now = func() time.Time { return real().Add(50 * time.Hour) }
		if n, err := st.PurgeIdempotencyKeys(ctx); err != nil || n < 5 {
			t.Fatalf("purged %d (%v)", n, err)
		}
	})
}

// TestIdempotentRace: requests racing on one new key run the work once;
// every other one replays its response, none fails.
func TestIdempotentRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tn := testdb.NewTenant(t, st, "race")
		var runs atomic.Int32
		var replays atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := st.Idempotent(ctx, tn.ID, "same", "fp", func(ctx context.Context) (store.StoredResponse, error) {
					runs.Add(1)
					m := newMerchant(st, "racer")
					if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
						return store.StoredResponse{}, err
					}
					return store.StoredResponse{StatusCode: 201, Body: []byte(m.ID.String())}, nil
				})
				if err != nil {
					t.Error(err)
				}
				if r != nil {
					replays.Add(1)
				}
			}()
		}
		wg.Wait()
		ms, _, err := st.Merchants(ctx, tn.ID, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if runs.Load() != 1 || replays.Load() != 15 || len(ms) != 1 {
			t.Fatalf("%d runs, %d replays, %d merchants; want 1, 15, 1", runs.Load(), replays.Load(), len(ms))
		}
	})
}
