package api_test

import (
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestConcurrentRequestsKeepTheRules fires real concurrent HTTP requests at
// one order: refunds racing each other never exceed what was paid, and
// close/split/settle racing each other and new payments leave one consistent
// lifecycle with allocations written once.
func TestConcurrentRequestsKeepTheRules(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		pid := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m, 7000, "")).Want(t, 200).ID(t)

		const n = 16
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments/"+pid+"/refund",
					map[string]any{"amount": 1000, "currency": "SEK", "reason": "race"}).Status
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[200] != 7 || count[403] != n-7 {
			t.Fatalf("refund statuses %v, want 7×200 and %d×403", count, n-7)
		}

		actions := []string{"close", "split", "settle"}
		created := make([]int, n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/"+actions[i%3], map[string]any{"fast_forward": true})
			}()
			go func() {
				defer wg.Done()
				created[i] = e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m, 100, "")).Status
			}()
		}
		wg.Wait()
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/settle", map[string]any{"fast_forward": true}).Want(t, 204)
		var o struct {
			Status   string
			Payments []struct{ Status string }
		}
		e.Do(t, "GET", v1+"/payment_orders/"+oid, nil).Want(t, 200).JSON(t, &o)
		accepted := 0
		for _, s := range created {
			if s == 200 {
				accepted++
			} else if s != 403 {
				t.Fatalf("payment creation answered %d", s)
			}
		}
		if o.Status != "SETTLED" || len(o.Payments) != 1+accepted {
			t.Fatalf("order %s with %d payments, %d accepted", o.Status, len(o.Payments), accepted)
		}
		var allocs []struct{ Amount int64 }
		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/allocations", nil).Want(t, 200).JSON(t, &allocs)
		if len(allocs) != 1 || allocs[0].Amount != int64(accepted)*100 {
			t.Fatalf("allocations %+v for %d accepted payments (7000 paid, 7000 refunded)", allocs, accepted)
		}
	})
}
