package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestGroupCommitKeepsEachOwnOutcome runs many writers at once, so that on
// SQLite their transactions share commits: every transaction that committed
// is there after the database is closed and opened again, and one that
// failed or was rolled back left nothing, whoever shared its group.
func TestGroupCommitKeepsEachOwnOutcome(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testdb.URL(t, engine)
			st, err := store.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			tn := testdb.NewTenant(t, st, "group")
			const writers = 48
			var wg sync.WaitGroup
			errs := make([]error, writers)
			kept := map[string]bool{}
			for i := range writers {
				name := fmt.Sprint("stall ", i)
				keep := i%3 != 0
				kept[name] = keep
				wg.Add(1)
				go func() {
					defer wg.Done()
					m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: name, Status: pinglinks.MerchantCreated,
						Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
					switch {
					case keep && i%2 == 0: // a transaction of its own
						errs[i] = st.CreateMerchant(ctx, tn.ID, m, true)
					case keep: // a keyed unit of work, with an order written by a plain statement inside it
						_, errs[i] = st.Idempotent(ctx, tn.ID, name, "fp", func(ctx context.Context) (store.StoredResponse, error) {
							o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tn.ID, Status: pinglinks.OrderOpen,
								Currency: pinglinks.SEK, SplitTreeID: tn.DefaultSplitTreeID, CreatedAt: st.Now()}
							if err := st.CreateOrder(ctx, tn.ID, o); err != nil {
								return store.StoredResponse{}, err
							}
							return store.StoredResponse{StatusCode: 200}, st.CreateMerchant(ctx, tn.ID, m, false)
						})
					default: // writes, then fails: rolled back alone
						_, err := st.Idempotent(ctx, tn.ID, name, "fp", func(ctx context.Context) (store.StoredResponse, error) {
							if err := st.CreateMerchant(ctx, tn.ID, m, false); err != nil {
								return store.StoredResponse{}, err
							}
							return store.StoredResponse{}, errors.New("refused after writing")
						})
						if err == nil {
							errs[i] = errors.New("a failing unit reported success")
						}
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
			}
			st.Close()

			st, err = store.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ms, _, err := st.Merchants(ctx, tn.ID, store.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, m := range ms {
				found[m.Name] = true
			}
			for name, keep := range kept {
				if found[name] != keep {
					t.Errorf("%s: stored %v, want %v", name, found[name], keep)
				}
			}
			orders, _, err := st.Orders(ctx, tn.ID, store.OrderFilter{}, store.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(orders) != writers/3 {
				t.Errorf("%d orders stored, want %d", len(orders), writers/3)
			}
		})
	}
}
