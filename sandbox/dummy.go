package sandbox

import (
	"context"
	"encoding/json"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/provider"
)

// Dummy is dummy/dummy: the payment's own parameters decide its outcome
// (SPEC §9). It exists only in the sandbox.
type Dummy struct{}

var dummyMethod = pinglinks.ProviderMethod{Provider: "dummy", Method: "dummy"}

// DummyParameters are the provider_method_parameters of dummy/dummy.
type DummyParameters struct {
	DesiredPaymentStatus pinglinks.PaymentStatus `json:"desired_payment_status"`
}

// Methods implements provider.Connector.
func (Dummy) Methods() []pinglinks.ProviderMethod { return []pinglinks.ProviderMethod{dummyMethod} }

// CheckLinkMethod implements provider.Connector: any currency, and the
// parameters are read when a payment starts.
func (Dummy) CheckLinkMethod(pinglinks.LinkMethod, pinglinks.Currency) error { return nil }

// CheckPayment implements provider.Connector.
func (Dummy) CheckPayment(p *pinglinks.Payment) error {
	_, err := dummyTarget(p.ProviderMethodParameters)
	return err
}

// Start implements provider.Connector: the payment moves at once to its
// desired_payment_status (COMPLETED by default).
func (Dummy) Start(_ context.Context, req provider.StartRequest) (provider.Outcome, error) {
	target, err := dummyTarget(req.Payment.ProviderMethodParameters)
	if err != nil {
		return provider.Outcome{}, err
	}
	return provider.Outcome{Status: target, Response: json.RawMessage(`{}`)}, nil
}

// Label implements provider.Connector.
func (Dummy) Label(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Sandbox.Dummy
}

// PaidWith implements provider.Connector.
func (Dummy) PaidWith(_ *pinglinks.Payment, loc locale.Locale) string {
	return loc.Words().Sandbox.Dummy
}

func dummyTarget(raw json.RawMessage) (pinglinks.PaymentStatus, error) {
	var p DummyParameters
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return "", pinglinks.Invalid("provider_method_parameters", "must be an object with desired_payment_status")
		}
	}
	if p.DesiredPaymentStatus == "" {
		return pinglinks.PaymentCompleted, nil
	}
	if !pinglinks.ValidPaymentStatus(string(p.DesiredPaymentStatus)) || p.DesiredPaymentStatus == pinglinks.PaymentInitiated {
		return "", pinglinks.Invalid("provider_method_parameters.desired_payment_status", "must be a payment status other than INITIATED")
	}
	return p.DesiredPaymentStatus, nil
}
