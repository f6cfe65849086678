package redoc_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/internal/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// TestReferencePageRenders opens the platform's API reference page in
// Chromium: the vendored bundle must load from our origin under the page's
// Content-Security-Policy and render the document's operations, with
// nothing refused by the policy.
func TestReferencePageRenders(t *testing.T) {
	srv := &api.Server{Sandbox: true}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	srv.PublicURL = ts.URL

	// Redoc renders the whole document at once: on a busy machine that
	// takes longer than a checkout page.
	ctx := browsertest.TabFor(t, 5*time.Minute)
	var mu sync.Mutex
	var console []string
	started := make(chan struct{})
	go func() {
		seq := chromedp.Console(ctx)
		close(started)
		for msg, err := range seq {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, msg.String())
			mu.Unlock()
		}
	}()
	<-started

	browsertest.Do(t, ctx, chromedp.Navigate(ts.URL+"/docs/api"),
		chromedp.WaitVisible(chromedp.CSS(`[data-section-id="operation/createPaymentLink"]`)))
	heading := browsertest.Text(t, ctx, "h1")
	if !strings.Contains(heading, "Ping Payments Links") {
		t.Errorf("reference page's heading is %q", heading)
	}
	browsertest.Screenshot(t, ctx, "apiref", "reference", 2)

	mu.Lock()
	defer mu.Unlock()
	for _, m := range console {
		if strings.Contains(m, "https://cdn.redoc.ly/redoc/logo-mini.svg") {
			continue // the bundle's "powered by" logo: kept out by the policy, as it should be
		}
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Refused") {
			t.Errorf("the page's policy refused something: %s", m)
		}
	}
}
