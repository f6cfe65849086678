package dashboard_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/internal/dashtest"
)

// receiver records the callbacks it is sent.
type receiver struct {
	mu  sync.Mutex
	got []received
	srv *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Header.Clone(), b})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait returns the n-th callback received, waiting for it.
func (rc *receiver) wait(t *testing.T, n int) received {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rc.mu.Lock()
		if len(rc.got) >= n {
			defer rc.mu.Unlock()
			return rc.got[n-1]
		}
		rc.mu.Unlock()
	}
	t.Fatalf("callback %d never arrived", n)
	return received{}
}

// TestKeyRotation: a developer rotates the API secret in the browser, and
// during the overlap real API calls succeed with the old and with the new
// secret; once the old one is stopped only the new works. Then the
// callback signing key: during its overlap a test callback verifies with
// either key; after, only with the new.
func TestKeyRotation(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.StartCallbacks(t)
		dev := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Developer, dashtest.Options{TwoFactor: true})
		ctx := browsertest.PrivateTab(t, 3*time.Minute)
		dashtest.SignInBrowser(t, ctx, e.Server.URL, dev)
		api := func(secret string) int {
			return e.DoRaw(t, "GET", "/payments/api/v1/tenant", nil, "tenant_id", e.Tenant.ID.String(), "x-api-secret", secret).Status
		}
		old := e.Tenant.Secret
		if got := api(old); got != 200 { // and the API caches the tenant
			t.Fatalf("before rotation: %d", got)
		}

		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/developers"))
		browsertest.Submit(t, ctx, "form[action='/dashboard/developers/secret'] button")
		fresh := browsertest.Text(t, ctx, "#new-secret")
		if len(fresh) < 40 || fresh == old {
			t.Fatalf("new secret %q", fresh)
		}
		if e.Store.Engine() == "sqlite" {
			screenshot(t, ctx, "developers-rotated")
		}
		if got, want := api(old), 200; got != want {
			t.Errorf("old secret during the overlap: %d, want %d", got, want)
		}
		if got, want := api(fresh), 200; got != want {
			t.Errorf("new secret at once: %d, want %d", got, want)
		}
		if !strings.Contains(browsertest.Text(t, ctx, "#previous-secret"), "works until") {
			t.Errorf("the page does not say the previous secret still works")
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/developers/secret/retire'] button")
		if got, want := api(old), 401; got != want {
			t.Errorf("old secret after stopping it: %d, want %d", got, want)
		}
		if got, want := api(fresh), 200; got != want {
			t.Errorf("new secret after stopping the old: %d, want %d", got, want)
		}

		// The signing key.
		rc := newReceiver(t)
		signingKey := func() string {
			browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("details summary"))) // show it
			return browsertest.Text(t, ctx, "#signing-key")
		}
		oldKey := signingKey()
		if oldKey != e.Tenant.CallbackSigningKey {
			t.Fatalf("page shows key %q", oldKey)
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/developers/signing-key'] button")
		newKey := signingKey()
		if newKey == oldKey || !strings.HasPrefix(newKey, "whsec_") {
			t.Fatalf("new key %q", newKey)
		}
		sendTest := func() {
			browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/developers"), chromedp.Clear(chromedp.CSS("#test-url")),
				chromedp.SendKeys(chromedp.CSS("#test-url"), rc.srv.URL+"/hooks"))
			browsertest.Submit(t, ctx, "form[action='/dashboard/developers/test-callback'] button")
		}
		sendTest()
		cb := rc.wait(t, 1)
		if sigs := strings.Fields(cb.header.Get("webhook-signature")); len(sigs) != 2 {
			t.Errorf("during the overlap: signatures %q, want two", sigs)
		}
		for name, key := range map[string]string{"old": oldKey, "new": newKey} {
			if err := callback.Verify(key, cb.header, cb.body, 5*time.Minute, time.Now()); err != nil {
				t.Errorf("during the overlap the %s key does not verify: %v", name, err)
			}
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/developers/signing-key/retire'] button")
		sendTest()
		cb = rc.wait(t, 2)
		if err := callback.Verify(newKey, cb.header, cb.body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("after the overlap the new key does not verify: %v", err)
		}
		if err := callback.Verify(oldKey, cb.header, cb.body, 5*time.Minute, time.Now()); err == nil {
			t.Errorf("after the overlap the old key still verifies")
		}
		// The callback log shows both deliveries; the request log the four
		// calls that authenticated (a refused secret names no tenant).
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/developers"))
		page := browsertest.Text(t, ctx, "main")
		if strings.Count(page, "DELIVERED") < 2 || strings.Count(page, "GET /payments/api/v1/tenant") != 4 {
			t.Errorf("developers page lacks the deliveries or the requests:\n%s", page)
		}
		if e.Store.Engine() == "sqlite" {
			screenshot(t, ctx, "developers")
		}
	})
}
