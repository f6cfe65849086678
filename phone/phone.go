// Package phone normalises phone numbers: any valid number to E.164 (for
// SMS recipients), and Swedish mobile numbers to the 467XXXXXXXX form that
// Swish expects (docs/api.md).
package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is wrapped by every error this package returns for a number
// that cannot be used.
var ErrInvalid = errors.New("invalid phone number")

// maxInput bounds the length of the input we are willing to parse. Real
// numbers with formatting fit comfortably within it.
const maxInput = 64

// Normalize parses raw as a phone number and returns it in E.164 form
// (e.g. "+46701234567"). Numbers without a leading "+" or international
// prefix are read in defaultRegion, an ISO 3166-1 alpha-2 code such as
// "SE" or "NO" (case-insensitive; may be empty when raw is international).
// Only numbers that are valid for their region are accepted.
func Normalize(raw string, defaultRegion string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalid)
	}
	if len(s) > maxInput {
		return "", fmt.Errorf("%w: too long", ErrInvalid)
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if region == "" {
		region = "ZZ" // unknown region: only international numbers parse
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%w: not a valid number", ErrInvalid)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// SwishNumber normalises a Swedish mobile number to the form Swish uses,
// "467XXXXXXXX". Accepted inputs are "07XXXXXXXX", "+467XXXXXXXX" and
// "467XXXXXXXX"; spaces and dashes anywhere are ignored. Anything else is
// an error wrapping ErrInvalid.
func SwishNumber(raw string) (string, error) {
	if len(raw) > maxInput {
		return "", fmt.Errorf("%w: too long", ErrInvalid)
	}
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0':
			continue
		case r == '+' || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalid, r)
		}
	}
	s := b.String()
	var digits string
	switch {
	case strings.HasPrefix(s, "+467"):
		digits = s[1:]
	case strings.HasPrefix(s, "467"):
		digits = s
	case strings.HasPrefix(s, "07"):
		digits = "46" + s[1:]
	default:
		return "", fmt.Errorf("%w: not a Swedish mobile number (07…, +467… or 467…)", ErrInvalid)
	}
	if len(digits) != 11 {
		return "", fmt.Errorf("%w: a Swedish mobile number has 10 digits (07XXXXXXXX)", ErrInvalid)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", fmt.Errorf("%w: misplaced '+'", ErrInvalid)
		}
	}
	return digits, nil
}
