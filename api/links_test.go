package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/expiry"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

const lv1 = "/payment_links/api/v1"

func linkBody(orderID, merchantID string) map[string]any {
	return map[string]any{
		"payment_order_id": orderID, "currency": "SEK", "total_amount": 17000, "locale": "sv-SE",
		"customer": map[string]any{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.com", "phone": "070-123 45 67"},
		"items": []map[string]any{
			{"description": "Honung 500 g", "merchant_id": merchantID, "price": 7000, "quantity": 2, "vat": 12},
			{"description": "Ljus", "merchant_id": merchantID, "price": 3000, "quantity": 1, "vat": 25, "unit": "st"},
		},
		"supplier":                         map[string]any{"name": "Biodlarna AB", "organization_number": "556703-7485", "city": "Uppsala"},
		"payment_provider_methods":         []map[string]any{{"provider": "dummy", "method": "dummy"}, {"provider": "swish", "method": "e_commerce", "parameters": map[string]any{"swish_message": "Tack för köpet!"}}},
		"payment_link_status_callback_url": "https://tenant.example/links",
		"metadata":                         map[string]any{"purchase": 42},
	}
}

func newLink(t *testing.T, e *apitest.Env) (linkID, orderID, merchantID string) {
	t.Helper()
	merchantID = newMerchant(t, e)
	orderID = newOrder(t, e, "SEK")
	linkID = e.Do(t, "POST", lv1+"/payment_links", linkBody(orderID, merchantID)).Want(t, 200).ID(t)
	return linkID, orderID, merchantID
}

type linkView struct {
	PaymentLinkID      string `json:"payment_link_id"`
	PaymentOrderID     string `json:"payment_order_id"`
	PaymentID          string `json:"payment_id"`
	Status             string
	SMSStatus          string  `json:"sms_status"`
	DistributedByEmail bool    `json:"distributed_by_email"`
	InvoiceCreated     bool    `json:"invoice_created"`
	CheckoutURL        string  `json:"checkout_url"`
	DueDate            *string `json:"due_date"`
	TotalAmount        int64   `json:"total_amount"`
	Items              []struct {
		Price, Quantity int64
		VAT             float64
	}
}

func getLink(t *testing.T, e *apitest.Env, id string) linkView {
	t.Helper()
	var l linkView
	e.Do(t, "GET", lv1+"/payment_links/"+id, nil).Want(t, 200).JSON(t, &l)
	return l
}

// outboxPayloads returns the payloads of the tenant's callbacks of one kind.
func outboxPayloads(t *testing.T, e *apitest.Env, kind string) []map[string]any {
	t.Helper()
	msgs, _, err := e.Store.Outbox(context.Background(), e.Tenant.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, m := range msgs {
		if m.Kind == kind {
			var p map[string]any
			json.Unmarshal([]byte(m.Payload), &p)
			out = append(out, p)
		}
	}
	return out
}

func TestCreateLink(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		var created struct {
			ID          string
			CheckoutURL string `json:"checkout_url"`
		}
		e.Do(t, "POST", lv1+"/payment_links", linkBody(oid, m)).Want(t, 200).JSON(t, &created)
		created.CheckoutURL = strings.TrimPrefix(created.CheckoutURL, e.Server.URL)
		token := strings.TrimPrefix(created.CheckoutURL, "/checkout/")
		if !strings.HasPrefix(created.CheckoutURL, "/checkout/") || len(token) < 22 {
			t.Fatalf("checkout_url %q", created.CheckoutURL)
		}
		l := getLink(t, e, created.ID)
		if l.Status != "CREATED" || l.SMSStatus != "NOT_CREATED" || l.PaymentOrderID != oid || l.TotalAmount != 17000 ||
			l.DueDate != nil || len(l.Items) != 2 || l.Items[0].VAT != 12 {
			t.Fatalf("link %+v", l)
		}
		// The link's payment exists in the order, waiting for the payer.
		var o struct {
			Payments []struct{ ID, Status, Provider string }
		}
		e.Do(t, "GET", v1+"/payment_orders/"+oid, nil).Want(t, 200).JSON(t, &o)
		if len(o.Payments) != 1 || o.Payments[0].ID != l.PaymentID || o.Payments[0].Status != "INITIATED" {
			t.Fatalf("order payments %+v", o.Payments)
		}
		// The checkout URL answers (the page itself is the checkout issue's).
		resp := e.DoRaw(t, "GET", created.CheckoutURL, nil)
		if resp.Status != 200 || !strings.Contains(string(resp.Body), "Biodlarna AB") {
			t.Fatalf("checkout %d %s", resp.Status, resp.Body)
		}
		e.DoRaw(t, "GET", "/checkout/not-a-real-token", nil).Want(t, 404)

		var list []linkView
		e.Do(t, "GET", lv1+"/payment_links", nil).Want(t, 200).JSON(t, &list)
		if len(list) != 1 || list[0].PaymentLinkID != created.ID {
			t.Fatalf("list %+v", list)
		}
		e.Do(t, "GET", lv1+"/payment_links?status=CREATED&payment_order_id="+oid, nil).Want(t, 200).JSON(t, &list)
		if len(list) != 1 {
			t.Fatalf("filtered list %+v", list)
		}
		e.Do(t, "GET", lv1+"/payment_links?status=PAID", nil).Want(t, 422)
		e.Do(t, "GET", lv1+"/payment_links/x", nil).Want(t, 422)
		e.Do(t, "GET", lv1+"/payment_links/"+oid, nil).Want(t, 404)
		other := apitest.OtherTenant(t, e)
		e.DoRaw(t, "GET", lv1+"/payment_links/"+created.ID, nil, "tenant_id", other.ID.String(), "x-api-secret", other.Secret).Want(t, 404)
	})
}

func TestCreateLinkValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	m := newMerchant(t, e)
	oid := newOrder(t, e, "SEK")
	nok := newOrder(t, e, "NOK")
	closed := newOrder(t, e, "SEK")
	e.Do(t, "PUT", v1+"/payment_orders/"+closed+"/close", nil).Want(t, 204)
	with := func(change func(b map[string]any)) map[string]any {
		b := linkBody(oid, m)
		change(b)
		return b
	}
	item := func(change func(it map[string]any)) map[string]any {
		return with(func(b map[string]any) { change(b["items"].([]map[string]any)[0]) })
	}
	yesterday := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, -2).Format(time.DateOnly)
	tests := []struct {
		name   string
		body   map[string]any
		status int
		prop   string
	}{
		{"order missing", with(func(b map[string]any) { delete(b, "payment_order_id") }), 422, "payment_order_id"},
		{"order malformed", with(func(b map[string]any) { b["payment_order_id"] = "o-1" }), 422, "payment_order_id"},
		{"order unknown", with(func(b map[string]any) { b["payment_order_id"] = "01a2118b-a2cf-7446-afaa-c267239684c7" }), 403, "payment_order_id"},
		{"order closed", with(func(b map[string]any) { b["payment_order_id"] = closed }), 403, ""},
		{"currency missing", with(func(b map[string]any) { delete(b, "currency") }), 422, "currency"},
		{"currency unknown", with(func(b map[string]any) { b["currency"] = "USD" }), 422, "currency"},
		{"currency differs from order", with(func(b map[string]any) {
			b["payment_order_id"] = nok
			b["payment_provider_methods"] = []map[string]any{{"provider": "dummy", "method": "dummy"}}
		}), 422, "currency"},
		{"total missing", with(func(b map[string]any) { delete(b, "total_amount") }), 422, "total_amount"},
		{"total differs from items", with(func(b map[string]any) { b["total_amount"] = 16999 }), 403, "total_amount"},
		{"customer missing", with(func(b map[string]any) { delete(b, "customer") }), 422, "customer"},
		{"first name missing", with(func(b map[string]any) { delete(b["customer"].(map[string]any), "first_name") }), 422, "customer.first_name"},
		{"last name blank", with(func(b map[string]any) { b["customer"].(map[string]any)["last_name"] = " " }), 422, "customer.last_name"},
		{"customer email bad", with(func(b map[string]any) { b["customer"].(map[string]any)["email"] = "asa@" }), 422, "customer.email"},
		{"customer phone too long", with(func(b map[string]any) { b["customer"].(map[string]any)["phone"] = strings.Repeat("1", 51) }), 422, "customer.phone"},
		{"items missing", with(func(b map[string]any) { delete(b, "items") }), 422, "items"},
		{"items empty", with(func(b map[string]any) { b["items"] = []any{} }), 422, "items"},
		{"item description missing", item(func(it map[string]any) { delete(it, "description") }), 422, "items[0].description"},
		{"item merchant missing", item(func(it map[string]any) { delete(it, "merchant_id") }), 422, "items[0].merchant_id"},
		{"item merchant unknown", item(func(it map[string]any) { it["merchant_id"] = "01a2118b-a2cf-7446-afaa-c267239684c7" }), 422, "items[0].merchant_id"},
		{"item price missing", item(func(it map[string]any) { delete(it, "price") }), 422, "items[0].price"},
		{"item price negative", item(func(it map[string]any) { it["price"] = -1 }), 422, "items[0].price"},
		{"item price fractional", item(func(it map[string]any) { it["price"] = 70.5 }), 422, "items.price"},
		{"item quantity zero", item(func(it map[string]any) { it["quantity"] = 0 }), 422, "items[0].quantity"},
		{"item quantity missing", item(func(it map[string]any) { delete(it, "quantity") }), 422, "items[0].quantity"},
		{"item vat missing", item(func(it map[string]any) { delete(it, "vat") }), 422, "items[0].vat"},
		{"item vat bad", item(func(it map[string]any) { it["vat"] = 101 }), 422, "items[0].vat"},
		{"item overflow", item(func(it map[string]any) { it["price"] = int64(1) << 40; it["quantity"] = 1_000_000 }), 422, "items"},
		{"supplier missing", with(func(b map[string]any) { delete(b, "supplier") }), 422, "supplier"},
		{"supplier name missing", with(func(b map[string]any) { b["supplier"] = map[string]any{"city": "Umeå"} }), 422, "supplier.name"},
		{"supplier website bad", with(func(b map[string]any) { b["supplier"].(map[string]any)["website"] = "biodlarna" }), 422, "supplier.website"},
		{"locale missing", with(func(b map[string]any) { delete(b, "locale") }), 422, "locale"},
		{"locale unknown", with(func(b map[string]any) { b["locale"] = "de-DE" }), 422, "locale"},
		{"methods missing", with(func(b map[string]any) { delete(b, "payment_provider_methods") }), 422, "payment_provider_methods"},
		{"methods empty", with(func(b map[string]any) { b["payment_provider_methods"] = []any{} }), 403, "payment_provider_methods"},
		{"method not enabled", with(func(b map[string]any) {
			b["payment_provider_methods"] = []map[string]any{{"provider": "klarna", "method": "invoice"}}
		}), 403, "payment_provider_methods[0]"},
		{"method without provider", with(func(b map[string]any) {
			b["payment_provider_methods"] = []map[string]any{{"method": "dummy"}}
		}), 422, "payment_provider_methods[0].provider"},
		{"swish message too long", with(func(b map[string]any) {
			b["payment_provider_methods"] = []map[string]any{{"provider": "swish", "method": "e_commerce", "parameters": map[string]any{"swish_message": strings.Repeat("a", 51)}}}
		}), 422, "payment_provider_methods[0].parameters.swish_message"},
		{"swish message bad characters", with(func(b map[string]any) {
			b["payment_provider_methods"] = []map[string]any{{"provider": "swish", "method": "e_commerce", "parameters": map[string]any{"swish_message": "<script>"}}}
		}), 422, "payment_provider_methods[0].parameters.swish_message"},
		{"due date malformed", with(func(b map[string]any) { b["due_date"] = "31/12/2030" }), 422, "due_date"},
		{"due date past", with(func(b map[string]any) { b["due_date"] = yesterday }), 422, "due_date"},
		{"delivery address incomplete", with(func(b map[string]any) { b["delivery_address"] = map[string]any{"street_address": "Storgatan 1"} }), 422, "delivery_address.zip"},
		{"invoice address city missing", with(func(b map[string]any) {
			b["invoice_address"] = map[string]any{"street_address": "Storgatan 1", "zip": "753 20"}
		}), 422, "invoice_address.city"},
		{"logo not https", with(func(b map[string]any) { b["logo_image_link"] = "http://cdn.example/logo.png" }), 422, "logo_image_link"},
		{"callback url bad", with(func(b map[string]any) { b["payment_link_status_callback_url"] = "tenant.example/cb" }), 422, "payment_link_status_callback_url"},
		{"success url bad", with(func(b map[string]any) { b["checkout_success_url"] = "javascript:alert(1)" }), 422, "checkout_success_url"},
		{"cancel url bad", with(func(b map[string]any) { b["checkout_cancel_url"] = "//x" }), 422, "checkout_cancel_url"},
		{"metadata not object", with(func(b map[string]any) { b["metadata"] = "x" }), 422, "metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", lv1+"/payment_links", tc.body).Want(t, tc.status)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("property %q, want %q: %s", prop, tc.prop, r.Body)
			}
		})
	}
	var list []any
	e.Do(t, "GET", lv1+"/payment_links", nil).Want(t, 200).JSON(t, &list)
	var o struct{ Payments []any }
	e.Do(t, "GET", v1+"/payment_orders/"+oid, nil).Want(t, 200).JSON(t, &o)
	if len(list) != 0 || len(o.Payments) != 0 {
		t.Fatalf("rejected links left %d links and %d payments behind", len(list), len(o.Payments))
	}
	e.Do(t, "POST", lv1+"/payment_links", "").Want(t, 422)
}

func TestLinkCancel(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, oid, _ := newLink(t, e)
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/cancel", nil).Want(t, 204)
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/cancel", "{}").Want(t, 403)
		if l := getLink(t, e, id); l.Status != "CANCELLED" {
			t.Fatalf("status %s", l.Status)
		}
		var o struct{ Payments []struct{ Status string } }
		e.Do(t, "GET", v1+"/payment_orders/"+oid, nil).Want(t, 200).JSON(t, &o)
		if o.Payments[0].Status != "STOPPED" {
			t.Fatalf("payment %s after cancel", o.Payments[0].Status)
		}
		cbs := outboxPayloads(t, e, store.KindLinkStatus)
		if len(cbs) != 1 || cbs[0]["status"] != "CANCELLED" || cbs[0]["payment_link_id"] != id || cbs[0]["occured_at"] == nil {
			t.Fatalf("callbacks %+v", cbs)
		}
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/distribute", map[string]any{"methods": []string{"email"}}).Want(t, 403)
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/invoice", map[string]any{"reference_type": "OCR"}).Want(t, 403)
		e.Do(t, "PUT", lv1+"/payment_links/01a2118b-a2cf-7446-afaa-c267239684c7/cancel", nil).Want(t, 404)
	})
}

func TestLinkDistribute(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, _, _ := newLink(t, e)
		path := lv1 + "/payment_links/" + id + "/distribute"
		for _, tc := range []struct {
			body any
			prop string
		}{
			{"{}", "methods"},
			{map[string]any{"methods": []string{}}, "methods"},
			{map[string]any{"methods": []string{"fax"}}, "methods[0]"},
			{map[string]any{"methods": "sms"}, "methods"},
			{map[string]any{"methods": []string{"email"}, "customer_email": "nobody"}, "customer_email"},
			{map[string]any{"methods": []string{"sms"}, "customer_phone": "12"}, "customer_phone"},
		} {
			r := e.Do(t, "PUT", path, tc.body).Want(t, 422)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("%v: property %q, want %q", tc.body, prop, tc.prop)
			}
		}
		e.Do(t, "PUT", path, "").Want(t, 422)
		if l := getLink(t, e, id); l.SMSStatus != "NOT_CREATED" || l.DistributedByEmail {
			t.Fatalf("rejected distribution changed the link: %+v", l)
		}
		// Phone and e-mail fall back to the link's customer.
		e.Do(t, "PUT", path, map[string]any{"methods": []string{"sms", "email"}}).Want(t, 204)
		l := getLink(t, e, id)
		if l.SMSStatus != "CREATED" || !l.DistributedByEmail {
			t.Fatalf("link after distribute %+v", l)
		}
		msgs, err := e.Store.LinkMessages(context.Background(), e.Tenant.ID, mustUUID(t, id))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, m := range msgs {
			got[m.Channel] = m.Recipient
		}
		if got["sms"] != "+46701234567" || got["email"] != "asa@example.com" {
			t.Fatalf("queued %+v", got)
		}
		e.Do(t, "PUT", path, map[string]any{"methods": []string{"email"}, "customer_email": "per@example.com"}).Want(t, 204)

		// Without a phone on the link or in the request, sms is a 422.
		m := newMerchant(t, e)
		body := linkBody(newOrder(t, e, "SEK"), m)
		delete(body["customer"].(map[string]any), "phone")
		id2 := e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200).ID(t)
		r := e.Do(t, "PUT", lv1+"/payment_links/"+id2+"/distribute", map[string]any{"methods": []string{"sms"}}).Want(t, 422)
		if _, prop := r.ErrorAt(t); prop != "customer_phone" {
			t.Fatalf("property %q", prop)
		}
	})
}

func TestLinkInvoice(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, _, _ := newLink(t, e)
		path := lv1 + "/payment_links/" + id + "/invoice"
		e.Do(t, "GET", path, nil).Want(t, 403)
		e.Do(t, "PUT", path, "").Want(t, 422)
		for _, body := range []any{"{}", map[string]any{"reference_type": "IBAN"}, map[string]any{"reference_type": "OCR", "document_name": "../x"}} {
			e.Do(t, "PUT", path, body).Want(t, 422)
		}
		e.Do(t, "PUT", path, map[string]any{"reference_type": "OCR", "document_name": "Faktura"}).Want(t, 204)
		e.Do(t, "PUT", path, map[string]any{"reference_type": "OCR"}).Want(t, 403)
		var inv struct {
			URL           string
			ReferenceType string `json:"reference_type"`
			Reference     string
		}
		e.Do(t, "GET", path, nil).Want(t, 200).JSON(t, &inv)
		if inv.ReferenceType != "OCR" || !reference.ValidOCR(inv.Reference) || !strings.Contains(inv.URL, "/files/") {
			t.Fatalf("invoice %+v", inv)
		}
		if !getLink(t, e, id).InvoiceCreated {
			t.Fatal("invoice_created not set")
		}
		id2, _, _ := newLink(t, e)
		e.Do(t, "PUT", lv1+"/payment_links/"+id2+"/invoice", map[string]any{"reference_type": "KID"}).Want(t, 204)
		var inv2 struct{ Reference string }
		e.Do(t, "GET", lv1+"/payment_links/"+id2+"/invoice", nil).Want(t, 200).JSON(t, &inv2)
		if !reference.ValidKID(inv2.Reference) || inv2.Reference == inv.Reference {
			t.Fatalf("second reference %q (first %q)", inv2.Reference, inv.Reference)
		}
	})
}

func TestSandboxPayCompletesLinkOnce(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id, oid, _ := newLink(t, e)
		e.Do(t, "GET", lv1+"/payment_links/"+id+"/receipt", nil).Want(t, 403)
		e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", map[string]any{"status": "PAID"}).Want(t, 422)
		e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", nil).Want(t, 204)
		e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", nil).Want(t, 403)
		l := getLink(t, e, id)
		if l.Status != "COMPLETED" {
			t.Fatalf("status %s", l.Status)
		}
		var rc struct{ URL string }
		e.Do(t, "GET", lv1+"/payment_links/"+id+"/receipt", nil).Want(t, 200).JSON(t, &rc)
		if !strings.Contains(rc.URL, "/files/") {
			t.Fatalf("receipt %+v", rc)
		}
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/cancel", nil).Want(t, 403)
		cbs := outboxPayloads(t, e, store.KindLinkStatus)
		if len(cbs) != 1 || cbs[0]["status"] != "COMPLETED" {
			t.Fatalf("callbacks %+v", cbs)
		}
		// The order can now be split: the link's payment is the order's funds.
		e.Do(t, "PUT", v1+"/payment_orders/"+oid+"/split", map[string]any{"fast_forward": true}).Want(t, 204)
		var allocs []struct{ Amount int64 }
		e.Do(t, "GET", v1+"/payment_orders/"+oid+"/allocations", nil).Want(t, 200).JSON(t, &allocs)
		if len(allocs) != 1 || allocs[0].Amount != 17000 {
			t.Fatalf("allocations %+v", allocs)
		}
	})
}

func TestLinkExpiry(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		m := newMerchant(t, e)
		today := time.Now().In(pinglinks.Stockholm).Format(time.DateOnly)
		mk := func(due string) string {
			b := linkBody(newOrder(t, e, "SEK"), m)
			if due != "" {
				b["due_date"] = due
			}
			return e.Do(t, "POST", lv1+"/payment_links", b).Want(t, 200).ID(t)
		}
		dueToday, noDue, paying, far := mk(today), mk(""), mk(today), mk("2099-01-01")
		// The payer has started paying one of them: it decides first.
		l := getLink(t, e, paying)
		if _, err := e.Store.UpdatePayment(context.Background(), e.Tenant.ID, mustUUID(t, l.PaymentOrderID), mustUUID(t, l.PaymentID),
			func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
				return p.SetStatus("PENDING", e.Store.Now())
			}); err != nil {
			t.Fatal(err)
		}
		sweeper := &expiry.Sweeper{Store: e.Store}
		if n, err := sweeper.SweepOnce(context.Background()); err != nil || n != 0 {
			t.Fatalf("swept %d before the due date passed (%v)", n, err)
		}
		// The due date ends at midnight in Stockholm: move the clock past it.
		real := e.Store.Now
		e.Store.Now = func() time.Time { return real().Add(48 * time.Hour) }
		defer func() { e.Store.Now = real }()
		n, err := sweeper.SweepOnce(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expired %d links (%v), want 1", n, err)
		}
		for id, want := range map[string]string{dueToday: "EXPIRED", noDue: "CREATED", paying: "CREATED", far: "CREATED"} {
			if got := getLink(t, e, id).Status; got != want {
				t.Errorf("link %s is %s, want %s", id, got, want)
			}
		}
		// Once the payment decides (declined), the next sweep expires the link.
		l = getLink(t, e, paying)
		if _, err := e.Store.UpdatePayment(context.Background(), e.Tenant.ID, mustUUID(t, l.PaymentOrderID), mustUUID(t, l.PaymentID),
			func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
				return p.SetStatus("DECLINED", e.Store.Now())
			}); err != nil {
			t.Fatal(err)
		}
		if n, _ := sweeper.SweepOnce(context.Background()); n != 1 || getLink(t, e, paying).Status != "EXPIRED" {
			t.Fatalf("second sweep expired %d", n)
		}
		if n, _ := sweeper.SweepOnce(context.Background()); n != 0 {
			t.Fatalf("a third sweep expired %d more", n)
		}
		var expired []map[string]any
		for _, cb := range outboxPayloads(t, e, store.KindLinkStatus) {
			if cb["status"] == "EXPIRED" {
				expired = append(expired, cb)
			}
		}
		if len(expired) != 2 {
			t.Fatalf("expiry callbacks %+v", expired)
		}
	})
}
