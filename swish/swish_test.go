package swish_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/swish"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		ore  int64
		want error
	}{
		{"100.00", 10000, nil},
		{"100", 10000, nil},
		{"100.5", 10050, nil},
		{"0.01", 1, nil},
		{"999999999999.99", swish.MaxAmount, nil},
		{"1000000000000.00", 0, swish.ErrAmountTooLarge},
		{"99999999999999999999999", 0, swish.ErrAmountTooLarge},
		{"0.00", 0, swish.ErrAmountZero},
		{"0", 0, swish.ErrAmountZero},
		{"", 0, swish.ErrAmountSyntax},
		{"100,00", 0, swish.ErrAmountSyntax},
		{"1.234", 0, swish.ErrAmountSyntax},
		{"-1.00", 0, swish.ErrAmountSyntax},
		{"+1.00", 0, swish.ErrAmountSyntax},
		{"1e2", 0, swish.ErrAmountSyntax},
		{"1.", 0, swish.ErrAmountSyntax},
		{".5", 0, swish.ErrAmountSyntax},
		{" 1.00", 0, swish.ErrAmountSyntax},
	} {
		got, err := swish.ParseAmount(tc.in)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) || got != tc.ore {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.ore, tc.want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for ore, want := range map[int64]string{1: "0.01", 10: "0.10", 100: "1.00", 10050: "100.50", 123456789: "1234567.89"} {
		if got := swish.FormatAmount(ore); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", ore, got, want)
		}
	}
}

func FuzzAmountRoundTrip(f *testing.F) {
	for _, s := range []string{"1", "100.00", "0.5", "999999999999.99", "x", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := swish.ParseAmount(s)
		if err != nil {
			return
		}
		if n < 1 || n > swish.MaxAmount {
			t.Fatalf("ParseAmount(%q) = %d outside the range", s, n)
		}
		back, err := swish.ParseAmount(swish.FormatAmount(n))
		if err != nil || back != n {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, n, swish.FormatAmount(n), back, err)
		}
	})
}

func TestInstructionID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id := swish.NewInstructionID()
		if !swish.ValidInstructionID(id) || seen[id] {
			t.Fatalf("NewInstructionID() = %q: invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{
		"", "11A86BE70EA346E4B1C39C874173F088A", "11A86BE70EA346E4B1C39C874173F08",
		"11a86be70ea346e4b1c39c874173f088", "11A86BE7-0EA3-46E4-B1C3-9C874173F088", "11A86BE70EA346E4B1C39C874173F08G",
	} {
		if swish.ValidInstructionID(bad) {
			t.Errorf("ValidInstructionID(%q) = true", bad)
		}
	}
}

func TestAliasesAndMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"payee", swish.ValidPayeeAlias, "1231181189", true},
		{"payee", swish.ValidPayeeAlias, "123118118", false},
		{"payee", swish.ValidPayeeAlias, "9871181189", false},
		{"payee", swish.ValidPayeeAlias, "123118118X", false},
		{"payer", swish.ValidPayerAlias, "46712345678", true},
		{"payer", swish.ValidPayerAlias, "0712345678", false},
		{"payer", swish.ValidPayerAlias, "+46712345678", false},
		{"payer", swish.ValidPayerAlias, "4671234", false},
		{"payer", swish.ValidPayerAlias, "4671234567890123", false},
		{"message", swish.ValidMessage, "", true},
		{"message", swish.ValidMessage, "Faktura 12: Åsa, räksmörgås (2 st)!", true},
		{"message", swish.ValidMessage, strings.Repeat("ö", 50), true},
		{"message", swish.ValidMessage, strings.Repeat("a", 51), false},
		{"message", swish.ValidMessage, "<script>", false},
		{"message", swish.ValidMessage, "50 €", false},
		{"message", swish.ValidMessage, "tab\there", false},
		{"reference", swish.ValidPaymentReference, "INV-2026-0001", true},
		{"reference", swish.ValidPaymentReference, "", false},
		{"reference", swish.ValidPaymentReference, "with space", false},
		{"reference", swish.ValidPaymentReference, strings.Repeat("1", 36), false},
	} {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%s %q valid = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func FuzzParseCallback(f *testing.F) {
	f.Add([]byte(`{"id":"11A86BE70EA346E4B1C39C874173F088","status":"PAID","amount":100.00}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := swish.ParseCallback(b); err == nil && !swish.ValidInstructionID(p.ID) {
			t.Fatalf("accepted a callback with id %q", p.ID)
		}
		_, _ = swish.ParseRefundCallback(b)
	})
}
