package sandbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestParseCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number, expiry, cvc string
		wantProps           []string
	}{
		{"4242 4242 4242 4242", "12/30", "123", nil},
		{"4242-4242-4242-4242", "11/26", "123", nil},                     // this month is still valid
		{"378282246310005", "01/2030", "1234", nil},                      // Amex: 4-digit CVC
		{"4242 4242 4242 4241", "12/30", "123", []string{"card_number"}}, // Luhn
		{"", "12/30", "123", []string{"card_number"}},
		{"4242abcd42424242", "12/30", "123", []string{"card_number"}},
		{"42424242", "12/30", "123", []string{"card_number"}},
		{"4242424242424242", "10/26", "123", []string{"card_expiry"}}, // last month
		{"4242424242424242", "13/30", "123", []string{"card_expiry"}},
		{"4242424242424242", "1230", "123", []string{"card_expiry"}},
		{"4242424242424242", "12/99", "123", []string{"card_expiry"}}, // 2099: too far
		{"4242424242424242", "12/30", "12", []string{"card_cvc"}},
		{"378282246310005", "12/30", "123", []string{"card_cvc"}},
		{"x", "y", "z", []string{"card_number", "card_expiry", "card_cvc"}},
	}
	for _, tc := range tests {
		t.Run(tc.number+"/"+tc.expiry+"/"+tc.cvc, func(t *testing.T) {
			c, err := ParseCard(tc.number, tc.expiry, tc.cvc, now)
			var got []string
			if es, ok := err.(pinglinks.Errors); ok {
				for _, e := range es {
					got = append(got, e.Property)
				}
			} else if err != nil {
				t.Fatalf("error %T %v is not pinglinks.Errors", err, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantProps) {
				t.Fatalf("properties = %v, want %v (err %v)", got, tc.wantProps, err)
			}
			if err == nil && strings.Contains(fmt.Sprintf("%v %+v %#v %s", c, c, c, c), strings.ReplaceAll(tc.number[:8], " ", "")) {
				t.Errorf("printing a Card shows its number: %v", c)
			}
		})
	}
}

func TestStartCardTestCards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number, status, reason, threeDS, method string
	}{
		{CardSucceeds, pinglinks.PaymentCompleted, "", "", "Visa •••• 4242"},
		{CardDeclined, pinglinks.PaymentDeclined, "card_declined", "", "Visa •••• 0002"},
		{CardInsufficientFunds, pinglinks.PaymentDeclined, "insufficient_funds", "", "Visa •••• 9995"},
		{CardThreeDSecure, pinglinks.PaymentPending, "", "challenge", "Visa •••• 3184"},
		{"5555555555554444", pinglinks.PaymentCompleted, "", "", "Mastercard •••• 4444"},
	}
	for _, tc := range tests {
		c, err := ParseCard(tc.number, "12/30", "123", now)
		if err != nil {
			t.Fatal(err)
		}
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "payment_iq", Method: "card"}
		if err := StartCard(p, c, now); err != nil {
			t.Fatal(err)
		}
		resp, ok := CardOf(p)
		if p.Status != tc.status || !ok || resp.DeclineReason != tc.reason || resp.ThreeDSecure != tc.threeDS || resp.Card.String() != tc.method {
			t.Errorf("%s: status %s, response %+v; want %s %q %q %q", tc.number, p.Status, resp, tc.status, tc.reason, tc.threeDS, tc.method)
		}
		if strings.Contains(string(p.ProviderMethodResponse), tc.number[:12]) {
			t.Errorf("response keeps the card number: %s", p.ProviderMethodResponse)
		}
	}
}

func TestThreeDSecureChallenge(t *testing.T) {
	t.Parallel()
	for _, approved := range []bool{true, false} {
		c, _ := ParseCard(CardThreeDSecure, "12/30", "123", now)
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "payment_iq", Method: "card"}
		if err := StartCard(p, c, now); err != nil {
			t.Fatal(err)
		}
		if err := ChallengeResult(p, approved, now); err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{true: pinglinks.PaymentCompleted, false: pinglinks.PaymentDeclined}[approved]
		if p.Status != want {
			t.Errorf("approved=%v: status %s, want %s", approved, p.Status, want)
		}
		if err := ChallengeResult(p, true, now); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Errorf("a second answer = %v, want 403", err)
		}
	}
	p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "payment_iq", Method: "card"}
	c, _ := ParseCard(CardSucceeds, "12/30", "123", now)
	StartCard(p, c, now)
	if err := ChallengeResult(p, true, now); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		t.Errorf("challenge on a payment without one = %v, want 403", err)
	}
}

func TestSwish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		message, status, code string
	}{
		{"Order 42", pinglinks.PaymentCompleted, ""},
		{"", pinglinks.PaymentCompleted, ""},
		{"RF07", pinglinks.PaymentDeclined, "RF07"},
		{"Test BANKIDCL please", pinglinks.PaymentAborted, "BANKIDCL"},
		{"TM01", pinglinks.PaymentExpired, "TM01"},
		{"FF10", pinglinks.PaymentCrashed, "FF10"},
	}
	for _, tc := range tests {
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "swish", Method: "e_commerce",
			ProviderMethodParameters: []byte(fmt.Sprintf(`{"swish_message":%q}`, tc.message))}
		if err := StartSwish(p, "070-123 45 67", now); err != nil {
			t.Fatal(err)
		}
		resp, _ := SwishOf(p)
		if p.Status != pinglinks.PaymentPending || resp.PayerAlias != "46701234567" || resp.Message != tc.message {
			t.Fatalf("after start: %s %+v", p.Status, resp)
		}
		status, code := SwishSimOutcome(resp.Message)
		if err := SwishAnswer(p, status, code, now); err != nil {
			t.Fatal(err)
		}
		if resp, _ = SwishOf(p); p.Status != tc.status || resp.ErrorCode != tc.code {
			t.Errorf("%q: %s %q, want %s %q", tc.message, p.Status, resp.ErrorCode, tc.status, tc.code)
		}
		if err := SwishAnswer(p, pinglinks.PaymentCompleted, "", now); err == nil {
			t.Errorf("%q: a second answer was accepted", tc.message)
		}
	}
	for _, bad := range []string{"", "0812345678", "+4670123456", "07012345678", "hello"} {
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "swish", Method: "e_commerce"}
		if err := StartSwish(p, bad, now); pinglinks.ErrorCode(err) != pinglinks.ECodeInvalid {
			t.Errorf("StartSwish(%q) = %v, want 422 swish_phone", bad, err)
		}
	}
	p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "swish", Method: "m_commerce"}
	if err := StartSwish(p, "", now); err != nil {
		t.Fatal(err)
	}
	if resp, _ := SwishOf(p); len(resp.PaymentRequestToken) != 32 {
		t.Errorf("m-commerce token %q", resp.PaymentRequestToken)
	}
}

// FuzzParseCard: whatever the payer types, ParseCard answers without
// panicking, accepts only Luhn-valid numbers, and never prints the number.
func FuzzParseCard(f *testing.F) {
	for _, s := range []string{"4242 4242 4242 4242", "4000-0000-0000-0002", "", "x", "378282246310005", "٤٢٤٢"} {
		f.Add(s, "12/30", "123")
	}
	f.Fuzz(func(t *testing.T, number, expiry, cvc string) {
		c, err := ParseCard(number, expiry, cvc, now)
		if err != nil {
			return
		}
		s := c.Summary()
		if len(s.Last4) != 4 || s.ExpMonth < 1 || s.ExpMonth > 12 {
			t.Fatalf("accepted %q as %+v", number, s)
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, number)
		if len(digits) >= 12 && strings.Contains(fmt.Sprintf("%v %+v %#v", c, c, c), digits) {
			t.Fatalf("printing the card shows %q", digits)
		}
	})
}
