package sms

import (
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/locale"
)

func TestGSM7Len(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in string
		n  int
		ok bool
	}{
		{"Hej", 3, true},
		{"Åsa, Ärla & Örjan – Blåbär", 0, false}, // en dash is not GSM-7
		{"Åsa, Ärla & Örjan - Blåbär", 26, true},
		{"Blåbærsyltetøy", 14, true},
		{"100 €", 6, true},
		{"[x]", 5, true},
		{"😀", 0, false},
	}
	for _, tt := range tests {
		n, ok := GSM7Len(tt.in)
		if ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("GSM7Len(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.ok)
		}
	}
}

func TestPaymentLinkText(t *testing.T) {
	t.Parallel()
	const url = "https://pay.pinglinks.se/checkout/Xk3v9QfPz1LmN0aBcD7eRw"
	tests := []struct {
		locale           locale.Locale
		supplier, amount string
		want             string
	}{
		{"sv-SE", "Åsas Blåbär AB", "1 250,00 kr",
			"Hej! Åsas Blåbär AB har skickat en betalningslänk på 1 250,00 kr. Betala här: " + url},
		{"nb-NO", "Bærstua", "350,00 kr",
			"Hei! Bærstua har sendt deg en betalingslenke på 350,00 kr. Betal her: " + url},
		{"en-GB", "Fair Stall Ltd", "£12.00",
			"Hi! Fair Stall Ltd has sent you a payment link for £12.00. Pay here: " + url},
		{"de-DE", "Fair Stall Ltd", "£12.00",
			"Hi! Fair Stall Ltd has sent you a payment link for £12.00. Pay here: " + url},
		{"sv-SE", "Kafé “Gröna” – Torget", "70,00 kr",
			"Hej! Kafé \"Gröna\" - Torget har skickat en betalningslänk på 70,00 kr. Betala här: " + url},
		{"sv-SE", "Line\nbreak\tname", "70,00 kr",
			"Hej! Line break name har skickat en betalningslänk på 70,00 kr. Betala här: " + url},
	}
	for _, tt := range tests {
		got := PaymentLinkText(tt.locale, tt.supplier, tt.amount, url)
		if got != tt.want {
			t.Errorf("PaymentLinkText(%q, %q) =\n %q\nwant\n %q", tt.locale, tt.supplier, got, tt.want)
		}
		if n, ok := GSM7Len(got); !ok || n > MaxSinglePart {
			t.Errorf("%q: %d septets, GSM-7 %v", got, n, ok)
		}
	}
}

func TestPaymentLinkTextLongSupplier(t *testing.T) {
	t.Parallel()
	const url = "https://pay.pinglinks.se/checkout/Xk3v9QfPz1LmN0aBcD7eRw"
	supplier := "Föreningen Södra Stadsdelens Hembygdsgille och Julmarknad med Loppis i Gamla Stan"
	got := PaymentLinkText("sv-SE", supplier, "1 250,00 kr", url)
	if n, ok := GSM7Len(got); !ok || n > MaxSinglePart {
		t.Errorf("%q: %d septets, GSM-7 %v", got, n, ok)
	}
	if !strings.HasSuffix(got, url) || !strings.Contains(got, "1 250,00 kr") || !strings.HasPrefix(got, "Föreningen Södra") {
		t.Errorf("lost content: %q", got)
	}
	// A URL that cannot fit: the text is still complete.
	longURL := "https://pay.pinglinks.se/checkout/" + strings.Repeat("a", 150)
	got = PaymentLinkText("nb-NO", "Bærstua", "350,00 kr", longURL)
	if !strings.HasSuffix(got, longURL) || !strings.Contains(got, "Bærstua") {
		t.Errorf("lost content: %q", got)
	}
}

func TestReminderText(t *testing.T) {
	t.Parallel()
	const url = "https://pay.pinglinks.se/checkout/Xk3v9QfPz1LmN0aBcD7eRw"
	tests := []struct{ locale, supplier, amount, want string }{
		{"sv-SE", "Åsas Blåbär AB", "1 250,00 kr", "Påminnelse: Åsas Blåbär AB väntar på din betalning på 1 250,00 kr. Betala här: " + url},
		{"nb-NO", "Bærstua", "350,00 kr", "Påminnelse: Bærstua venter på betalingen din på 350,00 kr. Betal her: " + url},
		{"en-GB", "Fair Stall Ltd", "£12.00", "Reminder: Fair Stall Ltd is waiting for your payment of £12.00. Pay here: " + url},
		{"sv-SE", strings.Repeat("Långt Företagsnamn ", 8), "70,00 kr", ""},
	}
	for _, tt := range tests {
		got := ReminderText(locale.Locale(tt.locale), tt.supplier, tt.amount, url)
		if tt.want != "" && got != tt.want {
			t.Errorf("ReminderText(%q, %q) =\n %q\nwant\n %q", tt.locale, tt.supplier, got, tt.want)
		}
		if n, ok := GSM7Len(got); !ok || n > MaxSinglePart || !strings.Contains(got, url) {
			t.Errorf("%q: %d septets, GSM-7 %v", got, n, ok)
		}
	}
}
