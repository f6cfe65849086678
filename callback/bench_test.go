package callback_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
)

// BenchmarkDeliver measures the worker's throughput: b.N callbacks waiting
// in the outbox, delivered to a local receiver and recorded.
func BenchmarkDeliver(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			st := testdb.Open(b, engine)
			var n atomic.Int64
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
			defer rcv.Close()
			tn := testdb.NewTenant(b, st, "bench")
			st.UpdateTenantCallbacks(context.Background(), tn.ID, rcv.URL)
			for range b.N {
				m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
					Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
				if err := flow.New(st).CreateMerchant(context.Background(), tn.ID, m, true); err != nil {
					b.Fatal(err)
				}
			}
			w := &callback.Worker{Store: st, Client: callback.NewClient(true), Batch: 64, Parallel: 16}
			b.ResetTimer()
			start := time.Now()
			for {
				got, err := w.RunOnce(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if got == 0 {
					break
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "callbacks/s")
			if n.Load() != int64(b.N) {
				b.Fatalf("delivered %d of %d", n.Load(), b.N)
			}
		})
	}
}

// BenchmarkIdleDelay measures, with an idle running worker, the time from the
// commit of a state change to the callback's arrival at the receiver.
func BenchmarkIdleDelay(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			st := testdb.Open(b, engine)
			arrived := make(chan time.Time, 1)
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { arrived <- time.Now() }))
			defer rcv.Close()
			tn := testdb.NewTenant(b, st, "bench")
			st.UpdateTenantCallbacks(context.Background(), tn.ID, rcv.URL)
			w := &callback.Worker{Store: st, Client: callback.NewClient(true), Poll: time.Minute}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go w.Run(ctx)
			st.OnCommit = w.Notify
			var total time.Duration
			b.ResetTimer()
			for range b.N {
				m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
					Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
				if err := flow.New(st).CreateMerchant(context.Background(), tn.ID, m, true); err != nil {
					b.Fatal(err)
				}
				committed := time.Now()
				select {
				case at := <-arrived:
					total += at.Sub(committed)
				case <-time.After(10 * time.Second):
					b.Fatal("callback did not arrive")
				}
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-commit-to-receipt")
		})
	}
}
