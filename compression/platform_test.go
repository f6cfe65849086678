package compression_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/compression"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// raw fetches url with the given headers and returns the bytes as they
// travelled and as the client reads them.
func raw(tb testing.TB, url string, headers ...string) (resp *http.Response, wire, body []byte) {
	tb.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header[headers[i]] = []string{headers[i+1]}
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if wire, err = io.ReadAll(resp.Body); err != nil {
		tb.Fatal(err)
	}
	body = wire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			tb.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatal(err)
		}
	}
	return resp, wire, body
}

// The platform's own responses: pages and JSON are gzipped for a client
// that asks, identical once decoded; PDFs and small answers are not.
func TestPlatformResponses(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	e.NewLink(t, nil)
	creds := []string{"tenant_id", e.Tenant.ID.String(), "x-api-secret", e.Tenant.Secret}
	e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+l.ID+"/invoice", map[string]any{"reference_type": "OCR"}).Want(t, 204)
	var invoice struct{ URL string }
	e.Do(t, "GET", "/payment_links/api/v1/payment_links/"+l.ID+"/invoice", nil).Want(t, 200).JSON(t, &invoice)
	tests := []struct {
		name, url string
		headers   []string
		wantGzip  bool
	}{
		{"checkout page", l.CheckoutURL, []string{"Accept-Language", "sv"}, true},
		{"link list", e.Server.URL + "/payment_links/api/v1/payment_links", creds, true},
		{"OpenAPI document", e.Server.URL + "/openapi.yaml", nil, true},
		{"a not-found error is small", e.Server.URL + "/payment_links/api/v1/nothing", creds, false},
		{"invoice PDF", invoice.URL, nil, false},
		{"health check is small", e.Server.URL + "/healthz", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, identity := raw(t, tc.url, tc.headers...)
			resp, wire, body := raw(t, tc.url, append([]string{"Accept-Encoding", "gzip, deflate, br, zstd"}, tc.headers...)...)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.wantGzip {
				t.Fatalf("gzipped %v, want %v (%s, %d bytes)", got, tc.wantGzip, resp.Header.Get("Content-Type"), len(body))
			}
			if tc.wantGzip && len(wire) >= len(identity)/2 {
				t.Errorf("%d bytes gzipped from %d: not worth it", len(wire), len(identity))
			}
			t.Logf("%s: %d bytes, %d on the wire", tc.name, len(identity), len(wire))
			// The checkout's nonce differs per response; everything else must match.
			if !tc.wantGzip || strings.Contains(resp.Header.Get("Content-Type"), "html") {
				return
			}
			if !bytes.Equal(body, identity) {
				t.Errorf("decoded body differs from the identity response")
			}
		})
	}
}

// BenchmarkCheckoutPage is the cost of gzipping the checkout's form page
// through the whole platform (sandbox, SQLite), against not gzipping it.
func BenchmarkCheckoutPage(b *testing.B) {
	e := apitest.New(b, store.SQLite)
	l := e.NewLink(b, nil)
	for _, ae := range []string{"identity", "gzip"} {
		b.Run(ae, func(b *testing.B) {
			var wire int
			for b.Loop() {
				_, w, _ := raw(b, l.CheckoutURL, "Accept-Encoding", ae)
				wire = len(w)
			}
			b.ReportMetric(float64(wire), "wire-bytes")
		})
	}
	// The compression alone, on that page's bytes.
	_, _, html := raw(b, l.CheckoutURL)
	h := compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	}))
	b.Run("gzip-only", func(b *testing.B) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		var n int
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			n = rec.Body.Len()
		}
		b.ReportMetric(float64(len(html)), "page-bytes")
		b.ReportMetric(float64(n), "wire-bytes")
	})
}
