package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// fuzzBody fuzzes one endpoint's request body through the real server
// (decoding, validation, storage on SQLite), seeded with valid bodies: any
// body may be refused, but never with a 5xx, and whatever is accepted comes
// back as valid UTF-8 without NUL. setup makes what the endpoint needs and
// returns its path and the valid bodies.
func fuzzBody(f *testing.F, method string, setup func(e *apitest.Env) (string, []any)) {
	e := apitest.New(f, "sqlite")
	path, seeds := setup(e)
	for _, s := range seeds {
		raw, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte("{\"x\":\"\x00\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := e.Do(t, method, path, body)
		if r.Status >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, r.Status, r.Body)
		}
		if r.Status < 300 && (!utf8.Valid(r.Body) || strings.Contains(string(r.Body), `\u0000`)) {
			t.Fatalf("%s %s %q accepted and answered %q", method, path, body, r.Body)
		}
	})
}

func FuzzMerchantBody(f *testing.F) {
	fuzzBody(f, "POST", func(e *apitest.Env) (string, []any) {
		return v1 + "/merchants", []any{
			map[string]any{"name": "Honey", "organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}},
			map[string]any{"name": "Åsa", "email": "a@example.com", "phone_number": "+46701234567",
				"organization": map[string]any{"country": "NO", "no_organization_number": "923609016"}},
		}
	})
}

func FuzzTenantBody(f *testing.F) {
	fuzzBody(f, "PUT", func(e *apitest.Env) (string, []any) {
		return v1 + "/tenant", []any{map[string]any{"merchant_status_callback_url": "https://example.com/cb"}}
	})
}

func FuzzOrderBody(f *testing.F) {
	fuzzBody(f, "POST", func(e *apitest.Env) (string, []any) {
		return v1 + "/payment_orders", []any{map[string]any{"currency": "SEK"},
			map[string]any{"currency": "NOK", "split_parameters": map[string]any{"a": []any{1, "b"}}, "metadata": map[string]any{"k": "v"}}}
	})
}

func FuzzOrderUpdateBody(f *testing.F) {
	fuzzBody(f, "PUT", func(e *apitest.Env) (string, []any) {
		return v1 + "/payment_orders/" + newOrder(f, e, "SEK"), []any{
			map[string]any{"split_tree_id": e.Tenant.DefaultSplitTreeID.String(), "split_parameters": map[string]any{"k": "v"}}}
	})
}

func FuzzPaymentBody(f *testing.F) {
	fuzzBody(f, "POST", func(e *apitest.Env) (string, []any) {
		p := dummyPayment(newMerchant(f, e), 500, "COMPLETED")
		p["metadata"], p["payer"] = map[string]any{"k": "v"}, map[string]any{"name": "Å"}
		return v1 + "/payment_orders/" + newOrder(f, e, "SEK") + "/payments", []any{p, dummyPayment(newMerchant(f, e), 1, "")}
	})
}

func FuzzRefundBody(f *testing.F) {
	fuzzBody(f, "POST", func(e *apitest.Env) (string, []any) {
		oid := newOrder(f, e, "SEK")
		pid := e.Do(f, "POST", v1+"/payment_orders/"+oid+"/payments", dummyPayment(newMerchant(f, e), 1_000_000, "COMPLETED")).Want(f, 200).ID(f)
		return v1 + "/payment_orders/" + oid + "/payments/" + pid + "/refund", []any{
			map[string]any{"amount": 100, "currency": "SEK", "reason": "broken", "description": "jar cracked"}}
	})
}

func FuzzLinkBody(f *testing.F) {
	fuzzBody(f, "POST", func(e *apitest.Env) (string, []any) {
		body := apitest.LinkBody(newOrder(f, e, "SEK"), newMerchant(f, e))
		body["metadata"] = map[string]any{"k": []any{"v", 1}}
		return lv1 + "/payment_links", []any{body}
	})
}

func FuzzDistributeBody(f *testing.F) {
	fuzzBody(f, "PUT", func(e *apitest.Env) (string, []any) {
		return lv1 + "/payment_links/" + e.NewLink(f, nil).ID + "/distribute", []any{
			map[string]any{"methods": []string{"email", "sms"}, "customer_email": "b@example.com", "customer_phone": "+46701234567"}}
	})
}

func FuzzInvoiceBody(f *testing.F) {
	fuzzBody(f, "PUT", func(e *apitest.Env) (string, []any) {
		return lv1 + "/payment_links/" + e.NewLink(f, nil).ID + "/invoice", []any{
			map[string]any{"reference_type": "OCR", "document_name": "Faktura 1"}, map[string]any{"reference_type": "KID"}}
	})
}
