package provider

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
)

func TestDummy(t *testing.T) {
	tests := []struct {
		params string
		want   string
		code   string
	}{
		{``, pinglinks.PaymentCompleted, ""},
		{`{}`, pinglinks.PaymentCompleted, ""},
		{`{"desired_payment_status":"DECLINED"}`, pinglinks.PaymentDeclined, ""},
		{`{"desired_payment_status":"PENDING"}`, pinglinks.PaymentPending, ""},
		{`{"desired_payment_status":"INITIATED"}`, "", pinglinks.ECodeInvalid},
		{`{"desired_payment_status":"PAID"}`, "", pinglinks.ECodeInvalid},
		{`{"desired_payment_status":7}`, "", pinglinks.ECodeInvalid},
	}
	for _, tc := range tests {
		raw := json.RawMessage(tc.params)
		err := Validate(pinglinks.DummyDummy, raw)
		if (tc.code == "") != (err == nil) || (err != nil && pinglinks.ErrorCode(err) != tc.code) {
			t.Errorf("Validate(%s) = %v, want code %q", tc.params, err, tc.code)
			continue
		}
		if err != nil {
			continue
		}
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "dummy", Method: "dummy", ProviderMethodParameters: raw}
		if err := Start(p, time.Now()); err != nil || p.Status != tc.want || string(p.ProviderMethodResponse) != "{}" {
			t.Errorf("Start(%s): %v, status %s", tc.params, err, p.Status)
		}
	}
	if err := Validate(pinglinks.SwishECommerce, nil); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		t.Errorf("swish through the Payments API: %v", err)
	}
}
