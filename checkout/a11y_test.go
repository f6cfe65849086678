package checkout_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// axeSource is axe-core from the npm registry, installed by `make test`
// (npm ci --prefix tools/axe).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "tools", "axe", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run npm ci --prefix tools/axe (make test does)", err)
	}
	return string(b)
}

type axeResult struct {
	Violations []struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []string }
	}
	Passes []struct{ ID string }
}

func TestAccessibility(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	e := apitest.New(t, store.SQLite) // no workers: the Swish payment stays waiting
	pages := []struct {
		name string
		open func(t *testing.T) []chromedp.Action[chromedp.Void]
	}{
		{"form", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.NewLink(t, nil).CheckoutURL)}
		}},
		{"form-with-errors", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.NewLink(t, nil).CheckoutURL),
				chromedp.Clear(chromedp.CSS("#first_name")), chromedp.SendKeys(chromedp.CSS("#card_number"), "4242 4242 4242 4241"),
				chromedp.Click(chromedp.CSS("button.pay")), chromedp.WaitVisible(chromedp.CSS("#banner"))}
		}},
		{"3ds-challenge", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.NewLink(t, nil).CheckoutURL),
				chromedp.SendKeys(chromedp.CSS("#card_number"), "4000002760003184"), chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
				chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123"), chromedp.Click(chromedp.CSS("button.pay")), chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`))}
		}},
		{"swish-waiting", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			l := e.NewLink(t, func(b map[string]any) {
				b["payment_provider_methods"] = []map[string]any{{"provider": "swish", "method": "m_commerce",
					"parameters": map[string]any{"swish_message": "TM01 hold"}}}
			})
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(l.CheckoutURL), chromedp.Click(chromedp.CSS("button.pay")),
				chromedp.WaitVisible(chromedp.CSS("img.qr"))}
		}},
		{"bank-partly-paid", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			lk := e.NewLink(t, nil)
			post(t, lk.CheckoutURL, payForm("ping/deposit"))
			e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 5000, "currency": "SEK",
				"reference_type": "OCR", "reference": link(t, e, lk.ID).Reference}).Want(t, 200)
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(lk.CheckoutURL), chromedp.WaitVisible(chromedp.CSS("p.partly"))}
		}},
		{"bank-with-other-methods", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			lk := e.NewLink(t, nil)
			post(t, lk.CheckoutURL, payForm("ping/deposit"))
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(lk.CheckoutURL), chromedp.WaitVisible(chromedp.CSS("dd.ref"))}
		}},
		{"other-tab-paying", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			lk := e.NewLink(t, nil)
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(lk.CheckoutURL),
				func(context.Context, *chromedp.Target) (chromedp.Void, error) { // another tab starts Swish
					post(t, lk.CheckoutURL, payForm("swish/e_commerce", "swish_phone", "070-123 45 67"))
					return chromedp.Void{}, nil
				},
				chromedp.SendKeys(chromedp.CSS("#card_number"), "4242424242424242"), chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
				chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123"), chromedp.Click(chromedp.CSS("button.pay")), chromedp.WaitVisible(chromedp.CSS("#notice"))}
		}},
		{"cancelled", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			lk := e.NewLink(t, nil)
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+lk.ID+"/cancel", nil).Want(t, 204)
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(lk.CheckoutURL)}
		}},
		{"paid", func(t *testing.T) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.NewLink(t, nil).CheckoutURL),
				chromedp.SendKeys(chromedp.CSS("#card_number"), "4242424242424242"), chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"),
				chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123"), chromedp.Click(chromedp.CSS("button.pay")), chromedp.WaitVisible(chromedp.CSS("h2.ok"))}
		}},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			ctx := tab(t)
			do(t, ctx, pg.open(t)...)
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](src+`;
				axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
				  .then(r => ({violations: r.violations, passes: r.passes.map(p => ({id: p.id}))}))`,
				chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			var res axeResult
			if err := json.Unmarshal(raw, &res); err != nil {
				t.Fatal(err)
			}
			for _, v := range res.Violations {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, strings.Join(n.Target, " "))
				}
				t.Errorf("axe %s (%s): %s at %v", v.ID, v.Impact, v.Help, where)
			}
			if len(res.Passes) < 10 {
				t.Errorf("axe passed only %d rules: did it run?", len(res.Passes))
			}
			t.Logf("axe-core: %d rules passed, %d violations", len(res.Passes), len(res.Violations))
			screenshot(t, ctx, "a11y-"+pg.name)
		})
	}
}

// TestFirstVisitWeight measures what a first visit transfers: the page
// and everything it loads. The checkout must be fast; the issue sets the
// bound at 100 KB.
func TestFirstVisitWeight(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	l := e.NewLink(t, nil)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(l.CheckoutURL))
	total, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		return [nav, ...performance.getEntriesByType('resource')].reduce((s, e) => s + e.transferSize, 0);
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first visit transferred %.0f bytes", total)
	if total <= 0 || total > 100_000 {
		t.Errorf("first visit transferred %.0f bytes, want (0, 100 KB]", total)
	}
}
