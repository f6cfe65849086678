// Package api serves the Payments API over HTTP: routing, authentication,
// the conventions of docs/api.md (errors, idempotency, pagination, limits) and
// one handler per endpoint. The rules themselves live in package pinglinks
// and the state in package store.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/reconcile"
	"github.com/pinglinks/pinglinks/requestlog"
	"github.com/pinglinks/pinglinks/store"
	"golang.org/x/time/rate"
)

// Server is the HTTP front of the platform.
type Server struct {
	Store *store.Store
	// Flow runs the use cases; nil is one over Store and Providers.
	Flow *flow.Flow
	Log  *slog.Logger
	// Sandbox approves merchants at once (SPEC §9); the sandbox's own
	// routes are an Extension.
	Sandbox bool
	// Providers are the installation's payment rails.
	Providers *provider.Registry
	// Extensions add routes of their own (the sandbox).
	Extensions []Extension
	// PublicURL is the base of checkout_url and file URLs, e.g. https://pay.example.
	PublicURL string
	// RateLimit and RateBurst bound each tenant's requests per second; zero
	// RateLimit disables limiting.
	RateLimit float64
	RateBurst int
	// Documents renders the PDFs served from /files/{token}.
	Documents Documents
	// Pages serves the HTML pages (checkout, sandbox simulators) under
	// their own prefixes; they are not part of the JSON API.
	Pages http.Handler
	// SMSReportSecret is the path secret of the SMS delivery report URL.
	SMSReportSecret string
	// Importer books the bank files the operator uploads.
	Importer *reconcile.Importer
	// Requests, if set, keeps each tenant's recent requests in memory for
	// the dashboard (package requestlog).
	Requests *requestlog.Log

	metrics  *metrics
	mux      *http.ServeMux // every route, plus a catch-all for JSON 404/405
	routes   *http.ServeMux // the real routes only, to tell 404 from 405
	limiters sync.Map       // tenant id → *rate.Limiter
	patterns []string       // every registered route, for the OpenAPI coverage test
	tenants  sync.Map       // tenant id → cachedTenant, to spare a query per request
	openAPI  []byte         // the document as served, with PublicURL as its server
	// TrustProxy: behind a reverse proxy, the client's address is the last
	// X-Forwarded-For entry (for the failed-authentication limit).
	TrustProxy bool
	authFails  authFailures
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	if s.mux == nil {
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Providers == nil {
			s.Providers = &provider.Registry{} // no rails: every method is refused
		}
		if s.Flow == nil {
			s.Flow = &flow.Flow{Store: s.Store, Rails: s.Providers}
		}
		s.mux, s.routes, s.metrics = http.NewServeMux(), http.NewServeMux(), newMetrics()
		s.openAPI = servedOpenAPI(s.PublicURL)
		s.registerRoutes()
		s.handle("GET /metrics", s.metrics.handler())
		s.mux.HandleFunc("/", s.notFoundOrMethod)
	}
	return s.observe(s.recoverPanics(s.metrics.instrument(s.mux)))
}

// Patterns lists the registered routes ("GET /payments/api/v1/tenant", …).
func (s *Server) Patterns() []string {
	s.Handler()
	return append([]string(nil), s.patterns...)
}

// apiFunc is a handler that returns its error instead of writing it, so
// errors are turned into responses in one place.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, h)
	s.routes.Handle(pattern, h)
}

// public registers a route that needs no authentication.
func (s *Server) public(pattern string, fn apiFunc) {
	s.handle(pattern, s.errors(fn))
}

// tenant registers a route for an authenticated tenant. Writes (POST, PUT)
// honour Idempotency-Key.
func (s *Server) tenant(pattern string, fn apiFunc) { s.tenantRoute(pattern, fn, false) }

// tenantDB registers a tenant's write whose only effects are rows in the
// database — it calls no payment provider and sends nothing itself — so its
// idempotency key may be written with its response at commit instead of
// claimed before it runs (store.IdempotentClaimLate): one statement and
// one round trip less on the API's busiest writes.
func (s *Server) tenantDB(pattern string, fn apiFunc) { s.tenantRoute(pattern, fn, true) }

func (s *Server) tenantRoute(pattern string, fn apiFunc, dbOnly bool) {
	write := strings.HasPrefix(pattern, "POST ") || strings.HasPrefix(pattern, "PUT ")
	s.handle(pattern, s.errors(func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.authenticateLimited(w, r)
		if err != nil {
			return err
		}
		if ri := infoFrom(r.Context()); ri != nil {
			ri.tenant = t.ID // for the access log
		}
		if err := s.limit(w, t.ID); err != nil {
			return err
		}
		if err := checkQuery(r.URL.Query()); err != nil {
			return err
		}
		r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, t))
		if write {
			return s.idempotent(w, r, t.ID, fn, dbOnly)
		}
		return fn(w, r)
	}))
}

func (s *Server) errors(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, s.Log, err)
		}
	})
}

func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeError(w, r, s.Log, pinglinks.Errorf(pinglinks.ECodeInternal, "internal error"))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// notFoundOrMethod answers every request no route matched: a JSON 405 with
// Allow when the path exists for other methods, else a JSON 404.
func (s *Server) notFoundOrMethod(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := s.routes.Handler(r2); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, s.Log, pinglinks.Errorf(pinglinks.ECodeMethodNotAllowed, "%s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
		return
	}
	writeError(w, r, s.Log, pinglinks.Errorf(pinglinks.ECodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}

type tenantKey struct{}

// tenantFrom returns the authenticated tenant of the request.
func tenantFrom(r *http.Request) *pinglinks.Tenant {
	return r.Context().Value(tenantKey{}).(*pinglinks.Tenant)
}

func (s *Server) authenticate(r *http.Request) (*pinglinks.Tenant, error) {
	unauthorized := pinglinks.Errorf(pinglinks.ECodeUnauthorized, "missing or wrong tenant_id / x-api-secret headers")
	id, err := uuid.Parse(r.Header.Get("tenant_id"))
	secret := r.Header.Get("x-api-secret")
	if err != nil || secret == "" {
		return nil, unauthorized
	}
	t, err := s.cachedTenantByID(r.Context(), id)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if !t.CheckSecret(secret, s.Store.Now()) || t.DisabledAt != nil {
		return nil, unauthorized
	}
	return t, nil
}

// tenantTTL bounds how stale a cached tenant may be. Tenants are never
// deleted; what can change (callback URLs, a secret rotated in the
// dashboard) is dropped from this process's cache (ForgetTenant) and read
// fresh by the store where it matters; other processes see it within the TTL.
const tenantTTL = 10 * time.Second

type cachedTenant struct {
	t       *pinglinks.Tenant
	fetched time.Time
}

func (s *Server) cachedTenantByID(ctx context.Context, id uuid.UUID) (*pinglinks.Tenant, error) {
	if v, ok := s.tenants.Load(id); ok && time.Since(v.(cachedTenant).fetched) < tenantTTL {
		return v.(cachedTenant).t, nil
	}
	t, err := s.Store.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	s.tenants.Store(id, cachedTenant{t, time.Now()})
	return t, nil
}

// ForgetTenant drops the cached copy of a tenant whose credentials changed
// (a rotated API secret), so the next request reads them afresh.
func (s *Server) ForgetTenant(id uuid.UUID) { s.tenants.Delete(id) }

func (s *Server) limit(w http.ResponseWriter, tenantID uuid.UUID) error {
	if s.RateLimit <= 0 {
		return nil
	}
	v, ok := s.limiters.Load(tenantID)
	if !ok {
		v, _ = s.limiters.LoadOrStore(tenantID, rate.NewLimiter(rate.Limit(s.RateLimit), s.RateBurst))
	}
	if !v.(*rate.Limiter).Allow() {
		w.Header().Set("Retry-After", "1")
		return pinglinks.Errorf(pinglinks.ECodeRateLimited, "too many requests; retry after a second")
	}
	return nil
}

// idempotencyHeader names the request header that carries an idempotency key.
const idempotencyHeader = "Idempotency-Key"

// errRefused tells the store's unit of work that the handler refused the
// request, so nothing it wrote may be kept.
var errRefused = errors.New("api: request refused")

// idempotent runs fn under the request's Idempotency-Key, if it has one
// (Stripe's semantics): the first response is stored and replayed for 24 h;
// the same key with another request is a 422. The handler's writes and the
// stored response are one transaction (store.Idempotent), so a crash or a
// timeout can never leave an object whose key would run the request again.
// The response is held back until that transaction has committed.
//
// dbOnly says fn's only effects are the unit's rows, so the key is claimed
// at commit (store.IdempotentClaimLate) and fn may run twice.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, tenantID uuid.UUID, fn apiFunc, dbOnly bool) error {
	key := r.Header.Get(idempotencyHeader)
	if key == "" {
		return fn(w, r)
	}
	if len(key) > 255 {
		return pinglinks.Invalid(idempotencyHeader, "must be at most 255 characters")
	}
	if err := checkText(idempotencyHeader, key); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	fingerprint := requestFingerprint(r.Method, r.URL.Path, body)
	run := s.Store.Idempotent
	if dbOnly {
		run = s.Store.IdempotentClaimLate
	}
	var rec *recorder
	replay, err := run(r.Context(), tenantID, key, fingerprint, func(ctx context.Context) (store.StoredResponse, error) {
		rec = &recorder{header: http.Header{}} // afresh each run: fn may run twice
		r := r.WithContext(ctx)
		r.Body = readCloser{bytes.NewReader(body)}
		if err := fn(rec, r); err != nil {
			writeError(rec, r, s.Log, err)
		}
		if rec.status >= 400 {
			return store.StoredResponse{}, errRefused
		}
		return store.StoredResponse{StatusCode: rec.status, Body: rec.body.Bytes()}, nil
	})
	switch {
	case errors.Is(err, errRefused):
		// A refusal is replayed like a success; a 5xx is not kept, so a
		// retry runs again.
		if rec.status < 500 {
			s.logErr(r.Context(), s.Store.RememberResponse(context.WithoutCancel(r.Context()), tenantID, key, fingerprint,
				store.StoredResponse{StatusCode: rec.status, Body: rec.body.Bytes()}))
		}
		rec.flush(w)
		return nil
	case errors.Is(err, store.ErrKeyReused):
		return &pinglinks.Error{Code: pinglinks.ECodeIdempotencyReused, Property: idempotencyHeader,
			Message: "this Idempotency-Key was used with a different request; use a new key"}
	case err != nil:
		return err
	case replay != nil:
		w.Header().Set("Idempotent-Replayed", "true")
		if len(replay.Body) > 0 {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(replay.StatusCode)
		w.Write(replay.Body)
		return nil
	}
	rec.flush(w)
	return nil
}

// requestFingerprint identifies a request by method, path and parsed body:
// the same JSON with other whitespace, key order or escapes is the same
// request. A body that is not JSON is taken as its bytes.
func requestFingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil && !dec.More() {
		canonical, err := json.Marshal(v) // object keys sorted, strings escaped one way
		if err == nil {
			body = canonical
		}
	}
	h.Write(bytes.TrimSpace(body))
	return hex.EncodeToString(h.Sum(nil))
}

// logErr logs an error that happens after the response was written.
func (s *Server) logErr(ctx context.Context, err error) error {
	if err != nil {
		s.Log.ErrorContext(ctx, "after response", "err", err)
	}
	return nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// recorder holds a response back until its transaction has committed.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// flush sends the held response.
func (r *recorder) flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	w.Write(r.body.Bytes())
}

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
