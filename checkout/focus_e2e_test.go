package checkout_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// After a form comes back with errors, the keyboard and screen-reader
// user lands on the first field to fix (WCAG 3.3.1, 2.4.3), not at the top
// of the page with nothing said.
func TestE2EFocusOnFirstError(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	for _, tc := range []struct {
		name  string
		steps func(url string) []chromedp.Action[chromedp.Void]
		want  string
	}{
		{"missing first name", func(url string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(url), chromedp.Clear(chromedp.CSS("#first_name")),
				chromedp.SendKeys(chromedp.CSS("#card_number"), "4242424242424242"), chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
				chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123")}
		}, "first_name"},
		{"bad card number", func(url string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(url),
				chromedp.SendKeys(chromedp.CSS("#card_number"), "4242424242424241"), chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
				chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123")}
		}, "card_number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tab(t)
			do(t, ctx, tc.steps(e.NewLink(t, nil).CheckoutURL)...)
			submit(t, ctx, "button.pay")
			do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#banner")))
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("focus is on %q, want %q", got, tc.want)
			}
		})
	}
}

func TestE2EFocusOnMethodError(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	ctx := tab(t)
	// the payer's browser offers a method the link does not (a stale page, a tampered form)
	do(t, ctx, chromedp.Navigate(e.NewLink(t, nil).CheckoutURL),
		chromedp.SetAttributeValue(chromedp.CSS(`input[name=method]:checked`), "value", "dummy/dummy"))
	submit(t, ctx, "button.pay")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#method-err")))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.name + " " + document.activeElement.getAttribute("aria-describedby")`))
	if err != nil {
		t.Fatal(err)
	}
	if got != "method method-err" {
		t.Errorf("focus is on %q, want the methods, described by their error", got)
	}
}
