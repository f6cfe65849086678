package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pinglinks/pinglinks/third_party/redoc"
)

// TestServedDocumentNamesThisInstallation: /openapi.yaml names the public
// URL as its only server, and stays a valid OpenAPI 3.1 document.
func TestServedDocumentNamesThisInstallation(t *testing.T) {
	t.Parallel()
	for _, public := range []string{"https://pay.example", "https://pay.example/", `http://127.0.0.1:9/a "quoted" path`} {
		srv := &Server{Sandbox: true, PublicURL: public}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.yaml", nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/yaml" {
			t.Fatalf("%s: %d %s", public, rec.Code, rec.Header().Get("Content-Type"))
		}
		doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", public, err)
		}
		if err := doc.Validate(context.Background(), openapi3.IsOpenAPI31OrLater()); err != nil {
			t.Fatalf("%s: %v", public, err)
		}
		want := strings.TrimRight(public, "/")
		if len(doc.Servers) != 1 || doc.Servers[0].URL != want {
			t.Errorf("%s: servers %v, want just %q", public, doc.Servers, want)
		}
		if len(doc.Paths.Map()) == 0 || doc.Webhooks == nil {
			t.Errorf("%s: the rest of the document is lost", public)
		}
	}
}

// TestReferencePage: the page loads its script from our origin only, under a
// policy that allows no other origin; the script is served whole, gzipped
// when the client accepts it.
func TestReferencePage(t *testing.T) {
	t.Parallel()
	h := (&Server{Sandbox: true}).Handler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/docs/api", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") {
		t.Errorf("policy %q allows another origin", csp)
	}
	page := rec.Body.String()
	if !strings.Contains(page, `<script src="`+redocPath+`">`) || !strings.Contains(page, `spec-url="/openapi.yaml"`) {
		t.Errorf("page does not load the vendored bundle and the document:\n%s", page)
	}

	for _, gz := range []bool{false, true} {
		req := httptest.NewRequest("GET", redocPath, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip, br")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
			t.Fatalf("script (gzip %v): %d %s", gz, rec.Code, rec.Header().Get("Content-Type"))
		}
		body := rec.Body.Bytes()
		if gz {
			if rec.Header().Get("Content-Encoding") != "gzip" {
				t.Fatal("script not gzipped for a client that accepts it")
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(body, redoc.Standalone) {
			t.Errorf("script (gzip %v) is not the vendored bundle", gz)
		}
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/docs/api", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /docs/api: %d", rec.Code)
	}
}
