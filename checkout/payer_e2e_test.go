package checkout_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/store"
)

// phone and desktop are the widths the checkout is looked at in.
var widths = []struct {
	name  string
	width int64
}{{"phone", 390}, {"desktop", 1280}}

func viewport(width int64) chromedp.Action[chromedp.Void] {
	if width < 600 {
		return chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(width, 900)
}

// A bank page left open updates itself when part of the transfer
// arrives: it asks for the rest, says why card and Swish are gone, and
// shows the receipt once the rest is in — without the payer reloading.
func TestE2EBankPageUpdatesItself(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(lk.CheckoutURL), chromedp.Click(chromedp.CSS(`input[value="ping/deposit"]`)))
	submit(t, ctx, "button.pay")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[value="ping/deposit"]').length`)); n != 0 {
		t.Error("the bank page still offers bank transfer as a method to choose")
	}
	l := link(t, e, lk.ID)
	deposit := func(amount int) {
		e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": amount, "currency": "SEK",
			"reference_type": "OCR", "reference": l.Reference}).Want(t, 200)
	}
	deposit(5000)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("p.partly")))
	if got := text(t, ctx, ".total-top"); !strings.Contains(got, "Kvar att betala") || !strings.Contains(got, "120,00") {
		t.Errorf("header after 50 kr of 170: %q", got)
	}
	if got := text(t, ctx, "p.partly"); !strings.Contains(got, "Kort och Swish går inte att välja") {
		t.Errorf("the page does not say why card is gone: %q", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form').length`)); n != 0 {
		t.Errorf("%d forms on a partly paid bank page", n)
	}
	screenshot(t, ctx, "bank-partly-paid")
	deposit(12000)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("h2.ok")))
	if got := text(t, ctx, ".total-top"); !strings.Contains(got, "Betalt") {
		t.Errorf("header once paid: %q", got)
	}
}

// Two tabs on one link: Swish chosen in the first, card in the second.
// The card tab says the card was not charged and that a Swish payment is
// in progress — never "Väntar på Swish" — and shows the receipt by itself
// once Swish is approved.
func TestE2ECardTabLosesToSwish(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite) // no workers: Swish waits for the simulator page
	lk := e.NewLink(t, nil)
	swishTab, cardTab := tab(t), tab(t)
	do(t, cardTab, chromedp.Navigate(lk.CheckoutURL))
	do(t, swishTab, chromedp.Navigate(lk.CheckoutURL), chromedp.Click(chromedp.CSS(`input[value="swish/e_commerce"]`)))
	submit(t, swishTab, "button.pay")
	if got := text(t, swishTab, "h2"); got != "Väntar på Swish" {
		t.Fatalf("Swish tab: %q", got)
	}
	payCard(t, cardTab, "4242 4242 4242 4242")
	if got := text(t, cardTab, "h2"); got != "En betalning pågår redan" {
		t.Errorf("card tab heading %q", got)
	}
	if got := text(t, cardTab, "#notice"); got != "Ditt kort har inte debiterats." {
		t.Errorf("card tab notice %q", got)
	}
	if got := text(t, cardTab, "main"); strings.Contains(got, "Väntar på Swish") {
		t.Errorf("the card tab says Väntar på Swish:\n%s", got)
	}
	screenshot(t, cardTab, "card-tab-lost-to-swish")
	l := link(t, e, lk.ID)
	req, _ := http.NewRequest("POST", e.Server.URL+"/sandbox/swish/"+l.PaymentID.String(), strings.NewReader("answer=approve"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := noRedirects.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving in the simulator: %v", err)
	}
	do(t, cardTab, chromedp.WaitVisible(chromedp.CSS("h2.ok")))
	if got := text(t, cardTab, ".facts"); !strings.Contains(got, "Swish") {
		t.Errorf("the card tab's receipt: %q", got)
	}
	if st := link(t, e, lk.ID).Status; st != pinglinks.LinkCompleted || len(orderPayments(t, e, l)) != 1 {
		t.Errorf("link %s with %d payments", st, len(orderPayments(t, e, l)))
	}
}

// On a phone the expiry and CVC boxes stand side by side on one line,
// however their labels wrap.
func TestE2EExpiryAndCVCInLineOnAPhone(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	for _, locale := range []string{"sv-SE", "nb-NO", "en-GB"} {
		for _, w := range []int64{320, 390} {
			ctx := tab(t)
			lk := e.NewLink(t, func(b map[string]any) { b["locale"] = locale })
			do(t, ctx, viewport(w), chromedp.Navigate(lk.CheckoutURL))
			tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`['card_expiry','card_cvc'].map(id => document.getElementById(id).getBoundingClientRect().top)`))
			if err != nil {
				t.Fatal(err)
			}
			if len(tops) != 2 || tops[0] != tops[1] {
				t.Errorf("%s at %d px: expiry and CVC boxes start at %v", locale, w, tops)
			}
		}
	}
}

// TestE2EEveryPageAsAPayer opens every page of the checkout in each
// language at a phone's and a desktop's width, saves a screenshot of each
// (test-artifacts/checkout-pages/<locale>-<width>-<page>.png, for a person
// to look at), and checks what a machine can: nothing is wider than the
// screen, and the page speaks the link's language.
func TestE2EEveryPageAsAPayer(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite) // no workers: Swish waits
	type page struct {
		name string
		open func(t *testing.T, ctx context.Context, locale string)
	}
	newLink := func(t *testing.T, locale string, edit ...func(map[string]any)) apitest.Link {
		return e.NewLink(t, func(b map[string]any) {
			b["locale"] = locale
			for _, f := range edit {
				f(b)
			}
		})
	}
	goTo := func(t *testing.T, ctx context.Context, u string) { do(t, ctx, chromedp.Navigate(u)) }
	after := func(form func() url.Values, edit ...func(map[string]any)) func(*testing.T, context.Context, string) {
		return func(t *testing.T, ctx context.Context, locale string) {
			lk := newLink(t, locale, edit...)
			post(t, lk.CheckoutURL, form())
			goTo(t, ctx, lk.CheckoutURL)
		}
	}
	swish := func() url.Values { return payForm("swish/e_commerce", "swish_phone", "070-123 45 67") }
	pages := []page{
		{"form", func(t *testing.T, ctx context.Context, locale string) { goTo(t, ctx, newLink(t, locale).CheckoutURL) }},
		{"form-errors", func(t *testing.T, ctx context.Context, locale string) {
			goTo(t, ctx, newLink(t, locale).CheckoutURL)
			do(t, ctx, chromedp.Clear(chromedp.CSS("#first_name")), chromedp.SendKeys(chromedp.CSS("#card_number"), "4242 4242 4242 4241"))
			submit(t, ctx, "button.pay")
		}},
		{"card-declined", after(func() url.Values { return cardForm("4000000000000002") })},
		{"3ds-challenge", after(func() url.Values { return cardForm("4000002760003184") })},
		{"swish-waiting", after(swish)},
		{"swish-this-device", after(func() url.Values { return payForm("swish/m_commerce") })},
		{"bank", after(func() url.Values { return payForm("ping/deposit") })},
		{"bank-partly-paid", func(t *testing.T, ctx context.Context, locale string) {
			currency, refType := map[string][2]string{"nb-NO": {"NOK", "KID"}}[locale], "OCR"
			edit := func(b map[string]any) {}
			if currency[0] != "" {
				refType = currency[1]
				edit = func(b map[string]any) {
					b["currency"] = "NOK"
					b["payment_provider_methods"] = []map[string]any{{"provider": "payment_iq", "method": "card"}, {"provider": "ping", "method": "deposit"}}
				}
			} else {
				currency[0] = "SEK"
			}
			lk := newLink(t, locale, edit)
			post(t, lk.CheckoutURL, payForm("ping/deposit"))
			e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 5000, "currency": currency[0],
				"reference_type": refType, "reference": link(t, e, lk.ID).Reference}).Want(t, 200)
			goTo(t, ctx, lk.CheckoutURL)
		}},
		{"other-tab-paying", func(t *testing.T, ctx context.Context, locale string) {
			lk := newLink(t, locale)
			goTo(t, ctx, lk.CheckoutURL)
			post(t, lk.CheckoutURL, swish())
			payCard(t, ctx, "4242424242424242")
		}},
		{"paid", after(func() url.Values { return cardForm("4242424242424242") })},
		{"expired", func(t *testing.T, ctx context.Context, locale string) {
			today := time.Now().In(pinglinks.Stockholm).Format(time.DateOnly)
			lk := newLink(t, locale, func(b map[string]any) { b["due_date"] = today })
			real := e.Store.Now
			e.Store.Now = func() time.Time { return real().Add(48 * time.Hour) }
			err := e.Store.ExpireLink(context.Background(), e.Tenant.ID, uuid.MustParse(lk.ID))
			e.Store.Now = real
			if err != nil {
				t.Fatal(err)
			}
			goTo(t, ctx, lk.CheckoutURL)
		}},
		{"cancelled", func(t *testing.T, ctx context.Context, locale string) {
			lk := newLink(t, locale)
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+lk.ID+"/cancel", nil).Want(t, 204)
			goTo(t, ctx, lk.CheckoutURL)
		}},
		{"not-found", func(t *testing.T, ctx context.Context, locale string) {
			do(t, ctx, chromedp.Navigate(e.Server.URL+"/checkout/"+strings.Repeat("x", 32)))
		}},
		{"swish-simulator", func(t *testing.T, ctx context.Context, locale string) {
			lk := newLink(t, locale)
			post(t, lk.CheckoutURL, swish())
			goTo(t, ctx, e.Server.URL+"/sandbox/swish/"+link(t, e, lk.ID).PaymentID.String())
		}},
	}
	// Each page is set up once and looked at in both widths: the layout
	// follows the viewport without a reload.
	for _, locale := range []string{"sv-SE", "nb-NO", "en-GB"} {
		for _, pg := range pages {
			t.Run(locale+"-"+pg.name, func(t *testing.T) {
				ctx := tab(t)
				lang := map[string]string{"sv-SE": "sv", "nb-NO": "nb", "en-GB": "en-GB"}[locale]
				if pg.name == "not-found" {
					lang = "en-GB" // no link, no locale: the browser's Accept-Language decides
				}
				for i, w := range widths {
					do(t, ctx, viewport(w.width))
					if i == 0 {
						pg.open(t, ctx, locale)
					}
					got, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`[document.documentElement.lang,
						document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
					if err != nil {
						t.Fatal(err)
					}
					if got[0] != lang {
						t.Errorf("lang %v, want %s", got[0], lang)
					}
					if got[1].(float64) > got[2].(float64) {
						t.Errorf("%s: the page is %v px wide on a %v px screen", w.name, got[1], got[2])
					}
					browsertest.Screenshot(t, ctx, "checkout-pages", locale+"-"+w.name+"-"+pg.name, 1)
				}
			})
		}
	}
}
