package stall

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// MaxAmount is the largest purchase the stall takes, in öre: a typo of a
// few extra zeros should be caught at the stall, not by the payer.
const MaxAmount = 100_000_00

// Input is what the payee typed into the form.
type Input struct {
	Amount       string // kronor: "125", "125,50", "125.50", "1 250 kr"
	Description  string
	VAT          string // "25", "12" or "6"
	Phone        string // the payer's mobile, for the link by SMS
	Email        string // the payer's e-mail, for the link by e-mail
	Name         string // the payer's name, optional
	Subscription bool
}

// FieldErrors maps form field names to what is wrong with them.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	var b strings.Builder
	b.WriteString("invalid purchase:")
	for _, k := range []string{"amount", "description", "vat", "phone", "email", "name"} {
		if m, ok := fe[k]; ok {
			b.WriteString(" " + k + ": " + m + ";")
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// order is what a valid Input becomes.
type order struct {
	amount      int64
	description string
	vat         int
	phone       string // as typed: the checkout shows it to the payer
	email       string
	first, last string
}

// validate checks every field and reports all that are wrong at once, so
// the payee fixes the form in one go.
func (in Input) validate() (order, FieldErrors) {
	errs := FieldErrors{}
	var o order
	amount, msg := parseAmount(in.Amount)
	if msg != "" {
		errs["amount"] = msg
	}
	o.amount = amount
	o.description = strings.Join(strings.Fields(in.Description), " ")
	switch n := utf8.RuneCountInString(o.description); {
	case n == 0:
		errs["description"] = "Say what was bought, e.g. “Honey 500 g”."
	case n > 100:
		errs["description"] = "Keep the description to 100 characters."
	case strings.ContainsFunc(o.description, unicode.IsControl):
		errs["description"] = "The description has characters that cannot be shown."
	}
	switch strings.TrimSuffix(strings.TrimSpace(in.VAT), "%") {
	case "", "25":
		o.vat = 25
	case "12":
		o.vat = 12
	case "6":
		o.vat = 6
	default:
		errs["vat"] = "VAT is 25 %, 12 % or 6 %."
	}
	if p := strings.TrimSpace(in.Phone); p != "" {
		if !mobileNumber(p) {
			errs["phone"] = "Write a mobile number such as 070-123 45 67 or +46 70 123 45 67."
		}
		o.phone = p
	}
	o.email = strings.TrimSpace(in.Email)
	if o.email != "" {
		if a, err := mail.ParseAddress(o.email); err != nil || a.Address != o.email || len(o.email) > 254 {
			errs["email"] = "Write an e-mail address such as name@example.com."
		}
	}
	if in.Subscription && o.phone == "" && o.email == "" {
		// A subscription's invoice has to reach the payer later.
		errs["phone"] = "A subscription needs the payer's phone or e-mail."
	}
	name := strings.Join(strings.Fields(in.Name), " ")
	switch {
	case utf8.RuneCountInString(name) > 100 || strings.ContainsFunc(name, unicode.IsControl):
		errs["name"] = "Keep the name to 100 letters."
	default:
		o.first, o.last = splitName(name)
	}
	if len(errs) > 0 {
		return order{}, errs
	}
	return o, nil
}

// splitName splits the payer's name into the first and last names the
// platform needs. Without a name the payer corrects it on the checkout,
// which is in Swedish: "Kund" is "customer".
func splitName(name string) (first, last string) {
	if name == "" {
		return "Kund", "–"
	}
	first, last, _ = strings.Cut(name, " ")
	if last == "" {
		last = "–"
	}
	return first, last
}

// orderOf is the order of a saved (so valid) purchase.
func orderOf(p *Purchase) order {
	o := order{amount: p.Amount, description: p.Description, vat: p.VAT, phone: p.Phone, email: p.Email}
	o.first, o.last = splitName(p.Name)
	return o
}

// parseAmount reads kronor as people write them at a stall: "125",
// "125,50", "125.5", "1 250", "125 kr", "125:-". It answers öre, or a
// message saying what is wrong.
func parseAmount(s string) (int64, string) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ":-")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "kr"), "SEK"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) { // "1 250", also with a no-break space
			return -1
		}
		return r
	}, s)
	if s == "" {
		return 0, "Enter the amount in kronor, e.g. 125 or 125,50."
	}
	whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (hasFrac && (!digits(frac) || len(frac) == 0 || len(frac) > 2)) {
		return 0, "Write the amount with digits and at most two decimals, e.g. 125,50."
	}
	if len(whole) > 7 {
		return 0, "The amount is too large (at most 100 000 kr)."
	}
	kr, _ := strconv.ParseInt(whole, 10, 64) // digits only, at most 7: cannot fail
	ore := int64(0)
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		ore, _ = strconv.ParseInt(frac, 10, 64)
	}
	total := kr*100 + ore
	switch {
	case total <= 0:
		return 0, "The amount must be more than 0 kr."
	case total > MaxAmount:
		return 0, "The amount is too large (at most 100 000 kr)."
	}
	return total, ""
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// mobileNumber reports whether a phone number, as a Swede writes it
// (070-123 45 67, or with a country code), can take an SMS. Checking here,
// not only at the platform, lets the payee fix a typo before any link
// exists.
func mobileNumber(s string) bool {
	if len(s) > 30 {
		return false
	}
	n, err := phonenumbers.Parse(s, "SE")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return false
	}
	t := phonenumbers.GetNumberType(n)
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// FormatSEK writes öre as Swedish kronor: 12550 → "125,50 kr", 1250000 →
// "12 500 kr".
func FormatSEK(ore int64) string {
	kr, rest := ore/100, ore%100
	s := strconv.FormatInt(kr, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	if rest != 0 {
		b.WriteString("," + strconv.FormatInt(100+rest, 10)[1:])
	}
	return b.String() + "\u00a0kr"
}
