// Package e2e runs production installations with cards on Stripe
// (stripe-mock) through HTTP and headless Chromium, on both engines.
package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/card"
	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/cardprocessor/stripe"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/internal/stripemock"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/platform"
)

// Test credentials: shaped like Stripe's, valid nowhere.
const (
	testKey    = "sk_test_pinglinksTESTkey0123456789"
	testSecret = "whsec_pinglinksTESTsecret0123456789"
)

// rig is what Stripe (stripe-mock) holds, the store (both engines) and
// the server that takes the webhooks.
type rig struct {
	t     *testing.T
	env   *apitest.Env
	mock  *stripemock.Server
	hooks *httptest.Server
	link  *pinglinks.PaymentLink
	logs  *syncBuffer
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stripeHolds (re)starts stripe-mock with what Stripe's API holds now:
// the payment's session in the given state. (Creating a session answers
// with a new id and the fixture's page whatever the state.)
func (r *rig) stripeHolds(p *pinglinks.Payment, s stripemock.Session) {
	r.t.Helper()
	if s.Metadata == nil {
		s.Metadata = map[string]string{
			cardprocessor.MetaPaymentID: p.ID.String(), cardprocessor.MetaOrderID: p.OrderID.String(),
			cardprocessor.MetaTenantID: p.TenantID.String(), cardprocessor.MetaLinkID: p.LinkID.String(),
		}
	}
	if s.AmountTotal == 0 {
		s.AmountTotal = p.TotalAmount
	}
	if s.Currency == "" {
		s.Currency = strings.ToLower(string(p.Currency))
	}
	if r.mock != nil {
		r.mock.Restart(r.t, s.Fixtures())
		return
	}
	r.t.Fatal("stripe-mock is not running")
}

var (
	paid     = stripemock.PaidSession
	expired  = stripemock.ExpiredSession
	declined = stripemock.DeclinedSession
)

// event makes a webhook body about sessionID.
func (r *rig) event(typ, sessionID string) []byte {
	return stripemock.SessionEvent(typ, sessionID)
}

// deliver posts body to the webhook endpoint with the given signature.
func (r *rig) deliver(body []byte, signature string) int {
	r.t.Helper()
	return stripemock.PostWebhook(r.t, r.hooks.URL+"/providers/payment_iq/webhook", body, signature)
}

// signed delivers body signed as Stripe signs it, now.
func (r *rig) signed(body []byte) int {
	return r.deliver(body, stripemock.Sign(testSecret, body, time.Now()))
}

func (r *rig) payment(id uuid.UUID) *pinglinks.Payment {
	r.t.Helper()
	p, err := r.env.Store.Payment(context.Background(), r.link.TenantID, r.link.OrderID, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) linkNow() *pinglinks.PaymentLink {
	r.t.Helper()
	l, err := r.env.Store.Link(context.Background(), r.link.TenantID, r.link.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

func sessionOf(t *testing.T, p *pinglinks.Payment) card.Response {
	t.Helper()
	resp, ok := card.ResponseOf(p)
	if !ok {
		t.Fatalf("payment %s has no card response: %s", p.ID, p.ProviderMethodResponse)
	}
	return resp
}

func TestMain(m *testing.M) { browsertest.Main(m) }

// production is a production installation (PINGLINKS_ENV=production)
// whose cards go through Stripe (stripe-mock), sharing the store of a
// sandbox Env that made the tenant and the link through the API.
type production struct {
	*rig
	server *httptest.Server
	lk     apitest.Link
}

func newProduction(t *testing.T, env *apitest.Env) *production {
	t.Helper()
	r := &rig{t: t, env: env, logs: &syncBuffer{}}
	r.mock = stripemock.Start(t)
	ts := httptest.NewUnstartedServer(nil)
	p, err := platform.New(platform.Config{Store: env.Store, Log: slogTo(r.logs), Sandbox: false,
		PublicURL: "http://" + ts.Listener.Addr().String(),
		Card:      card.Settings{StripeSecretKey: testKey, StripeWebhookSecret: testSecret, APIURL: r.mock.URL, HTTPClient: r.mock.Client}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = p.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	r.hooks = ts
	pr := &production{rig: r, server: ts}
	pr.lk = env.NewLink(t, func(b map[string]any) {
		b["payment_provider_methods"] = []map[string]any{{"provider": "payment_iq", "method": "card"}}
	})
	if r.link, err = env.Store.Link(context.Background(), env.Tenant.ID, uuid.MustParse(pr.lk.ID)); err != nil {
		t.Fatal(err)
	}
	return pr
}

// checkoutURL is the link's checkout on the production server.
func (pr *production) checkoutURL() string {
	return pr.server.URL + "/checkout/" + pr.link.Token
}

// chooseCard drives Chromium on the checkout up to Stripe's page: the
// payer chooses Card and pays, and the browser is sent (303) to the
// hosted page, which is intercepted (tests reach only loopback) and its
// URL returned.
func (pr *production) chooseCard(ctx context.Context, t *testing.T) string {
	t.Helper()
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: stripe.HostedPageOrigin + "/*"}}}); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(pr.checkoutURL()))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name^="card_"], input[autocomplete^="cc-"]').length`)); err != nil || n != 0 {
		t.Fatalf("the production checkout has %d card inputs (%v)", n, err)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`input[value="payment_iq/card"]`)), chromedp.Click(chromedp.CSS("button.pay")))
	var target string
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the redirect to Stripe: %v", err)
		}
		target = ev.Request.URL
		if _, err := chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
			Body:            []byte(`<!doctype html><title>Stripe Checkout</title><h1>Stripe Checkout (stand-in)</h1>`)}); err != nil {
			t.Fatal(err)
		}
		break
	}
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS("h1")))
	if _, err := chromedp.Call(ctx, fetch.Disable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	return target
}

// latest is the link's latest payment.
func (pr *production) latest(t *testing.T) *pinglinks.Payment {
	t.Helper()
	return pr.payment(pr.linkNow().PaymentID)
}

// back is the payer coming back from Stripe's page.
func (pr *production) back(t *testing.T, ctx context.Context, outcome, sessionID string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.Navigate(pr.checkoutURL()+"/return?outcome="+outcome+"&session_id="+url.QueryEscape(sessionID)),
		chromedp.WaitVisible(chromedp.CSS("main")))
}

func eachEngine(t *testing.T, f func(t *testing.T, env *apitest.Env)) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) { f(t, apitest.New(t, engine)) })
	}
}

// TestBrowserPaid: a production checkout with Stripe offers Card, sends
// the payer to Stripe's page for this session, shows a waiting page on
// the return until the signed webhook arrives, then the receipt.
func TestBrowserPaid(t *testing.T) {
	eachEngine(t, func(t *testing.T, env *apitest.Env) {
		pr := newProduction(t, env)
		ctx := browsertest.Tab(t)
		target := pr.chooseCard(ctx, t)
		p := pr.latest(t)
		resp := sessionOf(t, p)
		if target != resp.SessionURL || !strings.HasPrefix(target, stripe.HostedPageOrigin+"/") {
			t.Fatalf("sent to %q, want the session's page %q", target, resp.SessionURL)
		}
		browsertest.Screenshot(t, ctx, "cards", "stripe-stand-in-"+string(env.Store.Engine()), 1)

		// Back through the success URL before the webhook: still waiting.
		pr.stripeHolds(p, paid)
		pr.back(t, ctx, "success", resp.SessionID)
		if got := pr.payment(p.ID); got.Status != pinglinks.PaymentPending {
			t.Fatalf("the return alone made the payment %s", got.Status)
		}
		if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, "Vi bekräftar din kortbetalning") {
			t.Fatalf("waiting page: %s", main)
		}
		browsertest.Screenshot(t, ctx, "cards", "waiting-"+string(env.Store.Engine()), 1)

		if code := pr.signed(pr.event("checkout.session.completed", resp.SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		browsertest.Do(t, ctx, chromedp.Navigate(pr.checkoutURL()))
		if got := browsertest.Text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
			t.Fatalf("after the webhook: %q", got)
		}
		if facts := browsertest.Text(t, ctx, ".facts"); !strings.Contains(facts, "Visa •••• 4242") {
			t.Errorf("the receipt page lacks the card: %s", facts)
		}
		browsertest.Screenshot(t, ctx, "cards", "paid-"+string(env.Store.Engine()), 1)
	})
}

// TestBrowserDeclinedThenPaid: declined on Stripe's page, the payer
// comes back, is told why and tries again with a new session, which pays.
func TestBrowserDeclinedThenPaid(t *testing.T) {
	eachEngine(t, func(t *testing.T, env *apitest.Env) {
		pr := newProduction(t, env)
		ctx := browsertest.Tab(t)
		pr.chooseCard(ctx, t)
		first := pr.latest(t)
		pr.stripeHolds(first, declined)
		pr.back(t, ctx, "cancel", sessionOf(t, first).SessionID)
		if got := pr.payment(first.ID); got.Status != pinglinks.PaymentDeclined {
			t.Fatalf("after coming back declined: %s", got.Status)
		}
		if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, "täckning saknas") {
			t.Fatalf("the page does not say why: %s", main)
		}
		browsertest.Screenshot(t, ctx, "cards", "declined-"+string(env.Store.Engine()), 1)

		// The payer tries again (a fresh tab: each gives up after a minute).
		ctx = browsertest.Tab(t)
		target := pr.chooseCard(ctx, t)
		second := pr.latest(t)
		if second.ID == first.ID || target != sessionOf(t, second).SessionURL {
			t.Fatalf("second attempt: payment %s (first %s), sent to %q", second.ID, first.ID, target)
		}
		pr.stripeHolds(second, paid)
		if code := pr.signed(pr.event("checkout.session.completed", sessionOf(t, second).SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		pr.back(t, ctx, "success", sessionOf(t, second).SessionID)
		if got := browsertest.Text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
			t.Fatalf("after paying the second time: %q", got)
		}
	})
}

// TestBrowserAbandoned: the payer leaves Stripe's page; when the session
// expires the checkout offers Card again.
func TestBrowserAbandoned(t *testing.T) {
	eachEngine(t, func(t *testing.T, env *apitest.Env) {
		pr := newProduction(t, env)
		ctx := browsertest.Tab(t)
		pr.chooseCard(ctx, t)
		p := pr.latest(t)
		pr.stripeHolds(p, expired)
		if code := pr.signed(pr.event("checkout.session.expired", sessionOf(t, p).SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		browsertest.Do(t, ctx, chromedp.Navigate(pr.checkoutURL()), chromedp.WaitVisible(chromedp.CSS(`input[value="payment_iq/card"]`)))
		if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, "stängdes innan betalningen gjordes") {
			t.Fatalf("the page does not say the card page closed: %s", main)
		}
		if l := pr.linkNow(); l.Status != pinglinks.LinkCreated {
			t.Fatalf("link %s, want it payable", l.Status)
		}
	})
}

// TestProductionWebhookAndRefund runs the webhook and a partial refund
// through the production server's HTTP: a bad signature is 400, a replay
// changes nothing, and the Payments API refunds through Stripe.
func TestProductionWebhookAndRefund(t *testing.T) {
	eachEngine(t, func(t *testing.T, env *apitest.Env) {
		pr := newProduction(t, env)
		form := url.Values{"method": {"payment_iq/card"}, "first_name": {"Åsa"}, "last_name": {"Öberg"}}
		resp := pr.post(t, "/checkout/"+pr.link.Token+"/pay", form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), stripe.HostedPageOrigin+"/") {
			t.Fatalf("choosing Card: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		p := pr.latest(t)
		sid := sessionOf(t, p).SessionID
		pr.stripeHolds(p, paid)
		body := pr.event("checkout.session.completed", sid)
		if code := pr.deliver(body, stripemock.Sign("whsec_someoneELSEsecret0123", body, time.Now())); code != 400 {
			t.Fatalf("a wrongly signed webhook: %d", code)
		}
		if got := pr.payment(p.ID); got.Status != pinglinks.PaymentPending {
			t.Fatalf("a wrongly signed webhook made the payment %s", got.Status)
		}
		for range 2 {
			if code := pr.signed(body); code != 200 {
				t.Fatalf("webhook: %d", code)
			}
		}
		got := pr.payment(p.ID)
		if got.Status != pinglinks.PaymentCompleted || len(got.StatusHistory) != len(p.StatusHistory)+1 {
			t.Fatalf("after the event twice: %s %v", got.Status, got.StatusHistory)
		}

		// A partial refund through the Payments API goes to Stripe.
		refund := func(amount int64) *http.Response {
			b, _ := json.Marshal(map[string]any{"amount": amount, "currency": "SEK", "reason": "returned goods"})
			req, _ := http.NewRequest("POST", pr.server.URL+"/payments/api/v1/payment_orders/"+p.OrderID.String()+"/payments/"+p.ID.String()+"/refund", strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("tenant_id", env.Tenant.ID.String())
			req.Header.Set("x-api-secret", env.Tenant.Secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp
		}
		pr.stripeHolds(got, stripemock.Session{Status: "complete", PaymentStatus: "paid", AmountTotal: 2500, Currency: "sek",
			PaymentIntent: stripemock.PaymentIntent{ID: "pi_test_paid", Status: "succeeded"}})
		if r := refund(2500); r.StatusCode != 200 {
			t.Fatalf("partial refund: %d", r.StatusCode)
		}
		if !regexp.MustCompile(`card: refunded.*amount=2500`).MatchString(pr.logs.String()) {
			t.Fatalf("the refund did not go through Stripe: %s", pr.logs)
		}
		if got := pr.payment(p.ID); len(got.Refunds) != 1 || got.Refunds[0].Amount != 2500 {
			t.Fatalf("refunds recorded: %+v", got.Refunds)
		}
		if r := refund(got.TotalAmount); r.StatusCode != 403 {
			t.Fatalf("refunding more than is left: %d", r.StatusCode)
		}
	})
}

// post sends a form to the production server as the checkout's own page
// would (same origin), without following redirects.
func (pr *production) post(t *testing.T, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", pr.server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", pr.server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestNoCardDataInProduction posts a card number, expiry and CVC to every
// form of the production checkout (and the pay endpoint with every
// method): each is refused, nothing starts, and the number is in no log.
func TestNoCardDataInProduction(t *testing.T) {
	eachEngine(t, func(t *testing.T, env *apitest.Env) {
		pr := newProduction(t, env)
		resp, err := http.Get(pr.checkoutURL())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		actions := map[string]bool{"/checkout/" + pr.link.Token + "/pay": true}
		for _, m := range regexp.MustCompile(`<form[^>]*action="([^"]+)"`).FindAllStringSubmatch(string(page), -1) {
			actions[strings.ReplaceAll(m[1], "&amp;", "&")] = true
		}
		const number = "4242424242424242"
		for action := range actions {
			for _, method := range []string{"payment_iq/card", "swish/e_commerce", "ping/deposit", ""} {
				form := url.Values{"method": {method}, "first_name": {"Åsa"}, "last_name": {"Öberg"},
					"card_number": {number}, "card_expiry": {"12/34"}, "card_cvc": {"123"}}
				if r := pr.post(t, action, form); r.StatusCode != http.StatusBadRequest {
					t.Errorf("card fields posted to %s (%s): %d, want 400", action, method, r.StatusCode)
				}
				if r := pr.post(t, action, url.Values{"method": {method}, "first_name": {number}}); r.StatusCode != http.StatusBadRequest {
					t.Errorf("a card number as a name posted to %s (%s): %d, want 400", action, method, r.StatusCode)
				}
			}
		}
		if p := pr.latest(t); p.Status != pinglinks.PaymentInitiated {
			t.Fatalf("a refused post started a payment: %s", p.Status)
		}
		for _, secret := range []string{number, "12/34"} {
			if strings.Contains(pr.logs.String(), secret) {
				t.Fatalf("card data in the log: %s", pr.logs)
			}
		}
		if !strings.Contains(pr.logs.String(), "card data refused") {
			t.Fatalf("refusals not logged: %s", pr.logs)
		}
	})
}
