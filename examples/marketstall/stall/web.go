package stall

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pinglinks/pinglinks/client"
)

// Handler serves the stall's pages and its callback endpoint:
//
//	GET  /                      the form and today's purchases
//	POST /purchases             enter a purchase
//	GET  /purchases/{id}        the purchase: QR code, link, live status
//	POST /purchases/{id}/retry  try again to make a failed purchase's link
//	GET  /purchases/{id}/status its status as JSON (the page polls it)
//	GET  /purchases/{id}/qr.png the QR code of its checkout URL
//	POST /callbacks             the platform's signed callbacks
func (a *App) Handler() http.Handler {
	pages := http.NewServeMux()
	pages.HandleFunc("GET /{$}", a.index)
	pages.HandleFunc("POST /purchases", a.create)
	pages.HandleFunc("GET /purchases/{id}", a.show)
	pages.HandleFunc("POST /purchases/{id}/retry", a.retry)
	pages.HandleFunc("GET /purchases/{id}/status", a.statusJSON)
	pages.HandleFunc("GET /purchases/{id}/qr.png", a.qrPNG)
	pages.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })

	mux := http.NewServeMux()
	// The payee's form posts are protected from cross-site requests; the
	// callbacks are not browser requests and carry their own signature.
	mux.Handle("/", http.NewCrossOriginProtection().Handler(pages))
	mux.Handle("POST /callbacks", &client.WebhookReceiver{SigningKey: a.cfg.SigningKey,
		Tolerance: a.cfg.WebhookTolerance, OnLink: a.onLink})
	return mux
}

// nonce is the per-response CSP nonce of the page's inline style and script.
func nonce() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand documents it)
	return base64.StdEncoding.EncodeToString(b)
}

// pageHeaders sets a strict policy: nothing but our own nonce'd style and
// script, images from ourselves, fetches to ourselves, forms to ourselves.
func pageHeaders(w http.ResponseWriter, n string) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+n+"'; script-src 'nonce-"+n+
		"'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
}

// view is what a page shows.
type view struct {
	Nonce    string
	Title    string
	Stall    string
	Form     Input
	Errors   FieldErrors
	Banner   string
	Today    []row
	Purchase *purchaseView
}

type row struct {
	ID, Time, Description, Amount, Status, Class string
	Subscription                                 bool
}

type purchaseView struct {
	*Purchase
	AmountText, Label, Class, Created string
	PaidAt                            string // when the stall heard, HH:MM
	Waiting, CanRetry                 bool
	SentTo                            string
}

// label is how a status reads on the payee's screen, and its CSS class.
func label(p *Purchase) (text, class string) {
	switch p.Status {
	case StatusPaid:
		return "Paid ✓", "paid"
	case StatusExpired:
		if p.SubscriptionCancelled {
			return "Expired – subscription cancelled", "expired"
		}
		return "Expired", "expired"
	case StatusCancelled:
		return "Cancelled", "expired"
	case StatusFailed:
		return "Not created", "failed"
	case StatusCreating:
		return "Creating link…", "waiting"
	}
	return "Waiting for payment…", "waiting"
}

func (a *App) render(w http.ResponseWriter, status int, v *view) {
	v.Nonce = nonce()
	v.Stall = a.cfg.Name
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, v); err != nil {
		a.cfg.Log.Error("render", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(w, v.Nonce)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (a *App) today(r *http.Request) ([]row, error) {
	ps, err := a.Today(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(ps))
	for _, p := range ps {
		text, class := label(p)
		rows = append(rows, row{ID: p.ID, Time: p.CreatedAt.In(a.loc).Format("15:04"), Description: p.Description,
			Amount: FormatSEK(p.Amount), Status: text, Class: class, Subscription: p.Subscription})
	}
	return rows, nil
}

func (a *App) index(w http.ResponseWriter, r *http.Request) {
	a.showForm(w, r, http.StatusOK, Input{VAT: "25"}, nil, "")
}

func (a *App) showForm(w http.ResponseWriter, r *http.Request, status int, in Input, errs FieldErrors, banner string) {
	rows, err := a.today(r)
	if err != nil {
		a.fail(w, err)
		return
	}
	a.render(w, status, &view{Title: a.cfg.Name, Form: in, Errors: errs, Banner: banner, Today: rows})
}

func (a *App) fail(w http.ResponseWriter, err error) {
	a.cfg.Log.Error("request failed", "err", err)
	http.Error(w, "Something went wrong at the stall; please try again.", http.StatusInternalServerError)
}

func (a *App) create(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	in := Input{Amount: r.PostForm.Get("amount"), Description: r.PostForm.Get("description"),
		VAT: r.PostForm.Get("vat"), Phone: r.PostForm.Get("phone"), Email: r.PostForm.Get("email"),
		Name: r.PostForm.Get("name"), Subscription: r.PostForm.Get("subscription") != ""}
	// The purchase is made to the end even if the payee's phone drops the
	// connection meanwhile: a half-made purchase helps nobody.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	p, err := a.CreatePurchase(ctx, in)
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
		a.showForm(w, r, http.StatusUnprocessableEntity, in, fe, "Please fix what is marked below.")
		return
	case err != nil:
		a.fail(w, err)
		return
	}
	// Post/redirect/get: a reload of the purchase page never enters it twice.
	http.Redirect(w, r, "/purchases/"+p.ID, http.StatusSeeOther)
}

func (a *App) retry(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	p, err := a.RetryPurchase(ctx, r.PathValue("id"))
	var fe FieldErrors
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, "no such purchase", http.StatusNotFound)
		return
	case err != nil && !errors.As(err, &fe): // field errors are on the page
		a.fail(w, err)
		return
	}
	http.Redirect(w, r, "/purchases/"+p.ID, http.StatusSeeOther)
}

// purchase finds the purchase of the request, answering 404 if none.
func (a *App) purchase(w http.ResponseWriter, r *http.Request) (*Purchase, bool) {
	p, err := a.db.purchase(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, "no such purchase", http.StatusNotFound)
		return nil, false
	case err != nil:
		a.fail(w, err)
		return nil, false
	}
	return p, true
}

func (a *App) show(w http.ResponseWriter, r *http.Request) {
	p, ok := a.purchase(w, r)
	if !ok {
		return
	}
	text, class := label(p)
	pv := &purchaseView{Purchase: p, AmountText: FormatSEK(p.Amount), Label: text, Class: class,
		Created: p.CreatedAt.In(a.loc).Format("2006-01-02 15:04"), Waiting: p.Status == StatusAwaiting,
		CanRetry: a.canRetry(p)}
	if p.Status == StatusPaid {
		pv.PaidAt = p.UpdatedAt.In(a.loc).Format("15:04")
	}
	switch p.Distributed {
	case "sms":
		pv.SentTo = "Sent by SMS to " + p.Phone
	case "email":
		pv.SentTo = "Sent by e-mail to " + p.Email
	case "sms,email":
		pv.SentTo = "Sent by SMS to " + p.Phone + " and by e-mail to " + p.Email
	}
	a.render(w, http.StatusOK, &view{Title: text + " – " + p.Description, Purchase: pv})
}

// statusJSON answers the purchase page's script.
func (a *App) statusJSON(w http.ResponseWriter, r *http.Request) {
	p, ok := a.purchase(w, r)
	if !ok {
		return
	}
	text, _ := label(p)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"status": p.Status, "label": text,
		"subscription_cancelled": p.SubscriptionCancelled})
}

// qrPNG draws the QR code of the purchase's checkout URL, for the payer to
// scan from the payee's screen.
func (a *App) qrPNG(w http.ResponseWriter, r *http.Request) {
	p, ok := a.purchase(w, r)
	if !ok {
		return
	}
	if p.CheckoutURL == "" {
		http.Error(w, "this purchase has no link", http.StatusNotFound)
		return
	}
	code, err := qr.Encode(p.CheckoutURL, qr.M, qr.Auto)
	if err == nil {
		code, err = barcode.Scale(code, 320, 320)
	}
	var buf bytes.Buffer
	if err == nil {
		err = png.Encode(&buf, code)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	// The URL of a purchase never changes, so neither does its code.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Last-Modified", p.CreatedAt.UTC().Format(http.TimeFormat))
	w.Write(buf.Bytes())
}
