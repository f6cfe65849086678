// Package stall is a small tenant app of Ping Payments Links: the payee at
// a market stall enters a purchase, the app makes a payment link for it
// through the platform's API (package client), shows its QR code and sends
// it by SMS or e-mail, and learns from signed callbacks when it is paid or
// has expired. It keeps its own records in one SQLite file.
//
// It is an example of the tenant's side of the payment-link story, written the way a
// tenant would: only the public API and the client SDK, no platform
// internals.
package stall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Stockholm whatever zone data the host has

	"github.com/pinglinks/pinglinks/client"
)

// Config says how the stall runs.
type Config struct {
	// Client calls the platform as the tenant.
	Client *client.Client
	// SigningKey is the tenant's callback_signing_key ("whsec_…"), which
	// verifies callbacks.
	SigningKey string
	// PublicURL is where the platform reaches this app: its callbacks go to
	// PublicURL + "/callbacks".
	PublicURL string
	// DBPath is the SQLite file of the stall's records.
	DBPath string
	// Name is the stall's name: the merchant's, and the supplier's on the
	// checkout and receipt.
	Name string
	// OrgNumber is the stall's Swedish organisation number (the merchant).
	OrgNumber string
	// SubscriptionDays is how long a subscription's payer has to pay: the
	// link's due date is today plus this many days (default 14).
	SubscriptionDays int
	// WebhookTolerance is how far a callback's timestamp may be from now
	// (default client.DefaultWebhookTolerance).
	WebhookTolerance time.Duration
	Log              *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnEvent, if set, hears each step of a purchase as it happens, in
	// words (the demo prints them).
	OnEvent func(purchaseID, step string)
}

// App is a running stall.
type App struct {
	cfg        Config
	db         *db
	merchantID string
	loc        *time.Location
}

// New opens the stall's records and makes sure the stall exists as a
// merchant on the platform (created on the first start, remembered after).
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Client == nil || cfg.SigningKey == "" || cfg.PublicURL == "" || cfg.DBPath == "" {
		return nil, errors.New("stall: Client, SigningKey, PublicURL and DBPath are required")
	}
	if cfg.Name == "" {
		cfg.Name = "Market stall"
	}
	if cfg.OrgNumber == "" {
		cfg.OrgNumber = "556703-7485"
	}
	if cfg.SubscriptionDays <= 0 {
		cfg.SubscriptionDays = 14
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return nil, fmt.Errorf("stall: %w", err)
	}
	d, err := openDB(ctx, cfg.DBPath, cfg.Now)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, db: d, loc: loc}
	if a.merchantID, err = a.ensureMerchant(ctx); err != nil {
		d.close()
		return nil, err
	}
	return a, nil
}

// Close closes the stall's records.
func (a *App) Close() error { return a.db.close() }

// MerchantID is the stall's merchant on the platform.
func (a *App) MerchantID() string { return a.merchantID }

// ensureMerchant returns the stall's merchant id, creating the merchant on
// the first start. The id is remembered per tenant, so pointing the same
// file at another tenant makes a merchant there too.
func (a *App) ensureMerchant(ctx context.Context) (string, error) {
	tenant, err := a.cfg.Client.GetTenant(ctx)
	if err != nil {
		return "", fmt.Errorf("stall: the platform does not know these credentials: %w", err)
	}
	key := "merchant_id:" + tenant.ID
	id, err := a.db.setting(ctx, key)
	if err != nil || id != "" {
		return id, err
	}
	// A fixed idempotency key per tenant and stall file: a crash between
	// the create and the save below gets the same merchant back on restart.
	ikey, err := a.db.setting(ctx, "install_id")
	if err != nil {
		return "", err
	}
	if ikey == "" {
		ikey = newID()
		if err := a.db.setSetting(ctx, "install_id", ikey); err != nil {
			return "", err
		}
	}
	id, err = a.cfg.Client.CreateMerchant(client.WithIdempotencyKey(ctx, "merchant-"+ikey+"-"+tenant.ID),
		&client.CreateMerchantRequest{Name: a.cfg.Name,
			Organization: &client.Organization{Country: "SE", SEOrganizationNumber: a.cfg.OrgNumber}})
	if err != nil {
		return "", fmt.Errorf("stall: create the merchant: %w", err)
	}
	a.cfg.Log.Info("merchant created", "merchant_id", id, "name", a.cfg.Name)
	return id, a.db.setSetting(ctx, key, id)
}

// newID returns a random purchase id: 16 hex digits, unguessable enough
// that purchase pages cannot be enumerated.
func newID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

func (a *App) event(id, format string, args ...any) {
	step := fmt.Sprintf(format, args...)
	a.cfg.Log.Info(step, "purchase", id)
	if a.cfg.OnEvent != nil {
		a.cfg.OnEvent(id, step)
	}
}

// Purchase returns a purchase by id (ErrNotFound if none).
func (a *App) Purchase(ctx context.Context, id string) (*Purchase, error) {
	return a.db.purchase(ctx, id)
}

// Today lists today's purchases (Stockholm time), newest first.
func (a *App) Today(ctx context.Context) ([]*Purchase, error) {
	now := a.cfg.Now().In(a.loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, a.loc)
	return a.db.since(ctx, midnight)
}

// CreatePurchase saves a purchase and gets it paid: a payment order, a
// payment link and, when the payer's phone or e-mail is known, the link
// sent by SMS and/or e-mail. Invalid input is a FieldErrors and nothing is
// saved. Once saved, the purchase is returned even if the platform failed
// it: its Status and Error say how far it got.
func (a *App) CreatePurchase(ctx context.Context, in Input) (*Purchase, error) {
	o, errs := in.validate()
	if errs != nil {
		return nil, errs
	}
	now := a.cfg.Now()
	p := &Purchase{ID: newID(), CreatedAt: now, Amount: o.amount, Description: o.description, VAT: o.vat,
		Phone: strings.TrimSpace(in.Phone), Email: o.email, Name: strings.Join(strings.Fields(in.Name), " "),
		Subscription: in.Subscription, Status: StatusCreating}
	if p.Subscription {
		p.DueDate = now.In(a.loc).AddDate(0, 0, a.cfg.SubscriptionDays).Format(time.DateOnly)
	}
	if err := a.db.insert(ctx, p); err != nil {
		return nil, err
	}
	sub := ""
	if p.Subscription {
		sub = " (subscription, due " + p.DueDate + ")"
	}
	a.event(p.ID, "purchase entered: %s, %s%s", p.Description, FormatSEK(p.Amount), sub)
	return a.complete(ctx, p, o)
}

// RetryPurchase tries again to make the link of a purchase that failed,
// e.g. because the platform could not be reached, or that a crash left
// half made. The idempotency keys are the first attempt's, so whatever
// that attempt did make is not made twice.
func (a *App) RetryPurchase(ctx context.Context, id string) (*Purchase, error) {
	p, err := a.db.purchase(ctx, id)
	if err != nil || !a.canRetry(p) {
		return p, err
	}
	p.Status, p.Error = StatusCreating, ""
	a.event(p.ID, "trying again")
	return a.complete(ctx, p, orderOf(p))
}

// canRetry says whether a purchase's link may be made again: it failed, or
// its making stopped long ago (the app died meanwhile).
func (a *App) canRetry(p *Purchase) bool {
	return p.Status == StatusFailed || (p.Status == StatusCreating && a.cfg.Now().Sub(p.UpdatedAt) > time.Minute)
}

// complete makes and sends the link of a saved purchase, and saves how far
// it got.
func (a *App) complete(ctx context.Context, p *Purchase, o order) (*Purchase, error) {
	if err := a.makeLink(ctx, p, o); err != nil {
		a.cfg.Log.Error("purchase failed", "purchase", p.ID, "err", err)
		p.Status, p.Error = StatusFailed, "The payment link could not be made: "+reason(err)
		fe := fieldErrors(err)
		if fe != nil {
			// The platform judged a field the form let through: the
			// payee can fix it.
			p.Error = fe.Error()
		}
		if err := a.db.update(context.WithoutCancel(ctx), p); err != nil {
			return nil, err
		}
		if fe != nil {
			return p, fe
		}
		return p, nil
	}
	a.distribute(ctx, p)
	return p, a.db.update(context.WithoutCancel(ctx), p)
}

// makeLink creates the purchase's payment order and link, saving each id
// as soon as it is known. Idempotency keys derived from the purchase make
// the client's retries (and a retry of the whole step) create nothing twice.
func (a *App) makeLink(ctx context.Context, p *Purchase, o order) error {
	c := a.cfg.Client
	if p.OrderID == "" {
		orderID, err := c.CreatePaymentOrder(client.WithIdempotencyKey(ctx, "order-"+p.ID),
			&client.CreatePaymentOrderRequest{Currency: client.SEK})
		if err != nil {
			return err
		}
		p.OrderID = orderID
		if err := a.db.update(ctx, p); err != nil {
			return err
		}
		a.event(p.ID, "payment order created: %s", orderID)
	}
	req := &client.CreatePaymentLinkRequest{
		PaymentOrderID: p.OrderID,
		Currency:       client.SEK,
		TotalAmount:    p.Amount,
		Locale:         "sv-SE",
		Customer: client.Customer{FirstName: o.first, LastName: o.last, Email: o.email, Phone: o.phone,
			Reference: p.ID},
		Items: []client.LinkItem{{Description: p.Description, MerchantID: a.merchantID, Price: p.Amount,
			Quantity: 1, VAT: float64(p.VAT)}},
		Supplier: client.Supplier{Name: a.cfg.Name, OrganizationNumber: a.cfg.OrgNumber},
		PaymentProviderMethods: []client.LinkMethod{
			{Provider: "swish", Method: "e_commerce"},
			{Provider: "payment_iq", Method: "card"},
			{Provider: "swish", Method: "m_commerce"},
		},
		PaymentLinkStatusCallbackURL: a.cfg.PublicURL + "/callbacks",
		DueDate:                      p.DueDate,
		Metadata:                     map[string]any{"purchase_id": p.ID, "subscription": p.Subscription},
	}
	link, err := c.CreatePaymentLink(client.WithIdempotencyKey(ctx, "link-"+p.ID), req)
	if err != nil {
		return err
	}
	p.LinkID, p.CheckoutURL, p.Status = link.ID, link.CheckoutURL, StatusAwaiting
	if err := a.db.update(ctx, p); err != nil {
		return err
	}
	a.event(p.ID, "payment link created: %s", link.CheckoutURL)
	return nil
}

// distribute sends the link to the payer's phone and/or e-mail. A failure
// here does not fail the purchase: the QR code and the link on the
// payee's screen still work, and the page says what was not sent.
func (a *App) distribute(ctx context.Context, p *Purchase) {
	var methods []string
	if p.Phone != "" {
		methods = append(methods, client.DistributeSMS)
	}
	if p.Email != "" {
		methods = append(methods, client.DistributeEmail)
	}
	if len(methods) == 0 {
		return
	}
	err := a.cfg.Client.DistributePaymentLink(client.WithIdempotencyKey(ctx, "distribute-"+p.ID), p.LinkID,
		&client.DistributeRequest{Methods: methods})
	if err != nil {
		p.Error = "The link could not be sent (show the QR code instead): " + reason(err)
		a.cfg.Log.Error("distribute", "purchase", p.ID, "err", err)
		return
	}
	p.Distributed = strings.Join(methods, ",")
	var to []string
	if p.Phone != "" {
		to = append(to, "SMS to "+p.Phone)
	}
	if p.Email != "" {
		to = append(to, "e-mail to "+p.Email)
	}
	a.event(p.ID, "link distributed by %s", strings.Join(to, " and "))
}

// reason says in a few words, for the payee, why a platform call failed;
// the log has the details.
func reason(err error) string {
	var ae *client.Error
	switch {
	case errors.As(err, &ae) && len(ae.Errors) > 0 && ae.Errors[0].Description != "":
		d := ae.Errors[0]
		if d.Property != "" {
			return d.Property + " " + d.Description
		}
		return d.Description
	case errors.As(err, &ae):
		return fmt.Sprintf("the payment platform answered %d", ae.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "the payment platform did not answer in time; please try again"
	}
	return "the payment platform could not be reached; please try again"
}

// fieldErrors turns the platform's 422 about the customer's phone or
// e-mail into the form's own errors; nil for anything else.
func fieldErrors(err error) FieldErrors {
	var ae *client.Error
	if !errors.As(err, &ae) || ae.StatusCode != 422 {
		return nil
	}
	fe := FieldErrors{}
	for _, d := range ae.Errors {
		switch d.Property {
		case "customer.phone":
			fe["phone"] = "The platform cannot send to this number: " + d.Description
		case "customer.email":
			fe["email"] = "The platform cannot send to this address: " + d.Description
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// onLink handles a verified payment link callback.
func (a *App) onLink(ctx context.Context, ev client.LinkEvent) error {
	var status string
	switch ev.Status {
	case client.LinkCompleted:
		status = StatusPaid
	case client.LinkExpired:
		status = StatusExpired
	case client.LinkCancelled:
		status = StatusCancelled
	default:
		return nil // CREATED or a status of the future: nothing to do
	}
	p, err := a.db.purchaseByLink(ctx, ev.PaymentLinkID)
	if errors.Is(err, ErrNotFound) {
		// Another app of the same tenant, or a purchase whose link id was
		// not saved: nothing of ours to update, and a retry won't change that.
		a.cfg.Log.Warn("callback for an unknown link", "link", ev.PaymentLinkID, "status", ev.Status)
		return nil
	}
	if err != nil {
		return err // 500: the platform delivers it again later
	}
	a.event(p.ID, "callback received: link %s (signature verified)", ev.Status)
	changed, err := a.db.settle(ctx, ev.PaymentLinkID, status)
	if err != nil || !changed {
		return err
	}
	switch {
	case status == StatusPaid:
		a.event(p.ID, "purchase paid ✓ %s", FormatSEK(p.Amount))
	case status == StatusExpired && p.Subscription:
		a.event(p.ID, "link expired unpaid: subscription cancelled")
	default:
		a.event(p.ID, "purchase %s", status)
	}
	return nil
}
