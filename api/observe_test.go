package api_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/testdb"
)

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// line is the log line that contains every one of parts, or "".
func (b *logBuffer) line(parts ...string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
next:
	for _, l := range strings.Split(b.buf.String(), "\n") {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		return l
	}
	return ""
}

// TestRequestIDAndAccessLog: every response names its request, the access
// log has one line per request with route pattern, status, duration and
// tenant, and a server error is logged under the id the caller was given.
func TestRequestIDAndAccessLog(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			var logs logBuffer
			e := apitest.NewLogging(t, engine, &logs)
			idFormat := regexp.MustCompile(`^[0-9a-f]{24}$`)

			for _, tt := range []struct {
				name, method, path string
				auth               bool
				header             string // Request-Id sent
				status             int
				route              string
				keepsID            bool
			}{
				{"authenticated", "GET", "/payments/api/v1/tenant", true, "", 200, `route="GET /payments/api/v1/tenant"`, false},
				{"unauthenticated", "GET", "/payments/api/v1/tenant", false, "", 401, `route="GET /payments/api/v1/tenant"`, false},
				{"no route", "GET", "/nowhere/" + e.Tenant.ID.String(), true, "", 404, "route=unmatched", false},
				{"proxy's id kept", "GET", "/payments/api/v1/tenant", true, "edge-42.abc", 200, `route="GET /payments/api/v1/tenant"`, true},
				{"unsafe id replaced", "GET", "/payments/api/v1/tenant", true, "x\"y z", 200, `route="GET /payments/api/v1/tenant"`, false},
				{"overlong id replaced", "GET", "/payments/api/v1/tenant", true, strings.Repeat("a", 65), 200, `route="GET /payments/api/v1/tenant"`, false},
			} {
				var headers []string
				if tt.header != "" {
					headers = []string{"Request-Id", tt.header}
				}
				var resp *apitest.Response
				if tt.auth {
					resp = e.Do(t, tt.method, tt.path, nil, headers...)
				} else {
					resp = e.DoRaw(t, tt.method, tt.path, nil, headers...)
				}
				resp.Want(t, tt.status)
				id := resp.Header.Get("Request-Id")
				if tt.keepsID && id != tt.header || !tt.keepsID && !idFormat.MatchString(id) {
					t.Errorf("%s: Request-Id %q (sent %q)", tt.name, id, tt.header)
				}
				line := logs.line("msg=request", "request_id="+id)
				if line == "" {
					t.Fatalf("%s: no access log line for request %s", tt.name, id)
				}
				for _, want := range []string{"method=" + tt.method, tt.route, "status=" + itoa(tt.status), "duration_ms="} {
					if !strings.Contains(line, want) {
						t.Errorf("%s: access log %q lacks %q", tt.name, line, want)
					}
				}
				if hasTenant := strings.Contains(line, "tenant="+e.Tenant.ID.String()); hasTenant != (tt.auth && tt.status < 400) {
					t.Errorf("%s: tenant in access log = %v: %q", tt.name, hasTenant, line)
				}
				if strings.Contains(line, e.Tenant.ID.String()) && tt.status == 404 && strings.Contains(line, "/nowhere/") {
					t.Errorf("%s: the raw path is logged: %q", tt.name, line)
				}
			}

			// A failure the caller cannot fix is logged under the id the
			// caller got, and the answer names it.
			e.Store.Close()
			resp := e.Do(t, "GET", "/payments/api/v1/payment_orders/"+e.Tenant.ID.String(), nil).Want(t, 500)
			id := resp.Header.Get("Request-Id")
			if !strings.Contains(string(resp.Body), "request "+id) {
				t.Errorf("500 body does not name request %s: %s", id, resp.Body)
			}
			if logs.line("level=ERROR", "request failed", "request_id="+id) == "" {
				t.Errorf("the error is not logged under request %s:\n%s", id, logs.buf.String())
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
