package dashboard_test

import (
	"context"
	"encoding/json"
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
	"github.com/pinglinks/pinglinks/store"
)

// screenshotsEnv, when set (to anything), makes the browser tests write
// the dashboard's main pages into docs/screenshots/ for the README.
const screenshotsEnv = "PINGLINKS_SCREENSHOTS"

// screenshot keeps the page as a test artifact and, with
// PINGLINKS_SCREENSHOTS set, as docs/screenshots/dashboard-NAME.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, "dashboard", name, 1)
	if os.Getenv(screenshotsEnv) == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", "dashboard-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

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

// checkAxe runs axe-core's WCAG 2.1 A/AA rules on the tab's page and
// fails the test on any violation.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](axeSource(t)+`;
		axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		  .then(r => ({violations: r.violations, passes: r.passes.map(p => ({id: p.id}))}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Violations []struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []string }
		}
		Passes []struct{ ID string }
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: axe %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, where)
	}
	if len(res.Passes) < 10 {
		t.Errorf("%s: axe passed only %d rules: did it run?", page, len(res.Passes))
	}
}

// TestTwoFactorInTheBrowser: a user turns on two-factor sign-in (scans
// the QR code — here, reads the key under it — and proves a code), signs
// out, and signs in again with password and code.
func TestTwoFactorInTheBrowser(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		u := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{Name: "Olga Owner"})
		ctx := browsertest.Tab(t)
		dashtest.SignInBrowser(t, ctx, e.Server.URL, u)
		if got := browsertest.Text(t, ctx, "main h1"); !strings.Contains(got, "Olga Owner") {
			t.Errorf("overview says %q", got)
		}
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/account"))
		browsertest.Submit(t, ctx, "form[action='/dashboard/account/totp'] button")
		browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS("img.qr")))
		u.TOTPSecret = browsertest.Text(t, ctx, "#totp-secret")
		if e.Store.Engine() == "sqlite" {
			screenshot(t, ctx, "two-factor-setup")
		}
		browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), u.Code(t)))
		browsertest.Submit(t, ctx, "form[action='/dashboard/account/totp/enable'] button")
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "Two-factor sign-in is on") {
			t.Fatalf("after enabling: %q", got)
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/sign-out'] button")
		dashtest.SignInBrowser(t, ctx, e.Server.URL, u) // password, then code
		stored, err := e.Store.User(context.Background(), e.Tenant.ID, u.ID)
		if err != nil || !stored.TwoFactor() {
			t.Fatalf("stored user: %+v, %v", stored, err)
		}
	})
}

// tourPage is a page of the tour: where it is and what shows it is ready.
type tourPage struct {
	name, path, ready string
}

// TestTour visits the main pages as an owner, at a phone's and a
// computer's width: axe-core finds no WCAG 2.1 A/AA violation, and with
// PINGLINKS_SCREENSHOTS set the computer-width views go to
// docs/screenshots/.
func TestTour(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	owner := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{Name: "Olga Owner", Email: "olga@example.com", TwoFactor: true})
	dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Developer, dashtest.Options{Name: "Dev Eloper", Email: "dev@example.com"})
	signedOut := []tourPage{
		{"sign-in", "/dashboard/sign-in", "#email"},
		{"forgot", "/dashboard/forgot", "#email"},
	}
	pages := []tourPage{
		{"overview", "/dashboard/", "main h1"},
		{"team", "/dashboard/team", "#invite-h"},
		{"account", "/dashboard/account", "#tfa-h"},
		{"developers", "/dashboard/developers", "main h1"},
	}
	for _, wide := range []bool{false, true} {
		ctx := browsertest.TabFor(t, 4*time.Minute)
		suffix := "-phone"
		if wide {
			browsertest.Do(t, ctx, chromedp.EmulateViewport(1200, 900))
			suffix = ""
		}
		visit := func(p tourPage) {
			t.Logf("visiting %s%s", p.name, suffix)
			browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
			checkAxe(t, ctx, p.name+suffix)
			if wide {
				screenshot(t, ctx, p.name)
			} else {
				browsertest.Screenshot(t, ctx, "dashboard", p.name+suffix, 1)
			}
		}
		for _, p := range signedOut {
			visit(p)
		}
		dashtest.SignInBrowser(t, ctx, e.Server.URL, owner)
		for _, p := range pages {
			visit(p)
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/sign-out'] button") // the tabs share cookies
	}
}
