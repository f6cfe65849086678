package checkout

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/provider"
)

// view is everything a checkout page shows.
type view struct {
	T        *locale.Checkout
	Lang     string // the page's html lang
	Nonce    string
	State    string // form, bank, waiting, paid, expired, cancelled, notfound, panel
	TestMode bool
	Link     *pinglinks.PaymentLink
	Token    string
	LogoURL  string
	Brand    template.CSS // the tenant's button colour, or empty

	Supplier string
	// The header says what the page is: "Pay to" and the amount to pay, or
	// "Paid to" and the amount paid, or that it can no longer be paid.
	HeadTo, AmountLabel, HeadAmount, SumLabel string
	Items                                     []itemView
	VATs                                      []vatView
	Total                                     string
	DueDate                                   string
	CancelURL                                 string

	Details   pinglinks.PayerDetails
	Errors    map[string]string
	Banner    string // what went wrong, at the top of the form
	Notice    string // why nothing new happened (another tab paid first…), at the top of the page
	Elsewhere bool   // the payer chose one method while another's payment was already under way
	PollKey   string // changes whenever the page would; the script reloads when it does
	Methods   []methodView

	// waiting: what the payment's connector says (provider.Waiting)
	Waiting   provider.Waiting
	AppURL    template.URL // opens the provider's app
	AppQR     template.URL // the same, as a QR code
	PaymentID string

	// panel: a connector's own page in the checkout's frame
	Panel template.HTML

	// bank transfer
	Account, AccountLabel, Reference, ReferenceLabel, BankNote string
	AmountDue, Received                                        string // Received is set once part of a transfer has arrived
	PartlyPaid                                                 string // why only a transfer can pay the rest

	// paid
	PaidAt, MethodName, ReceiptNo, ReceiptURL, SuccessURL string
}

type itemView struct {
	Description, Quantity, Unit, UnitPrice, Amount, VAT string
}

type vatView struct{ Rate, Amount string }

type methodView struct {
	Value, Label string
	Checked      bool
	Fields       []fieldView
}

// fieldGroup is a line of a method's form: one field, or half fields side
// by side.
type fieldGroup struct {
	Row    bool
	Fields []fieldView
}

// Groups lays the method's fields out in lines.
func (m methodView) Groups() []fieldGroup {
	var out []fieldGroup
	for _, f := range m.Fields {
		if n := len(out); f.Half && n > 0 && out[n-1].Row {
			out[n-1].Fields = append(out[n-1].Fields, f)
			continue
		}
		out = append(out, fieldGroup{Row: f.Half, Fields: []fieldView{f}})
	}
	return out
}

// fieldView is one input of a method's form with what the page shows in it.
type fieldView struct {
	provider.Field
	Value string
}

// pollKey changes whenever the page of the link would: another state,
// another payment, or more of a transfer arrived.
func (h *Handler) pollKey(l *pinglinks.PaymentLink, p *pinglinks.Payment) string {
	return h.stateOf(l, p) + "." + p.ID.String() + "." + string(p.Status) + "." + itoa(p.FundedAmount)
}

// stateOf says which page a link shows, given its latest payment.
func (h *Handler) stateOf(l *pinglinks.PaymentLink, p *pinglinks.Payment) string {
	switch l.Status {
	case pinglinks.LinkCompleted:
		return "paid"
	case pinglinks.LinkExpired:
		return "expired"
	case pinglinks.LinkCancelled:
		return "cancelled"
	}
	switch {
	case p.Status == pinglinks.PaymentPending:
		return "waiting" // for the payer's app, their bank, the provider
	case h.Providers.IsTransfer(p) && l.Reference != "" && (p.Status == pinglinks.PaymentInitiated ||
		p.Status == pinglinks.PaymentUnderfunded || p.Status == pinglinks.PaymentFunded || p.Status == pinglinks.PaymentOverfunded):
		return "bank" // waiting for the transfer, for the rest of it, or for the seller to settle an overpayment
	case !p.Terminal() && p.Status != pinglinks.PaymentInitiated:
		return "waiting" // another pending step
	}
	return "form"
}

func (h *Handler) newView(ctx context.Context, l *pinglinks.PaymentLink, p *pinglinks.Payment) *view {
	t := &l.Locale.Words().Checkout
	v := &view{T: t, Lang: l.Locale.Lang(), State: h.stateOf(l, p), TestMode: h.TestMode, Link: l, Token: l.Token, Supplier: l.Supplier.Name,
		Total: pinglinks.FormatAmount(l.Locale, l.Currency, l.TotalAmount), CancelURL: l.CancelURL,
		Errors: map[string]string{}, PaymentID: p.ID.String(), PollKey: h.pollKey(l, p)}
	v.HeadTo, v.AmountLabel, v.HeadAmount, v.SumLabel = t.PayTo, t.Total, v.Total, t.Total
	switch v.State {
	case "paid":
		v.HeadTo, v.AmountLabel, v.SumLabel = t.PaidTo, t.AmountPaid, t.SumTotal
	case "expired", "cancelled":
		v.HeadTo, v.AmountLabel, v.SumLabel = t.ClosedTo, t.AmountClosed, t.SumTotal
	}
	v.AccountLabel, v.Account = h.Accounts.For(l.Currency, l.Locale)
	if l.LogoImageLink != "" && h.Logos != nil {
		v.LogoURL = "/checkout/" + l.Token + "/logo"
	}
	// The tenant's branding (set in the dashboard): the buttons' colour,
	// and its logo where the link brings none.
	if b, err := h.Store.Branding(ctx, l.TenantID); err == nil {
		if b.Colour != "" {
			v.Brand = template.CSS(b.Colour) // #rrggbb, checked by Branding.SetColour
		}
		if v.LogoURL == "" && len(b.Logo) > 0 {
			v.LogoURL = "/checkout/" + l.Token + "/logo"
		}
	}
	if l.DueDate != "" {
		v.DueDate = pinglinks.FormatDueDate(l.Locale, l.DueDate)
	}
	vat := map[pinglinks.VATRate]int64{}
	for _, it := range l.Items {
		amount, _ := pinglinks.MulAmount(it.Price, it.Quantity)
		v.Items = append(v.Items, itemView{Description: it.Description, Quantity: itoa(it.Quantity), Unit: it.Unit,
			UnitPrice: pinglinks.FormatAmount(l.Locale, l.Currency, it.Price),
			Amount:    pinglinks.FormatAmount(l.Locale, l.Currency, amount), VAT: pinglinks.FormatVAT(l.Locale, it.VAT)})
		vat[it.VAT] += pinglinks.VATIncluded(amount, it.VAT)
	}
	rates := make([]pinglinks.VATRate, 0, len(vat))
	for r := range vat {
		rates = append(rates, r)
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i] > rates[j] })
	for _, r := range rates {
		if r > 0 {
			v.VATs = append(v.VATs, vatView{Rate: pinglinks.FormatVAT(l.Locale, r), Amount: pinglinks.FormatAmount(l.Locale, l.Currency, vat[r])})
		}
	}
	for _, m := range l.Methods {
		pm := pinglinks.ProviderMethod{Provider: m.Provider, Method: m.Method}
		if _, err := h.Providers.Connector(pm, ""); err != nil {
			continue // not configured in this installation: not offered
		}
		mv := methodView{Value: m.Provider + "/" + m.Method, Label: h.Providers.Label(pm, l.Locale), Checked: len(v.Methods) == 0}
		for _, f := range h.Providers.Fields(pm, l.Locale) {
			mv.Fields = append(mv.Fields, fieldView{Field: f})
		}
		v.Methods = append(v.Methods, mv)
	}
	// A failed attempt is explained above the form.
	if v.State == "form" && p.Terminal() && p.Status != pinglinks.PaymentCompleted {
		why := h.Providers.Failure(p, l.Locale)
		if why == "" {
			why = t.Declined
		}
		v.Banner = why + " " + t.TryAgain
		v.select_(p.Provider + "/" + p.Method)
		// What need not be typed again (a declined card's expiry; the
		// number and CVC are never kept).
		v.keep(h.Providers.Prefill(p))
	}
	switch v.State {
	case "waiting":
		v.Waiting = provider.Waiting{Title: t.WaitingTitle}
		if w, ok := h.Providers.Waiting(p, l.Locale); ok {
			v.Waiting = w
		}
		if u := v.Waiting.AppURL; u != "" {
			v.AppURL = template.URL(u)
			v.AppQR = qrDataURI(u)
		}
	case "bank":
		v.Reference = l.Reference
		v.ReferenceLabel = fmt.Sprintf(t.ReferenceLabel, l.ReferenceType)
		v.BankNote = t.BankNote
		if strings.Contains(t.BankNote, "%s") {
			v.BankNote = fmt.Sprintf(t.BankNote, l.ReferenceType)
		}
		v.AmountDue = v.Total
		if p.FundedAmount > 0 { // part of it has arrived: ask for the rest, offer nothing else
			v.Received = pinglinks.FormatAmount(l.Locale, l.Currency, p.FundedAmount)
			v.AmountDue = pinglinks.FormatAmount(l.Locale, l.Currency, max(p.TotalAmount-p.FundedAmount, 0))
			v.AmountLabel, v.HeadAmount, v.SumLabel = t.Remaining, v.AmountDue, t.SumTotal
			v.PartlyPaid = fmt.Sprintf(t.PartlyPaid, l.ReferenceType)
		}
		// The form below offers the other methods only: this one is chosen.
		others := v.Methods[:0]
		for _, m := range v.Methods {
			if m.Value != p.Provider+"/"+p.Method {
				others = append(others, m)
			}
		}
		v.Methods = others
		v.select_("")
	case "paid":
		v.PaidAt = pinglinks.FormatTime(l.Locale, l.UpdatedAt)
		v.MethodName = h.Providers.PaidWith(p, l.Locale)
		v.ReceiptNo = itoa(l.ReceiptNumber)
		if h.FileURL != nil {
			v.ReceiptURL = h.FileURL(l.ReceiptToken)
		}
		v.SuccessURL = l.SuccessURL
	}
	return v
}

// select_ checks the method the payer last chose.
func (v *view) select_(value string) {
	found := false
	for i := range v.Methods {
		v.Methods[i].Checked = v.Methods[i].Value == value
		found = found || v.Methods[i].Checked
	}
	if !found && len(v.Methods) > 0 {
		v.Methods[0].Checked = true
	}
}

// keep fills the methods' fields with what the payer typed, never a
// secret field.
func (v *view) keep(form map[string]string) {
	for i := range v.Methods {
		for j := range v.Methods[i].Fields {
			f := &v.Methods[i].Fields[j]
			if !f.Secret {
				f.Value = form[f.Name]
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// qrDataURI draws text as a QR code PNG inline in the page.
func qrDataURI(text string) template.URL {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return ""
	}
	code, err = barcode.Scale(code, 200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, code); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}

func (h *Handler) render(w http.ResponseWriter, status int, v *view) {
	v.Nonce = nonce()
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "page", v); err != nil {
		h.fail(w, err)
		return
	}
	securityHeaders(w, v.Nonce, h.Providers.RedirectOrigins())
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
