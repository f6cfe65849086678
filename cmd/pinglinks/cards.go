package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pinglinks/pinglinks/card"
)

// cardSettings are serve's card processor settings (docs/cards.md).
type cardSettings struct {
	card.Settings
	tolerance string
}

func (c *cardSettings) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.StripeSecretKey, "stripe-secret-key", os.Getenv("PINGLINKS_STRIPE_SECRET_KEY"),
		"production cards: the Stripe account's secret or restricted key, sk_live_…/rk_live_… (PINGLINKS_STRIPE_SECRET_KEY)")
	fs.StringVar(&c.StripeWebhookSecret, "stripe-webhook-secret", os.Getenv("PINGLINKS_STRIPE_WEBHOOK_SECRET"),
		"production cards: the signing secret of the webhook endpoint /providers/payment_iq/webhook, whsec_… (PINGLINKS_STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&c.StripeTenantAccounts, "stripe-tenant-accounts", os.Getenv("PINGLINKS_STRIPE_TENANT_ACCOUNTS"),
		"production cards: JSON file of tenants' own Stripe accounts (PINGLINKS_STRIPE_TENANT_ACCOUNTS)")
	fs.StringVar(&c.tolerance, "stripe-webhook-tolerance", env("PINGLINKS_STRIPE_WEBHOOK_TOLERANCE", "5m"),
		"how old a Stripe webhook's signature may be (PINGLINKS_STRIPE_WEBHOOK_TOLERANCE)")
}

// settings checks the card settings for env, before serve writes
// anything, and returns them for the platform.
func (c *cardSettings) settings(env string) (card.Settings, error) {
	d, err := time.ParseDuration(c.tolerance)
	if err != nil {
		return card.Settings{}, fmt.Errorf("PINGLINKS_STRIPE_WEBHOOK_TOLERANCE must be a duration such as 5m")
	}
	c.WebhookTolerance = d
	if c.Configured() && env != "production" {
		return card.Settings{}, errors.New("the Stripe settings (PINGLINKS_STRIPE_*) are for PINGLINKS_ENV=production; the sandbox simulates cards with its test cards")
	}
	if _, err := c.Settings.Connector(nil); err != nil {
		return card.Settings{}, err
	}
	return c.Settings, nil
}
