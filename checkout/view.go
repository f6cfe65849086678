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
	"github.com/pinglinks/pinglinks/files"
	"github.com/pinglinks/pinglinks/provider"
)

// view is everything a checkout page shows.
type view struct {
	T       texts
	Nonce   string
	State   string // form, bank, waiting, challenge, paid, expired, cancelled, notfound, swishsim
	Sandbox bool
	Link    *pinglinks.PaymentLink
	Token   string
	LogoURL string

	Supplier string
	// The header says what the page is: "Pay to" and the amount to pay, or
	// "Paid to" and the amount paid, or that it can no longer be paid.
	HeadTo, AmountLabel, HeadAmount, SumLabel string
	Items                                     []itemView
	VATs                                      []vatView
	Total                                     string
	DueDate                                   string
	CancelURL                                 string

	Details    pinglinks.PayerDetails
	Errors     map[string]string
	Banner     string // what went wrong, at the top of the form
	Notice     string // why nothing new happened (another tab paid first…), at the top of the page
	Elsewhere  bool   // the payer chose one method while another's payment was already under way
	PollKey    string // changes whenever the page would; the script reloads when it does
	Methods    []methodView
	CardExp    string
	SwishPhone string

	// waiting (Swish)
	SwishMobile bool
	SwishURL    template.URL
	SwishQR     template.URL
	PaymentID   string

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
	Value, Label, Provider, Method string
	Checked                        bool
}

// pollKey changes whenever the page of the link would: another state,
// another payment, or more of a transfer arrived.
func pollKey(l *pinglinks.PaymentLink, p *pinglinks.Payment) string {
	return stateOf(l, p) + "." + p.ID.String() + "." + string(p.Status) + "." + itoa(p.FundedAmount)
}

// stateOf says which page a link shows, given its latest payment.
func stateOf(l *pinglinks.PaymentLink, p *pinglinks.Payment) string {
	switch l.Status {
	case pinglinks.LinkCompleted:
		return "paid"
	case pinglinks.LinkExpired:
		return "expired"
	case pinglinks.LinkCancelled:
		return "cancelled"
	}
	switch {
	case p.Status == pinglinks.PaymentPending && p.Provider == "swish":
		return "waiting"
	case p.Status == pinglinks.PaymentPending && p.Provider == "payment_iq":
		return "challenge"
	case p.Provider == "ping" && l.Reference != "" && (p.Status == pinglinks.PaymentInitiated ||
		p.Status == pinglinks.PaymentUnderfunded || p.Status == pinglinks.PaymentFunded || p.Status == pinglinks.PaymentOverfunded):
		return "bank" // waiting for the transfer, for the rest of it, or for the seller to settle an overpayment
	case !p.Terminal() && p.Status != pinglinks.PaymentInitiated:
		return "waiting" // another provider's pending step
	}
	return "form"
}

func (h *Handler) newView(ctx context.Context, l *pinglinks.PaymentLink, p *pinglinks.Payment) *view {
	t := textsFor(l.Locale)
	v := &view{T: t, State: stateOf(l, p), Sandbox: h.Sandbox, Link: l, Token: l.Token, Supplier: l.Supplier.Name,
		Total: pinglinks.FormatAmount(l.Locale, l.Currency, l.TotalAmount), CancelURL: l.CancelURL,
		Errors: map[string]string{}, PaymentID: p.ID.String(), PollKey: pollKey(l, p)}
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
	for i, m := range l.Methods {
		label := map[string]string{"payment_iq/card": t.Card, "swish/e_commerce": t.Swish, "swish/m_commerce": t.SwishMobile,
			"ping/deposit": t.BankTransfer, "dummy/dummy": t.Dummy}[m.Provider+"/"+m.Method]
		if label == "" {
			label = m.Provider + " " + m.Method
		}
		v.Methods = append(v.Methods, methodView{Value: m.Provider + "/" + m.Method, Label: label,
			Provider: m.Provider, Method: m.Method, Checked: i == 0})
	}
	// A failed attempt is explained above the form.
	if v.State == "form" && p.Terminal() && p.Status != pinglinks.PaymentCompleted {
		v.Banner = failureText(t, p) + " " + t.TryAgain
		v.select_(p.Provider + "/" + p.Method)
		if c, ok := provider.CardOf(p); ok && c.Card.ExpMonth > 0 {
			// The expiry need not be typed again; the number and CVC are never kept.
			v.CardExp = fmt.Sprintf("%02d/%02d", c.Card.ExpMonth, c.Card.ExpYear%100)
		}
	}
	switch v.State {
	case "waiting":
		if s, ok := provider.SwishOf(p); ok && s.PaymentRequestToken != "" {
			v.SwishMobile = true
			u := "swish://paymentrequest?token=" + s.PaymentRequestToken
			v.SwishURL = template.URL(u)
			v.SwishQR = qrDataURI(u)
		}
	case "bank":
		v.Reference = l.Reference
		v.ReferenceLabel = l.ReferenceType + "-nummer"
		v.BankNote = t.BankNote
		if strings.Contains(t.BankNote, "%s") {
			v.BankNote = fmt.Sprintf(t.BankNote, l.ReferenceType)
		}
		if l.Locale == "en-GB" {
			v.ReferenceLabel = "Payment reference (" + l.ReferenceType + ")"
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
			if m.Provider != p.Provider || m.Method != p.Method {
				others = append(others, m)
			}
		}
		v.Methods = others
		v.select_("")
	case "paid":
		v.PaidAt = pinglinks.FormatTime(l.Locale, l.UpdatedAt)
		v.MethodName = files.MethodName(l.Locale, p)
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

func failureText(t texts, p *pinglinks.Payment) string {
	if c, ok := provider.CardOf(p); ok {
		switch c.DeclineReason {
		case "insufficient_funds":
			return t.InsufficientFunds
		case "authentication_failed", "authentication_timed_out":
			return t.AuthFailed
		}
		return t.DeclinedCard
	}
	if p.Provider == "swish" {
		switch p.Status {
		case pinglinks.PaymentAborted:
			return t.SwishAborted
		case pinglinks.PaymentExpired:
			return t.SwishExpired
		case pinglinks.PaymentCrashed:
			return t.SwishCrashed
		}
		return t.SwishDeclined
	}
	return t.Declined
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
	securityHeaders(w, v.Nonce)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
