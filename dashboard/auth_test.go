package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/dashtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// each runs f on both engines with a fresh platform.
func each(t *testing.T, f func(t *testing.T, e *apitest.Env)) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			f(t, apitest.New(t, engine))
		})
	}
}

func TestSignInWithPassword(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		u := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Support, dashtest.Options{})
		c := dashtest.NewClient(e.Server.URL)
		if p := c.Get(t, "/dashboard/"); p.Status != http.StatusSeeOther || p.Location != "/dashboard/sign-in" {
			t.Fatalf("signed out, the overview answers %d → %q", p.Status, p.Location)
		}
		c.Get(t, "/dashboard/sign-in")
		p := c.Post(t, "/dashboard/sign-in", url.Values{"email": {u.Email}, "password": {"wrong password!"}})
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "e-mail address or the password is wrong") {
			t.Fatalf("wrong password: %d", p.Status)
		}
		p = c.Post(t, "/dashboard/sign-in", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {u.Password}})
		if p.Status != http.StatusSeeOther || p.Location != "/dashboard/" {
			t.Fatalf("right password: %d → %q", p.Status, p.Location)
		}
		home := c.Get(t, "/dashboard/")
		if home.Status != http.StatusOK || !strings.Contains(home.Body, "Test tenant") {
			t.Fatalf("overview: %d %s", home.Status, home.Body)
		}
		// A support user may not reach the developers' page.
		if p := c.Get(t, "/dashboard/developers"); p.Status != http.StatusForbidden {
			t.Errorf("support on developers: %d, want 403", p.Status)
		}
		// A form without the CSRF token is refused, with the session.
		if p := c.Post(t, "/dashboard/sign-out", url.Values{"csrf": {"forged"}}); p.Status != http.StatusForbidden {
			t.Errorf("sign-out with a wrong CSRF token: %d, want 403", p.Status)
		}
		if p := c.Post(t, "/dashboard/sign-out", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", p.Status)
		}
		if p := c.Get(t, "/dashboard/"); p.Status != http.StatusSeeOther {
			t.Errorf("after sign-out the overview answers %d", p.Status)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	u := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Viewer, dashtest.Options{})
	c := dashtest.NewClient(e.Server.URL)
	c.Get(t, "/dashboard/sign-in")
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/dashboard/sign-in", strings.NewReader(url.Values{
		"email": {u.Email}, "password": {u.Password}, "csrf": {c.CSRF()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name == "pinglinks_session" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/", ck)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	}
	// The CSP is strict: a nonce for the inline style and script, nothing else.
	page := c.HTTP
	r2, err := page.Get(e.Server.URL + "/dashboard/")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	csp := r2.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'nonce-", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	_ = context.Background()
}

// A form posted from another site is refused before the CSRF token is even
// read, valid token or not; behind a proxy that passes the Host header on
// (docs/production.md), the dashboard's own forms are not.
func TestCrossOriginFormsRefused(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	u := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Viewer, dashtest.Options{})
	for _, tc := range []struct {
		name         string
		host, origin string
		fetchSite    string
		want         int
	}{
		{"another site, by Sec-Fetch-Site", "", "", "cross-site", http.StatusForbidden},
		{"another site, by Origin", "", "https://evil.example", "", http.StatusForbidden},
		{"the proxy rewrote Host", "127.0.0.1:9", "https://pay.example.test", "", http.StatusForbidden},
		{"the proxy kept Host", "pay.example.test", "https://pay.example.test", "", http.StatusSeeOther},
	} {
		c := dashtest.NewClient(e.Server.URL)
		c.Get(t, "/dashboard/sign-in")
		form := url.Values{"email": {u.Email}, "password": {u.Password}, "csrf": {c.CSRF()}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/dashboard/sign-in", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.host != "" {
			// As a browser would for the public host (the client's jar files
			// cookies under req.Host, where it has none).
			base, _ := url.Parse(e.Server.URL)
			for _, ck := range c.HTTP.Jar.Cookies(base) {
				req.AddCookie(ck)
			}
			req.Host = tc.host
		}
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.fetchSite != "" {
			req.Header.Set("Sec-Fetch-Site", tc.fetchSite)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, resp.StatusCode, tc.want, regexp.MustCompile(`<h1>[^<]*</h1><p>[^<]*`).Find(body))
		} else if tc.want == http.StatusForbidden && !strings.Contains(string(body), "cross-origin") {
			t.Errorf("%s: refused, but not as a cross-origin request: %.300s", tc.name, body)
		}
	}
}
