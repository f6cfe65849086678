package pinglinks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/locale"
)

// These tests complement domain_test.go: more numbers (each valid example's
// check digit computed by hand below), every field of a merchant, explicit
// transition tables, and the arithmetic edges of payments and allocations.

func TestNumberValidatorsTable(t *testing.T) {
	t.Parallel()
	type tc struct {
		in   string
		want bool
		why  string
	}
	tables := []struct {
		name  string
		check func(string) bool
		cases []tc
	}{
		{"SE organisation", ValidSEOrganizationNumber, []tc{
			// Luhn over 556703748, from the right every second digit doubled (digit sum of the product):
			// 8→16→7, 4, 7→14→5, 3, 0→0, 7, 6→12→3, 5, 5→10→1: 7+4+5+3+0+7+3+5+1 = 35 → check (10-5)%10 = 5 ✓.
			{"556703-7485", true, "example"},
			{"5567037485", true, "no separator"},
			{"556703 7485", true, "space separator"},
			// 212000014: 4→8, 1, 0, 0, 0, 0, 2→4, 1, 2→4: 8+1+4+1+4 = 18 → check 2 ✓.
			{"212000-0142", true, "constructed"},
			{"212000-0141", false, "wrong check digit"},
			{"556703-7486", false, "wrong check digit"},
			{"5567037485 ", true, "trailing space is a separator"},
			{"811228-9874", false, "third digit < 2: a personal number"},
			{"556703748", false, "9 digits"},
			{"", false, "empty"},
			{"556703_7485", false, "underscore"},
			{"５５６７０３７４８５", false, "full-width digits"},
		}},
		{"NO organisation", ValidNOOrganizationNumber, []tc{
			// 92360901: 3·9+2·2+7·3+6·6+5·0+4·9+3·0+2·1 = 27+4+21+36+0+36+0+2 = 126; 126 mod 11 = 5; 11-5 = 6 ✓.
			{"923609016", true, "example"},
			{"923 609 016", true, "spaces"},
			// 97476067: 27+14+28+42+30+0+18+14 = 173; 173 mod 11 = 8; 11-8 = 3 ✓.
			{"974760673", true, "Brønnøysundregistrene"},
			// 14000000: 3·1+2·4 = 11; 11 mod 11 = 0; 11-0 = 11 → 0 ✓.
			{"140000000", true, "check digit 11 means 0"},
			// 40000000: 3·4 = 12; 12 mod 11 = 1; 11-1 = 10 → no valid check digit exists.
			{"400000000", false, "check 10"},
			{"400000001", false, "check 10"},
			{"923609015", false, "wrong check"},
			{"9236090160", false, "10 digits"},
			{"92360901a", false, "letter"},
		}},
		{"DK CVR", ValidDKOrganizationNumber, []tc{
			// 2·1+7·3+6·5+5·8+4·5+3·6+2·2+1·8 = 143 = 13·11 ✓.
			{"13585628", true, "example"},
			// 2·2+7·5+6·3+5·1+4·3+3·7+2·6+1·3 = 4+35+18+5+12+21+12+3 = 110 = 10·11 ✓.
			{"25313763", true, "constructed"},
			{"25313764", false, "sum 111"},
			{"2531376", false, "7 digits"},
			{"253137630", false, "9 digits"},
		}},
		{"FI Y-tunnus", ValidFIOrganizationNumber, []tc{
			// 7·0+9·1+10·1+5·2+8·0+4·3+2·8 = 57; 57 mod 11 = 2; 11-2 = 9 ✓.
			{"0112038-9", true, "example"},
			// 7·1+9·5+10·7+5·2+8·8+4·6+2·0 = 7+45+70+10+64+24+0 = 220; 220 mod 11 = 0 → check 0 ✓.
			{"1572860-0", true, "remainder 0"},
			// 7·2+9·6+10·1+5·7+8·4+4·1+2·6 = 14+54+10+35+32+4+12 = 161; 161 mod 11 = 7; 11-7 = 4 ✓.
			{"2617416-4", true, "constructed"},
			// 0000030: 4·3 = 12; 12 mod 11 = 1 → no valid check digit exists.
			{"0000030-0", false, "remainder 1"},
			{"0000030-1", false, "remainder 1"},
			{"0112038-8", false, "wrong check"},
			{"112038-9", false, "7 digits"},
		}},
		{"SE personnummer", ValidSEPersonalIdentityNumber, []tc{
			// The Tax Agency's example. Luhn over the last ten digits' payload 811228987, from the right:
			// 7→14→5, 8, 9→18→9, 8, 2→4, 2, 1→2, 1, 8→16→7: 5+8+9+8+4+2+2+1+7 = 46 → check 4 ✓.
			{"19811228-9874", true, "Skatteverket example"},
			{"198112289874", true, "no separator"},
			// Coordination number, day 28+60 = 88. Luhn over 811288987: 7→5, 8, 9→9, 8, 8→7, 2, 1→2, 1, 8→7 = 49 → 1 ✓.
			{"19811288-9871", true, "coordination number"},
			// 29 Feb 2000 (a leap year). Luhn over 000229123: 3→6, 2, 1→2, 9, 2→4, 2, 0, 0, 0 = 25 → 5 ✓.
			{"20000229-1235", true, "leap day"},
			{"19000229-1235", false, "1900 is no leap year (same last ten digits)"},
			{"19811232-9876", false, "day 32"},
			{"8112289874", false, "10 digits"},
			{"19811228+9874", true, "'+' (over 100 years) is a separator"},
		}},
		{"NO fødselsnummer", ValidNOPersonalIdentityNumber, []tc{
			// k1: 3·0+7·1+6·0+1·1+8·0+9·7+4·5+5·0+2·1 = 93; 93 mod 11 = 5; 11-5 = 6 ✓.
			// k2: 5·0+4·1+3·0+2·1+7·0+6·7+5·5+4·0+3·1+2·6 = 88; 88 mod 11 = 0 → 0 ✓.
			{"01010750160", true, "example"},
			// D-number (day 01+40). k1: 3·4+7·1+6·0+1·1+8·0+9·7+4·5+5·0+2·1 = 105; 105 mod 11 = 6; 11-6 = 5 ✓.
			// k2: 5·4+4·1+3·0+2·1+7·0+6·7+5·5+4·0+3·1+2·5 = 106; 106 mod 11 = 7; 11-7 = 4 ✓.
			{"41010750154", true, "D-number"},
			{"41010750155", false, "D-number, wrong k2"},
			{"01010750170", false, "wrong k1"},
			{"0101075016", false, "10 digits"},
		}},
	}
	for _, tb := range tables {
		for _, c := range tb.cases {
			if got := tb.check(c.in); got != c.want {
				t.Errorf("%s %q (%s): got %v, want %v", tb.name, c.in, c.why, got, c.want)
			}
		}
	}
}

// numberValidators lists every identity-number check with the digit count it wants.
var numberValidators = []struct {
	name   string
	check  func(string) bool
	digits int
}{
	{"se_org", ValidSEOrganizationNumber, 10},
	{"no_org", ValidNOOrganizationNumber, 9},
	{"dk_org", ValidDKOrganizationNumber, 8},
	{"fi_org", ValidFIOrganizationNumber, 8},
	{"se_person", ValidSEPersonalIdentityNumber, 12},
	{"no_person", ValidNOPersonalIdentityNumber, 11},
}

// TestLuhnNumbersCatchOneChangedDigit: every single-digit change of a valid
// Luhn number (the Swedish ones) is caught.
func TestLuhnNumbersCatchOneChangedDigit(t *testing.T) {
	t.Parallel()
	for _, valid := range []string{"5567037485", "2120000142", "198112289874"} {
		check := ValidSEOrganizationNumber
		if len(valid) == 12 {
			check = ValidSEPersonalIdentityNumber
		}
		for i := range valid {
			if len(valid) == 12 && i < 2 {
				continue // the century is outside the Luhn check
			}
			for d := byte('0'); d <= '9'; d++ {
				if d == valid[i] {
					continue
				}
				changed := valid[:i] + string(d) + valid[i+1:]
				if check(changed) {
					t.Errorf("%s accepted (one digit changed from %s)", changed, valid)
				}
			}
		}
	}
}

func fuzzNumber(f *testing.F, idx int) {
	v := numberValidators[idx]
	for _, s := range []string{"556703-7485", "923609016", "13585628", "0112038-9", "19811228-9874", "01010750160",
		"", "-", "+", "00000000000000", "99999999999", "٣٣٣٣٣٣٣٣", "\xff\xfe", strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := v.check(s)
		if !ok {
			return
		}
		d := digitsOnly(s)
		if len(d) != v.digits {
			t.Fatalf("%s accepted %q with %d digits", v.name, s, len(d))
		}
		if !v.check(d) {
			t.Fatalf("%s accepted %q but not its digits %q", v.name, s, d)
		}
	})
}

func FuzzSEOrganizationNumber(f *testing.F)     { fuzzNumber(f, 0) }
func FuzzNOOrganizationNumber(f *testing.F)     { fuzzNumber(f, 1) }
func FuzzDKOrganizationNumber(f *testing.F)     { fuzzNumber(f, 2) }
func FuzzFIOrganizationNumber(f *testing.F)     { fuzzNumber(f, 3) }
func FuzzSEPersonalIdentityNumber(f *testing.F) { fuzzNumber(f, 4) }
func FuzzNOPersonalIdentityNumber(f *testing.F) { fuzzNumber(f, 5) }
func FuzzMerchantValidateNeverPanics(f *testing.F) {
	f.Add("Stall", "SE", "556703-7485", "a@b.se", "+46701234567", true)
	f.Add("", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, name, country, number, email, phone string, org bool) {
		m := &Merchant{Name: name, Email: email, PhoneNumber: phone}
		if org {
			m.Organization = &Organization{Country: country, SEOrganizationNumber: number, NOOrganizationNumber: number,
				DKOrganizationNumber: number, FIOrganizationNumber: number}
		} else {
			m.Person = &Person{Country: country, Name: name, SEPersonalIdentityNumber: number, NOPersonalIdentityNumber: number}
		}
		if err := m.Validate(); err != nil {
			if _, ok := err.(Errors); !ok {
				t.Fatalf("Validate returned %T", err)
			}
		}
	})
}

func TestMerchantValidateEveryField(t *testing.T) {
	t.Parallel()
	org := func(country, number string) func() *Merchant {
		return func() *Merchant {
			o := &Organization{Country: country}
			switch country {
			case "SE":
				o.SEOrganizationNumber = number
			case "NO":
				o.NOOrganizationNumber = number
			case "DK":
				o.DKOrganizationNumber = number
			case "FI":
				o.FIOrganizationNumber = number
			}
			return &Merchant{Name: "Stall", Organization: o, Email: "stall@example.com", PhoneNumber: "+46 70-123 45 67"}
		}
	}
	person := func(country, number string) func() *Merchant {
		return func() *Merchant {
			p := &Person{Country: country, Name: "Åsa Öberg"}
			if country == "SE" {
				p.SEPersonalIdentityNumber = number
			} else {
				p.NOPersonalIdentityNumber = number
			}
			return &Merchant{Name: "Åsa", Person: p}
		}
	}
	valid := []struct {
		make func() *Merchant
		norm func(m *Merchant) string
		want string
	}{
		{org("SE", "556703-7485"), func(m *Merchant) string { return m.Organization.SEOrganizationNumber }, "5567037485"},
		{org("NO", "923 609 016"), func(m *Merchant) string { return m.Organization.NOOrganizationNumber }, "923609016"},
		{org("DK", "13 58 56 28"), func(m *Merchant) string { return m.Organization.DKOrganizationNumber }, "13585628"},
		{org("FI", "0112038-9"), func(m *Merchant) string { return m.Organization.FIOrganizationNumber }, "01120389"},
		{person("SE", "19811228-9874"), func(m *Merchant) string { return m.Person.SEPersonalIdentityNumber }, "198112289874"},
		{person("NO", "010107 50160"), func(m *Merchant) string { return m.Person.NOPersonalIdentityNumber }, "01010750160"},
	}
	for i, v := range valid {
		m := v.make()
		if err := m.Validate(); err != nil {
			t.Errorf("valid merchant %d: %v", i, err)
		} else if got := v.norm(m); got != v.want {
			t.Errorf("valid merchant %d: number normalised to %q, want %q", i, got, v.want)
		}
	}

	base := org("SE", "5567037485")
	cases := []struct {
		name   string
		make   func() *Merchant
		change func(m *Merchant)
		props  []string
	}{
		{"blank name", base, func(m *Merchant) { m.Name = "  \t" }, []string{"name"}},
		{"name 201 runes", base, func(m *Merchant) { m.Name = strings.Repeat("å", 201) }, []string{"name"}},
		{"name 200 runes is fine", base, func(m *Merchant) { m.Name = strings.Repeat("å", 200) }, nil},
		{"neither", base, func(m *Merchant) { m.Organization = nil }, []string{"organization"}},
		{"both", base, func(m *Merchant) { m.Person = &Person{Country: "SE", Name: "x"} }, []string{"person"}},
		{"org no country", base, func(m *Merchant) { m.Organization.Country = "" }, []string{"organization.country"}},
		{"org country lower case", base, func(m *Merchant) { m.Organization.Country = "se" }, []string{"organization.country"}},
		{"org missing SE number", base, func(m *Merchant) { m.Organization.SEOrganizationNumber = "" }, []string{"organization.se_organization_number"}},
		{"org bad SE number", base, func(m *Merchant) { m.Organization.SEOrganizationNumber = "5567037484" }, []string{"organization.se_organization_number"}},
		{"org SE with only a NO number", base, func(m *Merchant) {
			m.Organization = &Organization{Country: "SE", NOOrganizationNumber: "923609016"}
		}, []string{"organization.se_organization_number"}},
		{"org bad NO number", org("NO", "923609017"), nil, []string{"organization.no_organization_number"}},
		{"org missing NO number", org("NO", ""), nil, []string{"organization.no_organization_number"}},
		{"org bad DK number", org("DK", "13585629"), nil, []string{"organization.dk_organization_number"}},
		{"org bad FI number", org("FI", "0112038-8"), nil, []string{"organization.fi_organization_number"}},
		{"person no name", person("SE", "198112289874"), func(m *Merchant) { m.Person.Name = " " }, []string{"person.name"}},
		{"person no country", person("SE", "198112289874"), func(m *Merchant) { m.Person.Country = "" }, []string{"person.country"}},
		{"person DK", person("SE", "198112289874"), func(m *Merchant) { m.Person.Country = "DK" }, []string{"person.country"}},
		{"person missing SE number", person("SE", ""), nil, []string{"person.se_personal_identity_number"}},
		{"person bad SE number", person("SE", "198112289875"), nil, []string{"person.se_personal_identity_number"}},
		{"person missing NO number", person("NO", ""), nil, []string{"person.no_personal_identity_number"}},
		{"person bad NO number", person("NO", "01010750161"), nil, []string{"person.no_personal_identity_number"}},
		{"email without domain", base, func(m *Merchant) { m.Email = "stall" }, []string{"email"}},
		{"email with display name", base, func(m *Merchant) { m.Email = "Stall <stall@example.com>" }, []string{"email"}},
		{"phone too short", base, func(m *Merchant) { m.PhoneNumber = "123456" }, []string{"phone_number"}},
		{"phone too long", base, func(m *Merchant) { m.PhoneNumber = "1234567890123456" }, []string{"phone_number"}},
		{"phone plus inside", base, func(m *Merchant) { m.PhoneNumber = "46+701234567" }, []string{"phone_number"}},
		{"phone letters", base, func(m *Merchant) { m.PhoneNumber = "070-CALL-ME" }, []string{"phone_number"}},
		{"every error at once", base, func(m *Merchant) {
			m.Name, m.Email, m.PhoneNumber = "", "x", "1"
			m.Organization.SEOrganizationNumber = "1"
		}, []string{"name", "organization.se_organization_number", "email", "phone_number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.make()
			if c.change != nil {
				c.change(m)
			}
			err := m.Validate()
			var got []string
			if err != nil {
				es, ok := err.(Errors)
				if !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				for _, e := range es {
					if e.Code != ECodeInvalid {
						t.Errorf("code %s, want %s", e.Code, ECodeInvalid)
					}
					got = append(got, e.Property)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.props) {
				t.Errorf("properties %v, want %v (%v)", got, c.props, err)
			}
		})
	}
}

func TestMerchantDecisions(t *testing.T) {
	t.Parallel()
	m := &Merchant{Status: MerchantCreated}
	if err := m.Approve(); err != nil || m.Status != MerchantApproved {
		t.Fatalf("approve: %v %s", err, m.Status)
	}
	for _, f := range []func() error{m.Approve, m.Deny} {
		if err := f(); ErrorCode(err) != ECodeForbidden || m.Status != MerchantApproved {
			t.Errorf("second decision: %v, status %s", err, m.Status)
		}
	}
	d := &Merchant{Status: MerchantCreated}
	if err := d.Deny(); err != nil || d.Status != MerchantDenied {
		t.Fatalf("deny: %v %s", err, d.Status)
	}
}

func TestCurrencies(t *testing.T) {
	t.Parallel()
	for _, c := range []Currency{SEK, NOK, DKK, EUR, GBP} {
		if !c.Valid() {
			t.Errorf("%s refused", c)
		}
	}
	for _, c := range []Currency{"", "USD", "sek", "SEK ", " SEK", "SE", "SEKK", "XXX"} {
		if c.Valid() {
			t.Errorf("%q accepted", c)
		}
	}
}

func TestAmountArithmeticEdges(t *testing.T) {
	t.Parallel()
	add := []struct {
		a, b int64
		sum  int64
		ok   bool
	}{
		{0, 0, 0, true},
		{MaxAmount, 0, MaxAmount, true},
		{MaxAmount - 1, 1, MaxAmount, true},
		{MaxAmount, 1, 0, false},
		{-MaxAmount, 0, -MaxAmount, true},
		{-MaxAmount, -1, 0, false},
		{MaxAmount, -MaxAmount, 0, true},
		{math.MaxInt64, 1, 0, false},
		{math.MinInt64, -1, 0, false},
		{math.MaxInt64, math.MinInt64, -1, true}, // only the sum is bounded
		{1 << 62, 1 << 62, 0, false},
	}
	for _, c := range add {
		s, ok := AddAmounts(c.a, c.b)
		if ok != c.ok || (ok && s != c.sum) {
			t.Errorf("AddAmounts(%d, %d) = %d, %v; want %d, %v", c.a, c.b, s, ok, c.sum, c.ok)
		}
	}
	mul := []struct {
		p, q int64
		prod int64
		ok   bool
	}{
		{0, math.MaxInt64, 0, true},
		{math.MaxInt64, 0, 0, true},
		{7000, 3, 21000, true},
		{MaxAmount, 1, MaxAmount, true},
		{MaxAmount, 2, 0, false},
		{1 << 20, 1 << 20, 1 << 40, true},
		{1<<20 + 1, 1 << 20, 0, false},
		{1 << 32, 1 << 32, 0, false}, // 2^64 wraps to 0 in int64
		{1 << 62, 4, 0, false},       // wraps to 0
		{math.MaxInt64, 2, 0, false},
		{math.MinInt64, -1, 0, false}, // MinInt64·-1 wraps to MinInt64, and MinInt64/-1 == MinInt64 in Go
		{-1, math.MinInt64, 0, false},
		{-5, 3, -15, true},
		{3037000500, 3037000500, 0, false}, // just above √MaxInt64
	}
	for _, c := range mul {
		p, ok := MulAmount(c.p, c.q)
		if ok != c.ok || (ok && p != c.prod) {
			t.Errorf("MulAmount(%d, %d) = %d, %v; want %d, %v", c.p, c.q, p, ok, c.prod, c.ok)
		}
	}
}

func TestParseVATRateTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want VATRate
		ok   bool
	}{
		{"0", 0, true},
		{"25", 2500, true},
		{"25.5", 2550, true},
		{"12.50", 1250, true},
		{"100", 10000, true},
		{"100.00", 10000, true},
		{"0.01", 1, true},
		{"6", 600, true},
		{"100.01", 0, false},
		{"101", 0, false},
		{"-1", 0, false},
		{"-0", 0, false},
		{"+25", 0, false},
		{"1e2", 0, false},
		{"abc", 0, false},
		{"12.345", 0, false},
		{"", 0, false},
		{".", 0, false},
		{".5", 0, false},
		{"1.2.3", 0, false},
		{" 25", 0, false},
		{"25 ", 0, false},
		{`"25"`, 0, false},
		{"1000", 0, false},
		{"NaN", 0, false},
		{"٢٥", 0, false},
	}
	for _, c := range cases {
		got, err := ParseVATRate(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseVATRate(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	for _, r := range []VATRate{0, 1, 10, 600, 1250, 2550, 9999, 10000} {
		b, _ := r.MarshalJSON()
		var back VATRate
		if err := back.UnmarshalJSON(b); err != nil || back != r {
			t.Errorf("%d → %s → %d, %v", r, b, back, err)
		}
	}
}

// FuzzParseVATRateAgainstFloat: whatever it accepts is a plain decimal with
// at most two decimals, between 0 and 100, and equal to what strconv reads.
func FuzzParseVATRateAgainstFloat(f *testing.F) {
	for _, s := range []string{"0", "25", "25.5", "12.50", "100", "100.01", "-1", "1e2", "abc", "12.345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVATRate(s)
		if err != nil {
			return
		}
		whole, frac, _ := strings.Cut(s, ".")
		if whole == "" || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
			t.Fatalf("%q accepted as %d", s, v)
		}
		if v < 0 || v > 10000 {
			t.Fatalf("%q accepted as %d", s, v)
		}
		for len(frac) < 2 {
			frac += "0"
		}
		w, _ := strconv.ParseInt(whole, 10, 64)
		fr, _ := strconv.ParseInt(frac, 10, 64)
		if int64(v) != w*100+fr {
			t.Fatalf("%q parsed as %d, want %d", s, v, w*100+fr)
		}
	})
}

// allowedPaymentMoves is the transition table written out independently of
// paymentNext: terminal statuses have no moves at all.
var allowedPaymentMoves = map[string]string{
	PaymentInitiated:   "PENDING COMPLETED DECLINED ABORTED EXPIRED CRASHED STOPPED UNDERFUNDED OVERFUNDED FUNDED",
	PaymentPending:     "COMPLETED DECLINED ABORTED EXPIRED CRASHED STOPPED UNDERFUNDED OVERFUNDED FUNDED",
	PaymentUnderfunded: "UNDERFUNDED FUNDED COMPLETED OVERFUNDED EXPIRED STOPPED",
	PaymentFunded:      "COMPLETED OVERFUNDED STOPPED",
	PaymentOverfunded:  "COMPLETED STOPPED",
}

func TestPaymentTransitionsTable(t *testing.T) {
	t.Parallel()
	terminal := map[string]bool{PaymentCompleted: true, PaymentDeclined: true, PaymentAborted: true,
		PaymentExpired: true, PaymentCrashed: true, PaymentStopped: true}
	if len(PaymentStatuses) != 11 {
		t.Fatalf("%d statuses, docs/api.md names 11", len(PaymentStatuses))
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for _, from := range PaymentStatuses {
		if TerminalPaymentStatus(from) != terminal[from] {
			t.Errorf("TerminalPaymentStatus(%s) = %v", from, !terminal[from])
		}
		if terminal[from] && allowedPaymentMoves[from] != "" {
			t.Fatalf("table lists moves from terminal %s", from)
		}
		allowed := map[string]bool{}
		for _, s := range strings.Fields(allowedPaymentMoves[from]) {
			allowed[s] = true
		}
		for _, to := range PaymentStatuses {
			history := []StatusChange{{Status: from, OccurredAt: t0}}
			p := &Payment{Status: from, StatusHistory: history, UpdatedAt: t0}
			now := t0.Add(time.Minute)
			err := p.SetStatus(to, now)
			switch {
			case allowed[to]:
				if err != nil {
					t.Errorf("%s → %s refused: %v", from, to, err)
				} else if p.Status != to || len(p.StatusHistory) != 2 || p.StatusHistory[1] != (StatusChange{to, now}) || !p.UpdatedAt.Equal(now) {
					t.Errorf("%s → %s recorded as %+v", from, to, p)
				}
			default:
				if ErrorCode(err) != ECodeForbidden {
					t.Errorf("%s → %s: %v, want %s", from, to, err, ECodeForbidden)
				}
				if p.Status != from || len(p.StatusHistory) != 1 || !p.UpdatedAt.Equal(t0) {
					t.Errorf("refused %s → %s still changed the payment: %+v", from, to, p)
				}
			}
		}
		for _, bogus := range []string{"", "completed", "PAID"} {
			p := &Payment{Status: from}
			if err := p.SetStatus(bogus, t0); ErrorCode(err) != ECodeInvalid || p.Status != from {
				t.Errorf("%s → %q: %v", from, bogus, err)
			}
		}
	}
	// A terminal payment stays terminal through any sequence of attempts.
	for from := range terminal {
		p := &Payment{Status: from}
		for _, to := range PaymentStatuses {
			_ = p.SetStatus(to, t0)
		}
		if p.Status != from || len(p.StatusHistory) != 0 {
			t.Errorf("terminal %s became %s", from, p.Status)
		}
	}
}

func validPayment() *Payment {
	m := uuid.MustParse("0190d7a4-0000-7000-8000-000000000001")
	return &Payment{Currency: SEK, TotalAmount: 1000, Provider: "dummy", Method: "dummy",
		OrderItems: []OrderItem{{Amount: 600, Name: "Honung", VATRate: 1200, MerchantID: m}, {Amount: 400, Name: "Bivax", VATRate: 2500, MerchantID: m}}}
}

func TestPaymentValidateRules(t *testing.T) {
	t.Parallel()
	if err := validPayment().Validate(); err != nil {
		t.Fatalf("valid payment: %v", err)
	}
	item := func(amount int64) OrderItem { return OrderItem{Amount: amount, Name: "x"} }
	cases := []struct {
		name   string
		change func(p *Payment)
		props  []string
	}{
		{"sum too small", func(p *Payment) { p.TotalAmount = 1001 }, []string{"total_amount"}},
		{"sum too large", func(p *Payment) { p.TotalAmount = 999 }, []string{"total_amount"}},
		{"zero total", func(p *Payment) { p.TotalAmount = 0 }, []string{"total_amount"}},
		{"negative total", func(p *Payment) { p.TotalAmount = -1000 }, []string{"total_amount"}},
		{"total above MaxAmount", func(p *Payment) {
			p.TotalAmount = MaxAmount + 1
			p.OrderItems = []OrderItem{item(MaxAmount), item(1)}
		}, []string{"total_amount"}},
		{"total exactly MaxAmount", func(p *Payment) {
			p.TotalAmount = MaxAmount
			p.OrderItems = []OrderItem{item(MaxAmount - 1), item(1)}
		}, nil},
		{"items sum past MaxAmount, total at MaxAmount", func(p *Payment) {
			p.TotalAmount = MaxAmount
			p.OrderItems = []OrderItem{item(MaxAmount), item(1)}
		}, []string{"total_amount"}},
		{"items sum past MaxAmount many times", func(p *Payment) {
			p.TotalAmount = MaxAmount
			p.OrderItems = []OrderItem{item(MaxAmount), item(MaxAmount), item(MaxAmount), item(MaxAmount)}
		}, []string{"total_amount"}},
		{"item above MaxAmount", func(p *Payment) {
			p.TotalAmount = 1
			p.OrderItems = []OrderItem{item(math.MaxInt64), item(1)}
		}, []string{"order_items[0].amount"}},
		{"negative item balancing a larger one", func(p *Payment) {
			p.OrderItems = []OrderItem{item(1100), item(-100)}
		}, []string{"order_items[1].amount"}},
		{"free item is fine", func(p *Payment) {
			p.OrderItems = append(p.OrderItems, item(0))
		}, nil},
		{"no items", func(p *Payment) { p.OrderItems = nil }, []string{"order_items"}},
		{"501 items", func(p *Payment) {
			p.OrderItems = make([]OrderItem, 501)
			for i := range p.OrderItems {
				p.OrderItems[i] = item(0)
			}
			p.OrderItems[0].Amount = 1000
		}, []string{"order_items"}},
		{"blank item name", func(p *Payment) { p.OrderItems[1].Name = " " }, []string{"order_items[1].name"}},
		{"item name 256 runes", func(p *Payment) { p.OrderItems[0].Name = strings.Repeat("ö", 256) }, []string{"order_items[0].name"}},
		{"item name 255 runes", func(p *Payment) { p.OrderItems[0].Name = strings.Repeat("ö", 255) }, nil},
		{"21 tags", func(p *Payment) { p.OrderItems[0].Tags = make([]string, 21) }, []string{"order_items[0].tags"}},
		{"bad currency", func(p *Payment) { p.Currency = "USD" }, []string{"currency"}},
		{"no provider", func(p *Payment) { p.Provider = "" }, []string{"provider"}},
		{"no method", func(p *Payment) { p.Method = "" }, []string{"method"}},
		{"callback not a URL", func(p *Payment) { p.StatusCallbackURL = "tenant.example/cb" }, []string{"status_callback_url"}},
		{"callback ftp", func(p *Payment) { p.StatusCallbackURL = "ftp://tenant.example/cb" }, []string{"status_callback_url"}},
		{"callback with credentials", func(p *Payment) { p.StatusCallbackURL = "https://u:p@tenant.example/cb" }, []string{"status_callback_url"}},
		{"callback fine", func(p *Payment) { p.StatusCallbackURL = "https://tenant.example/cb?x=1" }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := validPayment()
			c.change(p)
			err := p.Validate()
			var got []string
			if err != nil {
				for _, e := range err.(Errors) {
					got = append(got, e.Property)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.props) {
				t.Errorf("properties %v, want %v (%v)", got, c.props, err)
			}
		})
	}
}

func TestAddRefundRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	completed := func() *Payment { return &Payment{Status: PaymentCompleted, Currency: NOK, TotalAmount: 10000} }
	r := func(amount int64) Refund { return Refund{Amount: amount, Currency: NOK, Reason: "returned"} }

	p := completed()
	for i, amount := range []int64{2500, 2500, 4999} {
		if err := p.AddRefund(r(amount), now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("partial refund %d: %v", i, err)
		}
	}
	if p.RefundedAmount() != 9999 || len(p.Refunds) != 3 || p.Refunds[2].Status != "COMPLETED" ||
		!p.Refunds[2].CreatedAt.Equal(now.Add(2*time.Second)) || !p.UpdatedAt.Equal(now.Add(2*time.Second)) {
		t.Fatalf("after partial refunds: %+v", p)
	}
	if err := p.AddRefund(r(2), now); ErrorCode(err) != ECodeForbidden || p.RefundedAmount() != 9999 {
		t.Fatalf("over-refund by 1: %v", err)
	}
	if err := p.AddRefund(r(1), now); err != nil || p.RefundedAmount() != 10000 {
		t.Fatalf("last unit: %v", err)
	}
	if err := p.AddRefund(r(1), now); ErrorCode(err) != ECodeForbidden {
		t.Fatalf("refund of a fully refunded payment: %v", err)
	}
	if err := completed().AddRefund(r(math.MaxInt64), now); ErrorCode(err) != ECodeForbidden {
		t.Fatalf("huge refund: %v", err)
	}

	invalid := []struct {
		r    Refund
		prop string
	}{
		{Refund{Amount: 0, Currency: NOK, Reason: "x"}, "amount"},
		{Refund{Amount: -5, Currency: NOK, Reason: "x"}, "amount"},
		{Refund{Amount: 5, Currency: SEK, Reason: "x"}, "currency"},
		{Refund{Amount: 5, Currency: "", Reason: "x"}, "currency"},
		{Refund{Amount: 5, Currency: NOK, Reason: "  "}, "reason"},
		{Refund{Amount: 5, Currency: NOK, Reason: strings.Repeat("r", 201)}, "reason"},
		{Refund{Amount: 5, Currency: NOK, Reason: "x", Description: strings.Repeat("d", 1001)}, "description"},
	}
	for _, c := range invalid {
		p := completed()
		err := p.AddRefund(c.r, now)
		es, ok := err.(Errors)
		if !ok || len(es) != 1 || es[0].Property != c.prop || len(p.Refunds) != 0 {
			t.Errorf("refund %+v: %v, want one error at %s", c.r, err, c.prop)
		}
	}
	for _, status := range PaymentStatuses {
		if status == PaymentCompleted {
			continue
		}
		p := &Payment{Status: status, Currency: NOK, TotalAmount: 100}
		if err := p.AddRefund(r(1), now); ErrorCode(err) != ECodeForbidden || len(p.Refunds) != 0 {
			t.Errorf("refund of a %s payment: %v", status, err)
		}
	}
}

func completedPayment(total int64, refunds []int64, items ...OrderItem) *Payment {
	p := &Payment{ID: NewID(), Status: PaymentCompleted, Currency: SEK, TotalAmount: total, OrderItems: items}
	for _, r := range refunds {
		p.Refunds = append(p.Refunds, Refund{Amount: r, Currency: SEK})
	}
	return p
}

func TestOrderLifecycleSteps(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	m1, m2 := uuid.MustParse("00000000-0000-7000-8000-000000000001"), uuid.MustParse("00000000-0000-7000-8000-000000000002")
	paid := completedPayment(1000, nil, OrderItem{Amount: 700, MerchantID: m1}, OrderItem{Amount: 300, MerchantID: m2})
	declined := &Payment{Status: PaymentDeclined, TotalAmount: 500, OrderItems: []OrderItem{{Amount: 500, MerchantID: m1}}}
	ps := []*Payment{paid, declined}

	// close → split → settle, each repeated.
	o := &PaymentOrder{Status: OrderOpen, Currency: SEK}
	if err := o.CanInitiatePayment(); err != nil {
		t.Fatal(err)
	}
	if !o.Close(t0) || o.Status != OrderClosed || !o.ClosedAt.Equal(t0) {
		t.Fatalf("close: %+v", o)
	}
	if o.Close(t0.Add(time.Hour)) || !o.ClosedAt.Equal(t0) {
		t.Fatal("second close changed the order")
	}
	if err := o.Update(uuid.New(), nil); ErrorCode(err) != ECodeOrderClosed {
		t.Fatalf("update of a CLOSED order: %v", err)
	}
	allocs, changed, err := o.Split(t0.Add(time.Minute), false, ps)
	want := []Allocation{{m1, 700, SEK}, {m2, 300, SEK}}
	if err != nil || !changed || fmt.Sprint(allocs) != fmt.Sprint(want) || o.Status != OrderSplit || !o.SplitAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("split: %v %v %v %+v", allocs, changed, err, o)
	}
	for _, ff := range []bool{false, true} {
		if a, changed, err := o.Split(t0.Add(time.Hour), ff, ps); a != nil || changed || err != nil || !o.SplitAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("repeated split (ff=%v): %v %v %v", ff, a, changed, err)
		}
	}
	if o.Close(t0) {
		t.Fatal("close of a SPLIT order changed it")
	}
	if a, changed, err := o.Settle(t0.Add(2*time.Minute), false, ps); a != nil || !changed || err != nil || o.Status != OrderSettled {
		t.Fatalf("settle: %v %v %v", a, changed, err)
	}
	for _, ff := range []bool{false, true} {
		if a, changed, err := o.Settle(t0.Add(time.Hour), ff, ps); a != nil || changed || err != nil || !o.SettledAt.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("repeated settle: %v %v %v", a, changed, err)
		}
		if a, changed, err := o.Split(t0.Add(time.Hour), ff, ps); a != nil || changed || err != nil || o.Status != OrderSettled {
			t.Fatalf("split of a settled order: %v %v %v", a, changed, err)
		}
	}
	if err := o.CanInitiatePayment(); ErrorCode(err) != ECodeOrderClosed {
		t.Fatalf("payment on a SETTLED order: %v", err)
	}

	// fast_forward from OPEN: split stamps closed_at too; settle splits first.
	ff := &PaymentOrder{Status: OrderOpen, Currency: SEK}
	if a, changed, err := ff.Split(t0, true, ps); err != nil || !changed || len(a) != 2 || ff.ClosedAt == nil || ff.SplitAt == nil {
		t.Fatalf("fast-forward split: %v %v %v %+v", a, changed, err, ff)
	}
	closed := &PaymentOrder{Status: OrderClosed, Currency: SEK, ClosedAt: &t0}
	if _, _, err := closed.Settle(t0, false, ps); ErrorCode(err) != ECodeForbidden || closed.Status != OrderClosed {
		t.Fatalf("settle of a CLOSED order without fast_forward: %v", err)
	}
	later := t0.Add(time.Hour)
	if a, changed, err := closed.Settle(later, true, ps); err != nil || !changed || len(a) != 2 || closed.Status != OrderSettled ||
		!closed.ClosedAt.Equal(t0) || !closed.SplitAt.Equal(later) || !closed.SettledAt.Equal(later) {
		t.Fatalf("fast-forward settle of a CLOSED order: %v %v %v %+v", a, changed, err, closed)
	}

	// Blocking payments: nothing changes, whatever fast_forward says.
	for _, status := range []string{PaymentInitiated, PaymentPending, PaymentUnderfunded, PaymentOverfunded, PaymentFunded} {
		for _, start := range []string{OrderOpen, OrderClosed} {
			o := &PaymentOrder{Status: start, Currency: SEK}
			blocked := append([]*Payment{paid}, &Payment{ID: NewID(), Status: status})
			if _, _, err := o.Split(t0, true, blocked); ErrorCode(err) != ECodeForbidden || o.Status != start || o.SplitAt != nil || o.ClosedAt != nil {
				t.Errorf("split of %s order with a %s payment: %v, %+v", start, status, err, o)
			}
			if _, _, err := o.Settle(t0, true, blocked); ErrorCode(err) != ECodeForbidden || o.Status != start || o.SettledAt != nil {
				t.Errorf("settle of %s order with a %s payment: %v, %+v", start, status, err, o)
			}
		}
	}
	// Every terminal status lets the order split; only COMPLETED counts.
	for _, status := range []string{PaymentDeclined, PaymentAborted, PaymentExpired, PaymentCrashed, PaymentStopped} {
		o := &PaymentOrder{Status: OrderClosed, Currency: SEK}
		a, _, err := o.Split(t0, false, []*Payment{{Status: status, TotalAmount: 10, OrderItems: []OrderItem{{Amount: 10, MerchantID: m1}}}})
		if err != nil || len(a) != 0 {
			t.Errorf("split with only a %s payment: %v %v", status, a, err)
		}
	}
	// An order without payments splits into no allocations.
	empty := &PaymentOrder{Status: OrderClosed, Currency: SEK}
	if a, changed, err := empty.Split(t0, false, nil); err != nil || !changed || len(a) != 0 {
		t.Fatalf("empty split: %v %v %v", a, changed, err)
	}
}

func TestAllocateLargestRemainder(t *testing.T) {
	t.Parallel()
	ms := make([]uuid.UUID, 4)
	for i := range ms {
		ms[i] = uuid.MustParse(fmt.Sprintf("00000000-0000-7000-8000-00000000000%d", i))
	}
	it := func(amount int64, m int) OrderItem { return OrderItem{Amount: amount, MerchantID: ms[m]} }
	cases := []struct {
		name     string
		payments []*Payment
		want     map[int]int64
	}{
		{"no refunds", []*Payment{completedPayment(1000, nil, it(600, 0), it(400, 1))}, map[int]int64{0: 600, 1: 400}},
		// kept 998 of 999: each exact share 998·333/999 = 332.67 → floors 332·3 = 996, equal remainders,
		// so the two missing units go to the first two items (stable order).
		{"three equal items, refund 1", []*Payment{completedPayment(999, []int64{1}, it(333, 0), it(333, 1), it(333, 2))},
			map[int]int64{0: 333, 1: 333, 2: 332}},
		// kept 1 of 1000: exact shares 0.6 and 0.4 → the larger remainder takes the unit.
		{"almost all refunded", []*Payment{completedPayment(1000, []int64{600, 399}, it(600, 0), it(400, 1))}, map[int]int64{0: 1, 1: 0}},
		{"all refunded", []*Payment{completedPayment(1000, []int64{1000}, it(600, 0), it(400, 1))}, map[int]int64{0: 0, 1: 0}},
		// kept 500 of 1000: 333·0.5 = 166.5 (twice) and 334·0.5 = 167 → 499 given; the unit goes to the
		// first of the two equal remainders.
		{"half refunded", []*Payment{completedPayment(1000, []int64{500}, it(333, 0), it(333, 1), it(334, 2))},
			map[int]int64{0: 167, 1: 166, 2: 167}},
		{"two payments, one merchant twice", []*Payment{
			completedPayment(100, []int64{1}, it(50, 0), it(50, 0)),
			completedPayment(300, nil, it(100, 0), it(200, 3)),
			{Status: PaymentDeclined, TotalAmount: 7, OrderItems: []OrderItem{it(7, 2)}},
			{Status: PaymentStopped, TotalAmount: 7, OrderItems: []OrderItem{it(7, 2)}},
		}, map[int]int64{0: 199, 3: 200}},
		{"free item", []*Payment{completedPayment(100, []int64{33}, it(0, 0), it(100, 1))}, map[int]int64{0: 0, 1: 67}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			allocs, err := Allocate(EUR, c.payments)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]int64{}
			for _, a := range allocs {
				if a.Currency != EUR {
					t.Errorf("currency %s", a.Currency)
				}
				for i, m := range ms {
					if m == a.MerchantID {
						got[i] = a.Amount
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("allocations %v, want %v", got, c.want)
			}
			for i := 1; i < len(allocs); i++ {
				if allocs[i-1].MerchantID.String() >= allocs[i].MerchantID.String() {
					t.Errorf("allocations not sorted by merchant: %v", allocs)
				}
			}
		})
	}
}

// TestAllocateLargeAmounts: amounts near MaxAmount (which validation allows)
// must not overflow the proportional arithmetic.
func TestAllocateLargeAmounts(t *testing.T) {
	t.Parallel()
	m1, m2 := uuid.MustParse("00000000-0000-7000-8000-000000000001"), uuid.MustParse("00000000-0000-7000-8000-000000000002")
	for _, c := range []struct{ a, b, refund int64 }{
		{MaxAmount / 2, MaxAmount / 2, 1},
		{MaxAmount - 1, 1, 3},
		{3_100_000_000, 1, 7}, // 31 million SEK: kept·amount is already beyond int64
		{MaxAmount / 3, MaxAmount / 3, MaxAmount / 5},
	} {
		total := c.a + c.b
		allocs, err := Allocate(SEK, []*Payment{completedPayment(total, []int64{c.refund},
			OrderItem{Amount: c.a, MerchantID: m1}, OrderItem{Amount: c.b, MerchantID: m2})})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, a := range allocs {
			if a.Amount < 0 || a.Amount > total {
				t.Errorf("items %d+%d refund %d: allocation %+v out of range", c.a, c.b, c.refund, a)
			}
			sum += a.Amount
		}
		if sum != total-c.refund {
			t.Errorf("items %d+%d refund %d: allocations sum to %d, want %d", c.a, c.b, c.refund, sum, total-c.refund)
		}
	}
}

// FuzzAllocateSpreadsRefunds: several payments, up to five items over three
// merchants, several refunds. The allocations always sum exactly to the
// completed funds minus refunds, no share is negative, and no item gets more
// than its amount (refunds only take away).
func FuzzAllocateSpreadsRefunds(f *testing.F) {
	f.Add(int64(333), int64(333), int64(334), int64(0), int64(0), int64(1), int64(2), uint8(5), true)
	f.Add(int64(1), int64(0), int64(0), int64(0), int64(9), int64(1), int64(0), uint8(2), false)
	f.Add(MaxAmount/2, MaxAmount/3, MaxAmount/7, int64(5), int64(1), MaxAmount/11, int64(3), uint8(5), true)
	f.Fuzz(func(t *testing.T, a, b, c, d, e, r1, r2 int64, nItems uint8, second bool) {
		ms := []uuid.UUID{uuid.MustParse("00000000-0000-7000-8000-000000000001"),
			uuid.MustParse("00000000-0000-7000-8000-000000000002"), uuid.MustParse("00000000-0000-7000-8000-000000000003")}
		amounts := []int64{a, b, c, d, e}[:1+int(nItems)%5]
		var total int64
		items := make([]OrderItem, len(amounts))
		for i, v := range amounts {
			if v < 0 {
				v = -(v + 1)
			}
			v %= MaxAmount / 5
			items[i] = OrderItem{Amount: v, MerchantID: ms[i%3]}
			total += v
		}
		if total == 0 {
			return
		}
		clamp := func(v, max int64) int64 {
			if v < 0 {
				v = -(v + 1)
			}
			return v % (max + 1)
		}
		r1 = clamp(r1, total)
		r2 = clamp(r2, total-r1)
		var refunds []int64
		for _, r := range []int64{r1, r2} {
			if r > 0 {
				refunds = append(refunds, r)
			}
		}
		ps := []*Payment{completedPayment(total, refunds, items...)}
		want := total - r1 - r2
		perMerchantMax := map[uuid.UUID]int64{}
		for _, it := range items {
			perMerchantMax[it.MerchantID] += it.Amount
		}
		if second {
			ps = append(ps, completedPayment(7, nil, OrderItem{Amount: 7, MerchantID: ms[2]}),
				&Payment{Status: PaymentDeclined, TotalAmount: 5, OrderItems: []OrderItem{{Amount: 5, MerchantID: ms[0]}}})
			want += 7
			perMerchantMax[ms[2]] += 7
		}
		allocs, err := Allocate(SEK, ps)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, al := range allocs {
			if al.Amount < 0 || al.Amount > perMerchantMax[al.MerchantID] {
				t.Fatalf("allocation %+v out of [0, %d]", al, perMerchantMax[al.MerchantID])
			}
			sum += al.Amount
		}
		if sum != want {
			t.Fatalf("allocations sum to %d, want %d (items %v, refunds %v)", sum, want, amounts, refunds)
		}
	})
}

func TestSplitParametersAndUpdate(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{"": true, "null": true, " null ": true, "{}": true, `{"a":1}`: true,
		"[]": false, "1": false, `"x"`: false} {
		if err := ValidateSplitParameters([]byte(raw)); (err == nil) != ok {
			t.Errorf("split_parameters %q: %v", raw, err)
		}
	}
	o := &PaymentOrder{Status: OrderOpen}
	tree := uuid.New()
	if err := o.Update(tree, []byte(`{"x":1}`)); err != nil || o.SplitTreeID != tree || string(o.SplitParameters) != `{"x":1}` {
		t.Fatalf("update: %v %+v", err, o)
	}
}

func TestBankAccountsFor(t *testing.T) {
	t.Parallel()
	b := BankAccounts{Bankgiro: "5050-1055", NorwegianAccount: "1503.27.19535"}
	tests := []struct {
		currency      Currency
		locale        locale.Locale
		label, number string
	}{
		{SEK, "sv-SE", "Bankgiro", "5050-1055"},
		{SEK, "en-GB", "Bankgiro", "5050-1055"},
		{EUR, "sv-SE", "Bankgiro", "5050-1055"},
		{NOK, "nb-NO", "Kontonummer", "1503.27.19535"},
		{NOK, "sv-SE", "Kontonummer", "1503.27.19535"},
		{NOK, "en-GB", "Account number", "1503.27.19535"},
	}
	for _, tc := range tests {
		if l, n := b.For(tc.currency, tc.locale); l != tc.label || n != tc.number {
			t.Errorf("For(%s, %s) = %s %s, want %s %s", tc.currency, tc.locale, l, n, tc.label, tc.number)
		}
	}
	if l, n := (BankAccounts{Bankgiro: "5050-1055"}).For(NOK, "nb-NO"); l != "Bankgiro" || n != "5050-1055" {
		t.Errorf("without a Norwegian account NOK falls back to the bankgiro, got %s %s", l, n)
	}
}
