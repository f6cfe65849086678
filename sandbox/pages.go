package sandbox

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/provider"
)

// The simulators' pages, shown in the checkout's frame (RenderPanel): the
// simulated issuer's 3-D Secure page and the payer's Swish app.
var panels = template.Must(template.New("panels").Parse(`
{{define "3ds"}}<section class="card center"><h2>{{.W.ChallengeTitle}}</h2><p>{{.W.ChallengeText}}</p>
<form method="post" action="{{.Action}}"><button class="pay" name="answer" value="approve">{{.W.Approve}}</button>
<button class="secondary" name="answer" value="fail">{{.W.Fail}}</button></form>
<p class="hint">Sandbox · 3-D Secure</p></section>{{end}}
{{define "swish"}}<section class="card center"><h2>Swish (sandbox)</h2>
<form method="post" action="{{.Action}}"><button class="pay" name="answer" value="approve">{{.W.Approve}}</button>
<button class="secondary" name="answer" value="decline">RF07</button></form>
<p><a href="/checkout/{{.Token}}">{{.W.Continue}}</a></p></section>{{end}}`))

func (s *Sandbox) panel(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink, p *pinglinks.Payment, name, action string) {
	var buf bytes.Buffer
	if err := panels.ExecuteTemplate(&buf, name, map[string]any{"W": l.Locale.Words().Sandbox, "Action": action, "Token": l.Token}); err != nil {
		s.Log.Error("sandbox page", "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	s.Pages.RenderPanel(w, r, l, p, template.HTML(buf.String()))
}

// challengePayment is the 3-D Secure page's payment: the link's pending
// card payment waiting for a challenge; anything else goes back to the
// checkout, which shows how things stand.
func (s *Sandbox) challengePayment(w http.ResponseWriter, r *http.Request) (*pinglinks.PaymentLink, *pinglinks.Payment, bool) {
	p, l, ok := s.swishPayment(w, r) // the same lookup: the payment's id
	if !ok {
		return nil, nil, false
	}
	if c, ok := CardOf(p); !ok || c.ThreeDSecure != "challenge" || p.Status != pinglinks.PaymentPending {
		http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
		return nil, nil, false
	}
	return l, p, true
}

func (s *Sandbox) challengePage(w http.ResponseWriter, r *http.Request) {
	l, p, ok := s.challengePayment(w, r)
	if !ok {
		return
	}
	s.panel(w, r, l, p, "3ds", challengeURL(p))
}

func (s *Sandbox) challengeAnswer(w http.ResponseWriter, r *http.Request) {
	l, p, ok := s.challengePayment(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	o, err := challengeOutcome(p, r.PostForm.Get("answer") == "approve")
	if err == nil {
		// Answered meanwhile (another tab) changes nothing: the checkout
		// shows how.
		_, err = s.Providers.Learn(r.Context(), pinglinks.PaymentRef{TenantID: l.TenantID, OrderID: l.OrderID, ID: p.ID}, o)
	}
	if err != nil && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		s.Log.Error("sandbox 3-D Secure", "err", err)
	}
	s.back(w, r, l)
}

// back sends the payer to the checkout, or to the tenant's success page
// once paid, as the checkout would.
func (s *Sandbox) back(w http.ResponseWriter, r *http.Request, l *pinglinks.PaymentLink) {
	if now, err := s.Store.Link(r.Context(), l.TenantID, l.ID); err == nil && now.Status == pinglinks.LinkCompleted && now.SuccessURL != "" {
		http.Redirect(w, r, now.SuccessURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
}

// swishPayment is the payment of a simulator's page, by its id alone. The
// Swish page plays the payer's phone and the 3-D Secure page the issuer:
// both know the payment (its id, unguessable) but not the tenant.
func (s *Sandbox) swishPayment(w http.ResponseWriter, r *http.Request) (*pinglinks.Payment, *pinglinks.PaymentLink, bool) {
	id, err := uuid.Parse(r.PathValue("payment_id"))
	if err != nil {
		s.Pages.NotFound(w, r)
		return nil, nil, false
	}
	p, err := s.Store.SandboxPayment(r.Context(), id)
	if err != nil || p.LinkID == uuid.Nil {
		s.Pages.NotFound(w, r)
		return nil, nil, false
	}
	l, err := s.Store.Link(r.Context(), p.TenantID, p.LinkID)
	if err != nil {
		s.Pages.NotFound(w, r)
		return nil, nil, false
	}
	return p, l, true
}

func (s *Sandbox) swishPage(w http.ResponseWriter, r *http.Request) {
	p, l, ok := s.swishPayment(w, r)
	if !ok {
		return
	}
	s.panel(w, r, l, p, "swish", "/sandbox/swish/"+p.ID.String())
}

func (s *Sandbox) swishAnswer(w http.ResponseWriter, r *http.Request) {
	p, l, ok := s.swishPayment(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	status, code := pinglinks.PaymentStatus(pinglinks.PaymentCompleted), ""
	if r.PostForm.Get("answer") != "approve" {
		status, code = pinglinks.PaymentDeclined, "RF07"
	}
	o, err := swishAnswer(p, status, code)
	if err == nil {
		_, err = s.Providers.Learn(r.Context(), pinglinks.PaymentRef{TenantID: p.TenantID, OrderID: p.OrderID, ID: p.ID}, o)
	}
	if err != nil && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		s.Log.Error("sandbox Swish", "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/checkout/"+l.Token, http.StatusSeeOther)
}

// The simulators learn outcomes as real connectors do.
var (
	_ provider.Poller        = Swish{}
	_ provider.Poller        = CardProcessor{}
	_ provider.CheckoutForm  = CardProcessor{}
	_ provider.CheckoutForm  = Swish{}
	_ provider.CheckoutTexts = Swish{}
	_ provider.CheckoutTexts = CardProcessor{}
)
