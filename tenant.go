package pinglinks

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Tenant is a platform company that uses the APIs on behalf of its merchants.
type Tenant struct {
	ID                        uuid.UUID
	Name                      string
	SecretHash                []byte // SHA-256 of the API secret; the secret itself is never stored
	CallbackSigningKey        string
	MerchantStatusCallbackURL string
	DefaultSplitTreeID        uuid.UUID
	Sandbox                   bool
	CreatedAt                 time.Time
	// DisabledAt is when the operator disabled the tenant: its API calls
	// are refused and its links cannot be paid. Nil while enabled.
	DisabledAt *time.Time
}

// Disable turns the tenant off (SPEC §11); disabling twice is harmless.
func (t *Tenant) Disable(now time.Time) {
	if t.DisabledAt == nil {
		t.DisabledAt = &now
	}
}

// ProviderMethod names a way to pay, e.g. swish/e_commerce.
type ProviderMethod struct {
	Provider string `json:"provider"`
	Method   string `json:"method"`
}

// PingDeposit is the platform's own rail: a bank transfer to Ping's
// bankgiro or account with the link's reference, which the domain books
// (PaymentLink.TakeTransfer). Every other method, and which of them an
// installation offers, is the payment rails' business (package provider).
var PingDeposit = ProviderMethod{Provider: "ping", Method: "deposit"}

// ValidateCallbackURL checks an optional http(s) callback URL. An empty
// string is valid and means "no callbacks".
func ValidateCallbackURL(property, raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > 2048 {
		return Invalid(property, "must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid(property, "must be an absolute http or https URL")
	}
	if u.User != nil {
		return Invalid(property, "must not contain credentials")
	}
	return nil
}

// NewTenant makes a tenant with a fresh API secret, callback signing key and
// default split tree. The secret is returned once and only its hash is kept.
func NewTenant(name string, sandbox bool, now time.Time) (t *Tenant, tree *SplitTree, secret string, err error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, "", Invalid("name", "is required")
	}
	secret, err = randomToken(32)
	if err != nil {
		return nil, nil, "", err
	}
	// Standard Webhooks keys are "whsec_" + standard base64, which is what
	// verifiers in every language expect.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, "", fmt.Errorf("signing key: %w", err)
	}
	signing := base64.StdEncoding.EncodeToString(key)
	tree = &SplitTree{ID: NewID(), Name: "default", CreatedAt: now}
	t = &Tenant{ID: NewID(), Name: name, SecretHash: HashSecret(secret), CallbackSigningKey: "whsec_" + signing,
		DefaultSplitTreeID: tree.ID, Sandbox: sandbox, CreatedAt: now}
	tree.TenantID = t.ID
	return t, tree, secret, nil
}

// HashSecret returns the stored form of an API secret. Secrets are 256 random
// bits, so a plain SHA-256 suffices (no password stretching needed) and keeps
// authentication cheap on every request.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CheckSecret compares a presented secret with the stored hash in constant time.
func (t *Tenant) CheckSecret(secret string) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), t.SecretHash) == 1
}

// NewID returns a new time-ordered (version 7) UUID, so that id order is
// creation order and lists can page by id.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Operator is someone who runs the platform (SPEC §11): a credential
// distinct from every tenant's.
type Operator struct {
	ID         uuid.UUID
	Name       string
	SecretHash []byte
	CreatedAt  time.Time
}

// NewOperator makes an operator credential; the secret is returned once
// and only its hash is kept, as for tenants.
func NewOperator(name string, now time.Time) (*Operator, string, error) {
	if strings.TrimSpace(name) == "" {
		return nil, "", Invalid("name", "is required")
	}
	secret, err := randomToken(32)
	if err != nil {
		return nil, "", err
	}
	secret = "op_" + secret
	return &Operator{ID: NewID(), Name: name, SecretHash: HashSecret(secret), CreatedAt: now}, secret, nil
}
