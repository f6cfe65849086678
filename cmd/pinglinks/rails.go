package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pinglinks/pinglinks/card"
	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swishrail"
)

// railsFromEnv reads the production rails' settings (docs/swish.md,
// docs/cards.md) from the environment; platform.New checks them.
func railsFromEnv() (swishrail.Options, card.Settings, error) {
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
	sw := swishrail.Options{Settings: swish.Settings{URL: os.Getenv(swishrail.EnvURL), CertFile: os.Getenv(swishrail.EnvCert),
		KeyFile: os.Getenv(swishrail.EnvKey), P12File: os.Getenv(swishrail.EnvP12), P12Password: os.Getenv(swishrail.EnvP12Password),
		CAFile: os.Getenv(swishrail.EnvCA), PayeeAlias: os.Getenv(swishrail.EnvPayeeAlias)},
		CallbackURL: os.Getenv(swishrail.EnvCallbackURL), TenantAliases: os.Getenv(swishrail.EnvTenantAliases)}
	var err error
	if sw.PollAfter, err = duration(swishrail.EnvPollAfter); err != nil {
		return sw, card.Settings{}, err
	}
	cs := card.Settings{StripeSecretKey: os.Getenv("PINGLINKS_STRIPE_SECRET_KEY"),
		StripeWebhookSecret:  os.Getenv("PINGLINKS_STRIPE_WEBHOOK_SECRET"),
		StripeTenantAccounts: os.Getenv("PINGLINKS_STRIPE_TENANT_ACCOUNTS")}
	if cs.WebhookTolerance, err = duration("PINGLINKS_STRIPE_WEBHOOK_TOLERANCE"); err != nil {
		return sw, cs, err
	}
	return sw, cs, nil
}
