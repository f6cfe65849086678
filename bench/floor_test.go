package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// TestFloorKeepsTheRules checks that the floor server does the durable work it
// stands for: a link on the tenant's open order with known merchants is
// stored with its payment and read back; a second link on that order, an
// unknown merchant, another tenant's order and an order in another currency
// are refused and write nothing.
func TestFloorKeepsTheRules(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dbURL := testdb.URL(t, engine)
			st, err := store.Open(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			h, closeFloor, err := FloorHandler(ctx, st, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFloor()
			srv := httptest.NewServer(h)
			defer srv.Close()
			a := &tenantSim{client: srv.Client(), base: srv.URL}
			b := &tenantSim{client: srv.Client(), base: srv.URL}
			if err := a.floorSetup(); err != nil {
				t.Fatal(err)
			}
			if err := b.floorSetup(); err != nil {
				t.Fatal(err)
			}
			order := func(sim *tenantSim, currency string) string {
				out, err := sim.do("POST", "/tenants/"+sim.floorTenant+"/orders", map[string]any{"currency": currency}, http.StatusOK)
				if err != nil {
					t.Fatal(err)
				}
				id, err := idFrom(out)
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			link := func(sim *tenantSim, orderID, merchantID string, want int) string {
				t.Helper()
				out, err := sim.do("POST", "/tenants/"+sim.floorTenant+"/links", linkBody(orderID, merchantID), want)
				if err != nil {
					t.Fatal(err)
				}
				if want != http.StatusOK {
					return ""
				}
				id, err := idFrom(out)
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			o := order(a, "SEK")
			id := link(a, o, a.merchantID, http.StatusOK)
			if _, err := a.do("GET", "/tenants/"+a.floorTenant+"/links/"+id, nil, http.StatusOK); err != nil {
				t.Fatal(err)
			}
			link(a, o, a.merchantID, http.StatusForbidden)                   // the order has an open link
			link(a, order(a, "SEK"), b.merchantID, http.StatusForbidden)     // another tenant's merchant
			link(a, order(a, "SEK"), uuid.NewString(), http.StatusForbidden) // no such merchant
			link(b, o, b.merchantID, http.StatusForbidden)                   // another tenant's order
			link(a, order(a, "EUR"), a.merchantID, http.StatusForbidden)     // the order's currency differs
			var links, payments int
			if err := st.DB().QueryRow(`SELECT (SELECT count(*) FROM payment_links), (SELECT count(*) FROM payments)`).
				Scan(&links, &payments); err != nil {
				t.Fatal(err)
			}
			if links != 1 || payments != 1 {
				t.Fatalf("%d links and %d payments stored, want 1 and 1", links, payments)
			}
		})
	}
}

// TestPostsCarryAnIdempotencyKey: the simulated tenants send a fresh
// Idempotency-Key with every POST, as the SDKs do, and none with a GET.
func TestPostsCarryAnIdempotencyKey(t *testing.T) {
	t.Parallel()
	keys := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys[r.Method+" "+r.URL.Path] = r.Header.Get("Idempotency-Key")
	}))
	defer srv.Close()
	sim := &tenantSim{client: srv.Client(), base: srv.URL, cred: credentials{TenantID: "t", APISecret: "s"}}
	for _, p := range []string{"/a", "/b"} {
		if _, err := sim.do("POST", p, map[string]any{}, http.StatusOK); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.do("GET", "/c", nil, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	if keys["POST /a"] == "" || keys["POST /a"] == keys["POST /b"] || keys["GET /c"] != "" {
		t.Fatalf("keys sent: %q", keys)
	}
}
