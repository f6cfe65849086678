// Package banktransfer is the bank transfer rail (ping/deposit): the payer
// transfers the amount to the platform's bankgiro (SE) or account (NO)
// with the link's OCR or KID reference, and the transfer, once it arrives
// (a bank file, or the sandbox's Mimic deposit), funds the link's payment
// through flow.BookTransfers.
package banktransfer

import (
	"context"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/reference"
)

// Method is ping/deposit.
var Method = pinglinks.PingDeposit

// Connector implements provider.Connector and provider.Transfer.
type Connector struct{}

// Methods implements provider.Connector.
func (Connector) Methods() []pinglinks.ProviderMethod { return []pinglinks.ProviderMethod{Method} }

// CheckLinkMethod implements provider.Connector: every currency (NOK is
// paid with a KID, the others with an OCR reference).
func (Connector) CheckLinkMethod(pinglinks.LinkMethod, pinglinks.Currency) error { return nil }

// CheckPayment implements provider.Connector: a transfer needs a link's
// reference, so it is chosen on the hosted checkout.
func (Connector) CheckPayment(p *pinglinks.Payment) error {
	return pinglinks.Forbidden("%s/%s payments are made on a payment link's hosted checkout; the Payments API initiates dummy and swish payments", p.Provider, p.Method)
}

// Start implements provider.Connector: nothing happens until the money
// arrives; the payment waits, INITIATED.
func (Connector) Start(context.Context, provider.StartRequest) (provider.Outcome, error) {
	return provider.Outcome{}, nil
}

// ReferenceType implements provider.Transfer: Norway pays with a KID,
// Sweden (and the rest) with an OCR reference.
func (Connector) ReferenceType(c pinglinks.Currency) (string, func(int64) string) {
	if c == pinglinks.NOK {
		return "KID", reference.NewKID
	}
	return "OCR", reference.NewOCR
}

// Label implements provider.Connector.
func (Connector) Label(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Bank.Label
}

// PaidWith implements provider.Connector.
func (c Connector) PaidWith(_ *pinglinks.Payment, loc locale.Locale) string {
	return c.Label(Method, loc)
}
