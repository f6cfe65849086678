package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// APIVersion is the x-api-version sent with list requests: from this
// version on, lists are paginated.
const APIVersion = "2025-03-06"

// Defaults of the options.
const (
	DefaultMaxRetries = 3
	DefaultMinBackoff = 200 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	DefaultUserAgent  = "pinglinks-go-client/1"
)

// MaxRetryAfter is the longest Retry-After the client waits for by itself;
// a longer one is returned to the caller as the error, rather than blocking
// a call that has no deadline for that long.
const MaxRetryAfter = time.Minute

// maxResponse bounds what is read of a response, so that a broken server or
// proxy cannot exhaust the caller's memory.
const maxResponse = 32 << 20

// Client calls the platform's APIs as one tenant. It is safe for concurrent
// use.
type Client struct {
	base       string // without a trailing slash
	tenantID   string
	secret     string
	http       *http.Client
	maxRetries int
	minBackoff time.Duration
	maxBackoff time.Duration
	userAgent  string
	baseErr    error // why base is unusable; every call returns it
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests with (a copy of) hc
// instead of http.DefaultClient. Redirects are never followed, whatever
// hc.CheckRedirect says: the API does not redirect, and Go would send the
// x-api-secret header on to wherever a redirect points.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithRetries sets how many times a failed call is tried again (0: never).
func WithRetries(n int) Option {
	return func(c *Client) { c.maxRetries = max(n, 0) }
}

// WithBackoff sets the first and the longest wait between retries; waits
// double from first up to longest, with jitter. A Retry-After of the server
// is honoured instead when it gives one.
func WithBackoff(first, longest time.Duration) Option {
	return func(c *Client) {
		if first > 0 {
			c.minBackoff = first
		}
		if longest > 0 {
			c.maxBackoff = longest
		}
		c.maxBackoff = max(c.maxBackoff, c.minBackoff)
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client of the platform at baseURL (e.g.
// "https://links.example"), authenticated as the tenant.
func New(baseURL, tenantID, secret string, opts ...Option) *Client {
	c := &Client{
		base:       strings.TrimRight(baseURL, "/"),
		tenantID:   tenantID,
		secret:     secret,
		http:       http.DefaultClient,
		maxRetries: DefaultMaxRetries,
		minBackoff: DefaultMinBackoff,
		maxBackoff: DefaultMaxBackoff,
		userAgent:  DefaultUserAgent,
	}
	for _, o := range opts {
		o(c)
	}
	hc := *c.http // a copy: the caller's client may be shared
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	if u, err := url.Parse(c.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.baseErr = fmt.Errorf("pinglinks: base URL %q is not an absolute http(s) URL", baseURL)
	}
	return c
}

// CallOption changes one call.
type CallOption func(*request)

// IdempotencyKey makes a write send key as its Idempotency-Key instead of a
// random one, e.g. to make it safe across restarts of the caller: the
// platform answers a repeat with the first answer. Use a key for one
// logical write only: the platform answers another body under the same key
// with 422. Reads ignore it.
func IdempotencyKey(key string) CallOption {
	return func(r *request) { r.key = key }
}

// newKey returns a random idempotency key (a version 4 UUID).
func newKey() string {
	var b [16]byte
	crand.Read(b[:]) // never fails (crypto/rand documents it)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// request is one logical call, tried one or more times.
type request struct {
	method    string
	path      string // path and query, relative to the base URL
	body      any    // marshalled to JSON when not nil
	paginated bool   // send x-api-version
	key       string // Idempotency-Key of a write; "" for a random one
}

// do performs a call, retrying the failures that are safe to retry, and
// decodes a successful response into out (if out is not nil).
func (c *Client) do(ctx context.Context, r request, out any, opts ...CallOption) error {
	for _, o := range opts {
		o(&r)
	}
	if c.baseErr != nil {
		return c.baseErr
	}
	var raw []byte
	if r.body != nil {
		var err error
		if raw, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("pinglinks: encode %s %s: %w", r.method, r.path, err)
		}
	}
	key := ""
	if r.method == http.MethodPost || r.method == http.MethodPut {
		// One key for every attempt: that is what makes retrying a write safe.
		key = r.key
		if key == "" {
			key = newKey()
		}
	}
	var prev error // the failure that led to this attempt
	for attempt := 0; ; attempt++ {
		wait, err := c.try(ctx, r, raw, key, out)
		if err != nil && prev != nil && ctx.Err() != nil {
			// The context ended during a retry: say so, and keep what
			// went wrong before, which is what the caller can act on.
			return fmt.Errorf("pinglinks: %s %s: %w (last attempt: %w)", r.method, r.path, ctx.Err(), prev)
		}
		if err == nil || wait < 0 || attempt >= c.maxRetries {
			return err
		}
		prev = err
		if wait > MaxRetryAfter {
			return err
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Waiting would outlive the context: give the caller the real
			// failure now rather than a deadline error later.
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("pinglinks: %s %s: %w (last attempt: %w)", r.method, r.path, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// try makes one attempt. wait says whether it may be retried: < 0 never,
// 0 after the usual backoff, > 0 after that long (Retry-After).
func (c *Client) try(ctx context.Context, r request, raw []byte, key string, out any) (wait time.Duration, err error) {
	var body io.Reader
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		return -1, fmt.Errorf("pinglinks: %s %s: %w", r.method, r.path, err)
	}
	// Set directly: Header.Set would canonicalise tenant_id to Tenant_id,
	// which some proxies treat as another header.
	req.Header["tenant_id"] = []string{c.tenantID}
	req.Header["x-api-secret"] = []string{c.secret}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if r.paginated {
		req.Header["x-api-version"] = []string{APIVersion}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return -1, fmt.Errorf("pinglinks: %s %s: %w", r.method, r.path, ctx.Err())
		}
		// No response: the request may or may not have arrived, which the
		// Idempotency-Key (writes) or safety (reads) makes harmless to repeat.
		return 0, fmt.Errorf("pinglinks: %s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		if ctx.Err() != nil {
			return -1, fmt.Errorf("pinglinks: %s %s: %w", r.method, r.path, ctx.Err())
		}
		if resp.StatusCode/100 == 2 {
			// The call took effect; only the answer was lost. Reads and
			// idempotent writes may be repeated to get it again.
			return 0, fmt.Errorf("pinglinks: %s %s: reading response: %w", r.method, r.path, err)
		}
		return -1, fmt.Errorf("pinglinks: %s %s: reading response: %w", r.method, r.path, err)
	}
	if resp.StatusCode/100 == 2 {
		if out == nil || resp.StatusCode == http.StatusNoContent {
			return -1, nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return -1, fmt.Errorf("pinglinks: %s %s: decode response: %w", r.method, r.path, err)
		}
		return -1, nil
	}
	apiErr := parseError(r.method, pathOnly(r.path), resp.StatusCode, data)
	switch resp.StatusCode {
	case http.StatusConflict, http.StatusBadGateway, http.StatusGatewayTimeout:
		return 0, apiErr
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return retryAfter(resp.Header.Get("Retry-After"), time.Now()), apiErr
	}
	return -1, apiErr
}

// backoff is the wait before retry number attempt+1: exponential, capped,
// with "equal jitter" so that many clients do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff
	for i := 0; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); 0 if
// absent or unusable, which means the usual backoff.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// pathOnly drops the query of a request path, for error messages.
func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// resolveNext turns a page's next href into a path relative to the base
// URL. The href is normally a path; an absolute URL is accepted only on the
// client's own origin, so that the tenant's secret never goes elsewhere.
func (c *Client) resolveNext(href string) (string, error) {
	u, err := url.Parse(href)
	if err != nil {
		return "", fmt.Errorf("pinglinks: next page link %q: %w", href, err)
	}
	if !u.IsAbs() {
		if !strings.HasPrefix(href, "/") {
			return "", fmt.Errorf("pinglinks: next page link %q is not a path", href)
		}
		return href, nil
	}
	b, err := url.Parse(c.base)
	if err != nil || b.Scheme != u.Scheme || b.Host != u.Host {
		return "", fmt.Errorf("pinglinks: next page link %q is on another origin", href)
	}
	// The base may carry a path prefix (a reverse proxy's); c.base is
	// prepended again when the page is fetched.
	rest, ok := strings.CutPrefix(u.RequestURI(), b.Path)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("pinglinks: next page link %q is outside the base URL", href)
	}
	return rest, nil
}
