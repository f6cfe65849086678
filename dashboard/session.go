package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"golang.org/x/time/rate"
)

// Cookie names. With https the session cookie takes the __Host- prefix,
// which browsers accept only Secure, host-only and for path /.
const (
	sessionCookie = "pinglinks_session"
	csrfCookie    = "pinglinks_csrf" // before sign-in: the double-submit token of the sign-in forms
	flashCookie   = "pinglinks_flash"
)

func (h *Handler) cookieName(base string) string {
	if h.secure() {
		return "__Host-" + base
	}
	return base
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		Secure: h.secure(), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

type signedInKey struct{}
type nonceKey struct{}

// signedIn is the request's session and its user.
type signedIn struct {
	session *account.Session
	user    *account.User
}

// userFrom is the signed-in user of a member route's request (nil on a
// public route without a session). Their TenantID scopes every store call.
func userFrom(ctx context.Context) *account.User {
	if s, _ := ctx.Value(signedInKey{}).(*signedIn); s != nil {
		return s.user
	}
	return nil
}

// sessionFrom is the request's session, or nil.
func sessionFrom(ctx context.Context) *account.Session {
	if s, _ := ctx.Value(signedInKey{}).(*signedIn); s != nil {
		return s.session
	}
	return nil
}

// requireRole refuses (403) a user whose role does not allow need. The
// route table applies it to every route; a handler that does more for
// some roles calls it for that part.
func requireRole(ctx context.Context, need account.Role) error {
	u := userFrom(ctx)
	if u == nil || sessionFrom(ctx).VerifiedAt == nil {
		return pinglinks.Errorf(pinglinks.ECodeUnauthorized, "please sign in")
	}
	if !u.Role.Allows(need) {
		return pinglinks.Forbidden("your role (%s) may not do this; ask an owner", u.Role)
	}
	return nil
}

// session finds the request's live session and its user; none is no error.
func (h *Handler) session(ctx context.Context, r *http.Request) (*account.Session, *account.User, error) {
	c, err := r.Cookie(h.cookieName(sessionCookie))
	if err != nil || len(c.Value) < 40 || len(c.Value) > 64 {
		return nil, nil, nil
	}
	s, err := h.Store.SessionByToken(ctx, account.HashToken(c.Value))
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	now := h.Now()
	if !s.Live(now) {
		h.Store.DeleteSession(ctx, s.TenantID, s.ID)
		return nil, nil, nil
	}
	u, err := h.Store.User(ctx, s.TenantID, s.UserID)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if enabled, err := h.Store.TenantEnabled(ctx, s.TenantID); err != nil {
		return nil, nil, err
	} else if !enabled {
		return nil, nil, nil // the operator disabled the tenant
	}
	// The idle clock restarts at most once a minute: not a write per page.
	if s.VerifiedAt != nil && now.Sub(s.SeenAt) > time.Minute {
		s.SeenAt = now
		if err := h.Store.SaveSession(ctx, s.TenantID, s); err != nil {
			return nil, nil, err
		}
	}
	return s, u, nil
}

// startSession signs u in on this browser: a new session (a new token:
// whatever session the browser had before is left behind) and its cookie.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *account.User, verified bool) (*account.Session, error) {
	if old := sessionFrom(r.Context()); old != nil {
		h.Store.DeleteSession(r.Context(), old.TenantID, old.ID)
	}
	s, token := account.NewSession(u, verified, h.Now())
	if err := h.Store.CreateSession(r.Context(), u.TenantID, s); err != nil {
		return nil, err
	}
	h.setCookie(w, sessionCookie, token, 0)
	return s, nil
}

// endSession signs this browser out.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	if s := sessionFrom(r.Context()); s != nil {
		if err := h.Store.DeleteSession(r.Context(), s.TenantID, s.ID); err != nil {
			return err
		}
	}
	h.setCookie(w, sessionCookie, "", -1)
	return nil
}

// csrfToken is the token the page's forms carry: the session's, or before
// sign-in the browser's csrf cookie (set here when it has none).
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if s := sessionFrom(r.Context()); s != nil {
		return s.CSRFToken
	}
	if c, err := r.Cookie(h.cookieName(csrfCookie)); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	t := randomString()
	h.setCookie(w, csrfCookie, t, 0)
	// A page rendered later in this request reads the same token.
	r.AddCookie(&http.Cookie{Name: h.cookieName(csrfCookie), Value: t})
	return t
}

// checkCSRF compares the posted csrf field with the expected token.
func (h *Handler) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	want := ""
	if s := sessionFrom(r.Context()); s != nil {
		want = s.CSRFToken
	} else if c, err := r.Cookie(h.cookieName(csrfCookie)); err == nil {
		want = c.Value
	}
	var got string
	if r.ParseMultipartForm(maxForm) != nil {
		if r.ParseForm() != nil {
			return false
		}
	}
	got = r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// nonce is the per-response CSP nonce of inline style and script.
func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// securityHeaders sets the page's policy: nothing runs or loads but what
// carries the nonce or comes from our own origin; no framing.
func securityHeaders(w http.ResponseWriter, n string) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+n+"'; script-src 'nonce-"+n+
		"'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("Cache-Control", "no-store")
}

// setFlash leaves a one-line message for the next page.
func setFlash(w http.ResponseWriter, secure bool, msg string) {
	name := flashCookie
	if secure {
		name = "__Host-" + flashCookie
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		Secure: secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash message.
func (h *Handler) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(h.cookieName(flashCookie))
	if err != nil {
		return ""
	}
	h.setCookie(w, flashCookie, "", -1)
	msg, _ := url.QueryUnescape(c.Value)
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// limiter is a token bucket per key (client address), forgetting keys
// that have been idle long enough to be full again.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func newLimiter(every rate.Limit, burst int) *limiter {
	return &limiter{every: every, burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for key; false once the bucket is empty.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Hour {
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// left reports whether key has a token left, without taking one.
func (l *limiter) left(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	return !ok || b.TokensAt(now) >= 1
}
