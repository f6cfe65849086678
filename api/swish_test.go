package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/platform"
)

// A Swish payment through the Payments API waits for the payer; the
// sandbox's simulator answers as the message says.
func TestSwishThroughPaymentsAPI(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.StartWorkers(t)
		merchant := newMerchant(t, e)
		for _, tc := range []struct{ message, want string }{{"Tack", "COMPLETED"}, {"RF07", "DECLINED"}} {
			order := newOrder(t, e, "SEK")
			var out struct {
				ID       string         `json:"id"`
				Response map[string]any `json:"provider_method_response"`
			}
			e.Do(t, "POST", v1+"/payment_orders/"+order+"/payments", map[string]any{
				"currency": "SEK", "total_amount": 5000, "provider": "swish", "method": "e_commerce",
				"provider_method_parameters": map[string]any{"phone_number": "070-123 45 67", "swish_message": tc.message},
				"order_items":                []map[string]any{{"amount": 5000, "name": "Honey", "vat_rate": 12, "merchant_id": merchant}},
			}).Want(t, 200).JSON(t, &out)
			if out.Response["payer_alias"] != "46701234567" {
				t.Errorf("provider_method_response %v", out.Response)
			}
			var p struct{ Status string }
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				e.Do(t, "GET", v1+"/payment_orders/"+order+"/payments/"+out.ID, nil).Want(t, 200).JSON(t, &p)
				if p.Status != "PENDING" {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if p.Status != tc.want {
				t.Errorf("message %q: status %s, want %s", tc.message, p.Status, tc.want)
			}
		}
		order := newOrder(t, e, "EUR")
		code, prop := e.Do(t, "POST", v1+"/payment_orders/"+order+"/payments", map[string]any{
			"currency": "EUR", "total_amount": 5000, "provider": "swish", "method": "m_commerce",
			"order_items": []map[string]any{{"amount": 5000, "name": "Honey", "vat_rate": 12, "merchant_id": merchant}},
		}).Want(t, 422).ErrorAt(t)
		if code != "validation_error" || prop != "currency" {
			t.Errorf("Swish in EUR: %s at %s", code, prop)
		}
	})
}

// Outside the sandbox no simulator answers: Swish through the Payments API
// is refused rather than left pending for ever.
func TestSwishRefusedInProduction(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	merchant := newMerchant(t, e)
	order := newOrder(t, e, "SEK")
	prod, err := platform.New(platform.Config{Store: e.Store, PublicURL: "https://links.example"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"currency":"SEK","total_amount":5000,"provider":"swish","method":"e_commerce",
		"provider_method_parameters":{"phone_number":"0701234567"},
		"order_items":[{"amount":5000,"name":"Honey","vat_rate":12,"merchant_id":"` + merchant + `"}]}`
	req := httptest.NewRequest("POST", v1+"/payment_orders/"+order+"/payments", strings.NewReader(body))
	req.Header.Set("tenant_id", e.Tenant.ID.String())
	req.Header.Set("x-api-secret", e.Tenant.Secret)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	prod.Handler().ServeHTTP(rec, req)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "not connected") {
		t.Errorf("Swish in production: %d %s", rec.Code, rec.Body.String())
	}
}

// A production installation without Swish or a card processor refuses a
// link or a payment naming them with 403 saying which settings are
// missing, on both engines; with neither, bank transfers still work.
func TestUnconfiguredRailsRefusedInProduction(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		merchant := newMerchant(t, e)
		prod, err := platform.New(platform.Config{Store: e.Store, PublicURL: "https://links.example"})
		if err != nil {
			t.Fatal(err)
		}
		do := func(path string, body any) *httptest.ResponseRecorder {
			b, _ := json.Marshal(body)
			req := httptest.NewRequest("POST", path, bytes.NewReader(b))
			req.Header.Set("tenant_id", e.Tenant.ID.String())
			req.Header.Set("x-api-secret", e.Tenant.Secret)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			prod.Handler().ServeHTTP(rec, req)
			return rec
		}
		for _, tc := range []struct {
			provider, method, missing string
		}{
			{"swish", "e_commerce", "PINGLINKS_SWISH_URL"},
			{"swish", "m_commerce", "PINGLINKS_SWISH_PAYEE_ALIAS"},
			{"payment_iq", "card", "PINGLINKS_STRIPE_SECRET_KEY"},
		} {
			body := linkBody(newOrder(t, e, "SEK"), merchant)
			body["payment_provider_methods"] = []map[string]any{{"provider": "ping", "method": "deposit"}, {"provider": tc.provider, "method": tc.method}}
			rec := do(lv1+"/payment_links", body)
			var out struct {
				Errors []struct{ Error, Description, Property string }
			}
			json.Unmarshal(rec.Body.Bytes(), &out)
			if rec.Code != 403 || len(out.Errors) != 1 || out.Errors[0].Property != "payment_provider_methods[1]" ||
				!strings.Contains(out.Errors[0].Description, tc.missing) {
				t.Errorf("link with %s/%s in production: %d %s", tc.provider, tc.method, rec.Code, rec.Body)
			}
		}
		body := linkBody(newOrder(t, e, "SEK"), merchant)
		body["payment_provider_methods"] = []map[string]any{{"provider": "ping", "method": "deposit"}}
		if rec := do(lv1+"/payment_links", body); rec.Code != 200 {
			t.Errorf("a bank transfer link in production: %d %s", rec.Code, rec.Body)
		}
		// dummy/dummy does not exist outside the sandbox.
		body["payment_provider_methods"] = []map[string]any{{"provider": "dummy", "method": "dummy"}}
		if rec := do(lv1+"/payment_links", body); rec.Code != 403 || !strings.Contains(rec.Body.String(), "not a payment method of this installation") {
			t.Errorf("a dummy link in production: %d %s", rec.Code, rec.Body)
		}
	})
}
