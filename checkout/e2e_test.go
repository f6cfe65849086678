package checkout_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/store"
)

// These tests drive Debian's Chromium through the checkout as a payer
// would: type, choose, click, wait. Each saves a screenshot of its final
// page under test-artifacts/checkout (or $PINGLINKS_ARTIFACTS).

func TestMain(m *testing.M) { browsertest.Main(m) }

func tab(t *testing.T) context.Context { t.Helper(); return browsertest.Tab(t) }

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, steps...)
}

func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	browsertest.Submit(t, ctx, sel)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return browsertest.Text(t, ctx, sel)
}

// screenshot saves the whole page as test-artifacts/checkout/name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, "checkout", name, 1)
}

func link(t *testing.T, e *apitest.Env, id string) *pinglinks.PaymentLink {
	t.Helper()
	l, err := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func payCard(t *testing.T, ctx context.Context, number string) {
	t.Helper()
	do(t, ctx, chromedp.Click(chromedp.CSS(`input[value="payment_iq/card"]`)),
		chromedp.SendKeys(chromedp.CSS("#card_number"), number), chromedp.Clear(chromedp.CSS("#card_expiry")),
		chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
		chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123"))
	submit(t, ctx, "button.pay")
}

func TestCardSuccess(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	if got := text(t, ctx, "h1"); got != "Biodlarna i Åre AB" {
		t.Errorf("supplier heading %q", got)
	}
	payCard(t, ctx, "4242 4242 4242 4242")
	if got := text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
		t.Fatalf("after paying: %q\n%s", got, text(t, ctx, "main"))
	}
	facts := text(t, ctx, ".facts")
	for _, want := range []string{"Visa •••• 4242", "170,00\u00a0kr"} {
		if !strings.Contains(facts, want) {
			t.Errorf("receipt page lacks %q: %s", want, facts)
		}
	}
	screenshot(t, ctx, "card-success")
	if st := link(t, e, l.ID).Status; st != pinglinks.LinkCompleted {
		t.Errorf("link status %s", st)
	}
	// The receipt PDF behind the page's download link.
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("a.button.secondary"), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("receipt link: %v", err)
	}
	resp := e.DoRaw(t, "GET", strings.TrimPrefix(href.Value, e.Server.URL), nil)
	if resp.Status != 200 || !strings.HasPrefix(string(resp.Body), "%PDF") {
		t.Errorf("receipt download: %d %.20q", resp.Status, resp.Body)
	}
}

func TestCardDeclinedThenRetrySucceeds(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	first := link(t, e, l.ID).PaymentID
	payCard(t, ctx, "4000 0000 0000 0002")
	if got := text(t, ctx, "#banner"); !strings.Contains(got, "Kortet nekades") {
		t.Fatalf("banner after a declined card: %q", got)
	}
	screenshot(t, ctx, "card-declined")
	// The expiry stays; the number and the CVC are typed again.
	for sel, want := range map[string]string{"#card_expiry": "12/30", "#card_number": "", "#card_cvc": ""} {
		if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel))); v != want {
			t.Errorf("%s after a declined card is %q, want %q", sel, v, want)
		}
	}
	payCard(t, ctx, "4242424242424242")
	if got := text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
		t.Fatalf("after the retry: %q", got)
	}
	screenshot(t, ctx, "card-retry-success")
	after := link(t, e, l.ID)
	if after.Status != pinglinks.LinkCompleted || after.PaymentID == first {
		t.Errorf("link %s, payment %s (first %s): the retry must be a new payment", after.Status, after.PaymentID, first)
	}
	old, _ := e.Store.Payment(context.Background(), e.Tenant.ID, after.OrderID, first)
	if old.Status != pinglinks.PaymentDeclined {
		t.Errorf("first attempt is %s, want DECLINED", old.Status)
	}
}

func TestCardThreeDSecure(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, func(b map[string]any) { b["locale"] = "en-GB" })
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	payCard(t, ctx, "4000 0027 6000 3184")
	if got := text(t, ctx, "h2"); got != "Confirm your purchase" {
		t.Fatalf("challenge page heading %q\n%s", got, text(t, ctx, "main"))
	}
	screenshot(t, ctx, "card-3ds-challenge")
	submit(t, ctx, `button[value="approve"]`)
	if got := text(t, ctx, "h2.ok"); got != "Thank you for your payment!" {
		t.Fatalf("after the challenge: %q", got)
	}
	screenshot(t, ctx, "card-3ds-paid")
}

func TestSwishSuccess(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	e.StartWorkers(t)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL), chromedp.Click(chromedp.CSS(`input[value="swish/e_commerce"]`)))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#swish_phone"))); v != "070-123 45 67" {
		t.Errorf("Swish number prefilled with %q", v)
	}
	submit(t, ctx, "button.pay")
	if got := text(t, ctx, "h2"); got != "Väntar på Swish" {
		t.Fatalf("waiting screen: %q", got)
	}
	screenshot(t, ctx, "swish-waiting")
	// The simulator answers after 300 ms; the page notices by itself.
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("h2.ok")))
	screenshot(t, ctx, "swish-paid")
	if got := text(t, ctx, ".facts"); !strings.Contains(got, "Swish") {
		t.Errorf("receipt page: %q", got)
	}
}

func TestSwishDeclined(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	e.StartWorkers(t)
	l := e.NewLink(t, func(b map[string]any) {
		b["payment_provider_methods"] = []map[string]any{{"provider": "swish", "method": "e_commerce",
			"parameters": map[string]any{"swish_message": "RF07"}}}
	})
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	submit(t, ctx, "button.pay")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#banner")))
	if got := text(t, ctx, "#banner"); !strings.Contains(got, "nekades i Swish") {
		t.Errorf("banner: %q", got)
	}
	screenshot(t, ctx, "swish-declined")
	if st := link(t, e, l.ID).Status; st != pinglinks.LinkCreated {
		t.Errorf("link is %s after a declined Swish payment", st)
	}
}

func TestBankTransferCompletedByDeposit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL), chromedp.Click(chromedp.CSS(`input[value="ping/deposit"]`)))
	submit(t, ctx, "button.pay")
	ref := text(t, ctx, "dd.ref")
	if !strings.Contains(text(t, ctx, ".facts"), "5050-1055") || len(ref) < 3 {
		t.Fatalf("bank details: %q", text(t, ctx, ".facts"))
	}
	screenshot(t, ctx, "bank-transfer")
	var out struct{ Status string }
	e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 17000, "currency": "SEK",
		"reference_type": "OCR", "reference": ref}).Want(t, 200).JSON(t, &out)
	if out.Status != pinglinks.PaymentCompleted {
		t.Fatalf("deposit made the payment %s", out.Status)
	}
	do(t, ctx, chromedp.Reload())
	if got := text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
		t.Fatalf("after the deposit: %q", got)
	}
	screenshot(t, ctx, "bank-transfer-paid")
}

func TestExpiredLink(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	today := time.Now().In(pinglinks.Stockholm).Format(time.DateOnly)
	l := e.NewLink(t, func(b map[string]any) { b["due_date"] = today; b["locale"] = "nb-NO" })
	real := e.Store.Now
	e.Store.Now = func() time.Time { return real().Add(48 * time.Hour) }
	if err := e.Store.ExpireLink(context.Background(), e.Tenant.ID, uuid.MustParse(l.ID)); err != nil {
		t.Fatal(err)
	}
	e.Store.Now = real
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	if got := text(t, ctx, "h2"); got != "Lenken har utløpt" {
		t.Fatalf("expired page heading %q", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form').length`)); n != 0 {
		t.Errorf("an expired link shows %d forms", n)
	}
	screenshot(t, ctx, "expired")
}

// The payer corrects the e-mail address before paying: the payment keeps
// the correction and the receipt goes there, not to the tenant's address.
func TestCorrectedEmailGetsTheReceipt(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL), chromedp.Clear(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "asa.oberg@example.org"))
	payCard(t, ctx, "4242424242424242")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("h2.ok")))
	screenshot(t, ctx, "corrected-email-paid")
	after := link(t, e, l.ID)
	p, _ := e.Store.Payment(context.Background(), e.Tenant.ID, after.OrderID, after.PaymentID)
	var payer pinglinks.PayerDetails
	json.Unmarshal(p.Payer, &payer)
	if payer.Email != "asa.oberg@example.org" || payer.FirstName != "Åsa" {
		t.Errorf("payment's payer %s", p.Payer)
	}
	msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
	if len(msgs) != 1 || msgs[0].Kind != store.MessageReceipt || msgs[0].Recipient != "asa.oberg@example.org" {
		t.Fatalf("messages %+v", msgs)
	}
	if after.Customer.Email != "asa@example.com" {
		t.Errorf("the tenant's customer was changed to %s", after.Customer.Email)
	}
}

// A payer without a mouse: Tab moves through the form in order, the arrow
// keys choose the method, Enter pays.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	focused := func() string {
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.activeElement.id || document.activeElement.className || document.activeElement.tagName) + ''`))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Tab from the top until the card number field; every stop on the way
	// must be a link, a summary or a form field, in document order.
	var stops []string
	for i := 0; i < 20 && focused() != "card_number"; i++ {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		stops = append(stops, focused())
	}
	if focused() != "card_number" {
		t.Fatalf("Tab never reached the card number; stops: %v", stops)
	}
	want := []string{"skip", "first_name", "last_name", "email", "phone", "SUMMARY"}
	for i, w := range want {
		if i >= len(stops) || stops[i] != w {
			t.Fatalf("tab order %v, want it to start %v", stops, want)
		}
	}
	do(t, ctx, chromedp.KeyEvent("4242424242424242"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("12/30"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("123"))
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "h2.ok"); got != "Tack för din betalning!" {
		t.Fatalf("after Enter: %q", got)
	}
	screenshot(t, ctx, "keyboard-paid")
}
