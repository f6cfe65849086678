// Package locale holds the locales a payment link may be shown in and every
// word a payer or a customer reads in them: the checkout, the payment
// methods' texts, e-mails, SMS texts, invoices and receipts, in one
// catalogue (Words), so that a translation is made and checked in one place.
package locale

import (
	"fmt"
	"strings"
)

// Locale is a link's language and country as the API writes it: "sv-SE",
// "nb-NO" or "en-GB". It decides the words, how money and dates are
// written, and in which country a phone number without a country code is.
type Locale string

// The locales a link may be shown in.
const (
	SvSE Locale = "sv-SE"
	NbNO Locale = "nb-NO"
	EnGB Locale = "en-GB"
)

// All are the locales a link may be shown in, in the order the API's
// documentation lists them.
var All = []Locale{SvSE, NbNO, EnGB}

// Fallback is the locale of texts for a locale outside All (a page without
// a link, a stored value from a future version): English is read by most.
const Fallback = EnGB

// Parse reads a locale exactly as the API takes it; anything else is an
// error that names the values allowed.
func Parse(s string) (Locale, error) {
	if l := Locale(s); l.Valid() {
		return l, nil
	}
	return "", fmt.Errorf("locale %q: must be one of %s", s, Names())
}

// Names lists the locales as the API's error messages do: "sv-SE, nb-NO, en-GB".
func Names() string {
	names := make([]string, len(All))
	for i, l := range All {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// Valid says whether l is one of All.
func (l Locale) Valid() bool {
	for _, known := range All {
		if l == known {
			return true
		}
	}
	return false
}

// OrFallback is l if it is valid, else Fallback.
func (l Locale) OrFallback() Locale {
	if l.Valid() {
		return l
	}
	return Fallback
}

// String is the locale as the API writes it.
func (l Locale) String() string { return string(l) }

// Lang is the language tag of a page or an e-mail (html lang): "sv", "nb",
// "en-GB"; British English keeps its region for spelling.
func (l Locale) Lang() string {
	switch l.OrFallback() {
	case SvSE:
		return "sv"
	case NbNO:
		return "nb"
	}
	return "en-GB"
}

// Region is the country (ISO 3166-1) whose numbering plan a phone number
// written without a country code is read in.
func (l Locale) Region() string {
	switch l {
	case NbNO:
		return "NO"
	case EnGB:
		return "GB"
	}
	return "SE"
}

// English says whether numbers are written the English way (1,234.50) rather
// than the Nordic way (1 234,50).
func (l Locale) English() bool { return l == EnGB }

// FromAcceptLanguage picks a locale for a page that has no link from the
// browser's Accept-Language header: its first language only.
func FromAcceptLanguage(header string) Locale {
	switch {
	case strings.HasPrefix(header, "sv"):
		return SvSE
	case strings.HasPrefix(header, "nb"), strings.HasPrefix(header, "no"), strings.HasPrefix(header, "nn"):
		return NbNO
	}
	return Fallback
}

// Words are l's words; a locale outside All gets Fallback's.
func (l Locale) Words() *Words {
	if w, ok := catalogue[l]; ok {
		return w
	}
	return catalogue[Fallback]
}
