package apitest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/sandbox"
)

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	doc, err := apitest.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document declares openapi %q", doc.OpenAPI)
	}
}

// TestEveryRouteIsDocumented compares the server's routes with the
// document's operations, both ways.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc, err := apitest.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, p := range (&api.Server{Sandbox: true, Extensions: []api.Extension{&sandbox.Sandbox{}}}).Patterns() {
		routed[p] = true
		if !documented[p] {
			t.Errorf("route %s is not in openapi.yaml", p)
		}
	}
	var extra []string
	for op := range documented {
		if !routed[op] {
			extra = append(extra, op)
		}
	}
	sort.Strings(extra)
	for _, op := range extra {
		t.Errorf("openapi.yaml documents %s, which is not routed", op)
	}
}

// TestEveryOperationHasAnID: client generators and the reference page name
// operations by operationId, so every operation and webhook has one, and no
// two share it.
func TestEveryOperationHasAnID(t *testing.T) {
	doc, err := apitest.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	check := func(where string, item *openapi3.PathItem) {
		for method, op := range item.Operations() {
			name := method + " " + where
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", name)
			case seen[op.OperationID] != "":
				t.Errorf("%s and %s share the operationId %s", name, seen[op.OperationID], op.OperationID)
			}
			seen[op.OperationID] = name
		}
	}
	for path, item := range doc.Paths.Map() {
		check(path, item)
	}
	if len(doc.Webhooks) == 0 {
		t.Fatal("the document describes no webhooks")
	}
	for name, item := range doc.Webhooks {
		check("webhook "+name, item)
		for _, op := range item.Operations() {
			headers := map[string]bool{}
			for _, p := range op.Parameters {
				if p.Value.In == "header" && p.Value.Required {
					headers[p.Value.Name] = true
				}
			}
			for _, h := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
				if !headers[h] {
					t.Errorf("webhook %s does not describe its %s header", name, h)
				}
			}
		}
	}
}

// TestValidatorRejectsWrongResponses proves the check can fail: a response
// that breaks the document must be reported.
func TestValidatorRejectsWrongResponses(t *testing.T) {
	v := apitest.NewValidator(t)
	cases := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"undocumented status", "GET", "/payments/api/v1/tenant", 418, `{}`},
		{"missing required field", "GET", "/payments/api/v1/tenant", 200, `{"id":"01a2118b-a2cf-7446-afaa-c267239684c7"}`},
		{"wrong type", "POST", "/payments/api/v1/payment_orders", 200, `{"id":5}`},
		{"bad error body", "GET", "/payments/api/v1/merchants/x", 422, `{"error":"nope"}`},
		{"bad enum", "GET", "/payments/api/v1/payment_orders/01a2118b-a2cf-7446-afaa-c267239684c7", 200,
			`{"id":"01a2118b-a2cf-7446-afaa-c267239684c7","status":"DONE","created_at":"2026-01-01T00:00:00Z","currency":"SEK","split_tree_id":"01a2118b-a2cf-7446-afaa-c267239684c7"}`},
		{"undocumented path", "GET", "/payments/api/v1/secret", 200, `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			req := httptest.NewRequest(tc.method, tc.path, nil)
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader([]byte(tc.body)))}
			v.Check(rec, req, nil, resp, []byte(tc.body))
			if !rec.failed {
				t.Fatalf("validator accepted %s", tc.name)
			}
		})
	}
	// And a right one passes.
	rec := &recordingTB{TB: t}
	req := httptest.NewRequest("POST", "/payments/api/v1/payment_orders", nil)
	body := `{"id":"01a2118b-a2cf-7446-afaa-c267239684c7"}`
	v.Check(rec, req, nil, &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}, []byte(body))
	if rec.failed {
		t.Fatalf("validator rejected a correct response: %s", strings.Join(rec.msgs, "; "))
	}
}

// recordingTB notes failures instead of failing the real test.
type recordingTB struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
}
func (r *recordingTB) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recordingTB) Helper()                           {}
