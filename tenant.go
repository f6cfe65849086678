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
	// During a rotation (RotateSecret, RotateSigningKey) the previous API
	// secret still authenticates, and callbacks carry a signature made with
	// the previous signing key too, until their Expires.
	PreviousSecretHash        []byte
	PreviousSecretExpires     *time.Time
	PreviousSigningKey        string
	PreviousSigningKeyExpires *time.Time
	// Reminders are the tenant's default reminders for new links that ask
	// for none themselves (nil: none).
	Reminders *Reminders
}

// Rotation overlaps: how long the previous secret or key keeps working.
const (
	DefaultRotationOverlap = 24 * time.Hour
	MaxRotationOverlap     = 30 * 24 * time.Hour
)

func checkOverlap(overlap time.Duration) error {
	if overlap < 0 || overlap > MaxRotationOverlap {
		return Invalid("overlap", "must be between 0 and 30 days")
	}
	return nil
}

// RotateSecret gives the tenant a new API secret, returned once; the
// current one keeps working for overlap (0 retires it at once), so
// integrations can switch without a failed request.
func (t *Tenant) RotateSecret(now time.Time, overlap time.Duration) (string, error) {
	if err := checkOverlap(overlap); err != nil {
		return "", err
	}
	secret, err := randomToken(32)
	if err != nil {
		return "", err
	}
	until := now.Add(overlap)
	t.PreviousSecretHash, t.PreviousSecretExpires = t.SecretHash, &until
	t.SecretHash = HashSecret(secret)
	return secret, nil
}

// RetirePreviousSecret ends the overlap now.
func (t *Tenant) RetirePreviousSecret() { t.PreviousSecretHash, t.PreviousSecretExpires = nil, nil }

// RotateSigningKey gives the tenant a new callback signing key; for
// overlap every callback is signed with both keys (Standard Webhooks
// allows several signatures), so receivers can switch keys in their own
// time.
func (t *Tenant) RotateSigningKey(now time.Time, overlap time.Duration) error {
	if err := checkOverlap(overlap); err != nil {
		return err
	}
	key, err := newSigningKey()
	if err != nil {
		return err
	}
	until := now.Add(overlap)
	t.PreviousSigningKey, t.PreviousSigningKeyExpires = t.CallbackSigningKey, &until
	t.CallbackSigningKey = key
	return nil
}

// RetirePreviousSigningKey ends the signing key's overlap now.
func (t *Tenant) RetirePreviousSigningKey() {
	t.PreviousSigningKey, t.PreviousSigningKeyExpires = "", nil
}

// PreviousSecretLive reports whether the previous secret still works at now.
func (t *Tenant) PreviousSecretLive(now time.Time) bool {
	return len(t.PreviousSecretHash) > 0 && t.PreviousSecretExpires != nil && now.Before(*t.PreviousSecretExpires)
}

// PreviousSigningKeyLive reports whether callbacks are still signed with
// the previous key at now.
func (t *Tenant) PreviousSigningKeyLive(now time.Time) bool {
	return t.PreviousSigningKey != "" && t.PreviousSigningKeyExpires != nil && now.Before(*t.PreviousSigningKeyExpires)
}

func newSigningKey() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key), nil
}

// Disable turns the tenant off (docs/operator.md); disabling twice is harmless.
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
	signing, err := newSigningKey()
	if err != nil {
		return nil, nil, "", err
	}
	tree = &SplitTree{ID: NewID(), Name: "default", CreatedAt: now}
	t = &Tenant{ID: NewID(), Name: name, SecretHash: HashSecret(secret), CallbackSigningKey: signing,
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

// CheckSecret compares a presented secret with the stored hash in
// constant time; during a rotation's overlap (until now) the previous
// secret matches too.
func (t *Tenant) CheckSecret(secret string, now time.Time) bool {
	h := HashSecret(secret)
	if subtle.ConstantTimeCompare(h, t.SecretHash) == 1 {
		return true
	}
	return t.PreviousSecretLive(now) && subtle.ConstantTimeCompare(h, t.PreviousSecretHash) == 1
}

// NewID returns a new time-ordered (version 7) UUID, so that id order is
// creation order and lists can page by id.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// NewIDAt returns a new version 7 UUID of createdAt, for an object whose
// creation time is stored beside its id: a filter on the creation time is
// then exactly a range of ids, which the (tenant_id, id) indexes serve
// without an index of their own. The 48-bit time is createdAt's
// millisecond and the 12 bits after the version its fraction of the
// millisecond (RFC 9562's increased clock precision), so ids sort as the
// creation times do, to the microsecond; the rest is random.
func NewIDAt(createdAt time.Time) uuid.UUID {
	id := NewID()
	ms := uint64(createdAt.UnixMilli())
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
	frac := createdAt.Nanosecond() % int(time.Millisecond) * 4096 / int(time.Millisecond)
	id[6] = 0x70 | byte(frac>>8)
	id[7] = byte(frac)
	return id
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Operator is someone who runs the platform (docs/operator.md): a credential
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
