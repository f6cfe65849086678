// Package reference makes and checks the payment references printed on
// invoices: Swedish OCR numbers (Bankgirot's "hard" level: a length digit and
// a Luhn check digit) and Norwegian KID numbers (a Luhn/MOD10 check digit).
package reference

import "strconv"

// Luhn returns the Luhn (mod 10) check digit for the digit string d.
func Luhn(d string) byte {
	sum := 0
	double := true // the rightmost digit of d is doubled: the check digit goes after it
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NewOCR builds an OCR reference from seq: seq's digits, then a length digit
// (the whole reference's length mod 10), then a Luhn check digit over all.
func NewOCR(seq int64) string {
	s := strconv.FormatInt(seq, 10)
	s += strconv.Itoa((len(s) + 2) % 10)
	return s + string(Luhn(s))
}

// ValidOCR checks an OCR reference's length digit and check digit.
func ValidOCR(s string) bool {
	if len(s) < 3 || len(s) > 25 || !allDigits(s) {
		return false
	}
	if int(s[len(s)-2]-'0') != len(s)%10 {
		return false
	}
	return Luhn(s[:len(s)-1]) == s[len(s)-1]
}

// NewKID builds a KID reference from seq: seq's digits and a Luhn check digit.
func NewKID(seq int64) string {
	s := strconv.FormatInt(seq, 10)
	return s + string(Luhn(s))
}

// ValidKID checks a KID reference's Luhn check digit.
func ValidKID(s string) bool {
	if len(s) < 2 || len(s) > 25 || !allDigits(s) {
		return false
	}
	return Luhn(s[:len(s)-1]) == s[len(s)-1]
}

// Mod11 returns the MOD11 check character for the digit string d (weights
// 2, 3, …, 7 from the right, repeating): a digit, or "-" when the remainder
// leaves 10, as Norwegian KIDs write it.
func Mod11(d string) byte {
	sum, w := 0, 2
	for i := len(d) - 1; i >= 0; i-- {
		sum += int(d[i]-'0') * w
		if w++; w > 7 {
			w = 2
		}
	}
	switch c := (11 - sum%11) % 11; c {
	case 10:
		return '-'
	default:
		return byte('0' + c)
	}
}

// ValidKIDAny checks a KID the way a Norwegian bank accepts it: with a
// MOD10 (Luhn) or a MOD11 check character. The platform issues MOD10 KIDs;
// payers may still pay with another payee's MOD11 KID by mistake.
func ValidKIDAny(s string) bool {
	if ValidKID(s) {
		return true
	}
	if len(s) < 2 || len(s) > 25 || !allDigits(s[:len(s)-1]) {
		return false
	}
	return Mod11(s[:len(s)-1]) == s[len(s)-1]
}
