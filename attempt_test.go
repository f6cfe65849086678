package pinglinks

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNextAttempt(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	card := LinkMethod{Provider: "payment_iq", Method: "card"}
	tests := []struct {
		link, latest string
		wantNew      bool
		wantCode     string
	}{
		{LinkCreated, PaymentInitiated, false, ""}, // the unstarted payment is reused
		{LinkCreated, PaymentDeclined, true, ""},   // a retry after a failure is a new payment
		{LinkCreated, PaymentAborted, true, ""},
		{LinkCreated, PaymentExpired, true, ""},
		{LinkCreated, PaymentCrashed, true, ""},
		{LinkCreated, PaymentPending, false, ECodeForbidden}, // in progress: no second attempt
		{LinkCreated, PaymentUnderfunded, false, ECodeForbidden},
		{LinkCreated, PaymentCompleted, false, ECodeForbidden},
		{LinkCompleted, PaymentCompleted, false, ECodeForbidden},
		{LinkExpired, PaymentExpired, false, ECodeForbidden},
		{LinkCancelled, PaymentStopped, false, ECodeForbidden},
	}
	for _, tc := range tests {
		l := &PaymentLink{ID: NewID(), Status: tc.link, Currency: SEK, TotalAmount: 500,
			Items: []LinkItem{{Description: "x", Price: 250, Quantity: 2, VAT: 2500}}}
		latest := &Payment{ID: NewID(), Status: tc.latest, Provider: "swish", Method: "e_commerce"}
		p, isNew, err := l.NextAttempt(latest, card, now)
		if ErrorCode(err) != tc.wantCode && !(err == nil && tc.wantCode == "") {
			t.Errorf("%s/%s: err %v, want %q", tc.link, tc.latest, err, tc.wantCode)
			continue
		}
		if err != nil {
			continue
		}
		if isNew != tc.wantNew || p.Provider != "payment_iq" || p.Method != "card" || p.Status != PaymentInitiated {
			t.Errorf("%s/%s: new=%v payment %+v", tc.link, tc.latest, isNew, p)
		}
		if isNew && (p.ID == latest.ID || p.TotalAmount != 500 || len(p.OrderItems) != 1 || p.OrderItems[0].Amount != 500) {
			t.Errorf("%s/%s: new payment %+v", tc.link, tc.latest, p)
		}
	}
}

func TestDeposit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		deposits []int64
		want     string
		funded   int64
	}{
		{"exact", []int64{1000}, PaymentCompleted, 1000},
		{"less", []int64{400}, PaymentUnderfunded, 400},
		{"more", []int64{1500}, PaymentOverfunded, 1500},
		{"less then the rest", []int64{400, 600}, PaymentCompleted, 1000},
		{"less then too much", []int64{400, 700}, PaymentOverfunded, 1100},
		{"three parts", []int64{300, 300, 300}, PaymentUnderfunded, 900},
	}
	for _, tc := range tests {
		p := &Payment{Status: PaymentInitiated, TotalAmount: 1000}
		for _, d := range tc.deposits {
			if err := p.Deposit(d, now); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if p.Status != tc.want || p.FundedAmount != tc.funded {
			t.Errorf("%s: %s funded %d, want %s %d", tc.name, p.Status, p.FundedAmount, tc.want, tc.funded)
		}
	}
	for _, bad := range []int64{0, -5, MaxAmount + 1} {
		p := &Payment{Status: PaymentInitiated, TotalAmount: 1000}
		if err := p.Deposit(bad, now); ErrorCode(err) != ECodeInvalid || p.Status != PaymentInitiated {
			t.Errorf("Deposit(%d) = %v, status %s", bad, err, p.Status)
		}
	}
	p := &Payment{Status: PaymentCompleted, TotalAmount: 1000, FundedAmount: 1000}
	if err := p.Deposit(1000, now); err == nil || p.FundedAmount != 1000 {
		t.Errorf("a deposit to a completed payment = %v, funded %d", err, p.FundedAmount)
	}
}

func TestPayerDetails(t *testing.T) {
	t.Parallel()
	details := PayerDetails{Customer: Customer{FirstName: "Åsa", LastName: "Öberg"},
		Address: &Address{StreetAddress: "Storgatan 1", Zip: "837 52", City: "Åre"}}
	tests := []struct {
		name  string
		payer json.RawMessage
		ok    bool
	}{
		{"given", details.JSON(), true},
		{"none", nil, false},
		{"no first name", json.RawMessage(`{"last_name":"Öberg"}`), false},
		{"garbage", json.RawMessage(`{"first_name":`), false},
	}
	for _, tc := range tests {
		d, ok := (&Payment{Payer: tc.payer}).PayerDetails()
		if ok != tc.ok || ok && (d.FirstName != "Åsa" || d.Address == nil || d.Address.City != "Åre") {
			t.Errorf("%s: PayerDetails = %+v, %v", tc.name, d, ok)
		}
	}
}
