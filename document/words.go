package document

import (
	"strconv"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

// words are how one locale writes a document: its words, money and dates.
type words struct {
	tag locale.Locale
	*locale.Document
}

// lookupWords falls back to en-GB for an unknown tag: links are validated
// on creation, and a document in English beats no document at all.
func lookupWords(tag locale.Locale) words {
	tag = tag.OrFallback()
	return words{tag, &tag.Words().Document}
}

// referenceLabel names a payment reference by its type.
func (l words) referenceLabel(typ string) string {
	switch strings.ToUpper(typ) {
	case "OCR":
		return l.OCR
	case "KID":
		return l.KID
	case "":
		return l.Reference
	}
	return l.Reference + " (" + typ + ")"
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
func (l words) number(n int64) string {
	sep := " "
	if l.tag.English() {
		sep = ","
	}
	if n < 0 {
		return "-" + group(uint64(-(n+1))+1, sep)
	}
	return group(uint64(n), sep)
}

// money formats an amount in minor units the way the checkout and the
// e-mails do (pinglinks.FormatAmount), with plain spaces: a PDF cell is
// laid out by us, not wrapped by a browser.
func (l words) money(amount int64, cur pinglinks.Currency) string {
	return pdfSpaces(pinglinks.FormatAmount(l.tag, cur, amount))
}

func pdfSpaces(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// percent formats a VAT rate held in hundredths of a percent: 2500 is "25 %".
func (l words) percent(v pinglinks.VATRate) string { return pdfSpaces(pinglinks.FormatVAT(l.tag, v)) }

// date formats a calendar date.
func (l words) date(t time.Time) string { return pinglinks.FormatDate(l.tag, t) }

// dateTime formats an instant with minutes, in Stockholm time.
func (l words) dateTime(t time.Time) string { return pinglinks.FormatTime(l.tag, t) }

// formatDue formats a link's YYYY-MM-DD due date; an unparsable one is shown as is.
func (l words) formatDue(s string) string {
	return pinglinks.FormatDueDate(l.tag, s)
}
