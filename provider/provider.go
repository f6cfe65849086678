// Package provider starts payments with their payment providers. In the
// sandbox the providers are simulators; the dummy provider decides a
// payment's outcome from its parameters.
package provider

import (
	"encoding/json"
	"time"

	"github.com/pinglinks/pinglinks"
)

// DummyParameters are the provider_method_parameters of dummy/dummy.
type DummyParameters struct {
	DesiredPaymentStatus string `json:"desired_payment_status"`
}

// Validate checks the provider_method_parameters of a payment before it is saved.
func Validate(pm pinglinks.ProviderMethod, raw json.RawMessage) error {
	switch pm {
	case pinglinks.DummyDummy:
		_, err := dummyTarget(raw)
		return err
	}
	return pinglinks.Forbidden("%s/%s payments cannot be initiated through the Payments API yet; only dummy/dummy can", pm.Provider, pm.Method)
}

func dummyTarget(raw json.RawMessage) (string, error) {
	var p DummyParameters
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return "", pinglinks.Invalid("provider_method_parameters", "must be an object with desired_payment_status")
		}
	}
	if p.DesiredPaymentStatus == "" {
		return pinglinks.PaymentCompleted, nil
	}
	if !pinglinks.ValidPaymentStatus(p.DesiredPaymentStatus) || p.DesiredPaymentStatus == pinglinks.PaymentInitiated {
		return "", pinglinks.Invalid("provider_method_parameters.desired_payment_status", "must be a payment status other than INITIATED")
	}
	return p.DesiredPaymentStatus, nil
}

// Start runs the provider's first step for an INITIATED payment: it fills in
// the provider's response and moves the payment on as the provider says.
func Start(p *pinglinks.Payment, now time.Time) error {
	switch (pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}) {
	case pinglinks.DummyDummy:
		target, err := dummyTarget(p.ProviderMethodParameters)
		if err != nil {
			return err
		}
		p.ProviderMethodResponse = json.RawMessage(`{}`)
		return p.SetStatus(target, now)
	}
	return pinglinks.Forbidden("provider %s/%s is not available", p.Provider, p.Method)
}
