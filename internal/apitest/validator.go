package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/pinglinks/pinglinks/api"
)

// Validator checks responses against the OpenAPI document served at
// /openapi.yaml, and remembers which operations and statuses it saw.
type Validator struct {
	doc    *openapi3.T
	router routers.Router

	mu   sync.Mutex
	seen map[string]bool
}

var (
	loadOnce sync.Once
	loaded   *openapi3.T
	loadErr  error
)

func init() {
	// Pages are documented as strings; kin-openapi decodes only text/plain that way.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

// LoadDocument parses and validates the embedded OpenAPI document.
func LoadDocument() (*openapi3.T, error) {
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		loaded, loadErr = loader.LoadFromData(api.OpenAPI)
		if loadErr == nil {
			loadErr = loaded.Validate(context.Background(), openapi3.IsOpenAPI31OrLater())
		}
	})
	return loaded, loadErr
}

// NewValidator loads the document, failing the test if it is invalid.
func NewValidator(tb testing.TB) *Validator {
	tb.Helper()
	doc, err := LoadDocument()
	if err != nil {
		tb.Fatalf("openapi.yaml: %v", err)
	}
	// Match routes by path only: the test server's address is not the document's.
	d := *doc
	d.Servers = nil
	router, err := gorillamux.NewRouter(&d)
	if err != nil {
		tb.Fatalf("openapi.yaml router: %v", err)
	}
	return &Validator{doc: doc, router: router, seen: map[string]bool{}}
}

// Check fails the test unless the response (status, content type and body)
// is one the document describes for the request's operation.
func (v *Validator) Check(tb testing.TB, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	tb.Helper()
	if strings.HasPrefix(req.URL.Path, "/checkout/") || strings.HasPrefix(req.URL.Path, "/sandbox/swish/") {
		return // HTML pages for payers, not part of the API document
	}
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			v.note(fmt.Sprintf("%s (unrouted) %d", req.Method, resp.StatusCode))
			return // unknown routes and methods are answered outside any operation
		}
		tb.Errorf("openapi: %s %s is not in the document (answered %d)", req.Method, req.URL.Path, resp.StatusCode)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(respBody)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("openapi: %s %s → %d does not match the document: %v\nbody: %.500s", req.Method, req.URL.Path, resp.StatusCode, err, respBody)
		return
	}
	v.note(fmt.Sprintf("%s %s %d", req.Method, route.Path, resp.StatusCode))
}

func (v *Validator) note(key string) {
	v.mu.Lock()
	v.seen[key] = true
	v.mu.Unlock()
}

// Covered lists the operation and status pairs checked so far, sorted.
func (v *Validator) Covered() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]string, 0, len(v.seen))
	for k := range v.seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
