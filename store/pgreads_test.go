package store_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// One-row reads asked for at once go to PostgreSQL in groups; each gets its
// own row, its own "no row" and its own error, and a read that fails does
// not fail the others of its group (PostgreSQL skips the rest of a batch
// after an error; those run again).
func TestGroupedReadsKeepEachOutcome(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		const n = 64
		// Statements that fail as they run, not as they are prepared:
		// PostgreSQL refuses to divide by zero, SQLite (which answers NULL
		// to that) to take the absolute value of the smallest integer.
		double, fail, failArg, none := `SELECT $1::bigint * 2`, `SELECT 10 / $1::bigint`, any(0), `SELECT $1::bigint WHERE false`
		if st.Engine() != store.Postgres {
			double, fail, failArg, none = `SELECT $1 * 2`, `SELECT abs($1)`, any(int64(math.MinInt64)), `SELECT $1 WHERE 0`
		}
		before := st.GroupStats()
		for round := 0; ; round++ {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					var got int64
					switch i % 8 {
					case 3:
						err := st.PooledQueryRow(ctx, fail, failArg).Scan(&got)
						if err == nil {
							t.Errorf("read %d: no error from %s", i, fail)
						}
					case 5:
						err := st.PooledQueryRow(ctx, none, i).Scan(&got)
						if !errors.Is(err, sql.ErrNoRows) {
							t.Errorf("read %d: %v, want no rows", i, err)
						}
					default:
						if err := st.PooledQueryRow(ctx, double, i).Scan(&got); err != nil || got != int64(2*i) {
							t.Errorf("read %d: %d, %v; want %d", i, got, err, 2*i)
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			if t.Failed() || st.Engine() != store.Postgres {
				return
			}
			g := st.GroupStats()
			if reads, groups := g.Reads-before.Reads, g.ReadGroups-before.ReadGroups; reads > groups {
				return // some reads shared a round trip
			} else if round == 9 {
				t.Fatalf("%d reads in %d groups after 10 rounds; want some grouped", reads, groups)
			}
		}
	})
}
