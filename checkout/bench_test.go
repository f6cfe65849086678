package checkout_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// BenchmarkCheckoutPage is the server's time to answer GET /checkout/{token}
// for an unpaid link: the token lookup, the payment read and the render.
func BenchmarkCheckoutPage(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			e := apitest.New(b, engine)
			l := e.NewLink(b, nil)
			path := strings.TrimPrefix(l.CheckoutURL, e.Server.URL)
			h := e.Platform.Checkout
			b.ReportAllocs()
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
