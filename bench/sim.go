package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// tenantSim is one simulated tenant's backend.
type tenantSim struct {
	client      *http.Client
	base        string
	cred        credentials
	merchantID  string
	floorTenant string // on the floor server
	callbackURL string
	waiting     *sync.Map
}

func (t *tenantSim) do(method, path string, body any, want int) ([]byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, t.base+path, r)
	if err != nil {
		return nil, err
	}
	if t.cred.TenantID != "" {
		req.Header.Set("tenant_id", t.cred.TenantID)
		req.Header.Set("x-api-secret", t.cred.APISecret)
	}
	req.Header.Set("Content-Type", "application/json")
	if method == "POST" {
		// As every SDK does, so that a retry cannot create twice.
		req.Header.Set("Idempotency-Key", uuid.NewString())
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %w %d: %.200s", method, path, errStatus, resp.StatusCode, out)
	}
	return out, nil
}

func idFrom(b []byte) (string, error) {
	var v struct{ ID string }
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("no id in %.200s", b)
	}
	return v.ID, nil
}

func (t *tenantSim) setup() error {
	b, err := t.do("POST", "/payments/api/v1/merchants", map[string]any{"name": "Bench stall",
		"organization": map[string]any{"country": "SE", "se_organization_number": "5567037485"}}, 200)
	if err != nil {
		return err
	}
	t.merchantID, err = idFrom(b)
	return err
}

// linkBody is the link the flow creates: two items of one merchant.
func linkBody(orderID, merchantID string) map[string]any {
	return map[string]any{
		"payment_order_id": orderID, "currency": "SEK", "total_amount": 17000, "locale": "sv-SE",
		"customer": map[string]any{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.com", "phone": "0701234567"},
		"items": []map[string]any{
			{"description": "Honung 500 g", "merchant_id": merchantID, "price": 7000, "quantity": 2, "vat": 12},
			{"description": "Ljus", "merchant_id": merchantID, "price": 3000, "quantity": 1, "vat": 25},
		},
		"supplier":                 map[string]any{"name": "Biodlarna AB", "organization_number": "556703-7485"},
		"payment_provider_methods": []map[string]any{{"provider": "dummy", "method": "dummy"}},
	}
}

// floorFlow is the same flow against the floor server (FloorHandler).
func (t *tenantSim) floorFlow(rec *recorder) error {
	var orderID, linkID string
	prefix := "/tenants/" + t.floorTenant
	err := rec.step("create_order", func() error {
		b, err := t.do("POST", prefix+"/orders", map[string]any{"currency": "SEK"}, 200)
		if err == nil {
			orderID, err = idFrom(b)
		}
		return err
	})
	if err != nil {
		return err
	}
	err = rec.step("create_link", func() error {
		b, err := t.do("POST", prefix+"/links", linkBody(orderID, t.merchantID), 200)
		if err == nil {
			linkID, err = idFrom(b)
		}
		return err
	})
	if err != nil {
		return err
	}
	return rec.step("get_link", func() error {
		_, err := t.do("GET", prefix+"/links/"+linkID, nil, 200)
		return err
	})
}

func (t *tenantSim) floorSetup() error {
	b, err := t.do("POST", "/tenants", nil, 200)
	if err != nil {
		return err
	}
	var v struct {
		TenantID   string `json:"tenant_id"`
		MerchantID string `json:"merchant_id"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	t.floorTenant, t.merchantID = v.TenantID, v.MerchantID
	return nil
}

// flow is the tenant's hot path: create an order, a link for it, and read
// the link back; with pay, the payer pays and the tenant waits for the
// COMPLETED callback.
func (t *tenantSim) flow(pay bool, rec *recorder) error {
	var orderID, linkID string
	err := rec.step("create_order", func() error {
		b, err := t.do("POST", "/payments/api/v1/payment_orders", map[string]any{"currency": "SEK"}, 200)
		if err == nil {
			orderID, err = idFrom(b)
		}
		return err
	})
	if err != nil {
		return err
	}
	link := linkBody(orderID, t.merchantID)
	if pay {
		link["payment_link_status_callback_url"] = t.callbackURL
	}
	err = rec.step("create_link", func() error {
		b, err := t.do("POST", "/payment_links/api/v1/payment_links", link, 200)
		if err == nil {
			linkID, err = idFrom(b)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := rec.step("get_link", func() error {
		_, err := t.do("GET", "/payment_links/api/v1/payment_links/"+linkID, nil, 200)
		return err
	}); err != nil {
		return err
	}
	if !pay {
		return nil
	}
	done := make(chan struct{})
	t.waiting.Store(linkID, done)
	if err := rec.step("pay", func() error {
		_, err := t.do("POST", "/sandbox/payment_links/"+linkID+"/pay", nil, 204)
		return err
	}); err != nil {
		t.waiting.Delete(linkID)
		return err
	}
	return rec.step("callback", func() error {
		select {
		case <-done:
			return nil
		case <-time.After(30 * time.Second):
			t.waiting.Delete(linkID)
			return fmt.Errorf("no callback for link %s within 30 s", linkID)
		}
	})
}
