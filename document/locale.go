package document

import (
	"strconv"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
)

// labels are the words printed on a document, in one language.
type labels struct {
	invoice, receipt                   string
	invoiceNumber, invoiceDate         string
	dueDate, customerRef               string
	receiptNumber, paidAt, method      string
	billTo, customer                   string
	description, qty, unit, unitPrice  string
	vat, amount                        string
	vatOf                              string // "Moms %s" with the rate
	amountDue, totalPaid               string
	bankgiro, reference                string
	ocr, kid                           string
	payOnline, scanToPay               string
	paymentDetails                     string
	orgNo, itemNo                      string
	page                               string // "Sida %d av %d"
	continued                          string
	decimalSep, groupSep, percentSpace string
}

var localeLabels = map[string]*labels{
	"sv-SE": {
		invoice: "Faktura", receipt: "Kvitto",
		invoiceNumber: "Fakturanummer", invoiceDate: "Fakturadatum",
		dueDate: "Förfallodatum", customerRef: "Er referens",
		receiptNumber: "Kvittonummer", paidAt: "Betald", method: "Betalsätt",
		billTo: "Faktureras till", customer: "Kund",
		description: "Beskrivning", qty: "Antal", unit: "Enhet", unitPrice: "À-pris",
		vat: "Moms", amount: "Belopp", vatOf: "Moms %s",
		amountDue: "Att betala", totalPaid: "Totalt betalt",
		bankgiro: "Bankgiro", reference: "Referens",
		ocr: "OCR-nummer", kid: "KID-nummer",
		payOnline: "Betala online", scanToPay: "Skanna QR-koden eller gå till adressen för att betala online.",
		paymentDetails: "Betalningsinformation",
		orgNo:          "Org.nr", itemNo: "Art.nr",
		page: "Sida %d av %d", continued: "forts.",
		decimalSep: ",", groupSep: " ", percentSpace: " ",
	},
	"nb-NO": {
		invoice: "Faktura", receipt: "Kvittering",
		invoiceNumber: "Fakturanummer", invoiceDate: "Fakturadato",
		dueDate: "Forfallsdato", customerRef: "Deres referanse",
		receiptNumber: "Kvitteringsnummer", paidAt: "Betalt", method: "Betalingsmåte",
		billTo: "Faktureres til", customer: "Kunde",
		description: "Beskrivelse", qty: "Antall", unit: "Enhet", unitPrice: "Enhetspris",
		vat: "MVA", amount: "Beløp", vatOf: "MVA %s",
		amountDue: "Å betale", totalPaid: "Totalt betalt",
		bankgiro: "Bankgiro", reference: "Referanse",
		ocr: "OCR-nummer", kid: "KID-nummer",
		payOnline: "Betal på nett", scanToPay: "Skann QR-koden eller gå til adressen for å betale på nett.",
		paymentDetails: "Betalingsinformasjon",
		orgNo:          "Org.nr.", itemNo: "Varenr.",
		page: "Side %d av %d", continued: "forts.",
		decimalSep: ",", groupSep: " ", percentSpace: " ",
	},
	"en-GB": {
		invoice: "Invoice", receipt: "Receipt",
		invoiceNumber: "Invoice number", invoiceDate: "Invoice date",
		dueDate: "Due date", customerRef: "Your reference",
		receiptNumber: "Receipt number", paidAt: "Paid", method: "Payment method",
		billTo: "Bill to", customer: "Customer",
		description: "Description", qty: "Qty", unit: "Unit", unitPrice: "Unit price",
		vat: "VAT", amount: "Amount", vatOf: "VAT %s",
		amountDue: "Amount due", totalPaid: "Total paid",
		bankgiro: "Bankgiro", reference: "Reference",
		ocr: "OCR number", kid: "KID number",
		payOnline: "Pay online", scanToPay: "Scan the QR code or visit the address to pay online.",
		paymentDetails: "Payment details",
		orgNo:          "Org. no.", itemNo: "Item no.",
		page: "Page %d of %d", continued: "continued",
		decimalSep: ".", groupSep: ",", percentSpace: "",
	},
}

// locale holds how one locale writes words, money and dates.
type locale struct {
	tag string
	*labels
}

// lookupLocale falls back to en-GB for an unknown tag: links are validated
// on creation, and a document in English beats no document at all.
func lookupLocale(tag string) locale {
	if l, ok := localeLabels[tag]; ok {
		return locale{tag, l}
	}
	return locale{"en-GB", localeLabels["en-GB"]}
}

// referenceLabel names a payment reference by its type.
func (l locale) referenceLabel(typ string) string {
	switch strings.ToUpper(typ) {
	case "OCR":
		return l.ocr
	case "KID":
		return l.kid
	case "":
		return l.reference
	}
	return l.reference + " (" + typ + ")"
}

// group writes n with a separator between each group of three digits.
func group(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	first := len(s) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(s[:first])
	for i := first; i < len(s); i += 3 {
		b.WriteString(sep)
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// number formats an integer such as a quantity.
func (l locale) number(n int64) string {
	if n < 0 {
		return "-" + group(uint64(-(n+1))+1, l.groupSep)
	}
	return group(uint64(n), l.groupSep)
}

// money formats an amount in minor units the way the checkout and the
// e-mails do (pinglinks.FormatAmount), with plain spaces: a PDF cell is
// laid out by us, not wrapped by a browser.
func (l locale) money(amount int64, cur pinglinks.Currency) string {
	return pdfSpaces(pinglinks.FormatAmount(l.tag, cur, amount))
}

func pdfSpaces(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// percent formats a VAT rate held in hundredths of a percent: 2500 is "25 %".
func (l locale) percent(v pinglinks.VATRate) string { return pdfSpaces(pinglinks.FormatVAT(l.tag, v)) }

// date formats a calendar date.
func (l locale) date(t time.Time) string { return pinglinks.FormatDate(l.tag, t) }

// dateTime formats an instant with minutes, in Stockholm time.
func (l locale) dateTime(t time.Time) string { return pinglinks.FormatTime(l.tag, t) }

// formatDue formats a link's YYYY-MM-DD due date; an unparsable one is shown as is.
func (l locale) formatDue(s string) string {
	return pinglinks.FormatDueDate(l.tag, s)
}
