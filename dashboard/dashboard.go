// Package dashboard serves the tenants' dashboard under /dashboard/: the
// pages where a tenant's people sign in (e-mail, password, TOTP code) and
// do in a browser what the API does — the team, the developers' keys,
// callbacks and request log, the checkout's branding, and (package
// dashboard's other files) links, orders and merchants.
//
// Pages are rendered on the server with html/template and work without
// JavaScript, in the checkout's look, readable on a phone. Every response
// carries a strict Content-Security-Policy whose nonce is the only way a
// style or script runs. Sessions live in the database (the cookie holds a
// random token, Secure when the public URL is https, HttpOnly,
// SameSite=Lax); every form carries a CSRF token and cross-origin posts are
// refused besides. The pages call the same domain and store methods as the
// API, never the HTTP API and never SQL of their own.
//
// # Adding a page
//
//  1. Add a line to the route table in routes.go: the method and pattern
//     (under /dashboard/), the least role that may use it (account.Viewer
//     for every signed-in user) and the handler. Nothing else registers
//     routes; the tenant-isolation test walks this table.
//  2. Write the handler as a pageFunc: it reads the signed-in user with
//     userFrom(ctx) (the tenant is user.TenantID: pass it to every store
//     call, so another tenant's ids are simply not found) and returns its
//     error (pinglinks.Error codes become 404, 403, 422 pages in one place).
//  3. Define its template with definePage(name, src): src defines
//     "content" (and may define "title"); the layout adds the head, the
//     navigation and the footer. Render it with h.render(w, r, status, page,
//     data); the data is reachable as .Data, the layout's fields (.CSRF,
//     .User, .Nonce) beside it.
//  4. Every <form method="post"> contains {{template "csrf" .}}; a POST
//     handler answers with a redirect (h.seeOther, with a flash message)
//     or with its form again showing the errors.
//  5. Add the page to the tour in dashboard_test.go, so the axe check and
//     the screenshots see it.
package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/requestlog"
	"github.com/pinglinks/pinglinks/store"
	"golang.org/x/time/rate"
)

// Handler serves the dashboard. Register it as an api.Extension; Init is
// called by Routes.
type Handler struct {
	Store *store.Store
	// Flow runs the use cases the pages share with the API.
	Flow *flow.Flow
	Log  *slog.Logger
	// PublicURL is the installation's base URL: links in e-mails start
	// with it, and an https URL makes the session cookie Secure.
	PublicURL string
	// Sandbox shows the sandbox banner on every page.
	Sandbox bool
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry (for the sign-in limits), as the checkout does.
	TrustProxy bool
	// TenantChanged is told when what the API caches of a tenant changes
	// (a rotated API secret, the default reminders), so the API forgets its
	// cached copy at once.
	TenantChanged func(tenantID uuid.UUID)
	// Requests is the API's in-memory log of each tenant's recent requests.
	Requests *requestlog.Log
	// Payments serves the links, orders and merchants pages.
	Payments Payments
	// Now is the clock; nil uses the store's.
	Now func() time.Time

	mux     *http.ServeMux
	signins *limiter // failed sign-in attempts per client address
}

// Init builds the routes; Routes calls it.
func (h *Handler) Init() {
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	if h.Now == nil {
		h.Now = h.Store.Now
	}
	h.PublicURL = strings.TrimRight(h.PublicURL, "/")
	// Ten failed sign-ins from one address at once, then one a minute:
	// enough for a fumbling person, too few to guess passwords.
	h.signins = newLimiter(rate.Every(time.Minute), 10)
	h.mux = http.NewServeMux()
	for _, rt := range h.routes() {
		h.mux.Handle(rt.Pattern, h.wrap(rt))
	}
	h.mux.Handle("/dashboard/", h.wrap(route{Pattern: "/dashboard/", Access: public, Handle: h.notFound}))
	h.mux.Handle("GET /dashboard", http.RedirectHandler("/dashboard/", http.StatusSeeOther))
}

// Routes registers the dashboard on the API's mux (api.Extension).
func (h *Handler) Routes(m *api.Mux) {
	h.Init()
	// Cross-site posts are refused by Sec-Fetch-Site/Origin as well as by
	// the forms' CSRF tokens.
	root := http.NewCrossOriginProtection().Handler(h.mux)
	m.Page("/dashboard/", root)
	m.Page("/dashboard", root)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.mux == nil {
		h.Init()
	}
	http.NewCrossOriginProtection().Handler(h.mux).ServeHTTP(w, r)
}

// pageFunc handles a page and returns its error, which wrap turns into
// the right error page.
type pageFunc func(w http.ResponseWriter, r *http.Request) error

// Access says who may reach a route.
type Access int

const (
	// public routes need no session (sign-in, invitation and reset links).
	public Access = iota
	// pending routes need a session that gave its password but not yet
	// its code.
	pending
	// member routes need a complete sign-in and the route's Role.
	member
)

// route is a line of the route table.
type route struct {
	Pattern string
	Access  Access
	// Role is the least role that may use a member route
	// (account.Role.Allows).
	Role   account.Role
	Handle pageFunc
}

// Route describes a registered route, for tests that walk every one.
type Route struct {
	Pattern string
	Public  bool // reachable without a complete sign-in
	Role    account.Role
}

// Routes lists the route table.
func (h *Handler) RouteTable() []Route {
	var out []Route
	for _, rt := range h.routes() {
		out = append(out, Route{Pattern: rt.Pattern, Public: rt.Access != member, Role: rt.Role})
	}
	return out
}

// wrap puts a route's checks around its handler: security headers, the
// session, the role, the CSRF token of a POST, and errors as pages.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := nonce()
		securityHeaders(w, n)
		ctx := context.WithValue(r.Context(), nonceKey{}, n)
		sess, user, err := h.session(ctx, r)
		if err != nil {
			h.fail(w, r.WithContext(ctx), err)
			return
		}
		if sess != nil {
			ctx = context.WithValue(ctx, signedInKey{}, &signedIn{session: sess, user: user})
		}
		r = r.WithContext(ctx)
		switch rt.Access {
		case pending:
			if sess == nil || sess.VerifiedAt != nil {
				h.seeOther(w, r, "/dashboard/sign-in", "")
				return
			}
		case member:
			if sess == nil || sess.VerifiedAt == nil {
				target := "/dashboard/sign-in"
				if r.Method == http.MethodGet && r.URL.Path != "/dashboard/" {
					target += "?next=" + r.URL.Path
				}
				h.seeOther(w, r, target, "")
				return
			}
			if !user.Role.Allows(rt.Role) {
				h.fail(w, r, pinglinks.Forbidden("your role (%s) may not do this; ask an owner", user.Role))
				return
			}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if !h.checkCSRF(w, r) {
				h.fail(w, r, errCSRF)
				return
			}
		}
		if err := rt.Handle(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// maxForm bounds a posted form (a logo upload is the largest).
const maxForm = 1 << 20

var errCSRF = pinglinks.Forbidden("this form has expired or did not come from this site; go back, reload the page and try again")

// fail answers err with an error page: the code of a pinglinks.Error picks
// the status; anything else is logged and answered 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, title := http.StatusInternalServerError, "Something went wrong"
	msg := "Something went wrong on our side. Please try again in a moment."
	var pe *pinglinks.Error
	var pes pinglinks.Errors
	switch {
	case errors.As(err, &pe):
		msg = pe.Message
		switch pe.Code {
		case pinglinks.ECodeNotFound:
			status, title = http.StatusNotFound, "Not found"
			msg = "There is nothing here: the address is wrong, or what it named is not yours to see."
		case pinglinks.ECodeForbidden, pinglinks.ECodeOrderClosed:
			status, title = http.StatusForbidden, "Not allowed"
		case pinglinks.ECodeInvalid, pinglinks.ECodeMalformed:
			status, title = http.StatusUnprocessableEntity, "Please check what you entered"
		case pinglinks.ECodeRateLimited:
			status, title = http.StatusTooManyRequests, "Too many attempts"
		case pinglinks.ECodeUnauthorized:
			status, title = http.StatusUnauthorized, "Please sign in"
		default:
			status, msg = http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
		}
	case errors.As(err, &pes) && len(pes) > 0:
		status, title, msg = http.StatusUnprocessableEntity, "Please check what you entered", pes[0].Message
	}
	if status == http.StatusInternalServerError {
		h.Log.ErrorContext(r.Context(), "dashboard", "path", r.URL.Path, "err", err)
	}
	h.render(w, r, status, errorPage, struct{ Title, Message string }{title, msg})
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return pinglinks.NotFound("page")
}

// seeOther redirects after a POST (or to the sign-in page), with an
// optional flash message for the next page.
func (h *Handler) seeOther(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		setFlash(w, h.secure(), flash)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// secure reports whether cookies must be Secure: the installation is
// served over https.
func (h *Handler) secure() bool { return strings.HasPrefix(h.PublicURL, "https://") }

// clientAddr is the browser's address, for the sign-in limit.
func (h *Handler) clientAddr(r *http.Request) string {
	if h.TrustProxy {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a := strings.TrimSpace(last); a != "" {
				return a
			}
		}
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host
}
