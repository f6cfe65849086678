package dashboard_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/internal/dashtest"
)

// TestBranding: an owner sets the checkout's colour and uploads a logo in
// Settings; a colour too light for white text is refused; the checkout of
// a link without a logo of its own then shows both.
func TestBranding(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		owner := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{})
		logo := filepath.Join(t.TempDir(), "logo.png")
		img := image.NewRGBA(image.Rect(0, 0, 120, 40))
		for x := range 120 {
			for y := range 40 {
				img.Set(x, y, color.RGBA{20, 108, 46, 255})
			}
		}
		f, err := os.Create(logo)
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, img)
		f.Close()

		ctx := browsertest.PrivateTab(t, 3*time.Minute)
		dashtest.SignInBrowser(t, ctx, e.Server.URL, owner)
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/settings"), chromedp.SetValue(chromedp.CSS("#colour"), "#ffdd00"))
		browsertest.Submit(t, ctx, "form[action='/dashboard/settings/branding'] button")
		if got := browsertest.Text(t, ctx, "#colour-err"); !strings.Contains(got, "too light") {
			t.Errorf("yellow: %q", got)
		}
		browsertest.Do(t, ctx, chromedp.SetValue(chromedp.CSS("#colour"), "#146c2e"), chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}))
		browsertest.Submit(t, ctx, "form[action='/dashboard/settings/branding'] button")
		browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS("img.logo-preview")))
		checkAxe(t, ctx, "settings")
		if e.Store.Engine() == "sqlite" {
			screenshot(t, ctx, "settings")
		}

		l := e.NewLink(t, nil)
		browsertest.Do(t, ctx, chromedp.Navigate(l.CheckoutURL), chromedp.WaitVisible(chromedp.CSS("button.pay")))
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('button.pay')).backgroundColor`))
		if err != nil || bg != "rgb(20, 108, 46)" {
			t.Errorf("the pay button is %q (%v), want the tenant's green", bg, err)
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise(r => { const i = document.querySelector('img.logo');
			if (!i) { r(0); return } if (i.complete) { r(i.naturalWidth) } else { i.onload = () => r(i.naturalWidth); i.onerror = () => r(-1) } })`,
			chromedp.EvalAwaitPromise))
		if err != nil || w != 120 {
			t.Errorf("the checkout's logo is %v px wide (%v), want the uploaded 120", w, err)
		}
	})
}
