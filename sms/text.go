package sms

import (
	"github.com/pinglinks/pinglinks/locale"
	"strings"
	"unicode"
)

// MaxSinglePart is the length, in GSM-7 septets, of a one-part SMS.
const MaxSinglePart = 160

// gsm7Basic is the GSM 03.38 default alphabet (one septet each).
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Ext is the GSM 03.38 extension table (two septets each: escape + char).
const gsm7Ext = "^{}\\[~]|€\f"

// GSM7Len returns the length of s in GSM-7 septets and whether s can be
// sent in the GSM-7 alphabet at all. When ok is false the message goes out
// as UCS-2, where one part holds only 70 characters.
func GSM7Len(s string) (n int, ok bool) {
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Ext, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

// PaymentLinkText returns the SMS that carries a payment link, in locale
// (one outside locale.All falls back to English).
// amount is already formatted ("1 250,00 kr"). The text is kept within one
// 160-septet GSM-7 part when possible: a shorter wording is used if the
// friendly one is too long, and then the supplier name is shortened. The
// URL and the amount are never shortened. Characters outside GSM-7 in the
// supplier name are replaced by close GSM-7 equivalents where one exists.
func PaymentLinkText(loc locale.Locale, supplierName, amount, checkoutURL string) string {
	t := loc.Words().SMS
	return fitText(t.PaymentLink, t.PaymentLinkShort, supplierName, amount, checkoutURL)
}

// ReminderText is PaymentLinkText for a reminder of a link not yet paid.
func ReminderText(loc locale.Locale, supplierName, amount, checkoutURL string) string {
	t := loc.Words().SMS
	return fitText(t.Reminder, t.ReminderShort, supplierName, amount, checkoutURL)
}

// fitText fills long (or, when it does not fit one part, short) in.
func fitText(long, short, supplierName, amount, checkoutURL string) string {
	supplier := toGSM7(oneLine(supplierName))
	amount = oneLine(amount)
	checkoutURL = strings.TrimSpace(checkoutURL)

	render := func(tmpl, s string) string {
		return strings.NewReplacer("{s}", s, "{a}", amount, "{u}", checkoutURL).Replace(tmpl)
	}
	fits := func(msg string) bool {
		n, ok := GSM7Len(msg)
		return ok && n <= MaxSinglePart
	}
	if msg := render(long, supplier); fits(msg) {
		return msg
	}
	if msg := render(short, supplier); fits(msg) {
		return msg
	}
	// Shorten the supplier name, keeping at least a few characters.
	runes := []rune(supplier)
	for n := len(runes) - 1; n >= 8; n-- {
		s := strings.TrimSpace(string(runes[:n])) + "..."
		if msg := render(short, s); fits(msg) {
			return msg
		}
	}
	// It cannot fit (long URL or non-GSM characters in the amount):
	// send it whole, as a multi-part message.
	return render(short, supplier)
}

// oneLine collapses whitespace and control characters to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// gsmFallback maps common characters outside GSM-7 to GSM-7 ones.
var gsmFallback = map[rune]string{
	'–': "-", '—': "-", '‘': "'", '’': "'", '´': "'", '`': "'",
	'“': "\"", '”': "\"", '„': "\"", '«': "\"", '»': "\"", '…': "...",
	'á': "a", 'â': "a", 'ã': "a", 'ç': "c", 'ê': "e", 'ë': "e", 'í': "i",
	'ï': "i", 'ó': "o", 'ô': "o", 'õ': "o", 'ú': "u", 'û': "u", 'ý': "y",
	'Á': "A", 'À': "A", 'Â': "A", 'È': "E", 'Ê': "E", 'Í': "I", 'Ó': "O",
	'Ú': "U", '\u00a0': " ",
}

// toGSM7 replaces characters that GSM-7 lacks by close equivalents; a
// character with no equivalent is kept (the message then goes as UCS-2).
func toGSM7(s string) string {
	var b strings.Builder
	for _, r := range s {
		if rep, ok := gsmFallback[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
