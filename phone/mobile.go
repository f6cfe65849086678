package phone

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// Mobile is Normalize for numbers that must receive an SMS: a valid number
// whose type is mobile (or, where the numbering plan cannot tell, fixed line
// or mobile, as in the US). Fixed lines, premium, toll-free and other
// numbers are an error wrapping ErrInvalid.
func Mobile(raw string, defaultRegion string) (string, error) {
	e164, err := Normalize(raw, defaultRegion)
	if err != nil {
		return "", err
	}
	num, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return e164, nil
	}
	return "", fmt.Errorf("%w: cannot receive SMS", ErrInvalid)
}
