package api_test

import (
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestIdempotencyComparesParsedBodies: the same JSON with other whitespace,
// key order or escapes is the same request, and replays.
func TestIdempotencyComparesParsedBodies(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		first := e.Do(t, "POST", v1+"/payment_orders", `{"currency":"SEK","metadata":{"a":1,"b":"é"}}`,
			"Idempotency-Key", "canon").Want(t, 200)
		for _, body := range []string{
			"{ \"metadata\" : { \"b\" : \"\\u00e9\", \"a\" : 1 },\n \"currency\" : \"SEK\" }\n",
			`{"metadata":{"b":"é","a":1},"currency":"SEK"}`,
		} {
			again := e.Do(t, "POST", v1+"/payment_orders", body, "Idempotency-Key", "canon").Want(t, 200)
			if again.Header.Get("Idempotent-Replayed") != "true" || again.ID(t) != first.ID(t) {
				t.Fatalf("%s: not replayed: %s", body, again.Body)
			}
		}
		r := e.Do(t, "POST", v1+"/payment_orders", `{"currency":"SEK","metadata":{"a":2,"b":"é"}}`,
			"Idempotency-Key", "canon").Want(t, 422)
		if code, prop := r.ErrorAt(t); code != "idempotency_key_reused" || prop != "Idempotency-Key" {
			t.Fatalf("other body: %s %s", code, prop)
		}
	})
}

// TestIdempotencyRace: requests racing on one new key create one object; each
// answer is the first's response or a 409, never a 500.
func TestIdempotencyRace(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		const n = 12
		var wg sync.WaitGroup
		resps := make([]*apitest.Response, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resps[i] = e.DoRaw(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m, 500, ""),
					"Idempotency-Key", "race", "tenant_id", e.Tenant.ID.String(), "x-api-secret", e.Tenant.Secret)
			}()
		}
		wg.Wait()
		ids := map[string]bool{}
		for _, r := range resps {
			switch r.Status {
			case 200:
				ids[r.ID(t)] = true
			case 409:
			default:
				t.Errorf("status %d: %s", r.Status, r.Body)
			}
		}
		var ps []any
		e.Do(t, "GET", v1+"/payments", nil).Want(t, 200).JSON(t, &ps)
		if len(ids) != 1 || len(ps) != 1 {
			t.Fatalf("%d ids answered, %d payments; want 1 and 1", len(ids), len(ps))
		}
	})
}
