// Package sms sends text messages through the 46elks HTTP API and parses
// its delivery reports. It knows nothing about links or storage: the
// caller (an outbox worker) passes plain strings and decides, with
// IsPermanent, whether a failed send is worth retrying.
package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one API call when the caller's http.Client has no
// timeout of its own.
const DefaultTimeout = 15 * time.Second

// maxResponse bounds how much of an API answer is read.
const maxResponse = 64 << 10

// ErrInvalidRequest is wrapped by errors for a send that cannot succeed
// whatever the gateway does (empty recipient or message). It is permanent.
var ErrInvalidRequest = errors.New("sms: invalid request")

// ErrBadResponse is wrapped when the gateway answered 2xx but the body was
// not the JSON we expect. The message may or may not have been accepted.
var ErrBadResponse = errors.New("sms: unexpected gateway response")

// APIError is a non-2xx answer from the gateway.
type APIError struct {
	StatusCode int
	Body       string // first bytes of the answer, for logs
}

func (e *APIError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("sms: gateway answered HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("sms: gateway answered HTTP %d: %s", e.StatusCode, e.Body)
}

// IsPermanent reports whether err means that sending the same message
// again will fail the same way: a 4xx answer other than 429 (bad number,
// bad credentials, insufficient request), or an invalid request caught
// before sending. Network errors, timeouts, 429, 5xx and unreadable
// answers are temporary and worth retrying.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidRequest) {
		return true
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 &&
			apiErr.StatusCode != http.StatusTooManyRequests &&
			apiErr.StatusCode != http.StatusRequestTimeout
	}
	return false
}

// ElksClient talks to the 46elks API.
type ElksClient struct {
	baseURL  string
	username string
	password string
	hc       *http.Client
}

// NewElksClient returns a client for the 46elks API at baseURL (e.g.
// "https://api.46elks.com"), authenticating with HTTP basic auth. A nil
// httpClient means a client with DefaultTimeout that follows no redirects.
func NewElksClient(baseURL, username, password string, httpClient *http.Client) *ElksClient {
	if httpClient == nil {
		httpClient = &http.Client{
			Timeout: DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	return &ElksClient{
		baseURL:  strings.TrimRight(baseURL, "/"),
		username: username,
		password: password,
		hc:       httpClient,
	}
}

// sendResponse is the part of 46elks's answer to POST /a1/sms we use.
type sendResponse struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Send sends message from sender (an E.164 number or an alphanumeric name
// of at most 11 characters) to the E.164 number to. If deliveryReportURL is
// not empty, 46elks POSTs the delivery report there (see
// ParseDeliveryReport). It returns 46elks's message id.
func (c *ElksClient) Send(ctx context.Context, from, to, message, deliveryReportURL string) (string, error) {
	if strings.TrimSpace(to) == "" {
		return "", fmt.Errorf("%w: no recipient", ErrInvalidRequest)
	}
	if strings.TrimSpace(from) == "" {
		return "", fmt.Errorf("%w: no sender", ErrInvalidRequest)
	}
	if strings.TrimSpace(message) == "" {
		return "", fmt.Errorf("%w: empty message", ErrInvalidRequest)
	}
	form := url.Values{}
	form.Set("from", from)
	form.Set("to", to)
	form.Set("message", message)
	if deliveryReportURL != "" {
		form.Set("whendelivered", deliveryReportURL)
	}

	if _, ok := ctx.Deadline(); !ok && c.hc.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/a1/sms", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	req.SetBasicAuth(c.username, c.password)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms: sending to gateway: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("sms: reading gateway answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &APIError{StatusCode: resp.StatusCode, Body: snippet(body)}
	}
	var sr sendResponse
	if err := json.Unmarshal(body, &sr); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	if sr.ID == "" {
		return "", fmt.Errorf("%w: no message id", ErrBadResponse)
	}
	return sr.ID, nil
}

// snippet returns the first bytes of b as one printable line.
func snippet(b []byte) string {
	const n = 200
	s := string(b)
	if len(s) > n {
		s = s[:n]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(strings.TrimSpace(s), ""))
}

// ParseGatewayURL splits a gateway setting such as
// "https://user:pass@api.46elks.com" into the base URL
// ("https://api.46elks.com"), the user name and the password. https is
// required, except plain http to a loopback host (local tests and
// simulators). Credentials are required.
func ParseGatewayURL(u string) (baseURL, username, password string, err error) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return "", "", "", fmt.Errorf("sms: gateway URL: %w", err)
	}
	switch p.Scheme {
	case "https":
	case "http":
		if !isLoopback(p.Hostname()) {
			return "", "", "", errors.New("sms: gateway URL must use https")
		}
	default:
		return "", "", "", fmt.Errorf("sms: gateway URL scheme %q, want https", p.Scheme)
	}
	if p.Host == "" || p.Hostname() == "" {
		return "", "", "", errors.New("sms: gateway URL has no host")
	}
	if p.User == nil || p.User.Username() == "" {
		return "", "", "", errors.New("sms: gateway URL has no user name (https://user:password@host)")
	}
	pass, ok := p.User.Password()
	if !ok || pass == "" {
		return "", "", "", errors.New("sms: gateway URL has no password (https://user:password@host)")
	}
	if p.RawQuery != "" || p.Fragment != "" {
		return "", "", "", errors.New("sms: gateway URL must not have a query or fragment")
	}
	base := url.URL{Scheme: p.Scheme, Host: p.Host, Path: strings.TrimRight(p.Path, "/")}
	return base.String(), p.User.Username(), pass, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
