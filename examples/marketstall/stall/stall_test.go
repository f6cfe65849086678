package stall_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/client"
	"github.com/pinglinks/pinglinks/examples/marketstall/stall"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// env is a real platform and a stall talking to it over loopback.
type env struct {
	*apitest.Env
	App    *stall.App
	Stall  *httptest.Server
	Client *client.Client
	Key    string

	mu     sync.Mutex
	events []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{Env: apitest.New(t, store.SQLite)}
	e.Client = client.New(e.Server.URL, e.Tenant.ID.String(), e.Tenant.Secret, client.WithRetries(0))
	tn, err := e.Client.GetTenant(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.Key = tn.CallbackSigningKey
	e.Stall = httptest.NewUnstartedServer(nil)
	e.App, err = stall.New(context.Background(), stall.Config{Client: e.Client, SigningKey: e.Key,
		PublicURL: "http://" + e.Stall.Listener.Addr().String(), DBPath: filepath.Join(t.TempDir(), "stall.db"),
		Name: "Biodlarna i Åre", OnEvent: func(_, step string) { e.mu.Lock(); e.events = append(e.events, step); e.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	e.Stall.Config.Handler = e.App.Handler()
	e.Stall.Start()
	t.Cleanup(e.Stall.Close)
	return e
}

// waitStatus waits until the purchase has the status.
func (e *env) waitStatus(t *testing.T, id, status string) *stall.Purchase {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		p, err := e.App.Purchase(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status == status {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("purchase is %s, want %s; events: %q", p.Status, status, e.events)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCreatePurchaseMakesALinkAndSendsIt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.App.CreatePurchase(ctx, stall.Input{Amount: "125,50", Description: "  Honung   500 g ", VAT: "12",
		Phone: "070-123 45 67", Email: "asa@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != stall.StatusAwaiting || p.Amount != 12550 || p.Description != "Honung 500 g" || p.Distributed != "sms,email" || p.Error != "" {
		t.Fatalf("purchase %+v", p)
	}
	l, err := e.Client.GetPaymentLink(ctx, p.LinkID)
	if err != nil {
		t.Fatal(err)
	}
	if l.CheckoutURL != p.CheckoutURL || l.PaymentOrderID != p.OrderID || l.TotalAmount != 12550 || l.Currency != "SEK" ||
		l.Locale != "sv-SE" || l.Supplier.Name != "Biodlarna i Åre" || l.DueDate != "" ||
		l.PaymentLinkStatusCallbackURL != e.Stall.URL+"/callbacks" {
		t.Errorf("link %+v", l)
	}
	if len(l.Items) != 1 || l.Items[0].VAT != 12 || l.Items[0].Price != 12550 || l.Items[0].MerchantID != e.App.MerchantID() {
		t.Errorf("items %+v", l.Items)
	}
	var methods []string
	for _, m := range l.PaymentProviderMethods {
		methods = append(methods, m.Provider+"/"+m.Method)
	}
	if got := strings.Join(methods, " "); got != "swish/e_commerce payment_iq/card swish/m_commerce" {
		t.Errorf("methods %s", got)
	}
	if l.SMSStatus == "NOT_CREATED" || !l.DistributedByEmail {
		t.Errorf("link not distributed: sms %s, e-mail %v", l.SMSStatus, l.DistributedByEmail)
	}
	// The payee's page shows the amount, the QR code and the link.
	body := get(t, e.Stall.URL+"/purchases/"+p.ID, 200)
	for _, want := range []string{"125,50\u00a0kr", "Waiting for payment", "/purchases/" + p.ID + "/qr.png", p.CheckoutURL,
		"Sent by SMS to 070-123 45 67 and by e-mail to asa@example.com"} {
		if !strings.Contains(body, want) {
			t.Errorf("purchase page lacks %q", want)
		}
	}
	if png := get(t, e.Stall.URL+"/purchases/"+p.ID+"/qr.png", 200); !strings.HasPrefix(png, "\x89PNG") {
		t.Errorf("qr.png is not a PNG")
	}
	if !strings.Contains(get(t, e.Stall.URL+"/", 200), "Honung 500 g") {
		t.Errorf("today's list lacks the purchase")
	}
	// A second app on the same file does not make a second merchant.
	ms, err := e.Client.ListMerchants(ctx, nil)
	if err != nil || len(ms) != 1 {
		t.Errorf("%d merchants (%v)", len(ms), err)
	}
}

func TestSubscriptionHasADueDate(t *testing.T) {
	e := newEnv(t)
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "99", Description: "Honey of the month",
		Email: "asa@example.com", Subscription: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Client.GetPaymentLink(context.Background(), p.LinkID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().In(stockholm(t)).AddDate(0, 0, 14).Format(time.DateOnly)
	if l.DueDate != want || p.DueDate != want || l.SMSStatus != "NOT_CREATED" || !l.DistributedByEmail {
		t.Errorf("due %s / %s, want %s; sms %s, e-mail %v", l.DueDate, p.DueDate, want, l.SMSStatus, l.DistributedByEmail)
	}
}

func stockholm(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func get(t *testing.T, u string, status int) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", u, resp.StatusCode, status, b)
	}
	return string(b)
}

// sign signs a callback body as the platform does (Standard Webhooks).
func sign(key, id string, at time.Time, body []byte) http.Header {
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(key, "whsec_"))
	ts := fmt.Sprint(at.Unix())
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("Content-Type", "application/json")
	return h
}

func postCallback(t *testing.T, e *env, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", e.Stall.URL+"/callbacks", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestCallbackSignature(t *testing.T) {
	e := newEnv(t)
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "40", Description: "Ljus"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"payment_link_id": p.LinkID, "status": "COMPLETED", "occured_at": time.Now().UTC()})
	id := uuid.NewString()

	otherKey := "whsec_" + base64.StdEncoding.EncodeToString([]byte("not the tenant's key, 32 bytes!!"))
	for name, h := range map[string]http.Header{
		"wrong key":              sign(otherKey, id, time.Now(), body),
		"another body":           sign(e.Key, id, time.Now(), []byte(`{"payment_link_id":"x","status":"COMPLETED"}`)),
		"replayed an hour later": sign(e.Key, id, time.Now().Add(-time.Hour), body),
	} {
		if code := postCallback(t, e, h, body); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if got, _ := e.App.Purchase(context.Background(), p.ID); got.Status != stall.StatusAwaiting {
		t.Fatalf("a forged callback made the purchase %s", got.Status)
	}
	if code := postCallback(t, e, sign(e.Key, id, time.Now(), body), body); code != http.StatusNoContent {
		t.Fatalf("signed callback: %d, want 204", code)
	}
	if got, _ := e.App.Purchase(context.Background(), p.ID); got.Status != stall.StatusPaid {
		t.Fatalf("after a signed COMPLETED callback the purchase is %s", got.Status)
	}
	// A duplicate delivery, or a late EXPIRED, changes nothing.
	late, _ := json.Marshal(map[string]any{"payment_link_id": p.LinkID, "status": "EXPIRED", "occured_at": time.Now().UTC()})
	if code := postCallback(t, e, sign(e.Key, uuid.NewString(), time.Now(), late), late); code != http.StatusNoContent {
		t.Fatalf("late callback: %d", code)
	}
	if got, _ := e.App.Purchase(context.Background(), p.ID); got.Status != stall.StatusPaid {
		t.Fatalf("a late EXPIRED made a paid purchase %s", got.Status)
	}
	// The status endpoint the page polls says so.
	var st struct{ Status, Label string }
	json.Unmarshal([]byte(get(t, e.Stall.URL+"/purchases/"+p.ID+"/status", 200)), &st)
	if st.Status != "paid" || st.Label != "Paid ✓" {
		t.Errorf("status JSON %+v", st)
	}
}

// The real thing: the payer pays in the sandbox, the platform's callback
// worker delivers the signed callback to the stall.
func TestPaidThroughThePlatform(t *testing.T) {
	e := newEnv(t)
	e.StartWorkers(t)
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "70", Description: "Honung", Phone: "0701234567"})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.NewSandbox(e.Client).PayLink(context.Background(), p.LinkID, ""); err != nil {
		t.Fatal(err)
	}
	e.waitStatus(t, p.ID, stall.StatusPaid)
	if body := get(t, e.Stall.URL+"/purchases/"+p.ID, 200); !strings.Contains(body, "Paid ✓") || strings.Contains(body, "qr.png") {
		t.Errorf("paid page:\n%s", body)
	}
}

// The due-date story of docs/quickstart.md: a subscription whose link passes its due date unpaid is
// cancelled by the EXPIRED callback; a one-off purchase just expires.
func TestExpiredSubscriptionIsCancelled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sub, err := e.App.CreatePurchase(ctx, stall.Input{Amount: "99", Description: "Honey of the month",
		Email: "asa@example.com", Subscription: true})
	if err != nil {
		t.Fatal(err)
	}
	// Past the due date (14 days) the expiry sweep expires the link; the
	// clock moves forward only for that, before any worker runs.
	real := e.Store.Now
	e.Store.Now = func() time.Time { return real().Add(16 * 24 * time.Hour) }
	err = e.Flow.ExpireLink(ctx, e.Tenant.ID, uuid.MustParse(string(sub.LinkID)))
	e.Store.Now = real
	if err != nil {
		t.Fatal(err)
	}
	// The callback was queued at the (future) time of expiry; the tenant
	// asks for it now, as it may for any callback.
	cbs, err := e.Client.ListCallbacks(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cbs {
		if c.Kind == "payment_link_status" {
			if err := e.Client.RedeliverCallback(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.StartWorkers(t)
	p := e.waitStatus(t, sub.ID, stall.StatusExpired)
	if !p.SubscriptionCancelled {
		t.Errorf("expired subscription not cancelled: %+v", p)
	}
	body := get(t, e.Stall.URL+"/purchases/"+sub.ID, 200)
	if !strings.Contains(body, "Expired – subscription cancelled") {
		t.Errorf("page does not say the subscription is cancelled")
	}
}

func TestOneOffExpiryCancelsNoSubscription(t *testing.T) {
	e := newEnv(t)
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "10", Description: "Ljus"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"payment_link_id": p.LinkID, "status": "EXPIRED", "occured_at": time.Now().UTC()})
	if code := postCallback(t, e, sign(e.Key, uuid.NewString(), time.Now(), body), body); code != http.StatusNoContent {
		t.Fatalf("callback: %d", code)
	}
	got, _ := e.App.Purchase(context.Background(), p.ID)
	if got.Status != stall.StatusExpired || got.SubscriptionCancelled {
		t.Errorf("purchase %s, subscription cancelled %v", got.Status, got.SubscriptionCancelled)
	}
}

// The platform cannot be reached: the purchase is kept, marked failed,
// and its page says so instead of showing a link that does not exist.
func TestPlatformDown(t *testing.T) {
	e := newEnv(t)
	e.Server.Close()
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "10", Description: "Ljus"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != stall.StatusFailed || p.Error == "" || p.LinkID != "" {
		t.Fatalf("purchase %+v", p)
	}
	body := get(t, e.Stall.URL+"/purchases/"+p.ID, 200)
	if !strings.Contains(body, "Not created") || !strings.Contains(body, "could not be reached") || strings.Contains(body, "qr.png") {
		t.Errorf("failed purchase page:\n%s", body)
	}
	get(t, e.Stall.URL+"/purchases/"+p.ID+"/qr.png", 404)
}

// An outage between the order and the link: the purchase fails, and
// "Try again" finishes it on the same order, with nothing made twice.
func TestRetryAfterOutage(t *testing.T) {
	e := newEnv(t)
	var down atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(mustURL(t, e.Server.URL))
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() && strings.Contains(r.URL.Path, "/payment_links") {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c := client.New(front.URL, e.Tenant.ID.String(), e.Tenant.Secret, client.WithRetries(0))
	app, err := stall.New(context.Background(), stall.Config{Client: c, SigningKey: e.Key, PublicURL: e.Stall.URL,
		DBPath: filepath.Join(t.TempDir(), "stall.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	down.Store(true)
	p, err := app.CreatePurchase(context.Background(), stall.Input{Amount: "10", Description: "Ljus", Phone: "0701234567"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != stall.StatusFailed || p.OrderID == "" || !strings.Contains(p.Error, "answered 503") {
		t.Fatalf("during the outage: %+v", p)
	}
	if body := get(t, srv.URL+"/purchases/"+p.ID, 200); !strings.Contains(body, "Try again") {
		t.Errorf("failed purchase page offers no retry")
	}
	down.Store(false)
	resp, err := http.PostForm(srv.URL+"/purchases/"+p.ID+"/retry", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, _ := app.Purchase(context.Background(), p.ID)
	if resp.StatusCode != 200 || got.Status != stall.StatusAwaiting || got.OrderID != p.OrderID || got.Error != "" || got.Distributed != "sms" {
		t.Fatalf("after retrying: %d %+v", resp.StatusCode, got)
	}
	orders, _ := e.Client.ListPaymentOrders(context.Background(), nil)
	if len(orders) != 1 {
		t.Errorf("%d orders, want 1", len(orders))
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestInputValidation(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("x", 101)
	for _, tc := range []struct {
		name string
		in   stall.Input
		bad  []string // fields reported
	}{
		{"empty", stall.Input{}, []string{"amount", "description"}},
		{"every field wrong", stall.Input{Amount: "12,345", Description: long, VAT: "7", Phone: "call me",
			Email: "asa@", Name: long, Subscription: true}, []string{"amount", "description", "vat", "phone", "email", "name"}},
		{"zero", stall.Input{Amount: "0", Description: "x"}, []string{"amount"}},
		{"negative", stall.Input{Amount: "-5", Description: "x"}, []string{"amount"}},
		{"letters", stall.Input{Amount: "tolv", Description: "x"}, []string{"amount"}},
		{"two separators", stall.Input{Amount: "1.250,50", Description: "x"}, []string{"amount"}},
		{"too large", stall.Input{Amount: "100000,01", Description: "x"}, []string{"amount"}},
		{"huge", stall.Input{Amount: "99999999999999999999", Description: "x"}, []string{"amount"}},
		{"control characters", stall.Input{Amount: "5", Description: "a\x00b"}, []string{"description"}},
		{"short phone", stall.Input{Amount: "5", Description: "x", Phone: "0701"}, []string{"phone"}},
		{"e-mail with name", stall.Input{Amount: "5", Description: "x", Email: "Åsa <asa@example.com>"}, []string{"email"}},
		{"subscription without contact", stall.Input{Amount: "5", Description: "x", Subscription: true}, []string{"phone"}},
		{"number of no country", stall.Input{Amount: "5", Description: "x", Phone: "+999 123 4567"}, []string{"phone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.App.CreatePurchase(context.Background(), tc.in)
			var fe stall.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want FieldErrors", err)
			}
			for _, f := range tc.bad {
				if fe[f] == "" {
					t.Errorf("no error for %s: %v", f, fe)
				}
			}
			if len(fe) != len(tc.bad) {
				t.Errorf("errors %v, want exactly %v", fe, tc.bad)
			}
		})
	}
	// Nothing invalid reached the platform.
	ls, _ := e.Client.ListPaymentLinks(context.Background(), nil)
	if len(ls) != 0 {
		t.Errorf("%d links made from invalid input", len(ls))
	}
}

func TestAmountsAsPeopleWriteThem(t *testing.T) {
	e := newEnv(t)
	for in, want := range map[string]int64{"125": 12500, "125,50": 12550, "125.5": 12550, "1 250 kr": 125000,
		"125:-": 12500, " 0,50 ": 50, ",5": 50, "100000": 10000000, "1\u00a0000,00 SEK": 100000} {
		p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: in, Description: "x"})
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if p.Amount != want {
			t.Errorf("%q = %d öre, want %d", in, p.Amount, want)
		}
	}
	if got := stall.FormatSEK(1234550); got != "12\u00a0345,50\u00a0kr" {
		t.Errorf("FormatSEK = %q", got)
	}
}

// The form over HTTP: errors are shown next to their fields with the input
// kept; a valid post redirects to the purchase.
func TestFormOverHTTP(t *testing.T) {
	e := newEnv(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(e.Stall.URL+"/purchases", url.Values{"amount": {"abc"}, "description": {"Honung"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != 422 || !strings.Contains(page, "Write the amount with digits") || !strings.Contains(page, `value="Honung"`) {
		t.Errorf("%d\n%s", resp.StatusCode, page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	resp, err = noRedirect.PostForm(e.Stall.URL+"/purchases", url.Values{"amount": {"12"}, "description": {"Honung"},
		"vat": {"12"}, "subscription": {"1"}, "phone": {"0701234567"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, "/purchases/") {
		t.Fatalf("valid post: %d %s", resp.StatusCode, loc)
	}
	// A cross-site post is refused.
	req, _ := http.NewRequest("POST", e.Stall.URL+"/purchases", strings.NewReader("amount=1&description=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d", resp.StatusCode)
	}
	get(t, e.Stall.URL+"/purchases/nope", 404)
}

// afterTransport calls after once a request's response has arrived, before
// the client sees it.
type afterTransport struct {
	base  http.RoundTripper
	after func(*http.Request)
}

func (a afterTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.base.RoundTrip(r)
	if err == nil {
		a.after(r)
	}
	return resp, err
}

// A payer quick enough to pay while the stall is still hearing back from
// the distribution (the SMS is sent as soon as the platform commits): the
// COMPLETED callback settles the purchase, and what the stall then saves
// of the distribution must not put it back to awaiting payment.
func TestCallbackDuringDistribution(t *testing.T) {
	e := &env{Env: apitest.New(t, store.SQLite)}
	var pay func(linkID string)
	hc := &http.Client{Transport: afterTransport{base: http.DefaultTransport, after: func(r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/distribute") {
			parts := strings.Split(r.URL.Path, "/")
			pay(parts[len(parts)-2])
		}
	}}}
	e.Client = client.New(e.Server.URL, e.Tenant.ID.String(), e.Tenant.Secret, client.WithRetries(0), client.WithHTTPClient(hc))
	tn, err := e.Client.GetTenant(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.Key = tn.CallbackSigningKey
	e.Stall = httptest.NewUnstartedServer(nil)
	e.App, err = stall.New(context.Background(), stall.Config{Client: e.Client, SigningKey: e.Key,
		PublicURL: "http://" + e.Stall.Listener.Addr().String(), DBPath: filepath.Join(t.TempDir(), "stall.db"),
		Name: "Biodlarna i Åre"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	e.Stall.Config.Handler = e.App.Handler()
	e.Stall.Start()
	t.Cleanup(e.Stall.Close)
	pay = func(linkID string) {
		body, _ := json.Marshal(map[string]any{"payment_link_id": linkID, "status": "COMPLETED", "occured_at": time.Now().UTC()})
		if code := postCallback(t, e, sign(e.Key, uuid.NewString(), time.Now(), body), body); code != http.StatusNoContent {
			t.Errorf("callback: %d", code)
		}
	}
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "70", Description: "Honung", Phone: "0701234567"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Distributed == "" {
		t.Fatalf("not distributed: %q", p.Error)
	}
	if got, _ := e.App.Purchase(context.Background(), p.ID); got.Status != stall.StatusPaid {
		t.Fatalf("purchase paid during its distribution is %s afterwards, want %s", got.Status, stall.StatusPaid)
	}
}
