package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/internal/testdb"
)

// BenchmarkOrderAndDummyPayment measures what a tenant's backend does for
// every sale: create a payment order, then initiate a dummy payment in it,
// through the whole handler stack (auth, idempotency key, validation,
// transactions) against each engine. One op = both requests.
func BenchmarkOrderAndDummyPayment(b *testing.B) {
	for _, engine := range testdb.Engines {
		for _, parallel := range []bool{false, true} {
			name := string(engine)
			if parallel {
				name += "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				st := testdb.Open(b, engine)
				tn := testdb.NewTenant(b, st, "bench")
				h := (&api.Server{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sandbox: true}).Handler()
				do := func(method, path string, body []byte, key string) []byte {
					req := httptest.NewRequest(method, path, bytes.NewReader(body))
					req.Header.Set("tenant_id", tn.ID.String())
					req.Header.Set("x-api-secret", tn.Secret)
					req.Header.Set("Idempotency-Key", key)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
					}
					return rec.Body.Bytes()
				}
				mid := idOf(b, do("POST", v1+"/merchants", []byte(`{"name":"Stall","organization":{"country":"SE","se_organization_number":"5567037485"}}`), "m"))
				payment, _ := json.Marshal(dummyPayment(mid, 7000, ""))
				op := func(key string) {
					oid := idOf(b, do("POST", v1+"/payment_orders", []byte(`{"currency":"SEK"}`), key+"o"))
					do("POST", v1+"/payment_orders/"+oid+"/payments", payment, key+"p")
				}
				b.ReportAllocs()
				b.ResetTimer()
				if !parallel {
					for i := 0; b.Loop(); i++ {
						op(keyOf(0, i))
					}
					return
				}
				var worker int64
				b.RunParallel(func(pb *testing.PB) {
					w := atomicNext(&worker)
					for i := 0; pb.Next(); i++ {
						op(keyOf(w, i))
					}
				})
			})
		}
	}
}

func idOf(tb testing.TB, body []byte) string {
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		tb.Fatalf("no id in %s", body)
	}
	return v.ID
}

// BenchmarkOrderAndLink measures the tenant's hot path for payment links:
// create a payment order, then a link for it (which also creates the link's
// payment), through the whole handler stack. One op = both requests.
func BenchmarkOrderAndLink(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			st := testdb.Open(b, engine)
			tn := testdb.NewTenant(b, st, "bench")
			h := (&api.Server{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sandbox: true,
				PublicURL: "https://pay.example"}).Handler()
			do := func(method, path string, body []byte) []byte {
				req := httptest.NewRequest(method, path, bytes.NewReader(body))
				req.Header.Set("tenant_id", tn.ID.String())
				req.Header.Set("x-api-secret", tn.Secret)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
				}
				return rec.Body.Bytes()
			}
			mid := idOf(b, do("POST", v1+"/merchants", []byte(`{"name":"Stall","organization":{"country":"SE","se_organization_number":"5567037485"}}`)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				oid := idOf(b, do("POST", v1+"/payment_orders", []byte(`{"currency":"SEK"}`)))
				body, _ := json.Marshal(linkBody(oid, mid))
				do("POST", lv1+"/payment_links", body)
			}
		})
	}
}
