package pinglinks

import (
	"time"

	"github.com/pinglinks/pinglinks/reference"
)

// digitsOnly strips the separators people type ("556703-7485", "556 703 7485").
// It returns "" if anything other than digits, spaces, '-' and '+' occurs.
func digitsOnly(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == ' ' || c == '-' || c == '+':
		default:
			return ""
		}
	}
	return string(b)
}

// luhnValid reports whether the digit string passes the Luhn (mod 10) check.
func luhnValid(d string) bool {
	return len(d) >= 2 && reference.Luhn(d[:len(d)-1]) == d[len(d)-1]
}

// mod11Valid checks d against the given weights (applied to all digits but the
// last) with the common "11 - sum mod 11" check digit, where 11 means 0 and
// 10 means the number is invalid.
func mod11Valid(d string, weights []int) bool {
	if len(d) != len(weights)+1 {
		return false
	}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	c := 11 - sum%11
	if c == 11 {
		c = 0
	}
	return c != 10 && c == int(d[len(d)-1]-'0')
}

// ValidSEOrganizationNumber: 10 digits, the last a Luhn check digit, and the
// third digit at least 2 (which tells it apart from a personal number).
func ValidSEOrganizationNumber(s string) bool {
	d := digitsOnly(s)
	return len(d) == 10 && d[2] >= '2' && luhnValid(d)
}

// ValidNOOrganizationNumber: 9 digits with a mod 11 check digit (weights 3 2 7 6 5 4 3 2).
func ValidNOOrganizationNumber(s string) bool {
	d := digitsOnly(s)
	return len(d) == 9 && mod11Valid(d, []int{3, 2, 7, 6, 5, 4, 3, 2})
}

// ValidDKOrganizationNumber: a CVR number, 8 digits whose weighted sum
// (2 7 6 5 4 3 2 1) is divisible by 11.
func ValidDKOrganizationNumber(s string) bool {
	d := digitsOnly(s)
	if len(d) != 8 {
		return false
	}
	w := []int{2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i := range d {
		sum += int(d[i]-'0') * w[i]
	}
	return sum%11 == 0
}

// ValidFIOrganizationNumber: a Business ID (Y-tunnus) "1234567-8", weights
// 7 9 10 5 8 4 2; remainder 0 gives 0, 1 is invalid, else 11 - remainder.
func ValidFIOrganizationNumber(s string) bool {
	d := digitsOnly(s)
	if len(d) != 8 {
		return false
	}
	w := []int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, wi := range w {
		sum += int(d[i]-'0') * wi
	}
	r := sum % 11
	switch r {
	case 0:
		return d[7] == '0'
	case 1:
		return false
	}
	return int(d[7]-'0') == 11-r
}

// ValidSEPersonalIdentityNumber: YYYYMMDDNNNC (12 digits) with a real birth
// date (day+60 for coordination numbers) and a Luhn check over the last 10.
func ValidSEPersonalIdentityNumber(s string) bool {
	d := digitsOnly(s)
	if len(d) != 12 || !luhnValid(d[2:]) {
		return false
	}
	day := atoi(d[6:8])
	if day > 60 {
		day -= 60
	}
	return validDate(atoi(d[0:4]), atoi(d[4:6]), day)
}

// ValidNOPersonalIdentityNumber: an 11-digit fødselsnummer, DDMMYY + 3 digits
// + two mod 11 check digits (D-numbers add 4 to the first digit).
func ValidNOPersonalIdentityNumber(s string) bool {
	d := digitsOnly(s)
	if len(d) != 11 {
		return false
	}
	if !mod11Valid(d[:10], []int{3, 7, 6, 1, 8, 9, 4, 5, 2}) || !mod11Valid(d, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}) {
		return false
	}
	day := atoi(d[0:2])
	if day > 40 {
		day -= 40
	}
	return validDate(2000+atoi(d[4:6]), atoi(d[2:4]), day) || validDate(1900+atoi(d[4:6]), atoi(d[2:4]), day)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && int(t.Month()) == m
}
