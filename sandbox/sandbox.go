// Package sandbox is everything the sandbox (PINGLINKS_ENV=sandbox) adds
// to the platform, and nothing in production knows of it: simulated rails
// that implement the same provider interfaces as the real connectors (the
// Swish simulator, the card processor simulator with its test cards and
// 3-D Secure issuer page, dummy/dummy), Mimic deposits, the outbox of
// messages kept instead of sent, the callback inbox and sandbox pay.
//
// The sandbox is shared by many tenants, so each of its pages shows one
// tenant's data to that tenant only: the JSON endpoints take the API's
// credentials, and the outbox page also opens with the tenant's secret
// link (OutboxURL), which `pinglinks tenant create` and the demo print.
package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/checkout"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

// Sandbox wires the sandbox into an assembled platform.
type Sandbox struct {
	Store *store.Store
	// Flow books Mimic deposits and sandbox payments; nil is flow.New(Store).
	Flow      *flow.Flow
	Providers *provider.Registry
	// Pages renders the simulators' pages in the checkout's frame.
	Pages *checkout.Handler
	Log   *slog.Logger
	// SwishDelay is how long the simulated Swish payer takes to answer
	// (PINGLINKS_SWISH_SIM_DELAY; default 3 s).
	SwishDelay time.Duration

	inbox inbox
}

// Register adds the simulated rails to the registry.
func (s *Sandbox) Register(r *provider.Registry) {
	delay := s.SwishDelay
	if delay <= 0 {
		delay = 3 * time.Second
	}
	r.Register(Swish{Delay: delay})
	r.Register(CardProcessor{})
	r.Register(Dummy{})
}

// Routes implements api.Extension: the sandbox's endpoints and pages.
func (s *Sandbox) Routes(m *api.Mux) {
	m.Tenant("POST /mimic/api/deposit_payment", s.mimicDeposit)
	m.Tenant("POST /sandbox/payment_links/{id}/pay", s.payLink)
	m.Public("POST /sandbox/inbox/{tenant_id}", s.receiveInbox(m))
	m.Tenant("GET /sandbox/inbox", s.readInbox)
	m.Public("GET /sandbox/outbox", s.outbox(m))
	m.Public("GET /sandbox/outbox/{id}", s.outboxMessage(m))
	pages := http.NewServeMux()
	pages.HandleFunc("GET /sandbox/3ds/{payment_id}", s.challengePage)
	pages.HandleFunc("POST /sandbox/3ds/{payment_id}", s.challengeAnswer)
	pages.HandleFunc("GET /sandbox/swish/{payment_id}", s.swishPage)
	pages.HandleFunc("POST /sandbox/swish/{payment_id}", s.swishAnswer)
	// The simulators' forms refuse cross-site posts, as the checkout's do.
	h := http.NewCrossOriginProtection().Handler(pages)
	m.Page("/sandbox/3ds/", h)
	m.Page("/sandbox/swish/", h)
}

// PageKey is the tenant's secret for the sandbox's pages: derived from its
// callback signing key, so only the tenant and the platform know it, and
// nothing new is stored.
func PageKey(t *pinglinks.Tenant) string {
	mac := hmac.New(sha256.New, []byte(t.CallbackSigningKey))
	mac.Write([]byte("pinglinks sandbox pages\x00" + t.ID.String()))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:24])
}

// OutboxURL is the tenant's secret link to its sandbox outbox.
func OutboxURL(publicURL string, t *pinglinks.Tenant) string {
	return strings.TrimRight(publicURL, "/") + "/sandbox/outbox?" + pageQuery(t)
}

func pageQuery(t *pinglinks.Tenant) string {
	return url.Values{"tenant_id": {t.ID.String()}, "key": {PageKey(t)}}.Encode()
}

// pageTenant is the tenant a sandbox page is for: the one whose secret
// link (tenant_id and key in the query) or API credentials (headers) the
// request carries. Anyone else is refused, as the API refuses them.
func pageTenant(m *api.Mux, r *http.Request) (*pinglinks.Tenant, error) {
	q := r.URL.Query()
	if !q.Has("key") {
		return m.Authenticate(r)
	}
	unauthorized := pinglinks.Errorf(pinglinks.ECodeUnauthorized, "this sandbox page needs the tenant's link (tenant_id and key) or its tenant_id and x-api-secret headers")
	id, err := uuidParam(q.Get("tenant_id"))
	if err != nil {
		return nil, unauthorized
	}
	t, err := m.TenantByID(r, id)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(q.Get("key")), []byte(PageKey(t))) {
		return nil, unauthorized
	}
	return t, nil
}

func (s *Sandbox) flow() *flow.Flow {
	if s.Flow != nil {
		return s.Flow
	}
	return flow.New(s.Store)
}
