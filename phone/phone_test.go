package phone

import (
	"errors"
	"regexp"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw, region, want string
		wantErr           bool
	}{
		{"070-123 45 67", "SE", "+46701234567", false},
		{"0701234567", "se", "+46701234567", false},
		{"+46 70 123 45 67", "", "+46701234567", false},
		{"+46701234567", "NO", "+46701234567", false},
		{"0046701234567", "SE", "+46701234567", false},
		{"412 34 567", "NO", "+4741234567", false},
		{"+47 412 34 567", "SE", "+4741234567", false},
		{"08-123 456 78", "SE", "+46812345678", false},
		{"07012345", "SE", "", true},  // too short
		{"0701234567", "", "", true},  // national without region
		{"", "SE", "", true},          // empty
		{"hello", "SE", "", true},     // not a number
		{"+999 123456", "", "", true}, // no such country code
		{"123", "SE", "", true},       // invalid
		{"+4670123456789012345", "", "", true},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.raw, tt.region)
		if (err != nil) != tt.wantErr {
			t.Errorf("Normalize(%q, %q) error = %v, wantErr %v", tt.raw, tt.region, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) error %v does not wrap ErrInvalid", tt.raw, err)
		}
		if got != tt.want {
			t.Errorf("Normalize(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
		}
	}
}

func TestSwishNumber(t *testing.T) {
	tests := []struct {
		raw, want string
		wantErr   bool
	}{
		{"0701234567", "46701234567", false},
		{"070-123 45 67", "46701234567", false},
		{"+46701234567", "46701234567", false},
		{"+46 70-123 45 67", "46701234567", false},
		{"46701234567", "46701234567", false},
		{"  0731234567 ", "46731234567", false},
		{"0761234567", "46761234567", false},
		{"", "", true},
		{"070123456", "", true},      // 9 digits
		{"07012345678", "", true},    // 11 digits
		{"0812345678", "", true},     // landline
		{"+4681234567", "", true},    // landline
		{"0046701234567", "", true},  // not an accepted form
		{"+47 412 34 567", "", true}, // Norwegian
		{"4670123456+", "", true},    // misplaced plus
		{"+4670+1234567", "", true},  // misplaced plus
		{"070.123.45.67", "", true},  // dots are not tolerated
		{"0７01234567", "", true},     // full-width digit
		{"++46701234567", "", true},
	}
	for _, tt := range tests {
		got, err := SwishNumber(tt.raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("SwishNumber(%q) error = %v, wantErr %v", tt.raw, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("SwishNumber(%q) error %v does not wrap ErrInvalid", tt.raw, err)
		}
		if got != tt.want {
			t.Errorf("SwishNumber(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

var swishRe = regexp.MustCompile(`^467\d{8}$`)

func FuzzSwishNumber(f *testing.F) {
	for _, s := range []string{"0701234567", "+46701234567", "46701234567", "070-123 45 67", "", "+", "07", "467", "++467"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := SwishNumber(raw)
		if err != nil {
			if got != "" {
				t.Fatalf("SwishNumber(%q) returned %q with error %v", raw, got, err)
			}
			return
		}
		if !swishRe.MatchString(got) {
			t.Fatalf("SwishNumber(%q) = %q, does not match %s", raw, got, swishRe)
		}
		// Normalising the normal form is the identity.
		again, err := SwishNumber(got)
		if err != nil || again != got {
			t.Fatalf("SwishNumber(%q) = %q, %v; want idempotent", got, again, err)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"0701234567", "+46701234567", "+4741234567", "", "+"} {
		f.Add(s, "SE")
	}
	e164 := regexp.MustCompile(`^\+[1-9]\d{1,14}$`)
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := Normalize(raw, region)
		if err == nil && !e164.MatchString(got) {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", raw, region, got)
		}
	})
}
