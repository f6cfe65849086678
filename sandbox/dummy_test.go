package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/banktransfer"
	"github.com/pinglinks/pinglinks/provider"
)

// rails are the sandbox's, as platform.New registers them.
var rails = func() *provider.Registry {
	r := &provider.Registry{}
	r.Register(banktransfer.Connector{})
	(&Sandbox{}).Register(r)
	return r
}()

// validate checks a Payments API payment's method and parameters.
func validate(pm pinglinks.ProviderMethod, raw json.RawMessage) error {
	return rails.CheckPayment(&pinglinks.Payment{Provider: pm.Provider, Method: pm.Method, Currency: pinglinks.SEK,
		ProviderMethodParameters: raw})
}

// start runs a Payments API payment's first step.
func start(p *pinglinks.Payment, now time.Time) error {
	_, err := rails.Start(context.Background(), provider.StartRequest{Payment: p, Now: now})
	return err
}

func TestDummy(t *testing.T) {
	t.Parallel()
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
		err := validate(dummyMethod, raw)
		if (tc.code == "") != (err == nil) || (err != nil && pinglinks.ErrorCode(err) != tc.code) {
			t.Errorf("Validate(%s) = %v, want code %q", tc.params, err, tc.code)
			continue
		}
		if err != nil {
			continue
		}
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "dummy", Method: "dummy", ProviderMethodParameters: raw}
		if err := start(p, time.Now()); err != nil || p.Status != tc.want || string(p.ProviderMethodResponse) != "{}" {
			t.Errorf("Start(%s): %v, status %s", tc.params, err, p.Status)
		}
	}
	for _, pm := range []pinglinks.ProviderMethod{{Provider: "payment_iq", Method: "card"}, {Provider: "ping", Method: "deposit"}} {
		if err := validate(pm, nil); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Errorf("%v through the Payments API: %v, want 403 (hosted checkout only)", pm, err)
		}
	}
}

// Swish through the Payments API: the parameters are checked field by
// field, and a valid payment waits, PENDING, for the payer.
func TestSwishThroughPaymentsAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, params string
		props          []string
	}{
		{"e_commerce", `{"phone_number":"0701234567","swish_message":"Order 42"}`, nil},
		{"e_commerce", `{"phone_number":"+46 70 123 45 67"}`, nil},
		{"m_commerce", ``, nil},
		{"m_commerce", `{"swish_message":"Tack"}`, nil},
		{"e_commerce", ``, []string{"provider_method_parameters.phone_number"}},
		{"e_commerce", `{"phone_number":"0812345678"}`, []string{"provider_method_parameters.phone_number"}},
		{"e_commerce", `{"phone_number":"0701234567","swish_message":"<script>"}`, []string{"provider_method_parameters.swish_message"}},
		{"m_commerce", `{"swish_message":"` + strings.Repeat("a", 51) + `"}`, []string{"provider_method_parameters.swish_message"}},
		{"m_commerce", `[1]`, []string{"provider_method_parameters"}},
		{"e_commerce", `{"phone_number":7}`, []string{"provider_method_parameters"}},
	}
	for _, tc := range tests {
		pm := pinglinks.ProviderMethod{Provider: "swish", Method: tc.method}
		err := validate(pm, json.RawMessage(tc.params))
		var got []string
		var es pinglinks.Errors
		var e *pinglinks.Error
		switch {
		case errors.As(err, &es):
			for _, e := range es {
				got = append(got, e.Property)
			}
		case errors.As(err, &e):
			got = []string{e.Property}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.props) {
			t.Errorf("%s %s: properties %v, want %v (%v)", tc.method, tc.params, got, tc.props, err)
			continue
		}
		if err != nil {
			continue
		}
		p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "swish", Method: tc.method,
			Currency: pinglinks.SEK, ProviderMethodParameters: json.RawMessage(tc.params)}
		if err := start(p, time.Now()); err != nil || p.Status != pinglinks.PaymentPending {
			t.Errorf("Start %s %s: %v, %s", tc.method, tc.params, err, p.Status)
		}
	}
	p := &pinglinks.Payment{Status: pinglinks.PaymentInitiated, Provider: "swish", Method: "m_commerce", Currency: pinglinks.EUR}
	if err := start(p, time.Now()); pinglinks.ErrorCode(err) != pinglinks.ECodeInvalid {
		t.Errorf("Swish in EUR: %v", err)
	}
}
