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
		ctx := browsertest.PrivateTab(t, 2*time.Minute)
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
		ctx := browsertest.PrivateTab(t, 4*time.Minute)
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

// TestSignUpByInvite: an owner invites a support person in the browser;
// the invitation goes out through the message queue; the invitee opens
// its link, chooses a password, turns on two-factor sign-in, and is a
// support user of the owner's tenant — who may not reach the Developers
// page. A password reset e-mail then lets them choose another password,
// which ends their sessions.
func TestSignUpByInvite(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.StartWorkers(t)
		owner := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{TwoFactor: true})
		ctx := browsertest.PrivateTab(t, 3*time.Minute)
		dashtest.SignInBrowser(t, ctx, e.Server.URL, owner)
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/team"),
			chromedp.SendKeys(chromedp.CSS("#email"), "sam@example.com"), chromedp.SetValue(chromedp.CSS("#role"), "support"))
		browsertest.Submit(t, ctx, "form[action='/dashboard/team/invite'] button")
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "Invitation sent to sam@example.com") {
			t.Fatalf("after inviting: %s", got)
		}
		link := mailedLink(t, e, "invite", "/dashboard/invite/")
		browsertest.Submit(t, ctx, "form[action='/dashboard/sign-out'] button")

		browsertest.Do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password")))
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "invited as Support") {
			t.Errorf("invite page: %s", got)
		}
		checkAxe(t, ctx, "invite")
		if e.Store.Engine() == "sqlite" {
			screenshot(t, ctx, "invite")
		}
		browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS("#name"), "Sam Support"), chromedp.SendKeys(chromedp.CSS("#password"), "short"))
		browsertest.Submit(t, ctx, "form[action^='/dashboard/invite/'] button")
		if got := browsertest.Text(t, ctx, "#password-err"); !strings.Contains(got, "at least 12") {
			t.Errorf("short password: %q", got)
		}
		browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS("#password"), "a much longer password"))
		browsertest.Submit(t, ctx, "form[action^='/dashboard/invite/'] button")
		browsertest.Submit(t, ctx, "form[action='/dashboard/account/totp'] button")
		sam, err := e.Store.UserByEmail(context.Background(), "sam@example.com")
		if err != nil || sam.TenantID != e.Tenant.ID || sam.Role != account.Support {
			t.Fatalf("the invitee: %+v, %v", sam, err)
		}
		u := &dashtest.User{User: sam, Password: "a much longer password"}
		u = dashtest.Bind(u, e.Store)
		u.TOTPSecret = browsertest.Text(t, ctx, "#totp-secret")
		browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), u.Code(t)))
		browsertest.Submit(t, ctx, "form[action='/dashboard/account/totp/enable'] button")
		browsertest.Submit(t, ctx, "form[action='/dashboard/sign-out'] button")
		dashtest.SignInBrowser(t, ctx, e.Server.URL, u)
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/developers"))
		if got := browsertest.Text(t, ctx, "main h1"); got != "Not allowed" {
			t.Errorf("support on the developers page sees %q", got)
		}
		// The invitation works once.
		browsertest.Do(t, ctx, chromedp.Navigate(link))
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "expired or has been used") {
			t.Errorf("the used invitation: %s", got)
		}

		// Forgotten password: the reset e-mail's link sets a new one and
		// ends the sessions.
		browsertest.Submit(t, ctx, "form[action='/dashboard/sign-out'] button")
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/forgot"), chromedp.SendKeys(chromedp.CSS("#email"), "sam@example.com"))
		browsertest.Submit(t, ctx, "form[action='/dashboard/forgot'] button")
		reset := mailedLink(t, e, "reset", "/dashboard/reset/")
		browsertest.Do(t, ctx, chromedp.Navigate(reset), chromedp.SendKeys(chromedp.CSS("#password"), "another long password"))
		browsertest.Submit(t, ctx, "form[action^='/dashboard/reset/'] button")
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "Your password is changed") {
			t.Errorf("after the reset: %s", got)
		}
		u.Password = "another long password"
		dashtest.SignInBrowser(t, ctx, e.Server.URL, u)
	})
}

// mailedLink waits for the account e-mail of kind to leave the message
// queue (kept, in the sandbox) and returns the link in it.
func mailedLink(t *testing.T, e *apitest.Env, kind, path string) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mails, err := e.Store.RecentAccountMail(context.Background(), e.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if m.Kind == kind && m.Status == "KEPT" {
				i := strings.Index(m.Text, e.Server.URL+path)
				if i < 0 {
					t.Fatalf("%s e-mail without a link: %s", kind, m.Text)
				}
				return strings.Fields(m.Text[i:])[0]
			}
		}
	}
	t.Fatalf("no %s e-mail left the queue", kind)
	return ""
}
