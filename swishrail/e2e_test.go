package swishrail_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swish/swishtest"
	"github.com/pinglinks/pinglinks/swishrail"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// installation is `pinglinks serve` with PINGLINKS_ENV=production and
// Swish configured from files, as docs/swish.md shows, talking to the fake
// Swish. The browser and the API use its plain-HTTP address; Swish calls
// back to the same handler over HTTPS (as it would through a TLS proxy).
type installation struct {
	web, tls *httptest.Server
	platform *platform.Platform
	swish    *swishtest.Server
	tenantID string
	secret   string
	tenantCB *receiver
}

// receiver is the tenant's endpoint for link status callbacks.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []map[string]any
}

func (r *receiver) statuses() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.seen {
		s, _ := b["status"].(string)
		out = append(out, s)
	}
	return out
}

func newInstallation(t *testing.T, engine store.Engine, withSwish bool) *installation {
	t.Helper()
	st := testdb.Open(t, engine)
	in := &installation{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { in.platform.Handler().ServeHTTP(w, r) })
	in.web = httptest.NewServer(handler)
	in.tls = httptest.NewTLSServer(handler)
	t.Cleanup(in.web.Close)
	t.Cleanup(in.tls.Close)
	roots := x509.NewCertPool()
	roots.AddCert(in.tls.Certificate())
	in.swish = swishtest.NewServer(t, swishtest.Options{CallbackRoots: roots})
	var o swishrail.Options
	if withSwish {
		f := swishtest.WriteFiles(t, t.TempDir(), in.swish.Merchant, in.swish.ServerCA)
		o = swishrail.Options{Settings: swish.Settings{URL: in.swish.URL, P12File: f.P12, P12Password: f.Password,
			CAFile: f.CA, PayeeAlias: in.swish.PayeeAlias}, CallbackURL: in.tls.URL + "/providers/swish/"}
	}
	p, err := platform.New(platform.Config{Store: st, Log: slog.New(slog.DiscardHandler), Sandbox: false,
		PublicURL: in.web.URL, Swish: o})
	if err != nil {
		t.Fatal(err)
	}
	in.platform = p
	// Production's callback client refuses loopback addresses; the test's
	// tenant listens on loopback.
	p.Callbacks.Client = callback.NewClient(true)
	p.Callbacks.Poll, p.Messages.Poll, p.PollEvery = 50*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	p.Run(ctx)
	t.Cleanup(func() { cancel(); time.Sleep(20 * time.Millisecond) })

	tenant, tree, secret, err := pinglinks.NewTenant("Biodlarna i Åre", false, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateTenant(context.Background(), tenant, tree); err != nil {
		t.Fatal(err)
	}
	in.tenantID, in.secret = tenant.ID.String(), secret
	in.tenantCB = &receiver{}
	in.tenantCB.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		_ = json.NewDecoder(r.Body).Decode(&b)
		in.tenantCB.mu.Lock()
		in.tenantCB.seen = append(in.tenantCB.seen, b)
		in.tenantCB.mu.Unlock()
	}))
	t.Cleanup(in.tenantCB.srv.Close)
	return in
}

// call makes an API request as the tenant and decodes the answer into out.
func (in *installation) call(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, in.web.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("tenant_id", in.tenantID)
	req.Header.Set("x-api-secret", in.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

type id struct {
	ID          string `json:"id"`
	CheckoutURL string `json:"checkout_url"`
}

// link creates a merchant, an order and a link paid with method.
func (in *installation) link(t *testing.T, method string, want int, out any) (orderID string) {
	t.Helper()
	var merchant, order id
	in.call(t, "POST", "/payments/api/v1/merchants", map[string]any{
		"name": "Biodlarna", "organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"},
	}, 200, &merchant)
	in.call(t, "POST", "/payments/api/v1/payment_orders", map[string]any{"currency": "SEK"}, 200, &order)
	in.call(t, "POST", "/payment_links/api/v1/payment_links", map[string]any{
		"payment_order_id": order.ID, "currency": "SEK", "total_amount": 17000, "locale": "sv-SE",
		"customer": map[string]any{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.com", "phone": "070-123 45 67"},
		"items": []map[string]any{
			{"description": "Honung 500 g", "merchant_id": merchant.ID, "price": 7000, "quantity": 2, "vat": 12, "unit": "burk"},
			{"description": "Ljus", "merchant_id": merchant.ID, "price": 3000, "quantity": 1, "vat": 25, "unit": "st"},
		},
		"supplier":                         map[string]any{"name": "Biodlarna i Åre AB", "organization_number": "556703-7485"},
		"payment_provider_methods":         []map[string]any{{"provider": "swish", "method": method, "parameters": map[string]any{"swish_message": "Tack för köpet!"}}},
		"payment_link_status_callback_url": in.tenantCB.srv.URL + "/links",
	}, want, out)
	return order.ID
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func TestProductionSwishThroughTheCheckout(t *testing.T) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			in := newInstallation(t, engine, true)
			var l id
			orderID := in.link(t, "e_commerce", 200, &l)

			ctx := browsertest.Tab(t)
			browsertest.Do(t, ctx, chromedp.Navigate(l.CheckoutURL), chromedp.WaitVisible(chromedp.CSS("#swish_phone")))
			browsertest.Submit(t, ctx, "button.pay")
			if got := browsertest.Text(t, ctx, "h2"); got != "Väntar på Swish" {
				t.Fatalf("waiting page: %q", got)
			}
			browsertest.Screenshot(t, ctx, "swish", "production-waiting-"+string(engine), 1)

			// Swish got the request; the payer approves in the app.
			var req swish.Payment
			select {
			case req = <-in.swish.Created():
			case <-time.After(30 * time.Second):
				t.Fatal("no payment request reached Swish")
			}
			if req.PayerAlias != "46701234567" || req.Amount.String() != "170.00" || req.Message != "Tack för köpet!" ||
				req.CallbackURL == "" || !strings.HasPrefix(req.CallbackURL, in.tls.URL+"/providers/swish/") {
				t.Fatalf("Swish got %+v", req)
			}
			if err := in.swish.Answer(req.ID, swishtest.Paid); err != nil {
				t.Fatal(err)
			}
			browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS("h2.ok")))
			browsertest.Screenshot(t, ctx, "swish", "production-paid-"+string(engine), 1)
			if got := browsertest.Text(t, ctx, ".facts"); !strings.Contains(got, "Swish") {
				t.Errorf("paid page: %q", got)
			}
			var link struct{ Status string }
			in.call(t, "GET", "/payment_links/api/v1/payment_links/"+l.ID, nil, 200, &link)
			if link.Status != pinglinks.LinkCompleted {
				t.Fatalf("link is %s", link.Status)
			}
			waitUntil(t, "the tenant's COMPLETED callback", func() bool {
				return strings.Contains(strings.Join(in.tenantCB.statuses(), ","), pinglinks.LinkCompleted)
			})

			// A refund through the Payments API refunds through Swish.
			var payments []struct {
				ID, Status string
			}
			in.call(t, "GET", "/payments/api/v1/payments?payment_order_id="+orderID, nil, 200, &payments)
			if len(payments) != 1 || payments[0].Status != pinglinks.PaymentCompleted {
				t.Fatalf("payments = %+v", payments)
			}
			in.call(t, "POST", "/payments/api/v1/payment_orders/"+orderID+"/payments/"+payments[0].ID+"/refund",
				map[string]any{"amount": 7000, "currency": "SEK", "reason": "En burk kom sönder"}, 200, nil)
			in.swish.WaitCallbacks()
			refunds := in.swish.Refunds()
			if len(refunds) != 1 || refunds[0].Amount.String() != "70.00" || refunds[0].Status != swish.RefundPaid ||
				refunds[0].PayeeAlias != "46701234567" {
				t.Fatalf("Swish holds refunds %+v", refunds)
			}
			// More than is left is refused by the platform before Swish is asked.
			in.call(t, "POST", "/payments/api/v1/payment_orders/"+orderID+"/payments/"+payments[0].ID+"/refund",
				map[string]any{"amount": 10001, "currency": "SEK", "reason": "För mycket"}, 403, nil)
			if n := len(in.swish.Refunds()); n != 1 {
				t.Errorf("Swish holds %d refunds", n)
			}
		})
	}
}

func TestProductionSwishMCommerce(t *testing.T) {
	in := newInstallation(t, store.SQLite, true)
	var l id
	in.link(t, "m_commerce", 200, &l)
	ctx := browsertest.Tab(t)
	browsertest.Do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	browsertest.Submit(t, ctx, "button.pay")
	var req swish.Payment
	select {
	case req = <-in.swish.Created():
	case <-time.After(30 * time.Second):
		t.Fatal("no payment request reached Swish")
	}
	if req.PayerAlias != "" {
		t.Fatalf("m-commerce sent a payer alias: %+v", req)
	}
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`a[href^="swish://paymentrequest?token="]`)))
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[href^="swish://"]`), "href"))
	if err != nil || len(strings.TrimPrefix(href.Value, "swish://paymentrequest?token=")) < 16 {
		t.Errorf("Open Swish link: %+v, %v", href, err)
	}
	if qr, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img[src^="data:image/png"]').length`)); err != nil || qr == 0 {
		t.Errorf("no QR code on the waiting page (%d, %v)", qr, err)
	}
	browsertest.Screenshot(t, ctx, "swish", "production-mcommerce-waiting", 1)
	if err := in.swish.Answer(req.ID, swishtest.Declined); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#banner")))
	if got := browsertest.Text(t, ctx, "#banner"); !strings.Contains(got, "nekades i Swish") {
		t.Errorf("banner: %q", got)
	}
}

func TestProductionWithoutSwishRefusesIt(t *testing.T) {
	in := newInstallation(t, store.SQLite, false)
	var e struct {
		Errors []struct{ Error, Description, Property string }
	}
	in.link(t, "e_commerce", 403, &e)
	if len(e.Errors) != 1 || e.Errors[0].Error != pinglinks.ECodeForbidden || e.Errors[0].Property != "payment_provider_methods[0]" {
		t.Fatalf("403 %+v", e)
	}
	for _, want := range []string{"PINGLINKS_SWISH_URL", "PINGLINKS_SWISH_CERT", "PINGLINKS_SWISH_KEY", "PINGLINKS_SWISH_P12", "PINGLINKS_SWISH_PAYEE_ALIAS"} {
		if !strings.Contains(e.Errors[0].Description, want) {
			t.Errorf("403 %q does not name %s", e.Errors[0].Description, want)
		}
	}
}
