package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

const (
	v1       = "/payments/api/v1"
	orgNrSE  = "556703-7485" // Luhn-valid Swedish organisation number
	paginate = "2025-03-06"
)

func newMerchant(t testing.TB, e *apitest.Env) string {
	t.Helper()
	return e.Do(t, "POST", v1+"/merchants", map[string]any{
		"name": "Honey stall", "organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE},
	}).Want(t, 200).ID(t)
}

func newOrder(t testing.TB, e *apitest.Env, currency string) string {
	t.Helper()
	return e.Do(t, "POST", v1+"/payment_orders", map[string]any{"currency": currency}).Want(t, 200).ID(t)
}

func dummyPayment(merchantID string, amount int64, status string) map[string]any {
	p := map[string]any{
		"currency": "SEK", "total_amount": amount, "provider": "dummy", "method": "dummy",
		"order_items": []map[string]any{{"amount": amount, "name": "Honey", "vat_rate": 12, "merchant_id": merchantID}},
	}
	if status != "" {
		p["provider_method_parameters"] = map[string]any{"desired_payment_status": status}
	}
	return p
}

func TestPingNeedsNoAuth(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	e.DoRaw(t, "GET", "/payments/api/v1/ping", nil).Want(t, 200)
	e.DoRaw(t, "GET", "/payment_links/api/v1/ping", nil).Want(t, 200)
	e.DoRaw(t, "GET", "/healthz", nil).Want(t, 200)
	e.DoRaw(t, "GET", "/readyz", nil).Want(t, 200)
	if r := e.DoRaw(t, "GET", "/openapi.yaml", nil).Want(t, 200); !strings.HasPrefix(string(r.Body), "openapi: 3.1") {
		t.Fatalf("openapi.yaml starts %q", r.Body[:20])
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		other := e.Tenant.ID.String()
		tests := []struct {
			name    string
			headers []string
		}{
			{"no headers", nil},
			{"no secret", []string{"tenant_id", other}},
			{"no tenant", []string{"x-api-secret", e.Tenant.Secret}},
			{"wrong secret", []string{"tenant_id", other, "x-api-secret", e.Tenant.Secret + "x"}},
			{"malformed tenant id", []string{"tenant_id", "nope", "x-api-secret", e.Tenant.Secret}},
			{"unknown tenant", []string{"tenant_id", "01a2118b-a2cf-7446-afaa-c267239684c7", "x-api-secret", e.Tenant.Secret}},
		}
		for _, tc := range tests {
			r := e.DoRaw(t, "GET", v1+"/tenant", nil, tc.headers...).Want(t, 401)
			if code, _ := r.ErrorAt(t); code != "unauthorized" {
				t.Errorf("%s: code %q", tc.name, code)
			}
		}
		e.Do(t, "GET", v1+"/tenant", nil).Want(t, 200)
	})
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	r := e.Do(t, "GET", v1+"/nothing/here", nil).Want(t, 404)
	if code, _ := r.ErrorAt(t); code != "not_found" {
		t.Errorf("code %q", code)
	}
	r = e.Do(t, "DELETE", v1+"/payment_orders", nil).Want(t, 405)
	if allow := r.Header.Get("Allow"); allow != "GET, POST" {
		t.Errorf("Allow %q", allow)
	}
	if code, _ := r.ErrorAt(t); code != "method_not_allowed" {
		t.Errorf("code %q", code)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"empty", "", 422, "malformed_request"},
		{"whitespace", "  \n", 422, "malformed_request"},
		{"not json", "currency=SEK", 422, "malformed_request"},
		{"truncated", `{"currency":"SEK"`, 422, "malformed_request"},
		{"array", `[{"currency":"SEK"}]`, 422, "malformed_request"},
		{"two objects", `{"currency":"SEK"}{"currency":"SEK"}`, 422, "malformed_request"},
		{"wrong type", `{"currency":7}`, 422, "validation_error"},
		{"too large", `{"currency":"SEK","pad":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "request_too_large"},
		{"unknown fields ignored", `{"currency":"SEK","colour":"blue"}`, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", v1+"/payment_orders", tc.body).Want(t, tc.status)
			if tc.code != "" {
				if code, _ := r.ErrorAt(t); code != tc.code {
					t.Errorf("code %q, want %q", code, tc.code)
				}
			}
		})
	}
}

func TestTenant(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var got struct {
			ID                        string
			Name                      string
			PaymentProviderMethods    []struct{ Provider, Method string } `json:"payment_provider_methods"`
			CallbackSigningKey        string                              `json:"callback_signing_key"`
			MerchantStatusCallbackURL *string                             `json:"merchant_status_callback_url"`
		}
		e.Do(t, "GET", v1+"/tenant", nil).Want(t, 200).JSON(t, &got)
		if got.ID != e.Tenant.ID.String() || got.Name != "Test tenant" || len(got.PaymentProviderMethods) != 5 ||
			!strings.HasPrefix(got.CallbackSigningKey, "whsec_") || got.MerchantStatusCallbackURL != nil {
			t.Fatalf("tenant %+v", got)
		}
		for _, bad := range []any{
			map[string]any{},
			map[string]any{"merchant_status_callback_url": "ftp://example.com/x"},
			map[string]any{"merchant_status_callback_url": "not a url"},
			map[string]any{"merchant_status_callback_url": "https://user:pw@example.com/x"},
			map[string]any{"merchant_status_callback_url": 5},
		} {
			r := e.Do(t, "PUT", v1+"/tenant", bad).Want(t, 422)
			if _, prop := r.ErrorAt(t); prop != "merchant_status_callback_url" {
				t.Errorf("%v: property %q", bad, prop)
			}
		}
		e.Do(t, "PUT", v1+"/tenant", map[string]any{"merchant_status_callback_url": "https://tenant.example/cb"}).Want(t, 204)
		e.Do(t, "GET", v1+"/tenant", nil).Want(t, 200).JSON(t, &got)
		if got.MerchantStatusCallbackURL == nil || *got.MerchantStatusCallbackURL != "https://tenant.example/cb" {
			t.Fatalf("callback url not stored: %+v", got)
		}
	})
}

func TestMerchantValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	org := func(country, field, number string) map[string]any {
		return map[string]any{"name": "Stall", "organization": map[string]any{"country": country, field: number}}
	}
	tests := []struct {
		name string
		body map[string]any
		prop string
	}{
		{"no name", map[string]any{"organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, "name"},
		{"blank name", map[string]any{"name": "  ", "organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, "name"},
		{"neither org nor person", map[string]any{"name": "Stall"}, "organization"},
		{"no country", org("", "se_organization_number", orgNrSE), "organization.country"},
		{"unknown country", org("XX", "se_organization_number", orgNrSE), "organization.country"},
		{"SE number missing", org("SE", "no_organization_number", "923609016"), "organization.se_organization_number"},
		{"SE too short", org("SE", "se_organization_number", "55670374"), "organization.se_organization_number"},
		{"SE letters", org("SE", "se_organization_number", "55670A7485"), "organization.se_organization_number"},
		{"person without number", map[string]any{"name": "Anna", "person": map[string]any{"country": "SE", "name": "Anna"}}, "person.se_personal_identity_number"},
		{"person without name", map[string]any{"name": "Anna", "person": map[string]any{"country": "SE", "se_personal_identity_number": "198112289874"}}, "person.name"},
		{"bad email", map[string]any{"name": "Stall", "email": "nope@", "organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, "email"},
		{"bad phone", map[string]any{"name": "Stall", "phone_number": "call me", "organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, "phone_number"},
		{"org wrong type", map[string]any{"name": "Stall", "organization": "SE"}, "organization"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", v1+"/merchants", tc.body).Want(t, 422)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("property %q, want %q (%s)", prop, tc.prop, r.Body)
			}
		})
	}
	var n []any
	e.Do(t, "GET", v1+"/merchants", nil).Want(t, 200).JSON(t, &n)
	if len(n) != 0 {
		t.Fatalf("rejected merchants were saved: %d", len(n))
	}
}

func TestMerchants(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.Do(t, "POST", v1+"/merchants", map[string]any{
			"name": "Åsa's Honung", "email": "asa@example.com", "phone_number": "+46701234567",
			"organization": map[string]any{"country": "SE", "se_organization_number": "556703 7485"},
		}).Want(t, 200).ID(t)
		var m struct {
			ID, Name, Status string
			Organization     map[string]string
			Email            string
		}
		e.Do(t, "GET", v1+"/merchants/"+id, nil).Want(t, 200).JSON(t, &m)
		if m.Status != "APPROVED" || m.Name != "Åsa's Honung" || m.Organization["se_organization_number"] != "5567037485" {
			t.Fatalf("merchant %+v", m)
		}
		e.Do(t, "POST", v1+"/merchants", map[string]any{
			"name": "Ola", "person": map[string]any{"country": "SE", "name": "Ola", "se_personal_identity_number": "19811228-9874"},
		}).Want(t, 200)
		var list []map[string]any
		e.Do(t, "GET", v1+"/merchants", nil).Want(t, 200).JSON(t, &list)
		if len(list) != 2 {
			t.Fatalf("%d merchants", len(list))
		}
		e.Do(t, "GET", v1+"/merchants/not-a-uuid", nil).Want(t, 422)
		e.Do(t, "GET", v1+"/merchants/01a2118b-a2cf-7446-afaa-c267239684c7", nil).Want(t, 404)
	})
}

func TestOrderValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	tests := []struct {
		name string
		body string
		prop string
	}{
		{"no currency", `{}`, "currency"},
		{"unknown currency", `{"currency":"USD"}`, "currency"},
		{"lower-case currency", `{"currency":"sek"}`, "currency"},
		{"currency not a string", `{"currency":1}`, "currency"},
		{"malformed split tree", `{"currency":"SEK","split_tree_id":"abc"}`, "split_tree_id"},
		{"unknown split tree", `{"currency":"SEK","split_tree_id":"01a2118b-a2cf-7446-afaa-c267239684c7"}`, "split_tree_id"},
		{"split parameters not an object", `{"currency":"SEK","split_parameters":[1]}`, "split_parameters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", v1+"/payment_orders", tc.body).Want(t, 422)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("property %q, want %q", prop, tc.prop)
			}
		})
	}
	e.Do(t, "POST", v1+"/payment_orders", map[string]any{"currency": "NOK", "split_tree_id": e.Tenant.DefaultSplitTreeID.String()}).Want(t, 200)
}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m1, m2 := newMerchant(t, e), newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		p := dummyPayment(m1, 10000, "")
		p["order_items"] = []map[string]any{
			{"amount": 3333, "name": "Honey", "vat_rate": 12, "merchant_id": m1},
			{"amount": 6667, "name": "Candle", "vat_rate": 25, "merchant_id": m2},
		}
		pid := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", p).Want(t, 200).ID(t)
		// A declined attempt does not count towards the funds.
		e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m1, 500, "DECLINED")).Want(t, 200)
		e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments/"+pid+"/refund",
			map[string]any{"amount": 1001, "currency": "SEK", "reason": "requested_by_customer"}).Want(t, 200)

		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/allocations", nil).Want(t, 403)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/split", nil).Want(t, 403) // still OPEN
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/close", nil).Want(t, 204)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/close", "{}").Want(t, 204) // idempotent
		r := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m1, 100, "")).Want(t, 403)
		if code, _ := r.ErrorAt(t); code != "payment_order_closed" {
			t.Fatalf("code %q", code)
		}
		e.Do(t, "PUT", v1+"/payment_orders/"+oid, map[string]any{"split_tree_id": e.Tenant.DefaultSplitTreeID.String()}).Want(t, 403)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/split", nil).Want(t, 204)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/split", nil).Want(t, 204)
		var allocs []struct {
			MerchantID string `json:"merchant_id"`
			Amount     int64
		}
		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/allocations", nil).Want(t, 200).JSON(t, &allocs)
		var sum int64
		for _, a := range allocs {
			sum += a.Amount
		}
		if len(allocs) != 2 || sum != 10000-1001 {
			t.Fatalf("allocations %+v sum %d", allocs, sum)
		}
		e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments/"+pid+"/refund",
			map[string]any{"amount": 1, "currency": "SEK", "reason": "late"}).Want(t, 403)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/settle", nil).Want(t, 204)
		var o struct{ Status string }
		e.Do(t, "GET", v1+"/payment_orders/"+oid, nil).Want(t, 200).JSON(t, &o)
		if o.Status != "SETTLED" {
			t.Fatalf("status %s", o.Status)
		}

		// fast_forward takes an OPEN order straight to SETTLED.
		oid2 := newOrder(t, e, "SEK")
		e.Do(t, "POST", v1+"/payment_orders/"+oid2+"/payments", dummyPayment(m1, 700, "")).Want(t, 200)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid2+"/settle", nil).Want(t, 403)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid2+"/settle", map[string]any{"fast_forward": true}).Want(t, 204)
		e.Do(t, "GET", v1+"/payment_orders/"+oid2+"/allocations", nil).Want(t, 200).JSON(t, &allocs)
		if len(allocs) != 1 || allocs[0].Amount != 700 || allocs[0].MerchantID != m1 {
			t.Fatalf("fast-forward allocations %+v", allocs)
		}

		// A payment that is not finished blocks the split.
		oid3 := newOrder(t, e, "SEK")
		e.Do(t, "POST", v1+"/payment_orders/"+oid3+"/payments", dummyPayment(m1, 700, "PENDING")).Want(t, 200)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid3+"/split", map[string]any{"fast_forward": true}).Want(t, 403)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid3+"/split", `{"fast_forward":"yes"}`).Want(t, 422)
	})
}

func TestPaymentValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	m := newMerchant(t, e)
	oid := newOrder(t, e, "SEK")
	nok := newOrder(t, e, "NOK")
	with := func(change func(p map[string]any)) map[string]any {
		p := dummyPayment(m, 7000, "")
		change(p)
		return p
	}
	item := func(change func(it map[string]any)) map[string]any {
		return with(func(p map[string]any) {
			it := map[string]any{"amount": 7000, "name": "Honey", "vat_rate": 12, "merchant_id": m}
			change(it)
			p["order_items"] = []map[string]any{it}
		})
	}
	tests := []struct {
		name   string
		order  string
		body   map[string]any
		status int
		prop   string
	}{
		{"no currency", oid, with(func(p map[string]any) { delete(p, "currency") }), 422, "currency"},
		{"bad currency", oid, with(func(p map[string]any) { p["currency"] = "XYZ" }), 422, "currency"},
		{"currency differs from order", nok, with(func(p map[string]any) {}), 422, "currency"},
		{"no total", oid, with(func(p map[string]any) { delete(p, "total_amount") }), 422, "total_amount"},
		{"total not integer", oid, with(func(p map[string]any) { p["total_amount"] = 70.5 }), 422, "total_amount"},
		{"total as string", oid, with(func(p map[string]any) { p["total_amount"] = "7000" }), 422, "total_amount"},
		{"negative total", oid, with(func(p map[string]any) { p["total_amount"] = -1 }), 422, "total_amount"},
		{"total differs from items", oid, with(func(p map[string]any) { p["total_amount"] = 7001 }), 422, "total_amount"},
		{"total beyond max", oid, with(func(p map[string]any) { p["total_amount"] = int64(1) << 62 }), 422, "total_amount"},
		{"no items", oid, with(func(p map[string]any) { delete(p, "order_items") }), 422, "order_items"},
		{"empty items", oid, with(func(p map[string]any) { p["order_items"] = []any{} }), 422, "order_items"},
		{"item amount missing", oid, item(func(it map[string]any) { delete(it, "amount") }), 422, "order_items[0].amount"},
		{"item amount negative", oid, item(func(it map[string]any) { it["amount"] = -5 }), 422, "order_items[0].amount"},
		{"item name missing", oid, item(func(it map[string]any) { delete(it, "name") }), 422, "order_items[0].name"},
		{"item name blank", oid, item(func(it map[string]any) { it["name"] = " " }), 422, "order_items[0].name"},
		{"item name too long", oid, item(func(it map[string]any) { it["name"] = strings.Repeat("n", 256) }), 422, "order_items[0].name"},
		{"vat missing", oid, item(func(it map[string]any) { delete(it, "vat_rate") }), 422, "order_items[0].vat_rate"},
		{"vat over 100", oid, item(func(it map[string]any) { it["vat_rate"] = 125 }), 422, "order_items[0].vat_rate"},
		{"vat negative", oid, item(func(it map[string]any) { it["vat_rate"] = -6 }), 422, "order_items[0].vat_rate"},
		{"vat three decimals", oid, item(func(it map[string]any) { it["vat_rate"] = 12.345 }), 422, "order_items[0].vat_rate"},
		{"merchant missing", oid, item(func(it map[string]any) { delete(it, "merchant_id") }), 422, "order_items[0].merchant_id"},
		{"merchant malformed", oid, item(func(it map[string]any) { it["merchant_id"] = "m1" }), 422, "order_items[0].merchant_id"},
		{"merchant unknown", oid, item(func(it map[string]any) { it["merchant_id"] = "01a2118b-a2cf-7446-afaa-c267239684c7" }), 422, "order_items[0].merchant_id"},
		{"no provider", oid, with(func(p map[string]any) { delete(p, "provider") }), 422, "provider"},
		{"no method", oid, with(func(p map[string]any) { delete(p, "method") }), 422, "method"},
		{"unknown method", oid, with(func(p map[string]any) { p["method"] = "cash" }), 422, "method"},
		{"bad desired status", oid, with(func(p map[string]any) {
			p["provider_method_parameters"] = map[string]any{"desired_payment_status": "PAID"}
		}), 422, "provider_method_parameters.desired_payment_status"},
		{"parameters not an object", oid, with(func(p map[string]any) { p["provider_method_parameters"] = "x" }), 422, "provider_method_parameters"},
		{"metadata not an object", oid, with(func(p map[string]any) { p["metadata"] = []int{1} }), 422, "metadata"},
		{"payer not an object", oid, with(func(p map[string]any) { p["payer"] = 3 }), 422, "payer"},
		{"bad callback url", oid, with(func(p map[string]any) { p["status_callback_url"] = "javascript:alert(1)" }), 422, "status_callback_url"},
		{"order unknown", "01a2118b-a2cf-7446-afaa-c267239684c7", with(func(p map[string]any) {}), 404, ""},
		{"order malformed", "123", with(func(p map[string]any) {}), 422, "id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", v1+"/payment_orders/"+tc.order+"/payments", tc.body).Want(t, tc.status)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("property %q, want %q: %s", prop, tc.prop, r.Body)
			}
		})
	}
	var ps []any
	e.Do(t, "GET", v1+"/payments", nil).Want(t, 200).JSON(t, &ps)
	if len(ps) != 0 {
		t.Fatalf("rejected payments were saved: %d", len(ps))
	}
	// Several wrong fields are all reported at once.
	r := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", map[string]any{"order_items": []map[string]any{{}}}).Want(t, 422)
	if props := r.Properties(t); len(props) < 7 {
		t.Fatalf("only %v reported", props)
	}
}

func TestPayments(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		body := dummyPayment(m, 7000, "")
		body["metadata"] = map[string]any{"stall": 12}
		body["payer"] = map[string]any{"name": "Per"}
		body["status_callback_url"] = "https://tenant.example/payments"
		r := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", body).Want(t, 200)
		pid := r.ID(t)
		var p struct {
			Status        string
			StatusHistory []struct{ Status string } `json:"status_history"`
			Metadata      map[string]int
			Payer         map[string]string
			OrderItems    []struct {
				VATRate float64 `json:"vat_rate"`
			} `json:"order_items"`
			PaymentOrderID string `json:"payment_order_id"`
		}
		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/payments/"+pid, nil).Want(t, 200).JSON(t, &p)
		if p.Status != "COMPLETED" || len(p.StatusHistory) != 2 || p.StatusHistory[0].Status != "INITIATED" ||
			p.Metadata["stall"] != 12 || p.Payer["name"] != "Per" || p.OrderItems[0].VATRate != 12 || p.PaymentOrderID != oid {
			t.Fatalf("payment %+v", p)
		}
		e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m, 100, "DECLINED")).Want(t, 200)
		e.Do(t, "GET", v1+"/payment_orders/"+newOrder(t, e, "SEK")+"/payments/"+pid, nil).Want(t, 404) // wrong order

		for _, tc := range []struct {
			query string
			n     int
		}{{"", 2}, {"?status=COMPLETED", 1}, {"?status=DECLINED", 1}, {"?provider=dummy&method=dummy", 2},
			{"?provider=swish", 0}, {"?payment_order_id=" + oid, 2}} {
			var list []any
			e.Do(t, "GET", v1+"/payments"+tc.query, nil).Want(t, 200).JSON(t, &list)
			if len(list) != tc.n {
				t.Errorf("%s: %d payments, want %d", tc.query, len(list), tc.n)
			}
		}
		e.Do(t, "GET", v1+"/payments?status=PAID", nil).Want(t, 422)
		e.Do(t, "GET", v1+"/payments?payment_order_id=x", nil).Want(t, 422)

		// Refunds: partial ones, never more than was paid, only COMPLETED.
		refund := func(amount any, cur, reason string) *apitest.Response {
			b := map[string]any{"amount": amount, "currency": cur}
			if reason != "" {
				b["reason"] = reason
			}
			return e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments/"+pid+"/refund", b)
		}
		for _, tc := range []struct {
			amount any
			cur    string
			reason string
			status int
			prop   string
		}{
			{0, "SEK", "x", 422, "amount"},
			{-5, "SEK", "x", 422, "amount"},
			{"5", "SEK", "x", 422, "amount"},
			{100, "NOK", "x", 422, "currency"},
			{100, "SEK", "", 422, "reason"},
			{7001, "SEK", "x", 403, ""},
			{3000, "SEK", "requested_by_customer", 200, ""},
			{4000, "SEK", "requested_by_customer", 200, ""},
			{1, "SEK", "requested_by_customer", 403, ""},
		} {
			r := refund(tc.amount, tc.cur, tc.reason).Want(t, tc.status)
			if tc.prop != "" {
				if _, prop := r.ErrorAt(t); prop != tc.prop {
					t.Errorf("refund %v: property %q want %q", tc.amount, prop, tc.prop)
				}
			}
		}
		var refunds struct{ Refunds []struct{ Amount int64 } }
		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/payments/"+pid, nil).Want(t, 200).JSON(t, &refunds)
		if len(refunds.Refunds) != 2 {
			t.Fatalf("refunds %+v", refunds)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		pid := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(m, 100, "")).Want(t, 200).ID(t)
		other := apitest.OtherTenant(t, e)
		as := func(method, path string, body any) *apitest.Response {
			return e.DoRaw(t, method, path, body, "tenant_id", other.ID.String(), "x-api-secret", other.Secret)
		}
		as("GET", v1+"/merchants/"+m, nil).Want(t, 404)
		as("GET", v1+"/payment_orders/"+oid, nil).Want(t, 404)
		as("GET", v1+"/payment_orders/"+oid+"/payments/"+pid, nil).Want(t, 404)
		as("PUT", v1+"/payment_orders/"+oid+"/close", nil).Want(t, 404)
		as("POST", v1+"/payment_orders/"+oid+"/payments/"+pid+"/refund", map[string]any{"amount": 1, "currency": "SEK", "reason": "x"}).Want(t, 404)
		// Using another tenant's merchant in one's own order is an unknown merchant.
		own := as("POST", v1+"/payment_orders", map[string]any{"currency": "SEK"}).Want(t, 200).ID(t)
		as("POST", v1+"/payment_orders/"+own+"/payments", dummyPayment(m, 100, "")).Want(t, 422)
		as("POST", v1+"/payment_orders", map[string]any{"currency": "SEK", "split_tree_id": e.Tenant.DefaultSplitTreeID.String()}).Want(t, 422)
		if r := as("GET", v1+"/payment_orders", nil).Want(t, 200); strings.Count(string(r.Body), `"id"`) != 1 || !strings.Contains(string(r.Body), own) {
			t.Errorf("orders list leaks: %s", r.Body)
		}
		for _, path := range []string{"/merchants", "/payments"} {
			if r := as("GET", v1+path, nil).Want(t, 200); string(r.Body) != "[]\n" {
				t.Errorf("%s leaks: %s", path, r.Body)
			}
		}
	})
}

func TestOrderListing(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var ids []string
		for i := 0; i < 25; i++ {
			ids = append(ids, newOrder(t, e, "SEK"))
		}
		e.Do(t, "PUT", v1+"/payment_orders/"+ids[3]+"/close", nil).Want(t, 204)
		var plain []struct{ ID, Status string }
		e.Do(t, "GET", v1+"/payment_orders", nil).Want(t, 200).JSON(t, &plain)
		if len(plain) != 25 {
			t.Fatalf("plain list has %d", len(plain))
		}
		e.Do(t, "GET", v1+"/payment_orders?status=CLOSED", nil).Want(t, 200).JSON(t, &plain)
		if len(plain) != 1 || plain[0].ID != ids[3] {
			t.Fatalf("status filter: %+v", plain)
		}
		for _, q := range []string{"from=2020-01-01", "to=2999-12-31", "created_at_from=2020-01-01T00:00:00Z", "from=2020-01-01&to=2999-01-01"} {
			e.Do(t, "GET", v1+"/payment_orders?"+q, nil).Want(t, 200).JSON(t, &plain)
			if len(plain) != 25 {
				t.Errorf("%s: %d orders", q, len(plain))
			}
		}
		e.Do(t, "GET", v1+"/payment_orders?to=2020-01-01", nil).Want(t, 200).JSON(t, &plain)
		if len(plain) != 0 {
			t.Errorf("to=2020: %d orders", len(plain))
		}
		for _, q := range []string{"from=yesterday", "to=2024-13-01", "created_at_to=1", "status=DONE", "from=2025-01-02&to=2025-01-01"} {
			e.Do(t, "GET", v1+"/payment_orders?"+q, nil).Want(t, 422)
		}

		// Paginated walk, with inserts happening between pages: nothing is
		// seen twice and every order that existed at the start is seen.
		seen := map[string]bool{}
		next := v1 + "/payment_orders?limit=10"
		pages := 0
		for next != "" {
			var page struct {
				Data  []struct{ ID string }
				Links struct {
					Next, Previous struct{ Href *string }
				} `json:"_links"`
			}
			e.Do(t, "GET", next, nil, "x-api-version", paginate).Want(t, 200).JSON(t, &page)
			for _, o := range page.Data {
				if seen[o.ID] {
					t.Fatalf("order %s seen twice", o.ID)
				}
				seen[o.ID] = true
			}
			pages++
			newOrder(t, e, "SEK")
			next = ""
			if page.Links.Next.Href != nil {
				next = *page.Links.Next.Href
			}
			if pages > 1 && page.Links.Previous.Href == nil {
				t.Fatal("no previous link after the first page")
			}
			if pages > 20 {
				t.Fatal("pagination does not end")
			}
		}
		for _, id := range ids {
			if !seen[id] {
				t.Fatalf("order %s never listed", id)
			}
		}
		for _, q := range []string{"limit=0", "limit=201", "limit=x", "after=zzz", "before=1"} {
			e.Do(t, "GET", v1+"/payment_orders?"+q, nil, "x-api-version", paginate).Want(t, 422)
		}
		e.Do(t, "GET", v1+"/payment_orders", nil, "x-api-version", "March").Want(t, 422)
		// An older version keeps the plain array.
		r := e.Do(t, "GET", v1+"/payment_orders?limit=1", nil, "x-api-version", "2024-01-01").Want(t, 200)
		if r.Body[0] != '[' {
			t.Fatalf("old version got %s", r.Body[:20])
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		path := v1 + "/payment_orders/" + oid + "/payments"
		first := e.Do(t, "POST", path, dummyPayment(m, 500, ""), "Idempotency-Key", "k1").Want(t, 200)
		again := e.Do(t, "POST", path, dummyPayment(m, 500, ""), "Idempotency-Key", "k1").Want(t, 200)
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("not replayed: %s vs %s", first.Body, again.Body)
		}
		var ps []any
		e.Do(t, "GET", v1+"/payments", nil).Want(t, 200).JSON(t, &ps)
		if len(ps) != 1 {
			t.Fatalf("%d payments after a replay", len(ps))
		}
		r := e.Do(t, "POST", path, dummyPayment(m, 600, ""), "Idempotency-Key", "k1").Want(t, 422)
		if code, _ := r.ErrorAt(t); code != "idempotency_key_reused" {
			t.Fatalf("code %q", code)
		}
		// Errors are replayed too: the same bad request gets the same answer.
		bad := e.Do(t, "POST", v1+"/payment_orders", `{"currency":"XXX"}`, "Idempotency-Key", "k2").Want(t, 422)
		bad2 := e.Do(t, "POST", v1+"/payment_orders", `{"currency":"XXX"}`, "Idempotency-Key", "k2").Want(t, 422)
		if string(bad.Body) != string(bad2.Body) {
			t.Fatal("error not replayed")
		}
		// Actions without a body are idempotent under a key as well.
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/close", nil, "Idempotency-Key", "k3").Want(t, 204)
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/close", nil, "Idempotency-Key", "k3").Want(t, 204)
		e.Do(t, "POST", v1+"/payment_orders", `{"currency":"SEK"}`, "Idempotency-Key", strings.Repeat("k", 256)).Want(t, 422)
		// Keys belong to a tenant: another tenant may use the same key.
		other := apitest.OtherTenant(t, e)
		e.DoRaw(t, "POST", v1+"/payment_orders", `{"currency":"SEK"}`, "tenant_id", other.ID.String(),
			"x-api-secret", other.Secret, "Idempotency-Key", "k1").Want(t, 200)
	})
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	e.API.RateLimit, e.API.RateBurst = 1, 3
	statuses := map[int]int{}
	var retry string
	for i := 0; i < 6; i++ {
		r := e.Do(t, "GET", v1+"/tenant", nil)
		statuses[r.Status]++
		if r.Status == 429 {
			retry = r.Header.Get("Retry-After")
		}
	}
	if statuses[200] < 3 || statuses[429] < 2 || retry == "" {
		t.Fatalf("statuses %v, Retry-After %q", statuses, retry)
	}
}

func TestInternalErrorsLeakNothing(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	e.Store.DB().Close() // every query now fails inside the handler
	r := e.Do(t, "GET", v1+"/payment_orders", nil).Want(t, http.StatusInternalServerError)
	if code, _ := r.ErrorAt(t); code != "internal_error" || strings.Contains(string(r.Body), "sql") {
		t.Fatalf("500 body: %s", r.Body)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	newOrder(t, e, "SEK")
	e.Do(t, "GET", v1+"/payment_orders/nope", nil)
	r := e.DoRaw(t, "GET", "/metrics", nil).Want(t, 200)
	for _, want := range []string{
		`pinglinks_http_requests_total{code="200",route="POST /payments/api/v1/payment_orders"} 1`,
		`pinglinks_http_requests_total{code="422",route="GET /payments/api/v1/payment_orders/{id}"} 1`,
		`pinglinks_http_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
