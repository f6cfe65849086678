package pinglinks

import (
	"strings"
	"testing"
)

// TestLinkAcceptsWhatPingAccepts: a customer phone in any human format is
// kept (spaces tidied), a bare supplier domain becomes an https URL; what is
// not a website or is too long is still refused.
func TestLinkAcceptsWhatPingAccepts(t *testing.T) {
	t.Parallel()
	link := func(phone, website string) *PaymentLink {
		return &PaymentLink{Customer: Customer{FirstName: "Åsa", LastName: "Öberg", Phone: phone},
			Supplier: Supplier{Name: "Biodlarna AB", Website: website}, Currency: SEK, Locale: "sv-SE",
			Items: []LinkItem{{Description: "Honung", Price: 7000, Quantity: 1}}}
	}
	tests := []struct {
		name, phone, website   string
		wantPhone, wantWebsite string
		wantErr                string // the property at fault, or ""
	}{
		{"Swedish mobile", "070-123 45 67", "", "070-123 45 67", "", ""},
		{"US with parentheses", "(555) 010-1234", "", "(555) 010-1234", "", ""},
		{"extension", "+1-555-010-1234x123", "", "+1-555-010-1234x123", "", ""},
		{"words", "ring mig", "", "ring mig", "", ""},
		{"spaces tidied", "  070  123 45 67 ", "", "070 123 45 67", "", ""},
		{"phone too long", strings.Repeat("1", MaxPhoneLen+1), "", "", "", "customer.phone"},
		{"bare domain", "", "example.com", "", "https://example.com", ""},
		{"bare domain with path", "", "www.biodlarna.se/honung", "", "https://www.biodlarna.se/honung", ""},
		{"https kept", "", "https://example.com/shop", "", "https://example.com/shop", ""},
		{"http kept", "", "http://example.com", "", "http://example.com", ""},
		{"no dot", "", "biodlarna", "", "", "supplier.website"},
		{"space", "", "biodlarna .se", "", "", "supplier.website"},
		{"other scheme", "", "ftp://example.com", "", "", "supplier.website"},
		{"credentials", "", "user:pw@example.com", "", "", "supplier.website"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := link(tt.phone, tt.website)
			err := l.Validate("2026-01-01")
			if tt.wantErr != "" {
				es, _ := err.(Errors)
				if len(es) != 1 || es[0].Property != tt.wantErr {
					t.Fatalf("want one error at %s, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Customer.Phone != tt.wantPhone || l.Supplier.Website != tt.wantWebsite {
				t.Errorf("kept phone %q, website %q; want %q, %q", l.Customer.Phone, l.Supplier.Website, tt.wantPhone, tt.wantWebsite)
			}
		})
	}
}

// TestMerchantCheckDigits: Validate (production) refuses an organisation
// number whose check digit is wrong; ValidateWellFormed (sandbox) accepts
// it, but still refuses numbers of the wrong shape.
func TestMerchantCheckDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		country, number string
		valid           bool // check digit right
		wellFormed      bool
	}{
		{"SE", "556703-7485", true, true},
		{"SE", "556703-7484", false, true},
		{"SE", "559234-5678", false, true},
		{"SE", "550703-7484", false, false}, // third digit below 2: a personal number's shape
		{"SE", "55670-37484", false, true},  // separators anywhere
		{"SE", "556703-748", false, false},
		{"NO", "923609016", true, true},
		{"NO", "923609017", false, true},
		{"NO", "92360901", false, false},
		{"DK", "10150817", true, true},
		{"DK", "10150818", false, true},
		{"DK", "1015081", false, false},
		{"FI", "0112038-9", true, true},
		{"FI", "0112038-8", false, true},
		{"FI", "0112038", false, false},
		{"SE", "55670A7485", false, false},
	}
	for _, tt := range tests {
		m := func() *Merchant {
			o := &Organization{Country: tt.country}
			switch tt.country {
			case "SE":
				o.SEOrganizationNumber = tt.number
			case "NO":
				o.NOOrganizationNumber = tt.number
			case "DK":
				o.DKOrganizationNumber = tt.number
			case "FI":
				o.FIOrganizationNumber = tt.number
			}
			return &Merchant{Name: "Stall", Organization: o}
		}
		if err := m().Validate(); (err == nil) != tt.valid {
			t.Errorf("Validate %s %s: %v, want valid %v", tt.country, tt.number, err, tt.valid)
		}
		if err := m().ValidateWellFormed(); (err == nil) != tt.wellFormed {
			t.Errorf("ValidateWellFormed %s %s: %v, want accepted %v", tt.country, tt.number, err, tt.wellFormed)
		}
	}
}

// FuzzWebsiteURL: whatever a tenant sends, websiteURL does not panic, and
// what it accepts is an http(s) URL with a host.
func FuzzWebsiteURL(f *testing.F) {
	for _, s := range []string{"example.com", "https://example.com/x", "biodlarna", "http://", "a b.se", "user@ex.com", "ex.com:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := websiteURL(raw)
		if ok && !validURL(got, false) {
			t.Fatalf("websiteURL(%q) = %q, not an http(s) URL", raw, got)
		}
	})
}
