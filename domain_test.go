package pinglinks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/locale"
)

func TestIdentityNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		// 5567037485, from the right, every second digit doubled: 5+(8→7)+4+(7→5)+3+(0)+7+(6→3)+5+(5→1) = 40 ✓.
		// 5560743089: 9+(8→7)+0+(3→6)+4+(7→5)+0+(6→3)+5+(5→1) = 40 ✓.
		{"SE org", ValidSEOrganizationNumber, "556703-7485", true},
		{"SE org Volvo Cars", ValidSEOrganizationNumber, "5560743089", true},
		{"SE org bad check", ValidSEOrganizationNumber, "556703-7484", false},
		{"SE org is a person (third digit < 2)", ValidSEOrganizationNumber, "811228-9874", false},
		{"SE org too long", ValidSEOrganizationNumber, "55670374851", false},
		{"SE org letters", ValidSEOrganizationNumber, "55670X7485", false},
		// 923609016 (Equinor): weights 3 2 7 6 5 4 3 2 → 27+4+21+36+0+36+0+2 = 126; 126 mod 11 = 5; 11-5 = 6 ✓.
		{"NO org", ValidNOOrganizationNumber, "923609016", true},
		{"NO org bad", ValidNOOrganizationNumber, "923609017", false},
		{"NO org short", ValidNOOrganizationNumber, "92360901", false},
		// 13585628: 2·1+7·3+6·5+5·8+4·5+3·6+2·2+1·8 = 2+21+30+40+20+18+4+8 = 143 = 13·11 ✓.
		{"DK CVR", ValidDKOrganizationNumber, "13585628", true},
		{"DK CVR bad", ValidDKOrganizationNumber, "13585629", false},
		// 0112038-9: 7·0+9·1+10·1+5·2+8·0+4·3+2·8 = 0+9+10+10+0+12+16 = 57; 57 mod 11 = 2; 11-2 = 9 ✓.
		{"FI Y-tunnus", ValidFIOrganizationNumber, "0112038-9", true},
		{"FI Y-tunnus bad", ValidFIOrganizationNumber, "0112038-8", false},
		// 19811228-9874: Luhn over 8112289874 holds (the Swedish Tax Agency's example).
		{"SE person", ValidSEPersonalIdentityNumber, "19811228-9874", true},
		{"SE person bad check", ValidSEPersonalIdentityNumber, "19811228-9875", false},
		{"SE person bad date", ValidSEPersonalIdentityNumber, "19811328-9871", false},
		{"SE person 10 digits", ValidSEPersonalIdentityNumber, "811228-9874", false},
		// 01010750160: k1 = 11 - (3·0+7·1+6·0+1·1+8·0+9·7+4·5+5·0+2·1) mod 11 = 11 - 93 mod 11 = 11-5 = 6 ✓;
		// k2 = 11 - (5·0+4·1+3·0+2·1+7·0+6·7+5·5+4·0+3·1+2·6) mod 11 = 11 - 88 mod 11 = 11 → 0 ✓.
		{"NO person", ValidNOPersonalIdentityNumber, "01010750160", true},
		{"NO person bad", ValidNOPersonalIdentityNumber, "01010750161", false},
	}
	for _, tc := range tests {
		if got := tc.check(tc.in); got != tc.want {
			t.Errorf("%s: %s → %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func FuzzIdentityNumbersNeverPanic(f *testing.F) {
	for _, s := range []string{"556703-7485", "", "-", "+++", "٣٣٣", "99999999999999999999", "19811228-9874"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []func(string) bool{ValidSEOrganizationNumber, ValidNOOrganizationNumber,
			ValidDKOrganizationNumber, ValidFIOrganizationNumber, ValidSEPersonalIdentityNumber, ValidNOPersonalIdentityNumber} {
			check(s)
		}
	})
}

func TestMerchantValidate(t *testing.T) {
	t.Parallel()
	ok := func() *Merchant {
		return &Merchant{Name: "Stall", Organization: &Organization{Country: "SE", SEOrganizationNumber: "556703 7485"}}
	}
	m := ok()
	if err := m.Validate(); err != nil || m.Organization.SEOrganizationNumber != "5567037485" {
		t.Fatalf("valid merchant: %v, number %q", err, m.Organization.SEOrganizationNumber)
	}
	tests := []struct {
		change func(m *Merchant)
		prop   string
	}{
		{func(m *Merchant) { m.Name = "" }, "name"},
		{func(m *Merchant) { m.Name = strings.Repeat("x", 201) }, "name"},
		{func(m *Merchant) { m.Organization = nil }, "organization"},
		{func(m *Merchant) {
			m.Person = &Person{Country: "SE", Name: "A", SEPersonalIdentityNumber: "198112289874"}
		}, "person"},
		{func(m *Merchant) { m.Organization.Country = "US" }, "organization.country"},
		{func(m *Merchant) { m.Organization.SEOrganizationNumber = "" }, "organization.se_organization_number"},
		{func(m *Merchant) { m.Email = "a@b@c" }, "email"},
		{func(m *Merchant) { m.Email = "Anna <a@example.com>" }, "email"},
		{func(m *Merchant) { m.PhoneNumber = "12" }, "phone_number"},
		{func(m *Merchant) { m.PhoneNumber = "+46 70 12x" }, "phone_number"},
	}
	for _, tc := range tests {
		m := ok()
		tc.change(m)
		err := m.Validate()
		es, _ := err.(Errors)
		if len(es) == 0 || es[0].Property != tc.prop {
			t.Errorf("want error at %s, got %v", tc.prop, err)
		}
	}
}

func TestAmounts(t *testing.T) {
	t.Parallel()
	if _, ok := AddAmounts(MaxAmount, 1); ok {
		t.Error("sum beyond MaxAmount accepted")
	}
	if s, ok := AddAmounts(MaxAmount-1, 1); !ok || s != MaxAmount {
		t.Error("sum at MaxAmount refused")
	}
	if _, ok := AddAmounts(1<<62, 1<<62); ok {
		t.Error("int64 overflow accepted")
	}
	if _, ok := MulAmount(1<<40, 1<<30); ok {
		t.Error("product overflow accepted")
	}
	if p, ok := MulAmount(7000, 3); !ok || p != 21000 {
		t.Error("7000 × 3")
	}
	for c, want := range map[Currency]bool{"SEK": true, "NOK": true, "DKK": true, "EUR": true, "GBP": true, "USD": false, "sek": false, "": false} {
		if c.Valid() != want {
			t.Errorf("currency %q valid = %v", c, !want)
		}
	}
}

func TestParseVATRate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]VATRate{"0": 0, "25": 2500, "25.5": 2550, "12.50": 1250, "100": 10000, "6": 600} {
		if got, err := ParseVATRate(in); err != nil || got != want {
			t.Errorf("%s → %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"100.01", "-1", "1e2", "abc", "12.345", "", ".5", "1000", "0x10"} {
		if _, err := ParseVATRate(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	b, _ := json.Marshal(struct{ V VATRate }{2550})
	if string(b) != `{"V":25.5}` {
		t.Errorf("marshal %s", b)
	}
}

func FuzzParseVATRate(f *testing.F) {
	for _, s := range []string{"25", "12.5", "0.01", "100", "-3", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVATRate(s)
		if err != nil {
			return
		}
		if v < 0 || v > 10000 {
			t.Fatalf("%q parsed to %d", s, v)
		}
		// What it prints parses back to the same rate.
		b, _ := v.MarshalJSON()
		if back, err := ParseVATRate(string(b)); err != nil || back != v {
			t.Fatalf("%q → %d → %s → %d, %v", s, v, b, back, err)
		}
	})
}

// TestPaymentStateMachine tries every pair of statuses.
func TestPaymentStateMachine(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, from := range PaymentStatuses {
		for _, to := range PaymentStatuses {
			p := &Payment{Status: from}
			err := p.SetStatus(to, now)
			allowed := false
			for _, s := range paymentNext[from] {
				allowed = allowed || s == to
			}
			switch {
			case TerminalPaymentStatus(from) && err == nil:
				t.Errorf("terminal %s moved to %s", from, to)
			case allowed && err != nil:
				t.Errorf("%s → %s refused: %v", from, to, err)
			case !allowed && err == nil:
				t.Errorf("%s → %s accepted", from, to)
			case err == nil && (p.Status != to || len(p.StatusHistory) != 1):
				t.Errorf("%s → %s not recorded", from, to)
			}
		}
	}
	if err := (&Payment{Status: PaymentInitiated}).SetStatus("PAID", now); ErrorCode(err) != ECodeInvalid {
		t.Errorf("unknown status: %v", err)
	}
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := &Payment{Status: PaymentCompleted, Currency: SEK, TotalAmount: 1000}
	steps := []struct {
		r    Refund
		code string
	}{
		{Refund{Amount: 0, Currency: SEK, Reason: "x"}, ECodeInvalid},
		{Refund{Amount: 100, Currency: NOK, Reason: "x"}, ECodeInvalid},
		{Refund{Amount: 100, Currency: SEK}, ECodeInvalid},
		{Refund{Amount: 1001, Currency: SEK, Reason: "x"}, ECodeForbidden},
		{Refund{Amount: 600, Currency: SEK, Reason: "x"}, ""},
		{Refund{Amount: 401, Currency: SEK, Reason: "x"}, ECodeForbidden},
		{Refund{Amount: 400, Currency: SEK, Reason: "x"}, ""},
		{Refund{Amount: 1, Currency: SEK, Reason: "x"}, ECodeForbidden},
	}
	for i, s := range steps {
		err := p.AddRefund(s.r, now)
		if (s.code == "" && err != nil) || (s.code != "" && codeOf(err) != s.code) {
			t.Errorf("step %d: %v, want %q", i, err, s.code)
		}
	}
	if p.RefundedAmount() != 1000 {
		t.Errorf("refunded %d", p.RefundedAmount())
	}
	if err := (&Payment{Status: PaymentPending, Currency: SEK, TotalAmount: 5}).AddRefund(Refund{Amount: 1, Currency: SEK, Reason: "x"}, now); ErrorCode(err) != ECodeForbidden {
		t.Errorf("refund of a PENDING payment: %v", err)
	}
}

// codeOf returns the code of the first error, also inside Errors.
func codeOf(err error) string {
	if es, ok := err.(Errors); ok && len(es) > 0 {
		return es[0].Code
	}
	return ErrorCode(err)
}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	now := time.Now()
	m := uuid.New()
	done := []*Payment{{Status: PaymentCompleted, TotalAmount: 500, OrderItems: []OrderItem{{Amount: 500, MerchantID: m}}}}
	o := &PaymentOrder{Status: OrderOpen, Currency: SEK}
	if _, _, err := o.Split(now, false, done); ErrorCode(err) != ECodeForbidden {
		t.Fatalf("split of OPEN order: %v", err)
	}
	if !o.Close(now) || o.Close(now) {
		t.Fatal("close is not once-then-idempotent")
	}
	if err := o.CanInitiatePayment(); ErrorCode(err) != ECodeOrderClosed {
		t.Fatalf("payment on closed order: %v", err)
	}
	for _, blocking := range []string{PaymentUnderfunded, PaymentOverfunded, PaymentPending, PaymentInitiated, PaymentFunded} {
		c := &PaymentOrder{Status: OrderClosed, Currency: SEK}
		if _, _, err := c.Split(now, false, append(done, &Payment{Status: blocking})); ErrorCode(err) != ECodeForbidden {
			t.Errorf("split with a %s payment: %v", blocking, err)
		}
	}
	allocs, changed, err := o.Split(now, false, done)
	if err != nil || !changed || len(allocs) != 1 || allocs[0].Amount != 500 {
		t.Fatalf("split: %v %v %v", allocs, changed, err)
	}
	if _, changed, _ := o.Split(now, false, done); changed {
		t.Fatal("second split changed something")
	}
	if _, changed, err := o.Settle(now, false, done); err != nil || !changed || o.Status != OrderSettled {
		t.Fatalf("settle: %v %v", changed, err)
	}
	ff := &PaymentOrder{Status: OrderOpen, Currency: SEK}
	if _, _, err := ff.Settle(now, false, done); ErrorCode(err) != ECodeForbidden {
		t.Fatalf("settle without fast_forward: %v", err)
	}
	if allocs, _, err := ff.Settle(now, true, done); err != nil || ff.Status != OrderSettled || len(allocs) != 1 || ff.ClosedAt == nil {
		t.Fatalf("fast-forward settle: %v %v %+v", allocs, err, ff)
	}
}

// FuzzAllocateSumsExactly: whatever the items and refunds, the allocations
// sum to the completed funds less refunds, and no merchant gets a negative share.
func FuzzAllocateSumsExactly(f *testing.F) {
	f.Add(int64(3333), int64(6667), int64(1), int64(1001))
	f.Add(int64(1), int64(1), int64(1), int64(1))
	f.Add(int64(0), int64(5), int64(7), int64(12))
	f.Fuzz(func(t *testing.T, a, b, c, refund int64) {
		for _, v := range []*int64{&a, &b, &c} {
			if *v < 0 {
				*v = -*v
			}
			*v %= MaxAmount / 4
			if *v < 0 {
				*v = 0
			}
		}
		total := a + b + c
		if total == 0 {
			return
		}
		if refund < 0 {
			refund = -refund
		}
		if refund < 0 {
			refund = 0
		}
		refund %= total + 1
		ms := []uuid.UUID{uuid.New(), uuid.New()}
		p := &Payment{Status: PaymentCompleted, TotalAmount: total, Refunds: []Refund{{Amount: refund}},
			OrderItems: []OrderItem{{Amount: a, MerchantID: ms[0]}, {Amount: b, MerchantID: ms[1]}, {Amount: c, MerchantID: ms[0]}}}
		allocs, err := Allocate(SEK, []*Payment{p, {Status: PaymentDeclined, TotalAmount: 99, OrderItems: []OrderItem{{Amount: 99, MerchantID: ms[1]}}}})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, al := range allocs {
			if al.Amount < 0 {
				t.Fatalf("negative allocation %+v", al)
			}
			sum += al.Amount
		}
		if sum != total-refund {
			t.Fatalf("allocations sum to %d, want %d (items %d %d %d, refund %d)", sum, total-refund, a, b, c, refund)
		}
	})
}

func TestLinkTransitions(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		do   func(l *PaymentLink) error
		want string
	}{
		{func(l *PaymentLink) error { return l.Complete(now) }, LinkCompleted},
		{func(l *PaymentLink) error { return l.Expire(now) }, LinkExpired},
		{func(l *PaymentLink) error { return l.Cancel(now) }, LinkCancelled},
	} {
		l := &PaymentLink{Status: LinkCreated}
		if err := tc.do(l); err != nil || l.Status != tc.want {
			t.Fatalf("%s: %v", tc.want, err)
		}
		for _, again := range []func() error{func() error { return l.Complete(now) }, func() error { return l.Expire(now) }, func() error { return l.Cancel(now) }} {
			if err := again(); ErrorCode(err) != ECodeForbidden {
				t.Errorf("a %s link changed again: %v", l.Status, err)
			}
		}
	}
	end, err := DueDateEnd("2026-06-30")
	if err != nil || !end.Equal(time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-06-30 ends at %s (summer time: midnight in Stockholm is 22:00 UTC)", end)
	}
	end, _ = DueDateEnd("2026-12-31")
	if !end.Equal(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-12-31 ends at %s", end)
	}
}

func TestSwishMessage(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]bool{"Tack för köpet!": true, "Order 12, (bord 4): 2 st.": true,
		strings.Repeat("a", 50): true, strings.Repeat("a", 51): false, "<b>": false, "50%": false, "emoji 🙂": false} {
		if ValidSwishMessage(msg) != want {
			t.Errorf("%q valid = %v", msg, !want)
		}
	}
}

func FuzzLinkValidateNeverPanics(f *testing.F) {
	f.Add("Åsa", "asa@example.com", "070-1234567", "sv-SE", "2030-01-01", "https://x.example/l.png", int64(100), int64(2))
	f.Fuzz(func(t *testing.T, name, email, phone, loc, due, logo string, price, qty int64) {
		l := &PaymentLink{Customer: Customer{FirstName: name, LastName: name, Email: email, Phone: phone},
			Supplier: Supplier{Name: name}, Currency: SEK, Locale: locale.Locale(loc), DueDate: due, LogoImageLink: logo,
			Items: []LinkItem{{Description: name, Price: price, Quantity: qty}}}
		l.Validate("2026-11-25")
		ItemsTotal(l.Items)
	})
}
