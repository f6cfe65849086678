package pinglinks

import "github.com/pinglinks/pinglinks/locale"

// BankAccounts are where payers' bank transfers to the platform go: a
// Swedish bankgiro, and a Norwegian account number for NOK, since Norway
// has no bankgiro and pays with a KID to an account number.
type BankAccounts struct {
	Bankgiro         string // e.g. "5050-1055"
	NorwegianAccount string // kontonummer, e.g. "1503.27.19535"
}

// For says what a payer reading locale transfers currency to: the
// account's name and its number.
func (b BankAccounts) For(currency Currency, loc locale.Locale) (label, number string) {
	if currency == NOK && b.NorwegianAccount != "" {
		return loc.Words().Bank.AccountNumber, b.NorwegianAccount
	}
	return loc.Words().Bank.Bankgiro, b.Bankgiro
}

// WithDefaults fills in the sandbox's accounts where none is configured.
func (b BankAccounts) WithDefaults() BankAccounts {
	if b.Bankgiro == "" {
		b.Bankgiro = "5050-1055" // a sandbox bankgiro (check digit valid)
	}
	if b.NorwegianAccount == "" {
		b.NorwegianAccount = "1503.27.19535" // a sandbox account number (mod 11 valid)
	}
	return b
}
