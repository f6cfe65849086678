package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swishrail"
)

// swishFromEnv reads the Swish rail's settings (docs/swish.md) from the
// environment; platform.New checks them.
func swishFromEnv() (swishrail.Options, error) {
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
		return sw, err
	}
	return sw, nil
}
