// Package apitest runs the platform's HTTP API against a real store for
// integration tests, and checks every response it sees against the OpenAPI
// document.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

// Env is a running platform (API, checkout, files; workers on demand) on
// a fresh database with one tenant.
type Env struct {
	Store     *store.Store
	Flow      *flow.Flow // the platform's use cases
	Server    *httptest.Server
	API       *api.Server
	Platform  *platform.Platform
	Tenant    testdb.Tenant
	validator *Validator
}

// New starts a sandbox platform on a new database of the given engine,
// assembled as `pinglinks serve` assembles it.
func New(tb testing.TB, engine store.Engine) *Env {
	tb.Helper()
	return NewLogging(tb, engine, io.Discard)
}

// NewLogging is New with the platform's log (at debug level) written to w.
func NewLogging(tb testing.TB, engine store.Engine, w io.Writer) *Env {
	tb.Helper()
	return newEnv(tb, engine, w, true, nil)
}

// NewProduction starts a production platform (PINGLINKS_ENV=production)
// with a production tenant; edit, if not nil, changes the configuration
// (SMTP server, bank accounts …) before the platform is assembled.
func NewProduction(tb testing.TB, engine store.Engine, edit func(*platform.Config)) *Env {
	tb.Helper()
	return newEnv(tb, engine, io.Discard, false, edit)
}

func newEnv(tb testing.TB, engine store.Engine, w io.Writer, sandbox bool, edit func(*platform.Config)) *Env {
	st := testdb.Open(tb, engine)
	ts := httptest.NewUnstartedServer(nil)
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := platform.Config{Store: st, Log: log,
		Sandbox: sandbox, PublicURL: "http://" + ts.Listener.Addr().String(), SwishDelay: 300 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	p, err := platform.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts.Config.Handler = p.Handler()
	ts.Start()
	tb.Cleanup(ts.Close)
	var tenant testdb.Tenant
	if sandbox {
		tenant = testdb.NewTenant(tb, st, "Test tenant")
	} else {
		tenant = testdb.NewProductionTenant(tb, st, "Test tenant")
	}
	return &Env{Store: st, Flow: p.Flow, Server: ts, API: p.API, Platform: p, Tenant: tenant, validator: NewValidator(tb)}
}

// StartWorkers runs every background worker of the platform (callbacks,
// messages, expiry, the Swish simulator) until the test ends.
func (e *Env) StartWorkers(tb testing.TB) {
	e.Platform.Callbacks.Poll, e.Platform.Messages.Poll = 50*time.Millisecond, 50*time.Millisecond
	e.Platform.PollEvery = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	e.Platform.Run(ctx)
	tb.Cleanup(func() { cancel(); time.Sleep(20 * time.Millisecond) })
}

// Each runs f once per engine with a fresh Env.
func Each(t *testing.T, f func(t *testing.T, e *Env)) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) { f(t, New(t, engine)) })
	}
}

// Response is what a request got back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ID returns the "id" field of a JSON object body.
func (r *Response) ID(tb testing.TB) string {
	tb.Helper()
	var v struct{ ID string }
	r.JSON(tb, &v)
	if v.ID == "" {
		tb.Fatalf("no id in %d %s", r.Status, r.Body)
	}
	return v.ID
}

// ErrorAt returns the first error's code and property.
func (r *Response) ErrorAt(tb testing.TB) (code, property string) {
	tb.Helper()
	var v struct {
		Errors []struct{ Error, Description, Property string }
	}
	r.JSON(tb, &v)
	if len(v.Errors) == 0 {
		tb.Fatalf("no errors in %d %s", r.Status, r.Body)
	}
	return v.Errors[0].Error, v.Errors[0].Property
}

// Properties lists the property of every error in the body.
func (r *Response) Properties(tb testing.TB) []string {
	var v struct {
		Errors []struct{ Property string }
	}
	r.JSON(tb, &v)
	var out []string
	for _, e := range v.Errors {
		out = append(out, e.Property)
	}
	return out
}

// Do sends a request as the env's tenant. body may be nil, a string (sent
// as is) or any value (sent as JSON). Extra headers come in name, value pairs.
func (e *Env) Do(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	h := append([]string{"tenant_id", e.Tenant.ID.String(), "x-api-secret", e.Tenant.Secret}, headers...)
	return e.DoRaw(tb, method, path, body, h...)
}

// DoRaw sends a request with only the given headers (no credentials).
func (e *Env) DoRaw(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			tb.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, e.Server.URL+path, bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header[headers[i]] = []string{headers[i+1]} // keep names as given: tenant_id has an underscore
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(path, "/openapi.yaml") {
		e.validator.Check(tb, req, raw, resp, out)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// Want fails the test unless the response has the given status.
func (r *Response) Want(tb testing.TB, status int) *Response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// OtherTenant creates a second tenant in the env's store.
func OtherTenant(tb testing.TB, e *Env) testdb.Tenant {
	return testdb.NewTenant(tb, e.Store, "Other tenant")
}

// StartCallbacks runs a callback worker for the env's store until the test
// ends, woken by every commit as in `pinglinks serve`.
func (e *Env) StartCallbacks(tb testing.TB) {
	w := &callback.Worker{Store: e.Store, Client: callback.NewClient(true), Poll: 50 * time.Millisecond}
	e.Store.OnCommit = w.Notify
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done; e.Store.OnCommit = nil })
}
