// Package checkout serves the hosted checkout: the pages a payer reaches
// from a link's checkout_url, where they review the purchase, correct their
// details, choose one of the link's methods and pay. What each method
// collects and shows comes from its connector (package provider); pages a
// connector shows itself (the sandbox's issuer page) use RenderPanel.
//
// Pages are rendered on the server and work without JavaScript; a small
// script (allowed by a per-response CSP nonce) only spares the payer a
// double submit and updates a waiting page by itself. Forms are
// protected from cross-site posts by http.CrossOriginProtection.
package checkout

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/files"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

// Handler serves /checkout/….
type Handler struct {
	Store *store.Store
	// Providers are the installation's payment rails: the checkout offers
	// a link's methods that are configured, and asks each what to show.
	Providers *provider.Registry
	// TestMode says on every page that no real money is taken.
	TestMode bool
	// PublicURL is the base of the URLs given to providers (the payer's
	// way back, the connector's callbacks).
	PublicURL string
	Log       *slog.Logger
	// Accounts are shown for bank transfers.
	Accounts pinglinks.BankAccounts
	// FileURL makes the URL of a /files token (the receipt PDF).
	FileURL func(token string) string
	// Logos serves the link's logo from our own origin, so the page loads
	// nothing from third parties; nil shows no logo.
	Logos *files.Logos
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry, the one our own reverse proxy appended (PINGLINKS_TRUST_PROXY);
	// earlier entries are the client's word and could dodge the limit.
	TrustProxy bool
	// Now is the platform's clock (the store's, which tests may set); nil
	// reads the system's.
	Now func() time.Time

	mux     http.Handler
	perLink *limiter
	perAddr *limiter
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// Init builds the routes; call it once before serving.
func (h *Handler) Init() {
	if h.Log == nil {
		h.Log = slog.Default()
	}
	h.perLink = newLimiter(6*time.Second, 10) // 10 attempts at once, then one per 6 s
	h.perAddr = newLimiter(2*time.Second, 30)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout/{token}", h.page)
	mux.HandleFunc("POST /checkout/{token}/pay", h.pay)
	mux.HandleFunc("GET /checkout/{token}/status", h.status)
	mux.HandleFunc("GET /checkout/{token}/logo", h.logo)
	mux.HandleFunc("GET /checkout/{token}/return", h.returned)
	// Cross-site form posts are refused (Sec-Fetch-Site / Origin checks).
	h.mux = http.NewCrossOriginProtection().Handler(mux)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.mux == nil {
		h.Init()
	}
	h.mux.ServeHTTP(w, r)
}

// nonce is the per-response CSP nonce of inline style and script.
func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// securityHeaders sets the page's policy; formOrigins are the providers'
// pages a form may be redirected to (a card processor's hosted page).
func securityHeaders(w http.ResponseWriter, n string, formOrigins []string) {
	formAction := "'self'"
	for _, o := range formOrigins {
		formAction += " " + o
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+n+"'; script-src 'nonce-"+n+
		"'; img-src 'self' data:; connect-src 'self'; form-action "+formAction+"; base-uri 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
}

// link finds the link of the request's token.
func (h *Handler) link(r *http.Request) (*pinglinks.PaymentLink, error) {
	token := r.PathValue("token")
	if len(token) < 22 || len(token) > 64 {
		return nil, pinglinks.NotFound("payment link")
	}
	l, err := h.Store.LinkByToken(r.Context(), token)
	if err != nil {
		return nil, err
	}
	// A disabled tenant's links cannot be paid: they read as withdrawn.
	if ok, err := h.Store.TenantEnabled(r.Context(), l.TenantID); err != nil {
		return nil, err
	} else if !ok && l.Status == pinglinks.LinkCreated {
		l.Status = pinglinks.LinkCancelled
	}
	return l, nil
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	l, err := h.link(r)
	if err != nil {
		h.notFound(w, r, err)
		return
	}
	p, err := h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		h.fail(w, err)
		return
	}
	if l.FirstOpenedAt == nil && l.Status == pinglinks.LinkCreated {
		// Once per link: the link read shows it is not yet recorded. A
		// failure costs the tenant's timeline one line, not the payer the page.
		if err := h.Store.RecordLinkOpened(r.Context(), l.TenantID, l.ID); err != nil {
			h.Log.Warn("checkout: record first opening", "link", l.ID, "err", err)
		}
	}
	v := h.newView(r.Context(), l, p)
	v.Details = prefill(l, p)
	h.render(w, http.StatusOK, v)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
		h.fail(w, err)
		return
	}
	loc := locale.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	v := &view{T: &loc.Words().Checkout, Lang: loc.Lang(), State: "notfound"}
	h.render(w, http.StatusNotFound, v)
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	h.Log.Error("checkout", "err", err)
	http.Error(w, "Something went wrong on our side. Please try again in a moment.", http.StatusInternalServerError)
}

// prefill is what the details form shows: the payer's last corrections,
// else what the tenant knew.
func prefill(l *pinglinks.PaymentLink, p *pinglinks.Payment) pinglinks.PayerDetails {
	if d, ok := p.PayerDetails(); ok {
		return d
	}
	d := pinglinks.PayerDetails{Customer: l.Customer}
	if l.InvoiceAddress != nil {
		d.Address = l.InvoiceAddress
	} else if l.DeliveryAddress != nil {
		d.Address = l.DeliveryAddress
	}
	return d
}

// clientAddr is the payer's address for rate limiting.
func (h *Handler) clientAddr(r *http.Request) string {
	if h.TrustProxy {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a := strings.TrimSpace(last); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// payForm is what the payer submitted.
type payForm struct {
	Method  string
	Details pinglinks.PayerDetails
	// Form holds every other field; the chosen method's connector reads
	// its own (CheckoutForm.Fields).
	Form map[string]string
}

func readForm(r *http.Request) payForm {
	r.Body = http.MaxBytesReader(nil, r.Body, 16<<10)
	r.ParseForm()
	f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	pf := payForm{Method: f("method"), Form: map[string]string{}}
	for k := range r.PostForm {
		pf.Form[k] = f(k)
	}
	pf.Details.FirstName, pf.Details.LastName = f("first_name"), f("last_name")
	pf.Details.Email, pf.Details.Phone = f("email"), f("phone")
	if street, zip, city := f("street_address"), f("zip"), f("city"); street+zip+city != "" {
		pf.Details.Address = &pinglinks.Address{StreetAddress: street, Zip: zip, City: city}
	}
	return pf
}

// validate checks the payer's details; errors map form fields to messages.
func (pf *payForm) validate(t *locale.Checkout, l *pinglinks.PaymentLink) map[string]string {
	errs := map[string]string{}
	d := &pf.Details
	// The limits are the API's for the same fields.
	tooLong := func(name, v string, max int) {
		if utf8.RuneCountInString(v) > max {
			errs[name] = fmt.Sprintf(t.TooLong, max)
		}
	}
	for name, v := range map[string]string{"first_name": d.FirstName, "last_name": d.LastName} {
		if v == "" {
			errs[name] = t.Required
		}
		tooLong(name, v, pinglinks.MaxNameLen)
	}
	if d.Email != "" {
		if !pinglinks.ValidEmail(d.Email) {
			errs["email"] = t.InvalidEmail
		}
	}
	if d.Phone != "" {
		n, err := normalizePhone(d.Phone, l)
		if err != nil {
			errs["phone"] = t.InvalidPhone
		} else {
			d.Phone = n
		}
	}
	if a := d.Address; a != nil {
		for name, v := range map[string]string{"street_address": a.StreetAddress, "zip": a.Zip, "city": a.City} {
			if v == "" {
				errs[name] = t.Required
			}
		}
		tooLong("street_address", a.StreetAddress, pinglinks.MaxStreetLen)
		tooLong("zip", a.Zip, pinglinks.MaxZipLen)
		tooLong("city", a.City, pinglinks.MaxCityLen)
	}
	return errs
}

// normalizePhone reads a number written without a country code as the
// link's country would (its currency says more than its language: an
// English-speaking payer in Sweden writes Swedish numbers).
func normalizePhone(raw string, l *pinglinks.PaymentLink) (string, error) {
	regions := map[pinglinks.Currency]string{pinglinks.SEK: "SE", pinglinks.NOK: "NO", pinglinks.DKK: "DK", pinglinks.GBP: "GB"}
	region := regions[l.Currency]
	if region == "" {
		region = l.Locale.Region()
	}
	n, err := phone.Normalize(raw, region)
	for _, other := range []string{"SE", "NO", "DK"} { // a neighbour's number written the neighbour's way
		if err == nil {
			break
		}
		n, err = phone.Normalize(raw, other)
	}
	return n, err
}

func (h *Handler) pay(w http.ResponseWriter, r *http.Request) {
	l, err := h.link(r)
	if err != nil {
		h.notFound(w, r, err)
		return
	}
	t := &l.Locale.Words().Checkout
	p, err := h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		h.fail(w, err)
		return
	}
	v := h.newView(r.Context(), l, p)
	now := h.now()
	if !h.perLink.allow(l.Token, now) || !h.perAddr.allow(h.clientAddr(r), now) {
		w.Header().Set("Retry-After", "10")
		v.Banner = t.TooMany
		v.Details = prefill(l, p)
		h.render(w, http.StatusTooManyRequests, v)
		return
	}
	pf := readForm(r)
	switch {
	case v.State != "form" && v.State != "expired" && v.State != "cancelled" && pf.Method == p.Provider+"/"+p.Method:
		// The payment of the method chosen is under way or done (a double
		// click, a second tab): its page says how it stands.
		http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
		return
	case v.State != "form" && v.State != "bank", v.Received != "":
		h.nothingNew(w, v, p, pf.Method) // paid, pending, closed or partly transferred meanwhile
		return
	}
	v.Details = pf.Details
	v.Errors = pf.validate(t, l)
	provName, methName, _ := strings.Cut(pf.Method, "/")
	m, ok := l.Method(provName, methName)
	pm := pinglinks.ProviderMethod{Provider: m.Provider, Method: m.Method}
	var c provider.Connector
	if !ok {
		v.Errors["method"] = t.UnknownMethod
	} else if c, err = h.Providers.Connector(pm, "method"); err != nil {
		v.Errors["method"] = t.NotConnected // the installation lacks it; the form does not offer it
		ok = false
	}
	v.select_(pf.Method)
	if ok {
		for name, msg := range h.Providers.CheckForm(pm, l.Locale, pf.Form, now) {
			v.Errors[name] = msg
		}
	}
	v.keep(pf.Form)
	if len(v.Errors) > 0 {
		v.Banner = t.FixErrors
		h.render(w, http.StatusUnprocessableEntity, v)
		return
	}
	if tr, ok := c.(provider.Transfer); ok {
		refType, makeRef := tr.ReferenceType(l.Currency)
		if _, err := h.Store.AssignReference(r.Context(), l.TenantID, l.ID, refType, makeRef); err != nil {
			h.afterAttempt(w, r, l, v, err)
			return
		}
	}
	var outcome provider.Outcome
	_, p, err = h.Store.StartLinkPayment(r.Context(), l.TenantID, l.ID, m, pf.Details.JSON(),
		func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
			var err error
			outcome, err = h.Providers.Start(r.Context(), provider.StartRequest{Payment: p, Link: l, Form: pf.Form,
				ReturnURL: h.PublicURL + "/checkout/" + l.Token + "/return", Now: h.now(),
				CallbackURL: h.PublicURL + "/providers/" + p.Provider + "/"})
			return err
		})
	if err != nil && pinglinks.ErrorCode(err) == pinglinks.ECodeForbidden {
		h.tooLate(w, r, l, pf.Method) // another tab or a transfer got there first
		return
	}
	if err != nil {
		h.afterAttempt(w, r, l, v, err)
		return
	}
	if outcome.RedirectURL != "" && p.Status == pinglinks.PaymentPending {
		http.Redirect(w, r, outcome.RedirectURL, http.StatusSeeOther)
		return
	}
	h.redirectAfter(w, r, l, p)
}

// tooLate answers an attempt the store refused because the link's payment
// moved on after the page was read: it shows the page as it now is and
// says that nothing was charged.
func (h *Handler) tooLate(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink, chosen string) {
	l, err := h.Store.Link(r.Context(), l.TenantID, l.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	p, err := h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		h.fail(w, err)
		return
	}
	v := h.newView(r.Context(), l, p)
	if v.State == "form" || (v.State == "bank" && v.Received == "") || (v.State != "expired" && v.State != "cancelled" && chosen == p.Provider+"/"+p.Method) {
		http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther) // nothing to explain: the form is still there
		return
	}
	h.nothingNew(w, v, p, chosen)
}

// nothingNew answers a payer whose choice came too late: the page changed
// after it was shown (another tab started or finished a payment, part of
// a transfer arrived, the link closed). It says plainly that nothing was
// charged and why, and shows the page as it now is — never the waiting
// screen of a method the payer did not choose.
func (h *Handler) nothingNew(w http.ResponseWriter, v *view, p *pinglinks.Payment, chosen string) {
	t := v.T
	v.Notice = t.NotStarted
	prov, meth, _ := strings.Cut(chosen, "/")
	if said := h.Providers.NotStarted(pinglinks.ProviderMethod{Provider: prov, Method: meth}, v.Link.Locale); said != "" {
		v.Notice = said // "your card has not been charged"
	}
	switch {
	case v.State == "bank":
		v.Notice += " " + t.PartlyPaidReason
	case v.State == "paid":
		v.Notice += " " + t.AlreadyPaidReason
	case v.State == "waiting":
		v.Elsewhere = true
		v.MethodName = h.Providers.Label(pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}, v.Link.Locale)
	}
	h.render(w, http.StatusConflict, v)
}

// returned is where a payer comes back from a provider's page
// (Outcome.RedirectURL): the connector learns the outcome from its
// provider, and the checkout shows it.
func (h *Handler) returned(w http.ResponseWriter, r *http.Request) {
	l, err := h.link(r)
	if err != nil {
		h.notFound(w, r, err)
		return
	}
	p, err := h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		h.fail(w, err)
		return
	}
	c, _ := h.Providers.Of(p)
	if rt, ok := c.(provider.Returner); ok && p.Status == pinglinks.PaymentPending {
		o, err := rt.Return(r.Context(), p, r.URL.Query())
		if err == nil {
			_, err = h.Providers.Learn(r.Context(), pinglinks.PaymentRef{TenantID: p.TenantID, OrderID: p.OrderID, ID: p.ID}, o)
		}
		if err != nil {
			h.Log.Warn("checkout return", "payment", p.ID, "err", err) // the poll learns it later
		}
		if p, err = h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID); err != nil {
			h.fail(w, err)
			return
		}
	}
	h.redirectAfter(w, r, l, p)
}

// RenderPanel shows a connector's own page (the sandbox's issuer page and
// Swish app) in the checkout's frame for link l: the supplier and total
// above body.
func (h *Handler) RenderPanel(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink, p *pinglinks.Payment, body template.HTML) {
	v := h.newView(r.Context(), l, p)
	v.State, v.Panel = "panel", body
	h.render(w, http.StatusOK, v)
}

// NotFound shows the checkout's "no such link" page.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.notFound(w, r, pinglinks.NotFound("payment link"))
}

// redirectAfter sends the payer on after an attempt: to the tenant's
// success page when paid and one was given, else back to the checkout,
// which shows the outcome (post/redirect/get: a reload never re-posts).
func (h *Handler) redirectAfter(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink, p *pinglinks.Payment) {
	if p.Status == pinglinks.PaymentCompleted && l.SuccessURL != "" {
		http.Redirect(w, r, l.SuccessURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
}

// afterAttempt handles a refused attempt: a rule that the page already
// explains (paid meanwhile, in progress) shows the page; bad input shows
// the form with the error.
func (h *Handler) afterAttempt(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink, v *view, err error) {
	var e *pinglinks.Error
	switch {
	case errors.As(err, &e) && e.Code == pinglinks.ECodeInvalid:
		v.Errors = map[string]string{e.Property: e.Message}
		v.Banner = v.T.FixErrors
		h.render(w, http.StatusUnprocessableEntity, v)
	case errors.As(err, &e) && e.Code == pinglinks.ECodeOrderClosed:
		// The tenant closed the order after a failed attempt: no new
		// payment can start, which the page cannot tell by itself.
		v.Banner = v.T.OrderClosed
		h.render(w, http.StatusForbidden, v)
	case errors.As(err, &e) && e.Code == pinglinks.ECodeForbidden:
		http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
	default:
		h.fail(w, err)
	}
}

// status answers the waiting screen's script: the page's state, so it
// knows when to reload.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	l, err := h.link(r)
	if err != nil {
		http.Error(w, `{"state":"notfound"}`, http.StatusNotFound)
		return
	}
	p, err := h.Store.Payment(r.Context(), l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(`{"state":"` + h.stateOf(l, p) + `","key":"` + h.pollKey(l, p) + `"}`))
}

func (h *Handler) logo(w http.ResponseWriter, r *http.Request) {
	l, err := h.link(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var b []byte
	if l.LogoImageLink != "" && h.Logos != nil {
		b = h.Logos.Get(r.Context(), l.LogoImageLink)
	} else if brand, err := h.Store.Branding(r.Context(), l.TenantID); err == nil {
		b = brand.Logo // the tenant's own, uploaded in the dashboard
	}
	if b == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(b))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
