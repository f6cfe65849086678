package main

import (
	"fmt"
	"time"

	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swishrail"
)

// swishFlags are serve's Swish settings (docs/swish.md); platform.New
// checks that they are whole and consistent.
type swishFlags struct {
	SwishURL           string `name:"swish-url" env:"PINGLINKS_SWISH_URL" placeholder:"URL" help:"Production Swish: the Commerce API's base URL, e.g. https://cpc.getswish.net/swish-cpcapi."`
	SwishCert          string `name:"swish-cert" env:"PINGLINKS_SWISH_CERT" placeholder:"FILE" help:"Swish client certificate (PEM)."`
	SwishKey           string `name:"swish-key" env:"PINGLINKS_SWISH_KEY" placeholder:"FILE" help:"Its private key (PEM)."`
	SwishP12           string `name:"swish-p12" env:"PINGLINKS_SWISH_P12" placeholder:"FILE" help:"Or: the client certificate and key as PKCS#12."`
	SwishP12Password   string `name:"swish-p12-password" env:"PINGLINKS_SWISH_P12_PASSWORD" placeholder:"PASSWORD" help:"The PKCS#12 file's password."`
	SwishCA            string `name:"swish-ca" env:"PINGLINKS_SWISH_CA" placeholder:"FILE" help:"CA certificates (PEM) to trust for Swish's server (default: the system's)."`
	SwishPayeeAlias    string `name:"swish-payee-alias" env:"PINGLINKS_SWISH_PAYEE_ALIAS" placeholder:"NUMBER" help:"The installation's Swish number (123XXXXXXX)."`
	SwishTenantAliases string `name:"swish-tenant-aliases" env:"PINGLINKS_SWISH_TENANT_ALIASES" placeholder:"LIST" help:"Tenants' own Swish numbers: TENANT_ID=123XXXXXXX,…."`
	SwishCallbackURL   string `name:"swish-callback-url" env:"PINGLINKS_SWISH_CALLBACK_URL" placeholder:"URL" help:"Public https address of /providers/swish/ (default: PUBLIC_URL/providers/swish/)."`
	SwishPollAfter     string `name:"swish-poll-after" env:"PINGLINKS_SWISH_POLL_AFTER" placeholder:"DURATION" help:"How long a Swish payment waits for its callback before it is polled, e.g. 10s."`
}

// options returns the Swish rail's settings, refusing what cannot be parsed.
func (f *swishFlags) options() (swishrail.Options, error) {
	o := swishrail.Options{Settings: swish.Settings{URL: f.SwishURL, CertFile: f.SwishCert, KeyFile: f.SwishKey,
		P12File: f.SwishP12, P12Password: f.SwishP12Password, CAFile: f.SwishCA, PayeeAlias: f.SwishPayeeAlias},
		CallbackURL: f.SwishCallbackURL, TenantAliases: f.SwishTenantAliases}
	if f.SwishPollAfter != "" {
		d, err := time.ParseDuration(f.SwishPollAfter)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("%s must be a duration such as 10s, not %q", swishrail.EnvPollAfter, f.SwishPollAfter)
		}
		o.PollAfter = d
	}
	return o, nil
}
