package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/client"
)

// scripted is a server that answers each request with the next of its
// responses (the last one repeats) and records what it received.
type scripted struct {
	mu        sync.Mutex
	responses []scriptedResponse
	got       []*http.Request
	bodies    []string
	at        []time.Time
}

type scriptedResponse struct {
	status int
	header map[string]string
	body   string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.got)
	s.got = append(s.got, r)
	s.bodies = append(s.bodies, string(b))
	s.at = append(s.at, time.Now())
	resp := s.responses[min(n, len(s.responses)-1)]
	s.mu.Unlock()
	for k, v := range resp.header {
		w.Header().Set(k, v)
	}
	if resp.body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.status)
	io.WriteString(w, resp.body)
}

func (s *scripted) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.got...)
}

const (
	okID         = `{"id":"01a2118b-a2cf-7446-afaa-c267239684c7"}`
	unavailable  = `{"errors":[{"error":"internal_error","description":"try again"}]}`
	invalidBody  = `{"errors":[{"error":"validation_error","description":"must be one of SEK, NOK","property":"currency"}]}`
	rateLimited  = `{"errors":[{"error":"rate_limited","description":"slow down"}]}`
	inProgress   = `{"errors":[{"error":"idempotency_conflict","description":"still running"}]}`
	testTenantID = "0193a0c2-0000-7000-8000-000000000001"
)

func scriptedClient(t *testing.T, s *scripted, opts ...client.Option) *client.Client {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	opts = append([]client.Option{client.WithHTTPClient(srv.Client()), client.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	return client.New(srv.URL+"/", testTenantID, "s3cret", opts...)
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		responses []scriptedResponse
		opts      []client.Option
		wantCalls int
		wantErr   int // status of the *client.Error, 0 for success
	}{
		{"503 then 200", []scriptedResponse{{503, nil, unavailable}, {200, nil, okID}}, nil, 2, 0},
		{"502, 504 then 200", []scriptedResponse{{502, nil, ""}, {504, nil, ""}, {200, nil, okID}}, nil, 3, 0},
		{"409 in progress then 200", []scriptedResponse{{409, nil, inProgress}, {200, nil, okID}}, nil, 2, 0},
		{"422 is not retried", []scriptedResponse{{422, nil, invalidBody}, {200, nil, okID}}, nil, 1, 422},
		{"403 is not retried", []scriptedResponse{{403, nil, `{"errors":[{"error":"operation_forbidden","description":"no"}]}`}}, nil, 1, 403},
		{"500 is not retried", []scriptedResponse{{500, nil, unavailable}, {200, nil, okID}}, nil, 1, 500},
		{"503 until the retries run out", []scriptedResponse{{503, nil, unavailable}}, []client.Option{client.WithRetries(2)}, 3, 503},
		{"no retries", []scriptedResponse{{503, nil, unavailable}, {200, nil, okID}}, []client.Option{client.WithRetries(0)}, 1, 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{responses: tc.responses}
			c := scriptedClient(t, s, tc.opts...)
			created, err := c.CreatePaymentOrder(context.Background(), &client.CreatePaymentOrderRequest{Currency: client.SEK})
			reqs := s.requests()
			if len(reqs) != tc.wantCalls {
				t.Fatalf("%d requests, want %d", len(reqs), tc.wantCalls)
			}
			if tc.wantErr == 0 {
				if err != nil || created.ID == "" {
					t.Fatalf("created %+v, err %v", created, err)
				}
			} else {
				var ae *client.Error
				if !errors.As(err, &ae) || ae.StatusCode != tc.wantErr {
					t.Fatalf("err %v, want status %d", err, tc.wantErr)
				}
			}
			key := reqs[0].Header.Get("Idempotency-Key")
			if key == "" {
				t.Fatal("write without Idempotency-Key")
			}
			for i, r := range reqs {
				if got := r.Header.Get("Idempotency-Key"); got != key {
					t.Fatalf("attempt %d: Idempotency-Key %q, want %q (the first)", i, got, key)
				}
				if s.bodies[i] != `{"currency":"SEK"}` {
					t.Fatalf("attempt %d: body %q", i, s.bodies[i])
				}
				if r.Header.Get("tenant_id") != testTenantID || r.Header.Get("x-api-secret") != "s3cret" ||
					r.Header.Get("Content-Type") != "application/json" || r.URL.Path != "/payments/api/v1/payment_orders" {
					t.Fatalf("attempt %d: request %s %v", i, r.URL, r.Header)
				}
			}
		})
	}
}

func TestIdempotencyKeys(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{200, nil, okID}}}
	c := scriptedClient(t, s)
	ctx := context.Background()
	req := &client.CreatePaymentOrderRequest{Currency: client.SEK}
	for range 2 {
		if _, err := c.CreatePaymentOrder(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreatePaymentOrder(ctx, req, client.IdempotencyKey("order-42")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPaymentOrder(ctx, "01a2118b-a2cf-7446-afaa-c267239684c7"); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	k0, k1 := reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key")
	if k0 == "" || k0 == k1 {
		t.Fatalf("two calls sent keys %q and %q, want two different ones", k0, k1)
	}
	if k := reqs[2].Header.Get("Idempotency-Key"); k != "order-42" {
		t.Fatalf("key %q, want the caller's", k)
	}
	if k := reqs[3].Header.Get("Idempotency-Key"); k != "" {
		t.Fatalf("GET sent Idempotency-Key %q", k)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		header   func() string
		minDelay time.Duration
	}{
		{"seconds", func() string { return "1" }, time.Second},
		// HTTP dates have whole seconds: 2 s from now is more than 1 s away.
		{"HTTP date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{responses: []scriptedResponse{{429, map[string]string{"Retry-After": tc.header()}, rateLimited}, {200, nil, okID}}}
			c := scriptedClient(t, s)
			if _, err := c.CreatePaymentOrder(context.Background(), &client.CreatePaymentOrderRequest{Currency: client.SEK}); err != nil {
				t.Fatal(err)
			}
			if len(s.at) != 2 {
				t.Fatalf("%d requests, want 2", len(s.at))
			}
			if d := s.at[1].Sub(s.at[0]); d < tc.minDelay {
				t.Fatalf("retried after %v, want at least %v", d, tc.minDelay)
			}
		})
	}
}

func TestRetryAfterBeyondDeadline(t *testing.T) {
	// Waiting an hour cannot fit a 2 s context: the 429 comes back at once.
	s := &scripted{responses: []scriptedResponse{{429, map[string]string{"Retry-After": "3600"}, rateLimited}}}
	c := scriptedClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetTenant(ctx)
	if !client.IsRateLimited(err) || time.Since(start) > time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if n := len(s.requests()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestLongRetryAfterIsReturned(t *testing.T) {
	// Without a deadline, an hour's Retry-After is the caller's to decide.
	s := &scripted{responses: []scriptedResponse{{503, map[string]string{"Retry-After": "3600"}, unavailable}}}
	start := time.Now()
	_, err := scriptedClient(t, s).GetTenant(context.Background())
	var ae *client.Error
	if !errors.As(err, &ae) || ae.StatusCode != 503 || time.Since(start) > time.Second || len(s.requests()) != 1 {
		t.Fatalf("err %v after %v and %d requests", err, time.Since(start), len(s.requests()))
	}
}

func TestContextCancellationStopsRetries(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{503, nil, unavailable}}}
	c := scriptedClient(t, s, client.WithRetries(1000), client.WithBackoff(20*time.Millisecond, 20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.CreateMerchant(ctx, &client.CreateMerchantRequest{Name: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	var ae *client.Error
	if !errors.As(err, &ae) || ae.StatusCode != 503 {
		t.Fatalf("err %v does not carry the last attempt's 503", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("gave up after %v", d)
	}
	if n := len(s.requests()); n < 2 || n > 20 {
		t.Fatalf("%d requests in 150 ms", n)
	}
}

func TestDeadlineStopsRetries(t *testing.T) {
	// The next wait (100–200 ms) cannot fit the 80 ms context: the 503 is
	// returned at once rather than a deadline error later.
	s := &scripted{responses: []scriptedResponse{{503, nil, unavailable}}}
	c := scriptedClient(t, s, client.WithRetries(1000), client.WithBackoff(200*time.Millisecond, 200*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	_, err := c.GetTenant(ctx)
	var ae *client.Error
	if !errors.As(err, &ae) || ae.StatusCode != 503 || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the 503 alone", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	// The first connection is cut before any response; the retry succeeds.
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		io.WriteString(w, okID)
	}))
	defer srv.Close()
	c := client.New(srv.URL, testTenantID, "s", client.WithHTTPClient(srv.Client()), client.WithBackoff(time.Millisecond, time.Millisecond))
	if _, err := c.CreatePaymentOrder(context.Background(), &client.CreatePaymentOrderRequest{Currency: client.SEK}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != keys[1] || keys[0] == "" {
		t.Fatalf("keys %q, want the same key twice", keys)
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{200, nil, okID}}}
	c := scriptedClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetTenant(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if n := len(s.requests()); n != 0 {
		t.Fatalf("%d requests", n)
	}
}

func TestErrorBodyParsing(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string
		wantProp string
		wantMsg  string
	}{
		{"API error", 422, invalidBody, "validation_error", "currency", "validation_error at currency: must be one of SEK, NOK"},
		{"several errors", 422, `{"errors":[{"error":"validation_error","description":"a","property":"x"},{"error":"validation_error","description":"b","property":"y"}]}`,
			"validation_error", "x", "(and 1 more)"},
		{"not JSON", 404, "<html>gone</html>", "", "", "Not Found (404)"},
		{"empty", 401, "", "", "", "Unauthorized (401)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := scriptedClient(t, &scripted{responses: []scriptedResponse{{tc.status, nil, tc.body}}})
			_, err := c.GetMerchant(context.Background(), "m1")
			var ae *client.Error
			if !errors.As(err, &ae) || ae.StatusCode != tc.status {
				t.Fatalf("err %v", err)
			}
			if ae.Code() != tc.wantCode || ae.Property() != tc.wantProp || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("code %q property %q message %q", ae.Code(), ae.Property(), err)
			}
			if !strings.Contains(err.Error(), "GET /payments/api/v1/merchants/m1") {
				t.Fatalf("message %q does not name the request", err)
			}
		})
	}
}

func TestPaginationFollowsNext(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/payments/api/v1/merchants", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI()+" v="+r.Header.Get("x-api-version"))
		mu.Unlock()
		switch r.URL.Query().Get("after") {
		case "":
			// A relative next link, as the platform sends (the proxy strips /api).
			io.WriteString(w, `{"data":[{"id":"a"},{"id":"b"}],"_links":{"next":{"href":"/payments/api/v1/merchants?limit=2&after=b"}}}`)
		case "b":
			io.WriteString(w, `{"data":[{"id":"c"}],"_links":{"next":{"href":null}}}`)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := client.New(srv.URL+"/api", testTenantID, "s", client.WithHTTPClient(srv.Client()))
	ms, err := c.ListMerchants(context.Background(), &client.ListParams{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].ID != "a" || ms[2].ID != "c" {
		t.Fatalf("merchants %+v", ms)
	}
	want := []string{"/api/payments/api/v1/merchants?limit=2 v=" + client.APIVersion, "/api/payments/api/v1/merchants?limit=2&after=b v=" + client.APIVersion}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Fatalf("requests %q, want %q", seen, want)
	}
}

func TestPaginationRefusesOtherOrigins(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{200, nil, `{"data":[{"id":"a"}],"_links":{"next":{"href":"https://evil.example/payments/api/v1/merchants?after=a"}}}`}}}
	c := scriptedClient(t, s)
	var ids []client.MerchantID
	var last error
	for m, err := range c.Merchants(context.Background(), nil) {
		if err != nil {
			last = err
			break
		}
		ids = append(ids, m.ID)
	}
	if len(ids) != 1 || last == nil || !strings.Contains(last.Error(), "another origin") {
		t.Fatalf("ids %v, err %v", ids, last)
	}
	if n := len(s.requests()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestUserAgent(t *testing.T) {
	tests := []struct {
		name string
		opts []client.Option
		want string
	}{
		{"default", nil, client.DefaultUserAgent},
		{"custom", []client.Option{client.WithUserAgent("till/2.0")}, "till/2.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{responses: []scriptedResponse{{200, nil, `{"id":"t"}`}}}
			if _, err := scriptedClient(t, s, tc.opts...).GetTenant(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := s.requests()[0].Header.Get("User-Agent"); got != tc.want {
				t.Fatalf("User-Agent %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	// A redirect must not carry the secret to another host.
	elsewhere := &scripted{responses: []scriptedResponse{{200, nil, `{"id":"t"}`}}}
	other := httptest.NewServer(elsewhere)
	defer other.Close()
	s := &scripted{responses: []scriptedResponse{{307, map[string]string{"Location": other.URL + "/payments/api/v1/tenant"}, ""}}}
	c := scriptedClient(t, s)
	_, err := c.GetTenant(context.Background())
	var ae *client.Error
	if !errors.As(err, &ae) || ae.StatusCode != 307 {
		t.Fatalf("err %v, want the 307", err)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Fatalf("the redirect was followed (%d requests elsewhere)", n)
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "links.example", "ftp://links.example", "http://"} {
		t.Run(base, func(t *testing.T) {
			_, err := client.New(base, testTenantID, "s").GetTenant(context.Background())
			if err == nil || !strings.Contains(err.Error(), "base URL") {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func TestPaginationStopsOnARepeatedNextLink(t *testing.T) {
	// A broken or malicious server whose next link leads back to a page
	// already read must not make the iterator (and ListMerchants, which
	// collects it) run and grow forever.
	tests := []struct {
		name  string
		pages []scriptedResponse
	}{
		{"to itself", []scriptedResponse{
			{200, nil, `{"data":[{"id":"a"}],"_links":{"next":{"href":"/payments/api/v1/merchants?after=a"}}}`}}},
		{"back to an earlier page", []scriptedResponse{
			{200, nil, `{"data":[{"id":"a"}],"_links":{"next":{"href":"/payments/api/v1/merchants?after=a"}}}`},
			{200, nil, `{"data":[{"id":"b"}],"_links":{"next":{"href":"/payments/api/v1/merchants?after=b"}}}`},
			{200, nil, `{"data":[{"id":"c"}],"_links":{"next":{"href":"/payments/api/v1/merchants?after=a"}}}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scripted{responses: tt.pages}
			c := scriptedClient(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			ms, err := c.ListMerchants(ctx, nil)
			if err == nil || !strings.Contains(err.Error(), "already") {
				t.Fatalf("got %d merchants, err %v; want an error about a page already read", len(ms), err)
			}
			if n := len(s.requests()); n > len(tt.pages)+1 {
				t.Fatalf("%d requests for %d pages", n, len(tt.pages))
			}
		})
	}
}

// TestSandboxPayLink: the sandbox's helpers are on their own client and
// post to the sandbox's route, with a per-call idempotency key.
func TestSandboxPayLink(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{204, nil, ""}}}
	sb := client.NewSandbox(scriptedClient(t, s))
	if err := sb.PayLink(context.Background(), "l1", client.PaymentDeclined, client.IdempotencyKey("pay-l1")); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].URL.Path != "/sandbox/payment_links/l1/pay" ||
		reqs[0].Header.Get("Idempotency-Key") != "pay-l1" || s.bodies[0] != `{"status":"DECLINED"}` {
		t.Fatalf("%d requests: %v %v, body %q", len(reqs), reqs[0].Method, reqs[0].URL, s.bodies[0])
	}
}
