package card_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/card"
)

func TestRefuseCardData(t *testing.T) {
	t.Parallel()
	const pan = "4242 4242 4242 4242"
	tests := []struct {
		name   string
		method string
		query  url.Values
		form   url.Values
		refuse bool
	}{
		{"the card form's fields", "POST", nil, url.Values{"method": {"payment_iq/card"}, "card_number": {pan}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}, true},
		{"only a CVC", "POST", nil, url.Values{"method": {"payment_iq/card"}, "card_cvc": {"123"}}, true},
		{"only an expiry", "POST", nil, url.Values{"cc-exp": {"12/34"}}, true},
		{"a card number in a name", "POST", nil, url.Values{"first_name": {pan}}, true},
		{"a card number with dashes in the street", "POST", nil, url.Values{"street_address": {"5555-5555-5555-4444"}}, true},
		{"a card number in the query", "GET", url.Values{"q": {"378282246310005"}}, nil, true},
		{"an empty card field", "POST", nil, url.Values{"card_number": {""}, "first_name": {"Åsa"}}, false},
		{"the payer's details", "POST", nil, url.Values{"method": {"payment_iq/card"}, "first_name": {"Åsa"}, "phone": {"070-123 45 67"}, "zip": {"837 52"}}, false},
		{"a Swish number", "POST", nil, url.Values{"method": {"swish/e_commerce"}, "swish_phone": {"46701234567"}}, false},
		{"16 digits failing Luhn", "POST", nil, url.Values{"street_address": {"4242 4242 4242 4241"}}, false},
		{"a Stripe return", "GET", url.Values{"outcome": {"success"}, "session_id": {"cs_test_a1b2"}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			reached := false
			h := card.RefuseCardData(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				r.ParseForm()
				io.WriteString(w, "ok")
			}), slog.New(slog.NewTextHandler(&logs, nil)))
			target := "/checkout/tok/pay"
			if tt.query != nil {
				target += "?" + tt.query.Encode()
			}
			req := httptest.NewRequest(tt.method, target, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if tt.refuse {
				if rec.Code != http.StatusBadRequest || reached {
					t.Fatalf("status %d, reached the checkout %v; want 400 before it", rec.Code, reached)
				}
				for _, secret := range []string{"4242", "5555", "3782", "12/34", "123"} {
					if strings.Contains(logs.String(), secret) || strings.Contains(rec.Body.String(), secret) {
						t.Fatalf("card data %q logged or echoed: log %q, body %q", secret, logs.String(), rec.Body.String())
					}
				}
				return
			}
			if rec.Code != 200 || !reached {
				t.Fatalf("status %d: an innocent request was refused", rec.Code)
			}
		})
	}
}

func FuzzRefuseCardData(f *testing.F) {
	f.Add("first_name", "4242424242424242")
	f.Add("zip", "837 52")
	f.Fuzz(func(t *testing.T, name, value string) {
		var logs bytes.Buffer
		h := card.RefuseCardData(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), slog.New(slog.NewTextHandler(&logs, nil)))
		req := httptest.NewRequest("POST", "/checkout/tok/pay", strings.NewReader(url.Values{name: {value}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusBadRequest && len(value) >= 13 && strings.Contains(logs.String(), value) {
			t.Fatalf("refused value logged: %q", logs.String())
		}
	})
}
