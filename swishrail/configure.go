package swishrail

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/swish"
)

// Options are an installation's Swish settings as its configuration gives
// them (each a flag with an environment fallback; see docs/swish.md).
type Options struct {
	swish.Settings
	// CallbackURL is the public HTTPS address of /providers/swish/;
	// empty: PublicURL + "/providers/swish/".
	CallbackURL string
	// TenantAliases gives tenants their own Swish numbers:
	// "TENANT_ID=123XXXXXXX,TENANT_ID=123XXXXXXX".
	TenantAliases string
	// PollAfter overrides how long a payment waits for its callback
	// before it is polled.
	PollAfter time.Duration
}

// The names of the settings, as operators set them.
const (
	EnvURL           = "PINGLINKS_SWISH_URL"
	EnvCert          = "PINGLINKS_SWISH_CERT"
	EnvKey           = "PINGLINKS_SWISH_KEY"
	EnvP12           = "PINGLINKS_SWISH_P12"
	EnvP12Password   = "PINGLINKS_SWISH_P12_PASSWORD"
	EnvCA            = "PINGLINKS_SWISH_CA"
	EnvPayeeAlias    = "PINGLINKS_SWISH_PAYEE_ALIAS"
	EnvTenantAliases = "PINGLINKS_SWISH_TENANT_ALIASES"
	EnvCallbackURL   = "PINGLINKS_SWISH_CALLBACK_URL"
	EnvPollAfter     = "PINGLINKS_SWISH_POLL_AFTER"
)

// Configured reports whether any Swish setting is given.
func (o Options) Configured() bool {
	return o.Settings.Configured() || o.CallbackURL != "" || o.TenantAliases != ""
}

// Missing says what an installation lacks to offer Swish, for the 403 of
// a Swish payment it cannot take.
func (o Options) Missing() string {
	m := o.Settings.Missing(EnvURL, EnvCert, EnvKey, EnvP12, EnvPayeeAlias)
	if len(m) == 0 {
		return ""
	}
	return "Swish is not configured: set " + strings.Join(m, ", ") + " (see docs/swish.md)"
}

// Register puts Swish in reg as o configures it: the connector when every
// setting is given and consistent — an error naming the wrong one
// otherwise, which refuses start-up — and, when none is given, both Swish
// methods as missing, so using them is refused with 403 saying what to set.
func Register(reg *provider.Registry, o Options, publicURL string, now time.Time, log *slog.Logger) error {
	if !o.Configured() {
		what := o.Missing()
		reg.Missing(ECommerce, what)
		reg.Missing(MCommerce, what)
		return nil
	}
	if what := o.Missing(); what != "" {
		return errors.New(what)
	}
	client, err := o.Settings.Client(now)
	if err != nil {
		return err
	}
	aliases, err := ParseTenantAliases(o.TenantAliases)
	if err != nil {
		return err
	}
	callback := o.CallbackURL
	if callback == "" {
		callback = strings.TrimRight(publicURL, "/") + "/providers/swish/"
		if !strings.HasPrefix(callback, "https://") {
			return fmt.Errorf("swish calls back over HTTPS only: set %s to the public https address of /providers/swish/ (PINGLINKS_PUBLIC_URL is %s)", EnvCallbackURL, publicURL)
		}
	}
	c, err := New(Config{Swish: client, PayeeAlias: o.PayeeAlias, TenantAliases: aliases, CallbackURL: callback,
		PollAfter: o.PollAfter, Log: log})
	if err != nil {
		return err
	}
	reg.Register(c)
	return nil
}

// ParseTenantAliases reads "TENANT_ID=123XXXXXXX,…".
func ParseTenantAliases(s string) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		t, alias, ok := strings.Cut(pair, "=")
		id, err := uuid.Parse(strings.TrimSpace(t))
		alias = strings.TrimSpace(alias)
		if !ok || err != nil || !swish.ValidPayeeAlias(alias) {
			return nil, fmt.Errorf("%s: %q must be TENANT_ID=SWISH_NUMBER (a tenant's UUID and 10 digits starting 123)", EnvTenantAliases, pair)
		}
		out[id] = alias
	}
	return out, nil
}
