package sms

import (
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

type smsTexts struct {
	long  string // greeting form
	short string // fallback when the long one does not fit
}

// Placeholders: {s} supplier, {a} amount, {u} checkout URL.
var reminderTexts = map[string]smsTexts{
	"sv-SE": {
		long:  "Påminnelse: {s} väntar på din betalning på {a}. Betala här: {u}",
		short: "Påminnelse {s}: {a}. {u}",
	},
	"nb-NO": {
		long:  "Påminnelse: {s} venter på betalingen din på {a}. Betal her: {u}",
		short: "Påminnelse {s}: {a}. {u}",
	},
	"en-GB": {
		long:  "Reminder: {s} is waiting for your payment of {a}. Pay here: {u}",
		short: "Reminder {s}: {a}. {u}",
	},
}

var paymentLinkTexts = map[string]smsTexts{
	"sv-SE": {
		long:  "Hej! {s} har skickat en betalningslänk på {a}. Betala här: {u}",
		short: "{s}: {a}. Betala här: {u}",
	},
	"nb-NO": {
		long:  "Hei! {s} har sendt deg en betalingslenke på {a}. Betal her: {u}",
		short: "{s}: {a}. Betal her: {u}",
	},
	"en-GB": {
		long:  "Hi! {s} has sent you a payment link for {a}. Pay here: {u}",
		short: "{s}: {a}. Pay here: {u}",
	},
}

// PaymentLinkText returns the SMS that carries a payment link, in locale
// ("sv-SE", "nb-NO" or "en-GB"; anything else falls back to English).
// amount is already formatted ("1 250,00 kr"). The text is kept within one
// 160-septet GSM-7 part when possible: a shorter wording is used if the
// friendly one is too long, and then the supplier name is shortened. The
// URL and the amount are never shortened. Characters outside GSM-7 in the
// supplier name are replaced by close GSM-7 equivalents where one exists.
func PaymentLinkText(locale, supplierName, amount, checkoutURL string) string {
	return fitText(paymentLinkTexts, locale, supplierName, amount, checkoutURL)
}

// ReminderText is PaymentLinkText for a reminder of a link not yet paid.
func ReminderText(locale, supplierName, amount, checkoutURL string) string {
	return fitText(reminderTexts, locale, supplierName, amount, checkoutURL)
}

func fitText(texts map[string]smsTexts, locale, supplierName, amount, checkoutURL string) string {
	t, ok := texts[locale]
	if !ok {
		t = texts["en-GB"]
	}
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
	if msg := render(t.long, supplier); fits(msg) {
		return msg
	}
	if msg := render(t.short, supplier); fits(msg) {
		return msg
	}
	// Shorten the supplier name, keeping at least a few characters.
	runes := []rune(supplier)
	for n := len(runes) - 1; n >= 8; n-- {
		s := strings.TrimSpace(string(runes[:n])) + "..."
		if msg := render(t.short, s); fits(msg) {
			return msg
		}
	}
	// It cannot fit (long URL or non-GSM characters in the amount):
	// send it whole, as a multi-part message.
	return render(t.short, supplier)
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
