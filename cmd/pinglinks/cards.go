package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/pinglinks/pinglinks/card"
)

// cardFlags are serve's card processor settings (docs/cards.md).
type cardFlags struct {
	StripeSecretKey        string `name:"stripe-secret-key" env:"PINGLINKS_STRIPE_SECRET_KEY" placeholder:"KEY" help:"Production cards: the Stripe account's secret or restricted key, sk_live_…/rk_live_…."`
	StripeWebhookSecret    string `name:"stripe-webhook-secret" env:"PINGLINKS_STRIPE_WEBHOOK_SECRET" placeholder:"SECRET" help:"Production cards: the signing secret of the webhook endpoint /providers/payment_iq/webhook, whsec_…."`
	StripeTenantAccounts   string `name:"stripe-tenant-accounts" env:"PINGLINKS_STRIPE_TENANT_ACCOUNTS" placeholder:"FILE" help:"Production cards: JSON file of tenants' own Stripe accounts."`
	StripeWebhookTolerance string `name:"stripe-webhook-tolerance" env:"PINGLINKS_STRIPE_WEBHOOK_TOLERANCE" default:"5m" help:"How old a Stripe webhook's signature may be."`
}

// settings checks the card settings for env, before serve writes
// anything, and returns them for the platform.
func (c *cardFlags) settings(env string) (card.Settings, error) {
	d, err := time.ParseDuration(c.StripeWebhookTolerance)
	if err != nil {
		return card.Settings{}, fmt.Errorf("PINGLINKS_STRIPE_WEBHOOK_TOLERANCE must be a duration such as 5m")
	}
	s := card.Settings{StripeSecretKey: c.StripeSecretKey, StripeWebhookSecret: c.StripeWebhookSecret,
		StripeTenantAccounts: c.StripeTenantAccounts, WebhookTolerance: d}
	if s.Configured() && env != "production" {
		return card.Settings{}, errors.New("the Stripe settings (PINGLINKS_STRIPE_*) are for PINGLINKS_ENV=production; the sandbox simulates cards with its test cards")
	}
	if _, err := s.Connector(nil); err != nil {
		return card.Settings{}, err
	}
	return s, nil
}
