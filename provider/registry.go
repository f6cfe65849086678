package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

// Registry holds the connectors this installation has configured. It is
// filled once at start-up (Register, Missing) and only read afterwards, so
// it needs no lock.
type Registry struct {
	// Payments applies what connectors learn; set before Learn or Run.
	Payments Payments
	Log      *slog.Logger
	// Now is the platform's clock (the store's, which tests may set); nil
	// reads the system's.
	Now func() time.Time

	connectors map[pinglinks.ProviderMethod]Connector
	missing    map[pinglinks.ProviderMethod]string
	order      []pinglinks.ProviderMethod
}

func (r *Registry) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Register adds a connector for every method it serves. A method
// registered twice is a wiring mistake and panics at start-up.
func (r *Registry) Register(c Connector) {
	if r.connectors == nil {
		r.connectors = map[pinglinks.ProviderMethod]Connector{}
	}
	for _, pm := range c.Methods() {
		if _, dup := r.connectors[pm]; dup {
			panic(fmt.Sprintf("provider: %s/%s registered twice", pm.Provider, pm.Method))
		}
		r.connectors[pm] = c
		delete(r.missing, pm)
		r.order = append(r.order, pm)
	}
}

// Missing declares a method this installation knows but has not configured;
// what says what it lacks ("set PINGLINKS_SWISH_CERT …"). Using it is
// refused with 403. A method later registered is no longer missing.
func (r *Registry) Missing(pm pinglinks.ProviderMethod, what string) {
	if _, ok := r.connectors[pm]; ok {
		return
	}
	if r.missing == nil {
		r.missing = map[pinglinks.ProviderMethod]string{}
	}
	if _, ok := r.missing[pm]; !ok {
		r.order = append(r.order, pm)
	}
	r.missing[pm] = what
}

// Methods lists every method the installation knows, configured or not, in
// registration order (a tenant's payment_provider_methods).
func (r *Registry) Methods() []pinglinks.ProviderMethod {
	return append([]pinglinks.ProviderMethod(nil), r.order...)
}

// Available lists the configured methods.
func (r *Registry) Available() []pinglinks.ProviderMethod {
	out := []pinglinks.ProviderMethod{}
	for _, pm := range r.order {
		if _, ok := r.connectors[pm]; ok {
			out = append(out, pm)
		}
	}
	return out
}

// Connector returns pm's connector, or an error saying why there is none:
// 403 naming what the installation lacks for a known method that is not
// configured, and 403 naming the known ones for a method nobody knows.
func (r *Registry) Connector(pm pinglinks.ProviderMethod, property string) (Connector, error) {
	if c, ok := r.connectors[pm]; ok {
		return c, nil
	}
	if what, ok := r.missing[pm]; ok {
		return nil, &pinglinks.Error{Code: pinglinks.ECodeForbidden, Property: property,
			Message: fmt.Sprintf("%s/%s is not connected in this installation: %s", pm.Provider, pm.Method, what)}
	}
	return nil, &pinglinks.Error{Code: pinglinks.ECodeForbidden, Property: property, Message: r.unknown(pm)}
}

func (r *Registry) unknown(pm pinglinks.ProviderMethod) string {
	known := make([]string, 0, len(r.order))
	for _, m := range r.order {
		known = append(known, m.Provider+"/"+m.Method)
	}
	return fmt.Sprintf("%s/%s is not a payment method of this installation (known: %s)", pm.Provider, pm.Method, strings.Join(known, ", "))
}

// Of returns the connector of a stored payment's method, if configured.
func (r *Registry) Of(p *pinglinks.Payment) (Connector, bool) {
	if r == nil {
		return nil, false
	}
	c, ok := r.connectors[pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}]
	return c, ok
}

// CheckLink checks a link's methods: each is configured, takes the link's
// currency and has valid parameters. Errors name
// payment_provider_methods[i].
func (r *Registry) CheckLink(l *pinglinks.PaymentLink) error {
	var errs pinglinks.Errors
	for i, m := range l.Methods {
		prop := fmt.Sprintf("payment_provider_methods[%d]", i)
		c, err := r.Connector(pinglinks.ProviderMethod{Provider: m.Provider, Method: m.Method}, prop)
		if err == nil {
			err = c.CheckLinkMethod(m, l.Currency)
			prefix(err, prop)
		}
		var e *pinglinks.Error
		var es pinglinks.Errors
		switch {
		case errors.As(err, &es):
			errs = append(errs, es...)
		case errors.As(err, &e) && e.Code == pinglinks.ECodeInvalid:
			errs = append(errs, e)
		case err != nil:
			return err // 403: not configured
		}
	}
	return errs.Err()
}

// prefix makes the relative properties of a connector's errors absolute.
func prefix(err error, prop string) {
	add := func(e *pinglinks.Error) {
		if e.Property == "" {
			e.Property = prop
		} else {
			e.Property = prop + "." + e.Property
		}
	}
	var es pinglinks.Errors
	var e *pinglinks.Error
	switch {
	case errors.As(err, &es):
		for _, x := range es {
			add(x)
		}
	case errors.As(err, &e):
		add(e)
	}
}

// CheckPayment checks a Payments API payment's method and parameters: a
// method nobody knows is a malformed request (422 on method), one the
// installation lacks a 403 saying what.
func (r *Registry) CheckPayment(p *pinglinks.Payment) error {
	pm := pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}
	if _, missing := r.missing[pm]; r.connectors[pm] == nil && !missing {
		return pinglinks.Invalid("method", "%s", r.unknown(pm))
	}
	c, err := r.Connector(pm, "method")
	if err != nil {
		return err
	}
	return c.CheckPayment(p)
}

// Start runs the first step of p with its connector and applies the
// outcome to p; it returns the outcome for its RedirectURL.
func (r *Registry) Start(ctx context.Context, req StartRequest) (Outcome, error) {
	p := req.Payment
	c, err := r.Connector(pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}, "method")
	if err != nil {
		return Outcome{}, err
	}
	o, err := c.Start(ctx, req)
	if err != nil {
		return Outcome{}, err
	}
	return o, o.Apply(p, req.Now)
}

// PaidWith names how p was paid, for receipts.
func (r *Registry) PaidWith(p *pinglinks.Payment, loc locale.Locale) string {
	if c, ok := r.Of(p); ok {
		return c.PaidWith(p, loc)
	}
	return p.Provider + " " + p.Method // paid before the method was unconfigured
}

// Label names pm on the checkout.
func (r *Registry) Label(pm pinglinks.ProviderMethod, loc locale.Locale) string {
	if c, ok := r.connectors[pm]; ok {
		return c.Label(pm, loc)
	}
	return pm.Provider + " " + pm.Method
}

// Refund asks p's connector to refund ref through its provider, when it
// refunds that way.
func (r *Registry) Refund(ctx context.Context, p *pinglinks.Payment, ref pinglinks.Refund) error {
	c, ok := r.Of(p)
	if !ok {
		return pinglinks.Forbidden("%s/%s is not available in this installation; its payments cannot be refunded here", p.Provider, p.Method)
	}
	if rf, ok := c.(Refunder); ok {
		return rf.Refund(ctx, p, ref)
	}
	return nil
}

// errNotPending stops Learn without an error when the news is stale.
var errNotPending = errors.New("provider: payment no longer pending")

// Learn applies what a connector learned about the payment ref names,
// under the payment's lock: if the payment is no longer waiting for its
// provider (INITIATED or PENDING) the news is stale and changes nothing.
// It reports whether the payment changed.
func (r *Registry) Learn(ctx context.Context, ref pinglinks.PaymentRef, o Outcome) (bool, error) {
	if o.Status == "" && o.Response == nil {
		return false, nil
	}
	changed := false
	_, err := r.Payments.UpdatePayment(ctx, ref.TenantID, ref.OrderID, ref.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		if p.Status != pinglinks.PaymentPending && p.Status != pinglinks.PaymentInitiated {
			return errNotPending
		}
		changed = true
		return o.Apply(p, r.now())
	})
	if errors.Is(err, errNotPending) {
		return false, nil
	}
	return changed && err == nil, err
}

// Mount adds every CallbackReceiver's handler at /providers/{provider}/.
func (r *Registry) Mount(mux *http.ServeMux) {
	seen := map[string]bool{}
	for _, pm := range r.order {
		c, ok := r.connectors[pm]
		if !ok || seen[pm.Provider] {
			continue
		}
		seen[pm.Provider] = true
		if cr, ok := c.(CallbackReceiver); ok {
			prefix := "/providers/" + pm.Provider + "/"
			mux.Handle(prefix, http.StripPrefix(strings.TrimSuffix(prefix, "/"), cr.Handler(r)))
		}
	}
}

// Poll asks every Poller about its PENDING payments once.
func (r *Registry) Poll(ctx context.Context, now time.Time) error {
	pms := make([]pinglinks.ProviderMethod, 0, len(r.connectors))
	for pm := range r.connectors {
		pms = append(pms, pm)
	}
	sort.Slice(pms, func(i, j int) bool { return pms[i].Provider+pms[i].Method < pms[j].Provider+pms[j].Method })
	polled := map[string]bool{}
	for _, pm := range pms {
		poller, ok := r.connectors[pm].(Poller)
		if !ok || polled[pm.Provider] {
			continue
		}
		polled[pm.Provider] = true
		// The store lists by provider; the connector's shortest wait over
		// its methods bounds the query, and each payment's own is checked.
		after := time.Duration(-1)
		for _, m := range r.connectors[pm].Methods() {
			if d := poller.PollAfter(m); after < 0 || d < after {
				after = d
			}
		}
		due, err := r.Payments.PendingPayments(ctx, pm.Provider, now.Add(-after), 100)
		if err != nil {
			return err
		}
		for _, ref := range due {
			p, err := r.Payments.Payment(ctx, ref.TenantID, ref.OrderID, ref.ID)
			if err != nil {
				return err
			}
			m := pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}
			if p.Status != pinglinks.PaymentPending || p.UpdatedAt.After(now.Add(-poller.PollAfter(m))) {
				continue
			}
			o, err := poller.Poll(ctx, p, now)
			if err != nil {
				r.log().Warn("provider poll", "provider", p.Provider, "payment", p.ID, "err", err)
				continue
			}
			if _, err := r.Learn(ctx, ref, o); err != nil && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
				return err
			}
		}
	}
	return nil
}

// Run polls every interval (default 250 ms) until ctx ends. Several
// processes may run it: Learn's lock makes the first answer win.
func (r *Registry) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := r.Poll(ctx, r.now()); err != nil && ctx.Err() == nil {
			r.log().Error("provider poll", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Registry) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

// Transfer returns the configured bank transfer method (the connector that
// implements Transfer), which incoming transfers fund.
func (r *Registry) Transfer() (pinglinks.ProviderMethod, Transfer, bool) {
	for _, pm := range r.order {
		if t, ok := r.connectors[pm].(Transfer); ok {
			return pm, t, true
		}
	}
	return pinglinks.ProviderMethod{}, nil, false
}

// Waiting is what the checkout shows while p is PENDING.
func (r *Registry) Waiting(p *pinglinks.Payment, loc locale.Locale) (Waiting, bool) {
	c, _ := r.Of(p)
	if t, ok := c.(CheckoutTexts); ok {
		return t.Waiting(p, loc), true
	}
	return Waiting{}, false
}

// Failure explains p's failure in locale; empty for the general text.
func (r *Registry) Failure(p *pinglinks.Payment, loc locale.Locale) string {
	c, _ := r.Of(p)
	if t, ok := c.(CheckoutTexts); ok {
		return t.Failure(p, loc)
	}
	return ""
}

// Fields are the inputs the checkout collects for pm.
func (r *Registry) Fields(pm pinglinks.ProviderMethod, loc locale.Locale) []Field {
	if f, ok := r.connectors[pm].(CheckoutForm); ok {
		return f.Fields(pm, loc)
	}
	return nil
}

// CheckForm checks what the payer typed for pm's Fields.
func (r *Registry) CheckForm(pm pinglinks.ProviderMethod, loc locale.Locale, form map[string]string, now time.Time) map[string]string {
	if f, ok := r.connectors[pm].(CheckoutForm); ok {
		return f.CheckForm(pm, loc, form, now)
	}
	return nil
}

// IsTransfer reports whether p is paid by bank transfer.
func (r *Registry) IsTransfer(p *pinglinks.Payment) bool {
	c, _ := r.Of(p)
	_, ok := c.(Transfer)
	return ok
}

// NotStarted says, in locale, what did not happen when a choice of pm came
// too late; empty for the checkout's general words.
func (r *Registry) NotStarted(pm pinglinks.ProviderMethod, loc locale.Locale) string {
	if n, ok := r.connectors[pm].(CheckoutNotices); ok {
		return n.NotStarted(pm, loc)
	}
	return ""
}

// Prefill is what p's method's form starts with after p failed.
func (r *Registry) Prefill(p *pinglinks.Payment) map[string]string {
	c, _ := r.Of(p)
	if f, ok := c.(CheckoutPrefill); ok {
		return f.Prefill(p)
	}
	return nil
}

// RedirectOrigins lists the origins of every provider page a checkout form
// may redirect to (for the checkout's form-action).
func (r *Registry) RedirectOrigins() []string {
	var out []string
	seen := map[string]bool{}
	for _, pm := range r.order {
		if ro, ok := r.connectors[pm].(RedirectOrigins); ok {
			for _, o := range ro.RedirectOrigins() {
				if !seen[o] {
					seen[o] = true
					out = append(out, o)
				}
			}
		}
	}
	return out
}
