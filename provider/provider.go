// Package provider starts payments with their payment providers. In the
// sandbox the providers are simulators; the dummy provider decides a
// payment's outcome from its parameters.
package provider

import (
	"encoding/json"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/phone"
)

// DummyParameters are the provider_method_parameters of dummy/dummy.
type DummyParameters struct {
	DesiredPaymentStatus string `json:"desired_payment_status"`
}

// Validate checks the provider_method_parameters of a payment initiated
// through the Payments API before it is saved. Swish takes the payer's
// number (e-commerce) and an optional message; cards and bank transfers are
// paid on a payment link's hosted checkout, which collects what they need.
func Validate(pm pinglinks.ProviderMethod, raw json.RawMessage) error {
	switch pm {
	case pinglinks.DummyDummy:
		_, err := dummyTarget(raw)
		return err
	case pinglinks.ProviderMethod{Provider: "swish", Method: "e_commerce"}, pinglinks.ProviderMethod{Provider: "swish", Method: "m_commerce"}:
		_, err := swishParameters(pm.Method, raw)
		return err
	}
	return pinglinks.Forbidden("%s/%s payments are made on a payment link's hosted checkout; the Payments API initiates dummy and swish payments", pm.Provider, pm.Method)
}

// Simulated reports whether pm is served by one of this build's sandbox
// simulators rather than by a connection to the real provider. Outside the
// sandbox such a method must not be offered: a test card would "pay".
func Simulated(pm pinglinks.ProviderMethod) bool {
	return pm.Provider == "swish" || pm.Provider == "payment_iq" || pm == pinglinks.DummyDummy
}

// ErrNotConnected refuses a simulated method outside the sandbox.
func ErrNotConnected(pm pinglinks.ProviderMethod) error {
	return pinglinks.Forbidden("%s/%s is not connected to its provider in this installation; only the sandbox simulates it", pm.Provider, pm.Method)
}

// SwishAPIParameters are the provider_method_parameters of a Swish payment
// initiated through the Payments API.
type SwishAPIParameters struct {
	PhoneNumber  string `json:"phone_number"`
	SwishMessage string `json:"swish_message"`
}

func swishParameters(method string, raw json.RawMessage) (SwishAPIParameters, error) {
	var p SwishAPIParameters
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, pinglinks.Invalid("provider_method_parameters", "must be an object with phone_number and swish_message")
		}
	}
	var errs pinglinks.Errors
	if method == "e_commerce" {
		if _, err := phone.SwishNumber(p.PhoneNumber); err != nil {
			errs.Add("provider_method_parameters.phone_number", "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
	}
	if !pinglinks.ValidSwishMessage(p.SwishMessage) {
		errs.Add("provider_method_parameters.swish_message", "must be at most 50 characters from the Swish character set")
	}
	return p, errs.Err()
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
	pm := pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}
	switch pm {
	case pinglinks.DummyDummy:
		target, err := dummyTarget(p.ProviderMethodParameters)
		if err != nil {
			return err
		}
		p.ProviderMethodResponse = json.RawMessage(`{}`)
		return p.SetStatus(target, now)
	case pinglinks.ProviderMethod{Provider: "swish", Method: "e_commerce"}, pinglinks.ProviderMethod{Provider: "swish", Method: "m_commerce"}:
		params, err := swishParameters(p.Method, p.ProviderMethodParameters)
		if err != nil {
			return err
		}
		return StartSwish(p, params.PhoneNumber, now)
	}
	return pinglinks.Forbidden("provider %s/%s is not available", p.Provider, p.Method)
}
