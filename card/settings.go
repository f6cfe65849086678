package card

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/cardprocessor/stripe"
)

// Settings are the card connector's start-up settings: the
// installation's Stripe account and/or tenants' own accounts.
type Settings struct {
	// StripeSecretKey and StripeWebhookSecret are the installation's
	// account (PINGLINKS_STRIPE_SECRET_KEY, PINGLINKS_STRIPE_WEBHOOK_SECRET).
	StripeSecretKey, StripeWebhookSecret string
	// StripeTenantAccounts is a JSON file of tenants' own accounts
	// (PINGLINKS_STRIPE_TENANT_ACCOUNTS):
	//	{"<tenant id>": {"secret_key": "sk_live_…", "webhook_secret": "whsec_…"}}
	StripeTenantAccounts string
	// WebhookTolerance is how old a webhook's signature may be
	// (PINGLINKS_STRIPE_WEBHOOK_TOLERANCE, default 5m).
	WebhookTolerance time.Duration
	// APIURL and HTTPClient replace Stripe's API address and the client
	// that reaches it (tests: stripe-mock and a client trusting it).
	APIURL     string
	HTTPClient *http.Client
}

// Configured reports whether any card processor setting is given.
func (s Settings) Configured() bool {
	return s.StripeSecretKey != "" || s.StripeWebhookSecret != "" || s.StripeTenantAccounts != ""
}

// tenantAccount is one entry of the tenant accounts file.
type tenantAccount struct {
	SecretKey     string `json:"secret_key"`
	WebhookSecret string `json:"webhook_secret"`
}

// Connector checks the settings and connects the accounts; nil when none
// is configured. Every mistake is reported at once, none repeats a secret.
func (s Settings) Connector(log *slog.Logger) (*Connector, error) {
	if !s.Configured() {
		return nil, nil
	}
	if s.WebhookTolerance < 0 || s.WebhookTolerance > time.Hour {
		return nil, errors.New("card: the Stripe webhook tolerance must be between 0 (Stripe's default, 5m) and 1h")
	}
	c := &Connector{Log: log}
	stripeConfig := func(key, secret string) stripe.Config {
		return stripe.Config{SecretKey: key, WebhookSecret: secret, Tolerance: s.WebhookTolerance, APIURL: s.APIURL,
			HTTPClient: s.HTTPClient, Log: log}
	}
	var errs []error
	if s.StripeSecretKey != "" || s.StripeWebhookSecret != "" {
		p, err := stripe.New(stripeConfig(s.StripeSecretKey, s.StripeWebhookSecret))
		if err != nil {
			errs = append(errs, fmt.Errorf("the installation's Stripe account (PINGLINKS_STRIPE_SECRET_KEY, PINGLINKS_STRIPE_WEBHOOK_SECRET): %w", err))
		}
		c.Default = p
	}
	if s.StripeTenantAccounts != "" {
		b, err := os.ReadFile(s.StripeTenantAccounts)
		if err != nil {
			return nil, fmt.Errorf("card: the Stripe tenant accounts file (PINGLINKS_STRIPE_TENANT_ACCOUNTS): %w", err)
		}
		var accounts map[string]tenantAccount
		if err := json.Unmarshal(b, &accounts); err != nil {
			return nil, fmt.Errorf("card: the Stripe tenant accounts file %s must be a JSON object of tenant id → {\"secret_key\", \"webhook_secret\"}: %v",
				s.StripeTenantAccounts, err)
		}
		if len(accounts) == 0 {
			errs = append(errs, fmt.Errorf("the Stripe tenant accounts file %s lists no tenant", s.StripeTenantAccounts))
		}
		c.Tenants = map[uuid.UUID]cardprocessor.Processor{}
		for id, a := range accounts {
			tenant, err := uuid.Parse(id)
			if err != nil {
				errs = append(errs, fmt.Errorf("the Stripe tenant accounts file: %q is not a tenant id", id))
				continue
			}
			p, err := stripe.New(stripeConfig(a.SecretKey, a.WebhookSecret))
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %s's Stripe account: %w", tenant, err))
				continue
			}
			c.Tenants[tenant] = p
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("card: %w", err)
	}
	return c, nil
}
