package pinglinks

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks/locale"
)

// Locale formatting of money and dates, shared by the checkout, e-mails,
// SMS texts and PDFs so that a payer sees one amount written one way.

// FormatAmount writes amount (minor units) in currency the way locale writes
// money: sv-SE "1 234,50 kr", nb-NO "kr 1 234,50", en-GB "SEK 1,234.50".
// Kronor are written "kr" in the Nordic locales only for the locale's own
// currency; other currencies keep their ISO code.
func FormatAmount(loc locale.Locale, currency Currency, amount int64) string {
	sign, u := "", uint64(amount)
	if amount < 0 {
		sign, u = "-", uint64(-(amount+1))+1 // no overflow for math.MinInt64
	}
	group, decimal := "\u00a0", "," // no-break space: an amount never wraps
	if loc.English() {
		group, decimal = ",", "."
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	num := b.String() + decimal + twoDigits(int64(u%100))
	switch {
	case loc == locale.SvSE && currency == SEK:
		return sign + num + "\u00a0kr"
	case loc == locale.NbNO && currency == NOK:
		return sign + "kr\u00a0" + num
	case loc == locale.EnGB && currency == GBP:
		return sign + "£" + num
	case loc.English():
		return sign + string(currency) + "\u00a0" + num
	}
	return sign + num + "\u00a0" + string(currency)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// FormatDate writes a calendar date as locale writes it: sv-SE 2026-11-25,
// nb-NO 25.11.2026, en-GB 25 November 2026.
func FormatDate(loc locale.Locale, t time.Time) string {
	switch loc {
	case locale.NbNO:
		return t.Format("02.01.2006")
	case locale.EnGB:
		return strconv.Itoa(t.Day()) + " " + monthsEN[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format(time.DateOnly)
}

// FormatDueDate writes a YYYY-MM-DD due date in locale, or "" for none.
func FormatDueDate(loc locale.Locale, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return FormatDate(loc, d)
}

// FormatTime writes an instant in Stockholm time as locale writes it:
// sv-SE 2026-11-25 14:05, nb-NO 25.11.2026 kl. 14:05, en-GB 25 November 2026, 14:05.
func FormatTime(loc locale.Locale, t time.Time) string {
	t = t.In(Stockholm)
	switch loc {
	case locale.NbNO:
		return FormatDate(loc, t) + " kl. " + t.Format("15:04")
	case locale.EnGB:
		return FormatDate(loc, t) + ", " + t.Format("15:04")
	}
	return FormatDate(loc, t) + " " + t.Format("15:04")
}

// FormatVAT writes a VAT rate as a percentage: 25 %, 12,5 % (en-GB 12.5%).
func FormatVAT(loc locale.Locale, v VATRate) string {
	s := strconv.FormatInt(int64(v)/100, 10)
	if frac := int64(v) % 100; frac != 0 {
		sep := ","
		if loc.English() {
			sep = "."
		}
		s += sep + strings.TrimRight(twoDigits(frac), "0")
	}
	if loc.English() {
		return s + "%"
	}
	return s + "\u00a0%"
}

// VATIncluded is the VAT contained in a VAT-inclusive amount at rate v:
// amount × rate / (100 % + rate), rounded half away from zero to the minor
// unit. math/big keeps it exact whatever the amount.
func VATIncluded(amount int64, v VATRate) int64 {
	if v <= 0 || amount == 0 {
		return 0
	}
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(v)))
	den := big.NewInt(10000 + int64(v))
	neg := num.Sign() < 0
	num.Abs(num)
	// (2·num + den) / (2·den) rounds half up on the magnitude.
	num.Lsh(num, 1).Add(num, den)
	q := num.Quo(num, den.Lsh(den, 1))
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}
