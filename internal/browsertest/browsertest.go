// Package browsertest drives Debian's headless Chromium for end-to-end
// tests: one browser per test binary, a fresh tab per test, CSS selectors,
// and screenshots saved as test artifacts. A missing Chromium fails the
// test: browser tests are not optional (.ci/run installs it).
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var browser struct {
	once   sync.Once
	ctx    context.Context
	err    error
	cancel func()
}

// Main runs a package's tests and then closes the browser; call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// start starts Chromium once, with the flags a closed network needs.
func start(t testing.TB) context.Context {
	t.Helper()
	browser.once.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			browser.err = fmt.Errorf("browser tests need Chromium: apt-get install -y chromium (make test does): %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "chromium-profile")
		if err != nil {
			browser.err = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path), chromedp.UserDataDir(dir),
			chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.WindowSize(420, 900))
		ctx, cancel := chromedp.NewContext(alloc)
		browser.cancel = func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
		if err := chromedp.Do(ctx); err != nil {
			browser.err = fmt.Errorf("starting chromium: %w", err)
			return
		}
		browser.ctx = ctx
	})
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	return browser.ctx
}

// Tab opens a fresh tab (a phone-sized window) for one test; it closes
// when the test ends, and gives up after a minute.
func Tab(t testing.TB) context.Context {
	t.Helper()
	return TabFor(t, 60*time.Second)
}

// TabFor is Tab giving up after d, for pages that take long to render on
// a busy machine.
func TabFor(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(start(t))
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// Do runs steps, failing the test on error.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Submit clicks the element sel selects (CSS) and waits for the page it
// leads to.
func Submit(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// Text is the visible text of the element sel selects (CSS).
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Screenshot saves the whole page as name.png in
// $PINGLINKS_ARTIFACTS/group, by default test-artifacts/group at the
// repository's root (relative to the test's package directory, depth up).
func Screenshot(t testing.TB, ctx context.Context, group, name string, depth int) {
	t.Helper()
	dir := os.Getenv("PINGLINKS_ARTIFACTS")
	if dir == "" {
		dir = "."
		for i := 0; i < depth; i++ {
			dir = filepath.Join(dir, "..")
		}
		dir = filepath.Join(dir, "test-artifacts")
	}
	dir = filepath.Join(dir, group)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// PrivateTab is TabFor in a browser context of its own, with its own
// cookies: test servers all listen on 127.0.0.1, and cookies know hosts,
// not ports, so tests that sign in while others run would otherwise
// replace each other's session cookies.
func PrivateTab(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(start(t), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}
