package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"golang.org/x/time/rate"
)

// Failed authentication is limited per client address and per tenant id:
// each may fail authFailBurst times at once, then once per authFailEvery.
// While either is over its limit, requests from that address or for that
// tenant are answered 429 with Retry-After before any credential is looked
// at, so a flood of wrong secrets costs the server next to nothing.
const (
	authFailBurst = 20
	authFailEvery = time.Second
	// authFailKeep bounds the number of addresses and tenant ids tracked;
	// beyond it, those back at their full allowance are forgotten.
	authFailKeep = 10000
)

type authFailures struct {
	mu   sync.Mutex
	byID map[string]*rate.Limiter // "addr:…" and "tenant:…"
}

// blocked returns how long key must wait before its next attempt, or 0.
func (a *authFailures) blocked(keys []string, now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if l := a.byID[k]; l != nil {
			if tokens := l.TokensAt(now); tokens < 1 {
				d := time.Duration((1 - tokens) * float64(authFailEvery))
				wait = max(wait, d)
			}
		}
	}
	return wait
}

// failed counts a failed authentication against every key.
func (a *authFailures) failed(keys []string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byID == nil {
		a.byID = map[string]*rate.Limiter{}
	}
	if len(a.byID) >= authFailKeep {
		for k, l := range a.byID {
			if l.TokensAt(now) >= authFailBurst {
				delete(a.byID, k)
			}
		}
	}
	for _, k := range keys {
		l := a.byID[k]
		if l == nil {
			if len(a.byID) >= 2*authFailKeep {
				continue // under a flood of fresh keys the address limit still holds
			}
			l = rate.NewLimiter(rate.Every(authFailEvery), authFailBurst)
			a.byID[k] = l
		}
		l.AllowN(now, 1)
	}
}

// authKeys names the client address and the claimed tenant id of r.
func (s *Server) authKeys(r *http.Request) []string {
	keys := []string{"addr:" + s.clientAddr(r)}
	if id := r.Header.Get("tenant_id"); id != "" && len(id) <= 64 {
		keys = append(keys, "tenant:"+strings.ToLower(id))
	}
	return keys
}

// clientAddr is the client's address; behind a trusted reverse proxy, the
// last X-Forwarded-For entry (the one the proxy appended).
func (s *Server) clientAddr(r *http.Request) string {
	if s.TrustProxy {
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
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticateLimited is authenticate behind the failed-authentication limit.
func (s *Server) authenticateLimited(w http.ResponseWriter, r *http.Request) (*pinglinks.Tenant, error) {
	keys := s.authKeys(r)
	if wait := s.authFails.blocked(keys, time.Now()); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return nil, pinglinks.Errorf(pinglinks.ECodeRateLimited,
			"too many failed authentications from this address or for this tenant; retry after %d s", secs)
	}
	t, err := s.authenticate(r)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeUnauthorized {
		s.authFails.failed(keys, time.Now())
	}
	return t, err
}
