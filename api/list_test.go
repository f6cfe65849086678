package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestPlainListStreamsEveryChunk: a plain-array list longer than one store
// chunk is one valid JSON array holding every row once, in creation order,
// with filters applied across chunk boundaries.
func TestPlainListStreamsEveryChunk(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		const n = 1053 // two whole chunks of 500 and a part
		ids := make([]string, n)
		for i := range ids {
			ids[i] = newOrder(t, e, "SEK")
		}
		closed := map[string]bool{ids[0]: true, ids[499]: true, ids[500]: true, ids[n-1]: true}
		for id := range closed {
			e.Do(t, "PUT", v1+"/payment_orders/"+id+"/close", nil).Want(t, 204)
		}

		var all []struct{ ID string }
		r := e.Do(t, "GET", v1+"/payment_orders", nil).Want(t, 200)
		if !json.Valid(r.Body) {
			t.Fatalf("not one JSON value: …%s", r.Body[max(0, len(r.Body)-40):])
		}
		r.JSON(t, &all)
		if len(all) != n {
			t.Fatalf("plain list has %d orders, want %d", len(all), n)
		}
		for i, o := range all {
			if o.ID != ids[i] {
				t.Fatalf("order %d is %s, want %s (creation order)", i, o.ID, ids[i])
			}
		}

		var onlyClosed []struct{ ID, Status string }
		e.Do(t, "GET", v1+"/payment_orders?status=CLOSED", nil).Want(t, 200).JSON(t, &onlyClosed)
		if len(onlyClosed) != len(closed) {
			t.Fatalf("status filter across chunks: %d orders, want %d", len(onlyClosed), len(closed))
		}
		for _, o := range onlyClosed {
			if !closed[o.ID] || o.Status != "CLOSED" {
				t.Errorf("filtered list holds %+v", o)
			}
		}

		// An empty list is still an array.
		if r := e.Do(t, "GET", v1+"/payment_orders?status=SETTLED", nil).Want(t, 200); string(r.Body) != "[]\n" {
			t.Errorf("empty list: %q", r.Body)
		}
		// Every list endpoint answers valid JSON arrays the same way.
		for _, path := range []string{"/merchants", "/payments", "/callbacks"} {
			r := e.Do(t, "GET", v1+path, nil).Want(t, 200)
			var v []any
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Errorf("%s: %v in %s", path, err, fmt.Sprintf("%.60s", r.Body))
			}
		}
	})
}
