package api_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestLinkOrderTakesOnlyTheLinksPayments races Payments API payments, the
// link's own attempts and new links on one link's order: only the link's
// attempts are taken (the others are 403, saying why), one completes, and
// the order is paid exactly the link's total.
func TestLinkOrderTakesOnlyTheLinksPayments(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		l := e.NewLink(t, nil)
		const n = 6
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[string]map[int]int{}
		note := func(kind string, r *apitest.Response) {
			mu.Lock()
			defer mu.Unlock()
			if got[kind] == nil {
				got[kind] = map[int]int{}
			}
			got[kind][r.Status]++
			if kind == "api payment" && r.Status == 403 && !strings.Contains(string(r.Body), "belongs to payment link") {
				t.Errorf("403 without the reason: %s", r.Body)
			}
		}
		for range n {
			wg.Add(3)
			go func() {
				defer wg.Done()
				note("api payment", e.Do(t, "POST", v1+"/payment_orders/"+l.OrderID+"/payments", dummyPayment(l.MerchantID, 17000, "COMPLETED")))
			}()
			go func() {
				defer wg.Done()
				note("link attempt", e.Do(t, "POST", "/sandbox/payment_links/"+l.ID+"/pay", map[string]any{"status": "COMPLETED"}))
			}()
			go func() {
				defer wg.Done()
				note("second link", e.Do(t, "POST", lv1+"/payment_links", apitest.LinkBody(l.OrderID, l.MerchantID)))
			}()
		}
		wg.Wait()
		if got["api payment"][403] != n || got["link attempt"][204] != 1 || got["link attempt"][403] != n-1 || got["second link"][403] != n {
			t.Fatalf("statuses %v", got)
		}
		var o struct {
			Payments []struct {
				Status      string `json:"status"`
				TotalAmount int64  `json:"total_amount"`
			} `json:"payments"`
		}
		e.Do(t, "GET", v1+"/payment_orders/"+l.OrderID, nil).Want(t, 200).JSON(t, &o)
		var paid int64
		for _, p := range o.Payments {
			if p.Status == "COMPLETED" {
				paid += p.TotalAmount
			}
		}
		if paid != 17000 {
			t.Fatalf("order paid %d, link total 17000", paid)
		}

		// Links racing for one fresh order: one wins.
		oid := newOrder(t, e, "SEK")
		statuses := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.Do(t, "POST", lv1+"/payment_links", apitest.LinkBody(oid, l.MerchantID)).Status
			}()
		}
		wg.Wait()
		won := 0
		for _, s := range statuses {
			switch s {
			case 200:
				won++
			case 403:
			default:
				t.Errorf("status %d", s)
			}
		}
		if won != 1 {
			t.Fatalf("%d links on one order", won)
		}
		// An order with payments of its own takes no link.
		oid = newOrder(t, e, "SEK")
		e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(l.MerchantID, 500, "")).Want(t, 200)
		e.Do(t, "POST", lv1+"/payment_links", apitest.LinkBody(oid, l.MerchantID)).Want(t, 403)
	})
}
