package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/pinglinks/pinglinks/swishrail"
)

// swishFlags registers serve's Swish settings (docs/swish.md), each with
// its environment fallback; checkSwish parses the poll interval.
func swishFlags(fs *flag.FlagSet, o *swishrail.Options, pollAfter *string) {
	for _, f := range []struct {
		to                     *string
		name, env, description string
	}{
		{&o.URL, "swish-url", swishrail.EnvURL, "Swish Commerce API base URL, e.g. https://cpc.getswish.net/swish-cpcapi"},
		{&o.CertFile, "swish-cert", swishrail.EnvCert, "Swish client certificate (PEM)"},
		{&o.KeyFile, "swish-key", swishrail.EnvKey, "its private key (PEM)"},
		{&o.P12File, "swish-p12", swishrail.EnvP12, "or: the client certificate and key as PKCS#12"},
		{&o.P12Password, "swish-p12-password", swishrail.EnvP12Password, "the PKCS#12 file's password"},
		{&o.CAFile, "swish-ca", swishrail.EnvCA, "CA certificates (PEM) to trust for Swish's server; default the system's"},
		{&o.PayeeAlias, "swish-payee-alias", swishrail.EnvPayeeAlias, "the installation's Swish number (123XXXXXXX)"},
		{&o.TenantAliases, "swish-tenant-aliases", swishrail.EnvTenantAliases, "tenants' own Swish numbers: TENANT_ID=123XXXXXXX,…"},
		{&o.CallbackURL, "swish-callback-url", swishrail.EnvCallbackURL, "public https address of /providers/swish/; default PUBLIC_URL/providers/swish/"},
		{pollAfter, "swish-poll-after", swishrail.EnvPollAfter, "how long a Swish payment waits for its callback before it is polled, e.g. 10s"},
	} {
		fs.StringVar(f.to, f.name, env(f.env, ""), f.description+" ("+f.env+")")
	}
}

// checkSwish parses what swishFlags could not.
func checkSwish(o *swishrail.Options, pollAfter string) error {
	if pollAfter == "" {
		return nil
	}
	d, err := time.ParseDuration(pollAfter)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s must be a duration such as 10s, not %q", swishrail.EnvPollAfter, pollAfter)
	}
	o.PollAfter = d
	return nil
}
