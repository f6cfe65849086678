package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

// TestFlowEndToEnd is the tenant's whole story over HTTP: order → link
// → distribute → the payer pays (sandbox) → the tenant's receiver gets a
// signed COMPLETED callback for the link and for the payment — then lists
// the callbacks and asks for one again.
func TestFlowEndToEnd(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		type received struct {
			header http.Header
			body   []byte
		}
		got := make(chan received, 10)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- received{r.Header.Clone(), b}
		}))
		defer rcv.Close()
		e.StartCallbacks(t)

		var tenant struct {
			Key string `json:"callback_signing_key"`
		}
		e.Do(t, "GET", v1+"/tenant", nil).Want(t, 200).JSON(t, &tenant)
		m := newMerchant(t, e)
		oid := newOrder(t, e, "SEK")
		body := linkBody(oid, m)
		body["payment_link_status_callback_url"] = rcv.URL + "/links"
		id := e.Do(t, "POST", lv1+"/payment_links", body, "Idempotency-Key", "link-1").Want(t, 200).ID(t)
		e.Do(t, "PUT", lv1+"/payment_links/"+id+"/distribute", map[string]any{"methods": []string{"sms", "email"}}).Want(t, 204)
		e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", nil).Want(t, 204)

		var cb received
		select {
		case cb = <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("no callback within 10 s")
		}
		if err := callback.Verify(tenant.Key, cb.header, cb.body, time.Minute, time.Now()); err != nil {
			t.Fatalf("callback signature: %v", err)
		}
		var payload map[string]any
		json.Unmarshal(cb.body, &payload)
		if payload["payment_link_id"] != id || payload["status"] != "COMPLETED" || payload["occured_at"] == nil {
			t.Fatalf("callback %s", cb.body)
		}

		var list []struct {
			ID, Kind, Status string
		}
		// The receiver may answer before the worker has written down the result.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			e.Do(t, "GET", v1+"/callbacks", nil).Want(t, 200).JSON(t, &list)
			if len(list) != 1 || list[0].Status == "DELIVERED" || time.Now().After(deadline) {
				break
			}
		}
		if len(list) != 1 || list[0].Kind != "payment_link_status" || list[0].Status != "DELIVERED" {
			t.Fatalf("callbacks %+v", list)
		}
		var one struct {
			Attempts []struct{ Success bool } `json:"delivery_attempts"`
		}
		e.Do(t, "GET", v1+"/callbacks/"+list[0].ID, nil).Want(t, 200).JSON(t, &one)
		if len(one.Attempts) != 1 || !one.Attempts[0].Success {
			t.Fatalf("attempts %+v", one.Attempts)
		}
		e.Do(t, "POST", v1+"/callbacks/"+list[0].ID+"/redeliver", nil).Want(t, 204)
		select {
		case again := <-got:
			if again.header.Get("webhook-id") != cb.header.Get("webhook-id") {
				t.Fatal("redelivery changed the webhook-id")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no redelivery within 10 s")
		}
		e.Do(t, "POST", v1+"/callbacks/01a2118b-a2cf-7446-afaa-c267239684c7/redeliver", nil).Want(t, 404)
		e.Do(t, "GET", v1+"/callbacks/nope", nil).Want(t, 422)
	})
}

// TestSandboxInbox follows the README: the link's callback goes to the
// sandbox's own inbox, which shows it with a verified signature.
func TestSandboxInbox(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	e.StartCallbacks(t)
	m := newMerchant(t, e)
	body := linkBody(newOrder(t, e, "SEK"), m)
	body["payment_link_status_callback_url"] = e.Server.URL + "/sandbox/inbox/" + e.Tenant.ID.String()
	id := e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200).ID(t)
	e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", nil).Want(t, 204)
	var got []struct {
		SignatureOK bool `json:"signature_ok"`
		Body        struct {
			PaymentLinkID string `json:"payment_link_id"`
			Status        string
		}
	}
	for deadline := time.Now().Add(5 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		e.Do(t, "GET", "/sandbox/inbox", nil).Want(t, 200).JSON(t, &got)
	}
	if len(got) != 1 || !got[0].SignatureOK || got[0].Body.PaymentLinkID != id || got[0].Body.Status != "COMPLETED" {
		t.Fatalf("inbox %+v", got)
	}
	// A forged callback is kept but marked.
	e.DoRaw(t, "POST", "/sandbox/inbox/"+e.Tenant.ID.String(), `{"status":"COMPLETED"}`, "webhook-id", "x",
		"webhook-timestamp", "1", "webhook-signature", "v1,AAAA").Want(t, 204)
	e.Do(t, "GET", "/sandbox/inbox", nil).Want(t, 200).JSON(t, &got)
	if len(got) != 2 || got[1].SignatureOK {
		t.Fatalf("forged callback %+v", got)
	}
	e.DoRaw(t, "POST", "/sandbox/inbox/01a2118b-a2cf-7446-afaa-c267239684c7", `{}`).Want(t, 404)
}

func TestSandboxRoutesAbsentInProduction(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	e.API.Sandbox = false
	prod := httptest.NewServer((&api.Server{Store: e.Store, Log: e.API.Log, PublicURL: "https://pay.example"}).Handler())
	defer prod.Close()
	for _, path := range []string{"/sandbox/inbox", "/sandbox/inbox/" + e.Tenant.ID.String(), "/sandbox/payment_links/01a2118b-a2cf-7446-afaa-c267239684c7/pay"} {
		for _, method := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(method, prod.URL+path, nil)
			req.Header.Set("tenant_id", e.Tenant.ID.String())
			req.Header.Set("x-api-secret", e.Tenant.Secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("production %s %s answered %d", method, path, resp.StatusCode)
			}
		}
	}
}
