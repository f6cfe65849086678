package store_test

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
			st := openURL(t, url)
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
						errs[i] = flow.New(st).CreateMerchant(ctx, tn.ID, m, true)
					case keep: // a keyed unit of work, with an order written by a plain statement inside it
						_, errs[i] = st.Idempotent(ctx, tn.ID, name, "fp", func(ctx context.Context) (store.StoredResponse, error) {
							o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tn.ID, Status: pinglinks.OrderOpen,
								Currency: pinglinks.SEK, SplitTreeID: tn.DefaultSplitTreeID, CreatedAt: st.Now()}
							if err := st.CreateOrder(ctx, tn.ID, o); err != nil {
								return store.StoredResponse{}, err
							}
							return store.StoredResponse{StatusCode: 200}, flow.New(st).CreateMerchant(ctx, tn.ID, m, false)
						})
					default: // writes, then fails: rolled back alone
						_, err := st.Idempotent(ctx, tn.ID, name, "fp", func(ctx context.Context) (store.StoredResponse, error) {
							if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
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

			st = openURL(t, url)
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

// TestClaimLateUnitsInGroups runs keyed creates whose statements all wait
// for COMMIT (claim-late units: on SQLite they are queued for the turn's
// holder to run together, on PostgreSQL sent as one round trip), many at
// once: each is kept or not by its own outcome, whoever it ran with. A
// valid order is kept with its key, once however often its key is sent; an
// order on another tenant's split tree fails its checked write at COMMIT and
// is refused by the rule on its second run; a request that has gone before
// its COMMIT keeps nothing.
func TestClaimLateUnitsInGroups(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testdb.URL(t, engine)
			st := openURL(t, url)
			tn := testdb.NewTenant(t, st, "claim-late")
			other := testdb.NewTenant(t, st, "other")
			const requests = 60
			type request struct {
				key, fp  string
				tree     uuid.UUID
				order    uuid.UUID
				gone     bool // the client leaves before COMMIT
				kept     bool // what should be stored
				wantErr  func(error) bool
				gotErr   error
				runs     int
				replayed bool
			}
			reqs := make([]*request, requests)
			for i := range reqs {
				r := &request{key: fmt.Sprint("key-", i), fp: fmt.Sprint("fp-", i), tree: tn.DefaultSplitTreeID,
					order: pinglinks.NewID(), kept: true}
				switch i % 4 {
				case 1: // the request before it sent again: one of the two is kept, the other replays it
					r.key, r.fp = reqs[i-1].key, reqs[i-1].fp
				case 2:
					r.tree, r.kept = other.DefaultSplitTreeID, false
					r.wantErr = func(err error) bool { return errors.Is(err, store.ErrUnknownSplitTree) }
				case 3:
					r.gone, r.kept = true, false
					r.wantErr = func(err error) bool { return errors.Is(err, context.Canceled) }
				}
				reqs[i] = r
			}
			var wg sync.WaitGroup
			for _, r := range reqs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rctx, cancel := context.WithCancel(ctx)
					defer cancel()
					var replay *store.StoredResponse
					replay, r.gotErr = st.IdempotentClaimLate(rctx, tn.ID, r.key, r.fp,
						func(ctx context.Context) (store.StoredResponse, error) {
							r.runs++
							o := &pinglinks.PaymentOrder{ID: r.order, TenantID: tn.ID, Status: pinglinks.OrderOpen,
								Currency: pinglinks.SEK, SplitTreeID: r.tree, CreatedAt: st.Now()}
							if err := st.CreateOrder(ctx, tn.ID, o); err != nil {
								return store.StoredResponse{}, err
							}
							if r.gone {
								cancel()
							}
							return store.StoredResponse{StatusCode: 201, Body: []byte(r.order.String())}, nil
						})
					r.replayed = replay != nil
				}()
			}
			wg.Wait()
			for i, r := range reqs {
				switch {
				case r.wantErr == nil && r.gotErr != nil:
					t.Errorf("request %d: %v", i, r.gotErr)
				case r.wantErr != nil && !r.wantErr(r.gotErr):
					t.Errorf("request %d: error %v, not the one expected", i, r.gotErr)
				case r.tree == other.DefaultSplitTreeID && r.runs != 2:
					t.Errorf("request %d: ran %d times, want 2 (the checked write at COMMIT, then under the claim)", i, r.runs)
				}
			}
			for i := 1; i < requests; i += 4 {
				a, b := reqs[i-1], reqs[i]
				if a.replayed == b.replayed {
					t.Errorf("requests %d and %d under one key: replayed %v and %v, want exactly one replay", i-1, i, a.replayed, b.replayed)
				}
				a.kept, b.kept = !a.replayed, !b.replayed
			}
			st.Close()

			st = openURL(t, url)
			defer st.Close()
			for i, r := range reqs {
				_, _, err := st.Order(ctx, tn.ID, r.order)
				if stored := err == nil; stored != r.kept {
					t.Errorf("request %d: order stored %v, want %v (%v)", i, stored, r.kept, err)
				}
			}
			orders, _, err := st.Orders(ctx, tn.ID, store.OrderFilter{}, store.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(orders) != requests/4 {
				t.Errorf("%d orders stored, want %d", len(orders), requests/4)
			}
		})
	}
}

// openURL opens the store at url, migrated. The tests that use it close it
// themselves and open it again, to see what a closed database kept.
func openURL(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSQLiteSettings pins the settings every SQLite connection runs with:
// a commit is durable before it is answered (synchronous=FULL in WAL mode),
// and checkpoints wait for 8,000 WAL pages (see sqliteDSN).
func TestSQLiteSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(testdb.URL(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "wal_autocheckpoint": "8000",
		"foreign_keys": "1", "temp_store": "2", "busy_timeout": "10000"}
	// Several connections held at once, so that each is a different one.
	for i := range 3 {
		conn, err := st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, v := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != v {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, v)
			}
		}
	}
}

// TestCheckpointsKeepTheWALShort writes many times the checkpointer's
// threshold from concurrent writers: the background checkpoints copy the WAL
// into the database file and it starts over, so it never grows much past
// the threshold, and every write is there after the database is reopened.
func TestCheckpointsKeepTheWALShort(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t, store.SQLite)
	st, err := store.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tn := testdb.NewTenant(t, st, "wal")
	const threshold, writers, orders = 64, 8, 4000
	st.CheckpointAt(threshold, time.Millisecond)

	// The WAL's length, looked at while the writers write.
	stop := make(chan struct{})
	longest := make(chan int)
	go func() {
		most := 0
		for {
			most = max(most, walFrames(t, st))
			select {
			case <-stop:
				longest <- most
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	writeOrders(t, st, tn, writers, orders)
	close(stop)
	most := <-longest
	runs := st.GroupStats().Checkpoints
	groups := st.GroupStats().Groups
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Each group commit writes at least the order table's and its indexes'
	// last pages, so the writers wrote several thousand frames in all.
	t.Logf("%d group commits, %d background checkpoints, WAL at most %d frames", groups, runs, most)
	if groups < 500 {
		t.Fatalf("%d group commits: too few to have written much past the threshold", groups)
	}
	if runs < 3 {
		t.Errorf("%d background checkpoints, want several", runs)
	}
	if most > 1000 {
		t.Errorf("the WAL reached %d frames with a threshold of %d: it did not start over", most, threshold)
	}

	st, err = store.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	var check string
	if err := st.DB().QueryRowContext(ctx, "SELECT count(*) FROM payment_orders").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatal(err)
	}
	if n != orders || check != "ok" {
		t.Errorf("after reopening: %d orders (want %d), integrity %q", n, orders, check)
	}
}

// TestCheckpointsWaitForALongReader: a read transaction (a backup, a long
// export) keeps its snapshot, so the WAL written after it cannot be copied;
// the checkpointer leaves it for later without holding up the writers, and
// once the reader ends the WAL is copied and starts over again.
func TestCheckpointsWaitForALongReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.Open(t, store.SQLite)
	tn := testdb.NewTenant(t, st, "reader")
	const threshold = 64
	st.CheckpointAt(threshold, time.Millisecond)
	write := func(n int) { writeOrders(t, st, tn, 4, n) }

	write(200) // a WAL to begin with
	// A query whose rows are read slowly holds its snapshot, as the
	// streamed plain-array list does.
	reader, err := st.DB().QueryContext(ctx, "SELECT id FROM payment_orders")
	if err != nil {
		t.Fatal(err)
	}
	before := 0
	for range 10 {
		if !reader.Next() {
			t.Fatal("fewer rows than written")
		}
		before++
	}
	runs := st.GroupStats().Checkpoints
	write(1000)
	held := walFrames(t, st)
	for reader.Next() {
		before++
	}
	if err := reader.Err(); err != nil {
		t.Fatal(err)
	}
	if before != 200 {
		t.Errorf("the reader saw %d orders: its snapshot moved from the 200 written before it", before)
	}
	if held < 10*threshold {
		t.Errorf("the WAL is %d frames long with a reader holding it: it was copied past the reader's snapshot", held)
	}
	if n := st.GroupStats().Checkpoints - runs; n > 1 {
		t.Errorf("%d checkpoints reached the WAL's end while a reader held it", n)
	}
	reader.Close()

	runs = st.GroupStats().Checkpoints
	deadline := time.Now().Add(10 * time.Second)
	for st.GroupStats().Checkpoints == runs || walFrames(t, st) > 10*threshold {
		if time.Now().After(deadline) {
			t.Fatalf("after the reader ended: %d checkpoints, WAL %d frames (held: %d)",
				st.GroupStats().Checkpoints-runs, walFrames(t, st), held)
		}
		write(40)
	}
	t.Logf("WAL %d frames while the reader held it, %d after", held, walFrames(t, st))
}

// writeOrders creates n orders for tn from writers goroutines at once.
func writeOrders(t *testing.T, st *store.Store, tn testdb.Tenant, writers, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / writers {
				o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: tn.ID, Status: pinglinks.OrderOpen,
					Currency: pinglinks.SEK, SplitTreeID: tn.DefaultSplitTreeID, CreatedAt: st.Now()}
				if err := st.CreateOrder(context.Background(), tn.ID, o); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// walFrames is the length of st's WAL in frames; PRAGMA
// wal_checkpoint(NOOP) reads it and copies nothing.
func walFrames(t *testing.T, st *store.Store) int {
	var busy, frames, copied int
	if err := st.DB().QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(NOOP)").Scan(&busy, &frames, &copied); err != nil {
		t.Error(err)
	}
	return frames
}

// TestWALCheckpointNOOPCopiesNothing: the checkpointer reads the WAL's
// length with wal_checkpoint(NOOP) every 50 ms, which must copy nothing; an
// SQLite older than 3.51 would run it as a PASSIVE checkpoint.
func TestWALCheckpointNOOPCopiesNothing(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	tn := testdb.NewTenant(t, st, "noop")
	writeOrders(t, st, tn, 1, 50)
	for range 2 {
		var busy, frames, copied int
		if err := st.DB().QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(NOOP)").Scan(&busy, &frames, &copied); err != nil {
			t.Fatal(err)
		}
		if frames == 0 || copied != 0 {
			t.Fatalf("after NOOP: %d frames, %d copied; want some frames and none copied", frames, copied)
		}
	}
}
