package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
)

// badTexts are the string contents every string field must refuse: as JSON
// string literals, so that invalid UTF-8 reaches the server as raw bytes.
var badTexts = map[string][]byte{
	"NUL":            []byte(`"a\u0000b"`),
	"raw NUL":        []byte("\"a\x00b\""),
	"invalid UTF-8":  []byte("\"a\xffb\""),
	"truncated rune": []byte("\"a\xc3\""),
	"lone high":      []byte(`"a\ud800b"`),
	"lone low":       []byte(`"a\udc00b"`),
	"reversed pair":  []byte(`"\udc00\ud800"`),
}

// stringPaths lists the dotted paths of every string in v (a decoded JSON
// value), sorted, and for free-form objects (named in freeForm) the path of
// each key as well.
func stringPaths(v any, path string, out map[string]string) {
	switch v := v.(type) {
	case string:
		out[path] = "value"
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			stringPaths(e, p, out)
		}
	case []any:
		for i, e := range v {
			stringPaths(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

// withBad returns body with the string at path replaced by bad.
func withBad(t *testing.T, body any, path string, bad []byte) []byte {
	t.Helper()
	const sentinel = "SENTINEL-0b5e6c1f"
	var v any
	raw, _ := json.Marshal(body)
	json.Unmarshal(raw, &v)
	set(v, path, sentinel)
	out, _ := json.Marshal(v)
	if bytes.Count(out, []byte(`"`+sentinel+`"`)) != 1 {
		t.Fatalf("path %s not set", path)
	}
	return bytes.Replace(out, []byte(`"`+sentinel+`"`), bad, 1)
}

func set(v any, path, s string) {
	var walk func(v any, prefix string) bool
	walk = func(v any, prefix string) bool {
		switch c := v.(type) {
		case map[string]any:
			for k, e := range c {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				if p == path {
					c[k] = s
					return true
				}
				if walk(e, p) {
					return true
				}
			}
		case []any:
			for i, e := range c {
				p := prefix + "[" + strconv.Itoa(i) + "]"
				if p == path {
					c[i] = s
					return true
				}
				if walk(e, p) {
					return true
				}
			}
		}
		return false
	}
	walk(v, "")
}

// TestEveryStringRefusesNULAndInvalidUTF8 sends every request body the API
// takes, valid but for one string — at every string of the body in turn,
// free-form objects included — holding a NUL, invalid UTF-8 or a lone
// surrogate: each is refused with 422 naming that string's property, on
// both engines, and the valid body itself is accepted.
func TestEveryStringRefusesNULAndInvalidUTF8(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		free := map[string]any{"note": "fri text", "nested": map[string]any{"list": []any{"a", 1, true}}}
		mid := newMerchant(t, e)
		oid := e.Do(t, "POST", v1+"/payment_orders", map[string]any{"currency": "SEK"}).Want(t, 200).ID(t)
		pay := dummyPayment(mid, 500, "")
		pay["provider_method_parameters"] = map[string]any{"desired_payment_status": "COMPLETED", "extra": free}
		pay["metadata"] = free
		pay["payer"] = map[string]any{"name": "Åsa", "extra": free}
		pid := e.Do(t, "POST", v1+"/payment_orders/"+oid+"/payments", pay).Want(t, 200).ID(t)
		link := apitest.LinkBody("", mid)
		link["metadata"] = free
		link["items"].([]map[string]any)[0]["metadata"] = free
		link["items"].([]map[string]any)[0]["tags"] = []string{"honung"}
		link["payment_provider_methods"].([]map[string]any)[1]["parameters"] = map[string]any{"swish_message": "Tack", "extra": free}
		lid := e.NewLink(t, nil).ID
		cases := []struct {
			method, path string
			body         any
			status       int // of the valid body; 0 skips sending it (it would change state)
		}{
			{"POST", v1 + "/merchants", map[string]any{"name": "Honey", "email": "a@example.com", "phone_number": "+46701234567",
				"organization": map[string]any{"country": "SE", "se_organization_number": orgNrSE}}, 200},
			{"PUT", v1 + "/tenant", map[string]any{"merchant_status_callback_url": "https://example.com/cb"}, 204},
			{"POST", v1 + "/payment_orders", map[string]any{"currency": "SEK", "split_parameters": free, "metadata": free}, 200},
			{"PUT", v1 + "/payment_orders/" + oid, map[string]any{"split_tree_id": e.Tenant.DefaultSplitTreeID.String(), "split_parameters": free}, 0},
			{"POST", v1 + "/payment_orders/" + oid + "/payments", pay, 200},
			{"POST", v1 + "/payment_orders/" + oid + "/payments/" + pid + "/refund",
				map[string]any{"amount": 1, "currency": "SEK", "reason": "r", "description": "d"}, 0},
			{"POST", lv1 + "/payment_links", func() map[string]any {
				o := e.Do(t, "POST", v1+"/payment_orders", map[string]any{"currency": "SEK"}).Want(t, 200).ID(t)
				link["payment_order_id"] = o
				return link
			}(), 200},
			{"PUT", lv1 + "/payment_links/" + lid + "/distribute", map[string]any{"methods": []string{"email"},
				"customer_email": "b@example.com", "customer_phone": "+46701234567"}, 0},
			{"PUT", lv1 + "/payment_links/" + lid + "/invoice", map[string]any{"reference_type": "OCR", "document_name": "Faktura"}, 0},
			{"PUT", v1 + "/payment_orders/" + oid + "/close", map[string]any{"note": "x"}, 0},
		}
		for _, c := range cases {
			if c.status != 0 {
				e.Do(t, c.method, c.path, c.body).Want(t, c.status)
			}
			paths := map[string]string{}
			var v any
			raw, _ := json.Marshal(c.body)
			json.Unmarshal(raw, &v)
			stringPaths(v, "", paths)
			sorted := make([]string, 0, len(paths))
			for p := range paths {
				sorted = append(sorted, p)
			}
			sort.Strings(sorted)
			for _, p := range sorted {
				for name, bad := range badTexts {
					r := e.Do(t, c.method, c.path, withBad(t, c.body, p, bad))
					code, prop := "", ""
					if r.Status == 422 {
						code, prop = r.ErrorAt(t)
					}
					if r.Status != 422 || code != "validation_error" || prop != p {
						t.Errorf("%s %s, %s at %s: %d %s", c.method, c.path, name, p, r.Status, r.Body)
					}
				}
			}
		}
		// Keys of free-form objects, and query parameters, are held to the same rule.
		r := e.Do(t, "POST", v1+"/payment_orders", []byte("{\"currency\":\"SEK\",\"metadata\":{\"k\xff\":1}}")).Want(t, 422)
		if _, prop := r.ErrorAt(t); prop != "metadata" {
			t.Errorf("bad key: property %q", prop)
		}
		for _, q := range []string{"provider=a%00b", "method=%ff", "status=%ed%a0%80"} {
			r := e.Do(t, "GET", v1+"/payments?"+q, nil)
			if r.Status != 422 {
				t.Errorf("query %s: %d %s", q, r.Status, r.Body)
			}
		}
		r = e.Do(t, "POST", v1+"/payment_orders", `{"currency":"SEK"}`, "Idempotency-Key", "k\xff")
		if _, prop := r.ErrorAt(t); r.Status != 422 || prop != "Idempotency-Key" {
			t.Errorf("bad key header: %d %s", r.Status, r.Body)
		}
		_ = fmt.Sprint
	})
}
