package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

// kronor is a connector for the registry's own tests: one method that
// takes SEK only and a parameter "note" of at most 5 characters.
type kronor struct{}

func (kronor) Methods() []pinglinks.ProviderMethod {
	return []pinglinks.ProviderMethod{{Provider: "kr", Method: "one"}}
}

func (kronor) CheckLinkMethod(m pinglinks.LinkMethod, c pinglinks.Currency) error {
	var errs pinglinks.Errors
	if c != pinglinks.SEK {
		errs.Add("", "kr takes SEK only")
	}
	var p struct{ Note string }
	if len(m.Parameters) > 0 && (json.Unmarshal(m.Parameters, &p) != nil || len(p.Note) > 5) {
		errs.Add("parameters.note", "must be at most 5 characters")
	}
	return errs.Err()
}

func (kronor) CheckPayment(p *pinglinks.Payment) error { return nil }

func (kronor) Start(_ context.Context, req StartRequest) (Outcome, error) {
	return Outcome{Status: pinglinks.PaymentPending, Response: json.RawMessage(`{"n":1}`)}, nil
}

func (kronor) Label(pinglinks.ProviderMethod, locale.Locale) string               { return "Kronor" }
func (kronor) PaidWith(*pinglinks.Payment, locale.Locale) string                  { return "Kronor" }
func (kronor) Refund(context.Context, *pinglinks.Payment, pinglinks.Refund) error { return nil }

func TestRegistryRefusesWhatIsNotConfigured(t *testing.T) {
	t.Parallel()
	var r Registry
	r.Register(kronor{})
	card := pinglinks.ProviderMethod{Provider: "cardco", Method: "card"}
	r.Missing(card, "no card processor is configured (set PINGLINKS_CARD_KEY)")
	tests := []struct {
		pm       pinglinks.ProviderMethod
		code     string
		contains string
	}{
		{pinglinks.ProviderMethod{Provider: "kr", Method: "one"}, "", ""},
		{card, pinglinks.ECodeForbidden, "no card processor is configured (set PINGLINKS_CARD_KEY)"},
		{pinglinks.ProviderMethod{Provider: "kr", Method: "two"}, pinglinks.ECodeForbidden, "known: kr/one, cardco/card"},
	}
	for _, tc := range tests {
		_, err := r.Connector(tc.pm, "method")
		if (tc.code == "") != (err == nil) || (err != nil && (pinglinks.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.contains))) {
			t.Errorf("Connector(%v) = %v, want code %q with %q", tc.pm, err, tc.code, tc.contains)
		}
	}
	if got := r.Available(); len(got) != 1 || got[0].Provider != "kr" {
		t.Errorf("Available() = %v", got)
	}
	if got := r.Methods(); len(got) != 2 {
		t.Errorf("Methods() = %v", got)
	}
}

func TestRegistryCheckLinkNamesTheMethod(t *testing.T) {
	t.Parallel()
	var r Registry
	r.Register(kronor{})
	r.Missing(pinglinks.ProviderMethod{Provider: "cardco", Method: "card"}, "no card processor")
	l := &pinglinks.PaymentLink{Currency: pinglinks.NOK, Methods: []pinglinks.LinkMethod{
		{Provider: "kr", Method: "one", Parameters: json.RawMessage(`{"Note":"too long"}`)}}}
	err := r.CheckLink(l)
	var es pinglinks.Errors
	if !asErrors(err, &es) || len(es) != 2 || es[0].Property != "payment_provider_methods[0]" ||
		es[1].Property != "payment_provider_methods[0].parameters.note" {
		t.Fatalf("CheckLink = %#v", err)
	}
	l.Methods = append(l.Methods, pinglinks.LinkMethod{Provider: "cardco", Method: "card"})
	l.Currency, l.Methods[0].Parameters = pinglinks.SEK, nil
	if err := r.CheckLink(l); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden ||
		!strings.Contains(err.Error(), "no card processor") {
		t.Fatalf("CheckLink with an unconfigured method = %v, want 403", err)
	}
}

func TestRegistryStartAppliesTheOutcome(t *testing.T) {
	t.Parallel()
	var r Registry
	r.Register(kronor{})
	p := &pinglinks.Payment{Provider: "kr", Method: "one", Status: pinglinks.PaymentInitiated}
	if _, err := r.Start(context.Background(), StartRequest{Payment: p}); err != nil {
		t.Fatal(err)
	}
	if p.Status != pinglinks.PaymentPending || string(p.ProviderMethodResponse) != `{"n":1}` {
		t.Fatalf("after Start: %s %s", p.Status, p.ProviderMethodResponse)
	}
	p.Provider = "gone"
	if got := r.PaidWith(p, "en-GB"); got != "gone one" {
		t.Errorf("PaidWith of an unregistered method = %q", got)
	}
}

func asErrors(err error, es *pinglinks.Errors) bool {
	e, ok := err.(pinglinks.Errors)
	*es = e
	return ok
}
