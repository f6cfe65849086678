package pinglinks

import (
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/locale"
)

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		locale   locale.Locale
		currency Currency
		amount   int64
		want     string
	}{
		{"sv-SE", SEK, 123450, "1\u00a0234,50\u00a0kr"},
		{"sv-SE", SEK, 7000, "70,00\u00a0kr"},
		{"sv-SE", SEK, 5, "0,05\u00a0kr"},
		{"sv-SE", EUR, 99, "0,99\u00a0EUR"},
		{"nb-NO", NOK, 123456789, "kr\u00a01\u00a0234\u00a0567,89"},
		{"nb-NO", SEK, 100, "1,00\u00a0SEK"},
		{"en-GB", SEK, 123450, "SEK\u00a01,234.50"},
		{"en-GB", GBP, 1000000, "£10,000.00"},
		{"sv-SE", SEK, -2500, "-25,00\u00a0kr"},
	}
	for _, tc := range tests {
		if got := FormatAmount(tc.locale, tc.currency, tc.amount); got != tc.want {
			t.Errorf("FormatAmount(%s, %s, %d) = %q, want %q", tc.locale, tc.currency, tc.amount, got, tc.want)
		}
	}
}

func TestFormatDates(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 3, 5, 23, 30, 0, 0, time.UTC) // 00:30 on the 6th in Stockholm
	for loc, want := range map[locale.Locale]string{"sv-SE": "2026-03-05", "nb-NO": "05.03.2026", "en-GB": "5 March 2026"} {
		if got := FormatDate(loc, d); got != want {
			t.Errorf("FormatDate(%s) = %q, want %q", loc, got, want)
		}
		if got := FormatDueDate(loc, "2026-03-05"); got != want {
			t.Errorf("FormatDueDate(%s) = %q, want %q", loc, got, want)
		}
	}
	for loc, want := range map[locale.Locale]string{"sv-SE": "2026-03-06 00:30", "nb-NO": "06.03.2026 kl. 00:30", "en-GB": "6 March 2026, 00:30"} {
		if got := FormatTime(loc, d); got != want {
			t.Errorf("FormatTime(%s) = %q, want Stockholm time %q", loc, got, want)
		}
	}
}

func TestVAT(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount int64
		rate   VATRate
		want   int64
	}{
		{12500, 2500, 2500}, // 125 kr incl. 25 % → 25 kr
		{11200, 1200, 1200},
		{10600, 600, 600},
		{100, 2500, 20},
		{1, 2500, 0},
		{3, 2500, 1}, // 0.6 rounds up
		{5000, 0, 0},
		{-12500, 2500, -2500},
		{MaxAmount, 2500, 219902325555}, // 2^40 × 25/125, exact
	}
	for _, tc := range tests {
		if got := VATIncluded(tc.amount, tc.rate); got != tc.want {
			t.Errorf("VATIncluded(%d, %d) = %d, want %d", tc.amount, tc.rate, got, tc.want)
		}
	}
	for _, tc := range []struct {
		locale locale.Locale
		rate   VATRate
		want   string
	}{{"sv-SE", 2500, "25\u00a0%"}, {"sv-SE", 1250, "12,5\u00a0%"}, {"en-GB", 1250, "12.5%"}, {"nb-NO", 0, "0\u00a0%"}} {
		if got := FormatVAT(tc.locale, tc.rate); got != tc.want {
			t.Errorf("FormatVAT(%s, %d) = %q, want %q", tc.locale, tc.rate, got, tc.want)
		}
	}
}
