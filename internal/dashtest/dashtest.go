// Package dashtest signs people in to the dashboard for tests: it makes a
// tenant's user (with a password and, if asked, two-factor sign-in on) and
// signs them in over plain HTTP (a client with a cookie jar that fills in
// each form's CSRF token) or in headless Chromium (through the sign-in
// form, as a person would).
package dashtest

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/store"
)

// User is a dashboard user made for a test, with what signing in takes.
type User struct {
	*account.User
	Password string
	// TOTPSecret is set when two-factor sign-in is on.
	TOTPSecret string
	st         *store.Store
}

// Options change the user NewUser makes.
type Options struct {
	Email     string // default: a fresh address at example.com
	Name      string
	TwoFactor bool // enrol TOTP (the test plays the authenticator app)
}

// NewUser makes a user of the tenant with the role.
func NewUser(tb testing.TB, st *store.Store, tenantID uuid.UUID, role account.Role, o Options) *User {
	tb.Helper()
	if o.Email == "" {
		o.Email = fmt.Sprintf("%s-%s@example.com", role, uuid.NewString()[:8])
	}
	if o.Name == "" {
		o.Name = "Test " + role.Label()
	}
	pw := "correct horse " + uuid.NewString()[:8]
	u, err := account.NewUser(tenantID, o.Email, o.Name, pw, role, st.Now())
	if err != nil {
		tb.Fatal(err)
	}
	tu := &User{User: u, Password: pw, st: st}
	if o.TwoFactor {
		if _, err := u.StartTOTP("Ping Payments", st.Now()); err != nil {
			tb.Fatal(err)
		}
		now := st.Now()
		u.TOTPEnabledAt = &now
		tu.TOTPSecret = u.TOTPSecret
	}
	if err := st.CreateUser(context.Background(), tenantID, u); err != nil {
		tb.Fatal(err)
	}
	return tu
}

// NewTenant makes a sandbox tenant (with its default split tree).
func NewTenant(tb testing.TB, st *store.Store, name string) uuid.UUID {
	tb.Helper()
	t, tree, _, err := pinglinks.NewTenant(name, true, st.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.CreateTenant(context.Background(), t, tree); err != nil {
		tb.Fatal(err)
	}
	return t.ID
}

// Code is a TOTP code the server has not accepted yet: the current time
// step's, or the next one's when the current one was used (codes are good
// once). When both were used — a fast test signs in often — it waits for
// the next time step, as a person would wait for the next code.
func (u *User) Code(tb testing.TB) string {
	tb.Helper()
	for tries := 0; tries < 70; tries++ {
		fresh, err := u.st.User(context.Background(), u.TenantID, u.ID)
		if err != nil {
			tb.Fatal(err)
		}
		step := u.st.Now().Unix() / 30
		for _, s := range []int64{step, step + 1} {
			if s > fresh.TOTPLastStep {
				return account.TOTPCode(u.TOTPSecret, time.Unix(s*30, 0))
			}
		}
		time.Sleep(time.Second)
	}
	tb.Fatal("dashtest: no unused TOTP code after waiting 70 s (is the store's clock stopped?)")
	return ""
}

// Client is a browser over plain HTTP: a cookie jar, no redirects
// followed unless asked, and the CSRF token of the last page it read.
type Client struct {
	Base string
	HTTP *http.Client
	csrf string
}

// NewClient is a client without a session.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Page is a response with its body read.
type Page struct {
	Status   int
	Location string
	Body     string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Get reads a page and keeps its CSRF token.
func (c *Client) Get(tb testing.TB, path string) *Page {
	tb.Helper()
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	return c.read(tb, resp)
}

// Post posts a form with the CSRF token of the last page read (read one
// first: Get /dashboard/sign-in before signing in).
func (c *Client) Post(tb testing.TB, path string, form url.Values) *Page {
	tb.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("csrf") == "" {
		f.Set("csrf", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(f.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", path, err)
	}
	return c.read(tb, resp)
}

// CSRF is the token of the last page read.
func (c *Client) CSRF() string { return c.csrf }

func (c *Client) read(tb testing.TB, resp *http.Response) *Page {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if m := csrfField.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return &Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(b)}
}

// SignIn signs u in over HTTP (password, then code if two-factor is on)
// and returns the signed-in client.
func SignIn(tb testing.TB, base string, u *User) *Client {
	tb.Helper()
	c := NewClient(base)
	c.Get(tb, "/dashboard/sign-in")
	p := c.Post(tb, "/dashboard/sign-in", url.Values{"email": {u.Email}, "password": {u.Password}})
	if p.Status != http.StatusSeeOther {
		tb.Fatalf("sign-in: %d %s", p.Status, p.Body)
	}
	if strings.HasPrefix(p.Location, "/dashboard/sign-in/code") {
		c.Get(tb, "/dashboard/sign-in/code")
		p = c.Post(tb, "/dashboard/sign-in/code", url.Values{"code": {u.Code(tb)}})
		if p.Status != http.StatusSeeOther {
			tb.Fatalf("sign-in code: %d %s", p.Status, p.Body)
		}
	}
	if p := c.Get(tb, "/dashboard/"); p.Status != http.StatusOK {
		tb.Fatalf("after sign-in the overview answers %d", p.Status)
	}
	return c
}

// SignInBrowser signs u in in the browser tab ctx through the sign-in
// form (and the code form), ending on the overview.
func SignInBrowser(tb testing.TB, ctx context.Context, base string, u *User) {
	tb.Helper()
	browsertest.Do(tb, ctx, chromedp.Navigate(base+"/dashboard/sign-in"),
		chromedp.SendKeys(chromedp.CSS("#email"), u.Email), chromedp.SendKeys(chromedp.CSS("#password"), u.Password))
	browsertest.Submit(tb, ctx, "form[action='/dashboard/sign-in'] button")
	if u.TOTPSecret != "" {
		browsertest.Do(tb, ctx, chromedp.WaitVisible(chromedp.CSS("#code")), chromedp.SendKeys(chromedp.CSS("#code"), u.Code(tb)))
		browsertest.Submit(tb, ctx, "form[action='/dashboard/sign-in/code'] button")
	}
	browsertest.Do(tb, ctx, chromedp.WaitVisible(chromedp.CSS("nav[aria-label=Dashboard]")))
}

// Bind connects a user made elsewhere (signed up through an invitation)
// to the store, so Code can tell which TOTP codes are used.
func Bind(u *User, st *store.Store) *User {
	u.st = st
	return u
}
