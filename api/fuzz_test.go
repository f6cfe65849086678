package api

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/banktransfer"
	"github.com/pinglinks/pinglinks/provider"
)

// FuzzRequestParsing feeds arbitrary bodies through the JSON decoding and
// validation of payment and link requests: they may be refused, but never
// panic, and a refusal is always a domain error with a code.
func FuzzRequestParsing(f *testing.F) {
	f.Add([]byte(`{"currency":"SEK","total_amount":7000,"provider":"dummy","method":"dummy","order_items":[{"amount":7000,"name":"x","vat_rate":25,"merchant_id":"01a2118b-a2cf-7446-afaa-c267239684c7"}]}`))
	f.Add([]byte(`{"payment_order_id":"01a2118b-a2cf-7446-afaa-c267239684c7","currency":"SEK","total_amount":1,"locale":"sv-SE","customer":{"first_name":"a","last_name":"b"},"supplier":{"name":"s"},"items":[{"description":"d","merchant_id":"01a2118b-a2cf-7446-afaa-c267239684c7","price":1,"quantity":1,"vat":0}],"payment_provider_methods":[{"provider":"dummy","method":"dummy"}]}`))
	f.Add([]byte(`{"items":[{"vat":1e400}]}`))
	f.Add([]byte(`[]`))
	tenant := &pinglinks.Tenant{ID: pinglinks.NewID(), Sandbox: true}
	rails := &provider.Registry{}
	rails.Register(banktransfer.Connector{})
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if err != nil && pinglinks.ErrorCode(err) == pinglinks.ECodeInternal {
				if _, ok := err.(pinglinks.Errors); !ok {
					t.Fatalf("refusal without a code: %v", err)
				}
			}
		}
		var p paymentIn
		if err := decode(httptest.NewRequest("POST", "/", bytes.NewReader(body)), &p, false); err == nil {
			_, err := p.toPayment(tenant, pinglinks.NewID(), rails)
			check(err)
		} else {
			check(err)
		}
		var l linkIn
		if err := decode(httptest.NewRequest("POST", "/", bytes.NewReader(body)), &l, false); err == nil {
			_, err := l.toLink(tenant, time.Now())
			check(err)
		} else {
			check(err)
		}
	})
}
