package callback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Timeout bounds one delivery attempt (docs/webhooks.md).
const Timeout = 15 * time.Second

// ErrForbiddenAddress is returned when a callback URL resolves to an address
// callbacks may not go to.
var ErrForbiddenAddress = errors.New("callback: destination address is private, loopback, link-local or otherwise special-purpose")

// guardian refuses every address in IANA's IPv4 and IPv6 special-purpose
// registries, and every IPv6 address outside global unicast — so the IPv6
// forms that carry an IPv4 address (NAT64, 6to4, IPv4-compatible, Teredo)
// are refused too. Callbacks may name any port.
var guardian = ssrf.New(ssrf.WithAnyPort())

// AllowedAddress reports whether a callback may be sent to ip.
func AllowedAddress(ip netip.Addr) bool {
	return ip.IsValid() && guardian.SafeAddr(ip) == nil
}

// guardDial refuses, at connect time, any address that is not allowed. It
// runs after DNS resolution on the address actually dialled, so a name that
// resolves (or re-resolves) to a private address cannot slip through.
func guardDial(network, address string, c syscall.RawConn) error {
	if err := guardian.Safe(network, address, c); err != nil {
		return fmt.Errorf("%w: %w", ErrForbiddenAddress, err)
	}
	return nil
}

// NewClient returns the HTTP client for deliveries: a 15 s timeout, no
// redirects followed, and outside the sandbox the address guard.
func NewClient(sandbox bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !sandbox {
		d.Control = guardDial
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the real destination from the guard
		DialContext:           func(ctx context.Context, n, a string) (net.Conn, error) { return d.DialContext(ctx, n, a) },
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: Timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
