package stall_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/examples/marketstall/stall"
	"github.com/pinglinks/pinglinks/internal/browsertest"
)

// The end-to-end test drives Debian's Chromium through the stall and the
// checkout as the payee and the payer would, and saves screenshots under
// test-artifacts/marketstall (or $PINGLINKS_ARTIFACTS).

func TestMain(m *testing.M) { browsertest.Main(m) }

// css selects by CSS selector. A plain string would be a DOM search, which
// also matches text, e.g. "#amount" inside the page's style sheet.
type css = chromedp.CSS

func tab(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Tab(t)
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, steps...)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return browsertest.Text(t, ctx, sel)
}

func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	browsertest.Submit(t, ctx, sel)
}

// screenshot saves the whole page as test-artifacts/marketstall/name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, "marketstall", name, 3)
}

// docShot saves the element sel as docs/name.png when PINGLINKS_DOCS names
// the docs directory: how the quickstart's pictures are made, e.g.
//
//	PINGLINKS_DOCS=$PWD/docs go test -run Browser ./examples/marketstall/stall
func docShot(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	dir := os.Getenv("PINGLINKS_DOCS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(css(sel)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserPurchasePaidByCard: the payee enters a purchase on the
// stall's page; the payer opens its link and pays by card; the stall's
// page, left open, turns to "Paid ✓" by itself.
func TestBrowserPurchasePaidByCard(t *testing.T) {
	e := newEnv(t)
	e.StartWorkers(t)
	payee := tab(t)
	do(t, payee, chromedp.Navigate(e.Stall.URL),
		chromedp.SendKeys(css("#amount"), "125,50"), chromedp.SendKeys(css("#description"), "Honung 500 g"),
		chromedp.SetValue(css("#vat"), "12"), chromedp.SendKeys(css("#phone"), "070-123 45 67"),
		chromedp.SendKeys(css("#name"), "Åsa Öberg"))
	screenshot(t, payee, "stall-form")
	submit(t, payee, "button.primary")
	do(t, payee, chromedp.WaitVisible(css("#status")))
	if got := text(t, payee, "#status"); got != "Waiting for payment…" {
		t.Fatalf("purchase page status %q\n%s", got, text(t, payee, "main"))
	}
	if got := text(t, payee, ".amount"); got != "125,50\u00a0kr" {
		t.Errorf("amount %q", got)
	}
	if got := text(t, payee, ".sent"); got != "Sent by SMS to 070-123 45 67" {
		t.Errorf("sent line %q", got)
	}
	// The QR code really is an image the page could load under its CSP.
	if w, err := chromedp.Run(payee, chromedp.Evaluate[int](`document.querySelector('.qr img').naturalWidth`)); err != nil || w != 320 {
		t.Errorf("QR code image width %d (%v)", w, err)
	}
	screenshot(t, payee, "stall-waiting")
	href, err := chromedp.Run(payee, chromedp.AttributeValue(css(".link a"), "href"))
	if err != nil || !href.Exists || !strings.HasPrefix(href.Value, e.Server.URL+"/checkout/") {
		t.Fatalf("checkout link %+v (%v)", href, err)
	}

	payer := tab(t)
	do(t, payer, chromedp.Navigate(href.Value))
	if got := text(t, payer, "h1"); got != "Biodlarna i Åre" {
		t.Errorf("checkout supplier %q", got)
	}
	first, _ := chromedp.Run(payer, chromedp.Value(css("#first_name")))
	phone, _ := chromedp.Run(payer, chromedp.Value(css("#phone")))
	if first != "Åsa" || phone != "070-123 45 67" {
		t.Errorf("checkout prefilled with %q, %q", first, phone)
	}
	screenshot(t, payer, "checkout")
	docShot(t, payer, "checkout", "body")
	do(t, payer, chromedp.Click(css(`input[value="payment_iq/card"]`)),
		chromedp.SendKeys(css("#card_number"), "4242 4242 4242 4242"), chromedp.SendKeys(css("#card_expiry"), "12/30"),
		chromedp.SendKeys(css("#card_cvc"), "123"))
	submit(t, payer, "button.pay")
	do(t, payer, chromedp.WaitVisible(css("h2.ok")))
	screenshot(t, payer, "checkout-paid")

	// Back on the payee's page, which nobody reloads: the callback reaches
	// the stall and the page's script notices.
	do(t, payee, chromedp.WaitVisible(css("#status.paid")))
	if got := text(t, payee, "#status"); got != "Paid ✓" {
		t.Fatalf("after paying the stall shows %q", got)
	}
	if n, _ := chromedp.Run(payee, chromedp.Evaluate[int](`document.querySelectorAll('.qr').length`)); n != 0 {
		t.Errorf("a paid purchase still shows its QR code")
	}
	screenshot(t, payee, "stall-paid")
	docShot(t, payee, "marketstall", "body")
	do(t, payee, chromedp.Navigate(e.Stall.URL))
	if got := text(t, payee, ".today"); !strings.Contains(got, "Honung 500 g") || !strings.Contains(got, "Paid ✓") {
		t.Errorf("today's list: %q", got)
	}
	screenshot(t, payee, "stall-today")
	p, _ := e.App.Today(context.Background())
	if len(p) != 1 || p[0].Status != stall.StatusPaid {
		t.Errorf("stored purchases %+v", p)
	}
}

// TestBrowserFormErrors: every wrong field is marked at once and the
// input is kept.
func TestBrowserFormErrors(t *testing.T) {
	e := newEnv(t)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(e.Stall.URL), chromedp.SendKeys(css("#amount"), "12,345"),
		chromedp.SendKeys(css("#phone"), "ring mig"), chromedp.SendKeys(css("#email"), "asa@"), chromedp.Click(css("#subscription")))
	submit(t, ctx, "button.primary")
	if got := text(t, ctx, ".banner"); got != "Please fix what is marked below." {
		t.Fatalf("banner %q", got)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[aria-invalid=true]').length`))
	if n != 4 {
		t.Errorf("%d fields marked invalid, want 4 (amount, description, phone, email)", n)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(css("#amount"))); v != "12,345" {
		t.Errorf("amount not kept: %q", v)
	}
	screenshot(t, ctx, "stall-form-errors")
}

// TestBrowserExpiredSubscription: the page of a subscription whose link
// expired says, without a QR code, that the subscription is cancelled.
func TestBrowserExpiredSubscription(t *testing.T) {
	e := newEnv(t)
	p, err := e.App.CreatePurchase(context.Background(), stall.Input{Amount: "149", Description: "Honey of the month",
		Email: "asa@example.com", Subscription: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(e.Stall.URL+"/purchases/"+p.ID))
	body, _ := json.Marshal(map[string]any{"payment_link_id": p.LinkID, "status": "EXPIRED", "occured_at": time.Now().UTC()})
	if code := postCallback(t, e, sign(e.Key, uuid.NewString(), time.Now(), body), body); code != 204 {
		t.Fatalf("callback: %d", code)
	}
	do(t, ctx, chromedp.WaitVisible(css("#status.expired")))
	if got := text(t, ctx, "#status"); got != "Expired – subscription cancelled" {
		t.Errorf("status %q", got)
	}
	screenshot(t, ctx, "stall-subscription-expired")
}
