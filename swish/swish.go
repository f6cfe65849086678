// Package swish is a client of the Swish Commerce API (Getswish AB's API for
// merchants), written from its public documentation: payment requests v2
// for e-commerce (the payer's number is sent) and m-commerce (a token opens
// the Swish app), their status, cancellation, refunds v2 and the callbacks
// Swish POSTs to the merchant. Every call is made over mutual TLS with the
// merchant's client certificate; see Credentials.
//
// The package knows Swish's wire format and rules only; it never names a
// payment of this platform.
package swish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Payment request statuses, as Swish reports them.
const (
	StatusCreated   = "CREATED"   // waiting for the payer
	StatusPaid      = "PAID"      // money moved to the merchant
	StatusDeclined  = "DECLINED"  // the payer declined
	StatusError     = "ERROR"     // see ErrorCode: timeout, bank error, BankID cancelled…
	StatusCancelled = "CANCELLED" // the merchant cancelled it
)

// Refund statuses.
const (
	RefundCreated   = "CREATED"
	RefundValidated = "VALIDATED"
	RefundDebited   = "DEBITED" // taken from the merchant's account
	RefundPaid      = "PAID"    // reached the payer
	RefundError     = "ERROR"
)

// CurrencySEK is the only currency Swish takes.
const CurrencySEK = "SEK"

// MessageMaxLength bounds a payment request's or refund's message.
const MessageMaxLength = 50

// NewInstructionID returns a fresh instruction UUID in the form Swish
// requires: 32 upper-case hexadecimal characters, no dashes. The caller
// chooses it (payment requests and refunds are created with PUT), so a
// retried request cannot create a second payment.
func NewInstructionID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40 // a version-4 UUID, like the examples Swish gives
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(hex.EncodeToString(b))
}

// ValidInstructionID reports whether s is 32 upper-case hexadecimal characters.
func ValidInstructionID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ValidPayeeAlias reports whether s looks like a merchant's Swish number:
// ten digits starting 123 (the payee alias of a payment request, the payer
// alias of a refund).
func ValidPayeeAlias(s string) bool {
	return len(s) == 10 && strings.HasPrefix(s, "123") && allDigits(s)
}

// ValidPayerAlias reports whether s is a payer's mobile number as Swish
// takes it: 8 to 15 digits, the country code first (46…), no plus sign and
// no leading zero.
func ValidPayerAlias(s string) bool {
	return len(s) >= 8 && len(s) <= 15 && s[0] != '0' && allDigits(s)
}

// ValidMessage reports whether s may be sent as a message: at most 50
// characters from Swish's set — the letters a–ö and A–Ö, digits, space and
// the punctuation :;.,?!()-" (plus é and ü, which Swish's set includes).
func ValidMessage(s string) bool {
	if utf8.RuneCountInString(s) > MessageMaxLength {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("åäöÅÄÖéÉüÜ :;.,?!()-\"", r):
		default:
			return false
		}
	}
	return true
}

// ValidPaymentReference reports whether s may be a payeePaymentReference
// (or a refund's payerPaymentReference): 1 to 35 letters, digits or dashes.
func ValidPaymentReference(s string) bool {
	if len(s) == 0 || len(s) > 35 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// FormatAmount writes an amount in öre as Swish's decimal string: 10000 →
// "100.00". Amounts must be positive.
func FormatAmount(ore int64) string {
	return fmt.Sprintf("%d.%02d", ore/100, ore%100)
}

// MaxAmount is the largest amount Swish takes: 999 999 999 999.99 kronor.
const MaxAmount int64 = 99999999999999

// Why ParseAmount refuses an amount.
var (
	ErrAmountSyntax   = errors.New("not a decimal number with at most two decimals")
	ErrAmountTooLarge = errors.New("larger than 999999999999.99")
	ErrAmountZero     = errors.New("not positive")
)

// ParseAmount reads a decimal amount in kronor — "100", "100.5", "100.00" in
// a request, or the JSON number Swish returns in a payment request (100.0) —
// into öre. More than two decimals, a sign, an exponent or a value outside
// 0.01 … 999 999 999 999.99 is refused.
func ParseAmount(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || len(frac) > 2 || !allDigits(frac))) {
		return 0, fmt.Errorf("swish: amount %q: %w", s, ErrAmountSyntax)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok || !n.IsInt64() || n.Int64() > MaxAmount {
		return 0, fmt.Errorf("swish: amount %q: %w", s, ErrAmountTooLarge)
	}
	if n.Int64() < 1 {
		return 0, fmt.Errorf("swish: amount %q: %w", s, ErrAmountZero)
	}
	return n.Int64(), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
