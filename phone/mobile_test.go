package phone

import (
	"errors"
	"testing"
)

func TestMobile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region, want string // want "" means refused
	}{
		{"070-123 45 67", "SE", "+46701234567"},
		{"+46 70 123 45 67", "NO", "+46701234567"},
		{"412 34 567", "NO", "+4741234567"},
		{"07400 123456", "GB", "+447400123456"},
		{"+1 (201) 555-0123", "SE", "+12015550123"}, // US: fixed line or mobile, cannot tell
		{"08-123 456 78", "SE", ""},                 // a Stockholm fixed line
		{"(555) 010-1234", "SE", ""},                // no country code, not Swedish
		{"+1-555-010-1234x123", "SE", ""},           // 555-01xx is fiction
		{"020-123 456", "SE", ""},                   // Swedish toll-free
		{"ring mig", "SE", ""},
		{"", "SE", ""},
	}
	for _, tt := range tests {
		got, err := Mobile(tt.raw, tt.region)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("Mobile(%q, %s) = %q, want it refused", tt.raw, tt.region, got)
		case tt.want == "" && !errors.Is(err, ErrInvalid):
			t.Errorf("Mobile(%q, %s): %v does not wrap ErrInvalid", tt.raw, tt.region, err)
		case tt.want != "" && got != tt.want:
			t.Errorf("Mobile(%q, %s) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
		}
	}
}
