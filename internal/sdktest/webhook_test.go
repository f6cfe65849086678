package sdktest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/client"
)

var (
	testKey  = "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	otherKey = "whsec_" + base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
)

// signed returns the headers the platform's own signer (callback.Sign)
// puts on a callback, so that the client's verification is checked
// against the server's signing and not against a copy of itself.
func signed(t *testing.T, key, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	sig, err := callback.Sign(key, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", sig)
	return h
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(1_764_000_000, 0)
	body := []byte(`{"payment_link_id":"l1","status":"COMPLETED","occured_at":"2026-11-25T10:00:00Z"}`)
	otherSig := func() string {
		s, _ := callback.Sign(otherKey, "msg_1", now, body)
		return s
	}()
	tests := []struct {
		name   string
		key    string
		header func() http.Header
		body   []byte
		want   error
	}{
		{"valid", testKey, func() http.Header { return signed(t, testKey, "msg_1", now, body) }, body, nil},
		{"valid, slightly in the future", testKey, func() http.Header { return signed(t, testKey, "msg_1", now.Add(time.Minute), body) }, body, nil},
		{"tampered body", testKey, func() http.Header { return signed(t, testKey, "msg_1", now, body) },
			[]byte(strings.Replace(string(body), "COMPLETED", "CANCELLED", 1)), client.ErrWebhookSignature},
		{"tampered id", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Set("webhook-id", "msg_2")
			return h
		}, body, client.ErrWebhookSignature},
		{"wrong key", otherKey, func() http.Header { return signed(t, testKey, "msg_1", now, body) }, body, client.ErrWebhookSignature},
		{"old timestamp", testKey, func() http.Header { return signed(t, testKey, "msg_1", now.Add(-6*time.Minute), body) }, body, client.ErrWebhookTimestamp},
		{"future timestamp", testKey, func() http.Header { return signed(t, testKey, "msg_1", now.Add(6*time.Minute), body) }, body, client.ErrWebhookTimestamp},
		{"several signatures, one right", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Set("webhook-signature", otherSig+" v1a,AAAA v2,xyz "+h.Get("webhook-signature")+" v1,!!notbase64")
			return h
		}, body, nil},
		{"several signatures, none right", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Set("webhook-signature", otherSig+" v1,AAAA")
			return h
		}, body, client.ErrWebhookSignature},
		{"signature without version", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Set("webhook-signature", strings.TrimPrefix(h.Get("webhook-signature"), "v1,"))
			return h
		}, body, client.ErrWebhookSignature},
		{"no signature", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Del("webhook-signature")
			return h
		}, body, client.ErrWebhookHeaders},
		{"no id", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Del("webhook-id")
			return h
		}, body, client.ErrWebhookHeaders},
		{"timestamp not a number", testKey, func() http.Header {
			h := signed(t, testKey, "msg_1", now, body)
			h.Set("webhook-timestamp", "yesterday")
			return h
		}, body, client.ErrWebhookHeaders},
		{"key not base64", "whsec_***", func() http.Header { return signed(t, testKey, "msg_1", now, body) }, body, client.ErrWebhookKey},
		{"key without prefix", strings.TrimPrefix(testKey, "whsec_"), func() http.Header { return signed(t, testKey, "msg_1", now, body) }, body, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := client.VerifyWebhook(tc.key, tc.header(), tc.body, 5*time.Minute, now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			// The server's own verifier must agree on every case it can judge.
			if tc.key == testKey || tc.key == otherKey {
				srvErr := callback.Verify(tc.key, tc.header(), tc.body, 5*time.Minute, now)
				if (srvErr == nil) != (err == nil) {
					t.Fatalf("client says %v, server's callback.Verify says %v", err, srvErr)
				}
			}
		})
	}
}

func TestWebhookHandler(t *testing.T) {
	linkBody := []byte(`{"payment_link_id":"0193a0c2-0000-7000-8000-0000000000aa","status":"COMPLETED","occured_at":"2024-01-16T14:24:29.105356Z"}`)
	paymentBody := []byte(`{"payment_id":"p1","payment_order_id":"o1","status":"COMPLETED","occurred_at":"2024-01-16T14:24:29Z","total_amount":17000,"currency":"SEK"}`)
	merchantBody := []byte(`{"merchant_id":"m1","status":"APPROVED","occurred_at":"2024-01-16T14:24:29Z"}`)
	failing := errors.New("database down")

	tests := []struct {
		name       string
		method     string
		body       []byte
		header     func(body []byte) http.Header
		linkErr    error
		wantStatus int
		wantLink   bool
		wantPay    bool
	}{
		{"link callback", "POST", linkBody, nil, nil, 204, true, false},
		{"payment callback", "POST", paymentBody, nil, nil, 204, false, true},
		{"merchant callback is acknowledged", "POST", merchantBody, nil, nil, 204, false, false},
		{"callback func fails", "POST", linkBody, nil, failing, 500, true, false},
		{"bad signature", "POST", linkBody, func(b []byte) http.Header { return signed(t, otherKey, "msg_1", time.Now(), b) }, nil, 401, false, false},
		{"old timestamp", "POST", linkBody, func(b []byte) http.Header { return signed(t, testKey, "msg_1", time.Now().Add(-time.Hour), b) }, nil, 401, false, false},
		{"no signature headers", "POST", linkBody, func([]byte) http.Header { return http.Header{} }, nil, 400, false, false},
		{"not JSON", "POST", []byte("hello"), nil, nil, 400, false, false},
		{"bad time", "POST", []byte(`{"payment_link_id":"l","status":"COMPLETED","occured_at":"soon"}`), nil, nil, 400, false, false},
		{"GET", "GET", nil, func([]byte) http.Header { return http.Header{} }, nil, 405, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gotLink *client.LinkEvent
			var gotPay *client.PaymentEvent
			h := client.WebhookHandler(testKey,
				func(ctx context.Context, ev client.LinkEvent) error { gotLink = &ev; return tc.linkErr },
				func(ctx context.Context, ev client.PaymentEvent) error { gotPay = &ev; return nil })
			srv := httptest.NewServer(h)
			defer srv.Close()
			hdr := signed(t, testKey, "msg_1", time.Now(), tc.body)
			if tc.header != nil {
				hdr = tc.header(tc.body)
			}
			req, _ := http.NewRequest(tc.method, srv.URL, strings.NewReader(string(tc.body)))
			for k, v := range hdr {
				req.Header[k] = v
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if (gotLink != nil) != tc.wantLink || (gotPay != nil) != tc.wantPay {
				t.Fatalf("link event %+v, payment event %+v", gotLink, gotPay)
			}
			if gotLink != nil {
				want := time.Date(2024, 1, 16, 14, 24, 29, 105356000, time.UTC)
				if gotLink.PaymentLinkID != "0193a0c2-0000-7000-8000-0000000000aa" || gotLink.Status != "COMPLETED" ||
					!gotLink.OccurredAt.Equal(want) || gotLink.WebhookID != "msg_1" {
					t.Fatalf("link event %+v", gotLink)
				}
			}
			if gotPay != nil {
				if gotPay.PaymentID != "p1" || gotPay.PaymentOrderID != "o1" || gotPay.TotalAmount != 17000 ||
					gotPay.Currency != "SEK" || gotPay.OccurredAt.IsZero() || gotPay.WebhookID != "msg_1" {
					t.Fatalf("payment event %+v", gotPay)
				}
			}
		})
	}
}

func TestWebhookHandlerNilFuncs(t *testing.T) {
	h := client.WebhookHandler(testKey, nil, nil)
	body := []byte(`{"payment_id":"p1","status":"COMPLETED","occurred_at":"2024-01-16T14:24:29Z"}`)
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	for k, v := range signed(t, testKey, "msg_9", time.Now(), body) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestWebhookReceiverMerchantAndTolerance(t *testing.T) {
	var got []client.MerchantEvent
	wr := &client.WebhookReceiver{SigningKey: testKey, Tolerance: time.Hour,
		OnMerchant: func(_ context.Context, ev client.MerchantEvent) error { got = append(got, ev); return nil }}
	body := []byte(`{"merchant_id":"m1","status":"APPROVED","occurred_at":"2024-01-16T14:24:29Z"}`)
	tests := []struct {
		name string
		age  time.Duration
		want int
	}{
		{"fresh", 0, 204},
		{"30 minutes old, within an hour", 30 * time.Minute, 204},
		{"two hours old", 2 * time.Hour, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
			for k, v := range signed(t, testKey, "msg_m", time.Now().Add(-tc.age), body) {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			wr.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
	if len(got) != 2 || got[0].MerchantID != "m1" || got[0].Status != "APPROVED" || got[0].WebhookID != "msg_m" || got[0].OccurredAt.IsZero() {
		t.Fatalf("events %+v", got)
	}
}
