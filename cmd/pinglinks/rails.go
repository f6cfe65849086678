package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pinglinks/pinglinks/card"
)

// cardFromEnv reads the card processor's settings (docs/cards.md) from
// the environment; platform.New checks them. Swish's are flags (swish.go).
func cardFromEnv() (card.Settings, error) {
	duration := func(name string) (time.Duration, error) {
		v := os.Getenv(name)
		if v == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%s must be a duration such as 30s", name)
		}
		return d, nil
	}
	cs := card.Settings{StripeSecretKey: os.Getenv("PINGLINKS_STRIPE_SECRET_KEY"),
		StripeWebhookSecret:  os.Getenv("PINGLINKS_STRIPE_WEBHOOK_SECRET"),
		StripeTenantAccounts: os.Getenv("PINGLINKS_STRIPE_TENANT_ACCOUNTS")}
	var err error
	if cs.WebhookTolerance, err = duration("PINGLINKS_STRIPE_WEBHOOK_TOLERANCE"); err != nil {
		return cs, err
	}
	return cs, nil
}
