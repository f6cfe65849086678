// Package platform assembles one running Ping Payments Links service: the
// JSON APIs, the hosted checkout, the document files and the background
// workers (callbacks, messages, expiry, the providers' poll) around one
// store, with the payment rails this installation has configured — in the
// sandbox, the simulated ones of package sandbox. cmd/pinglinks and the
// end-to-end tests use the same assembly.
package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/banktransfer"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/card"
	"github.com/pinglinks/pinglinks/checkout"
	"github.com/pinglinks/pinglinks/compression"
	"github.com/pinglinks/pinglinks/dashboard"
	"github.com/pinglinks/pinglinks/drain"
	"github.com/pinglinks/pinglinks/expiry"
	"github.com/pinglinks/pinglinks/files"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/messaging"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/reconcile"
	"github.com/pinglinks/pinglinks/reminder"
	"github.com/pinglinks/pinglinks/requestlog"
	"github.com/pinglinks/pinglinks/sandbox"
	"github.com/pinglinks/pinglinks/sms"
	"github.com/pinglinks/pinglinks/store"
	"github.com/pinglinks/pinglinks/swishrail"
)

// Config says how to assemble the service.
type Config struct {
	Store   *store.Store
	Log     *slog.Logger
	Sandbox bool
	// PublicURL is the base of checkout and file URLs.
	PublicURL string
	RateLimit float64 // API requests per second per tenant; 0 for no limit
	// SMTPURL (smtp://user:pass@host:port or smtps://…) sends e-mail; empty
	// keeps e-mails in the sandbox outbox. MailFrom is the From address.
	SMTPURL, MailFrom string
	// SMSURL (https://user:pass@api.46elks.com) sends SMS; empty keeps them
	// in the sandbox outbox. SMSFrom is the sender name.
	SMSURL, SMSFrom string
	// Bankgiro is where bank transfers are paid; NorwegianAccount is where
	// NOK transfers are paid (Norway has no bankgiro).
	Bankgiro, NorwegianAccount string
	// TrustProxy: the server runs behind a reverse proxy that appends the
	// client's address to X-Forwarded-For (used for the checkout's limits).
	TrustProxy bool
	// SwishDelay is how long the sandbox's Swish payer takes to answer.
	SwishDelay time.Duration
	// Swish and Card connect a production installation to Swish and to a
	// card processor; a rail left unset is refused (403 saying what to
	// set). The sandbox simulates both and ignores them.
	Swish swishrail.Options
	Card  card.Settings
	// ShutdownGrace bounds how long, once Run's context ends, deliveries in
	// flight may take to finish (default 10 s).
	ShutdownGrace time.Duration
	// CallbackLease is how long a claimed callback waits, should its
	// process die, before another process retries it (default 1 min).
	CallbackLease time.Duration
	// MessageLease is the same for a claimed e-mail or SMS (default 2 min).
	MessageLease time.Duration
	// Now, if set, is the clock of everything that decides by time (links'
	// expiry, attempts, retries, the checkout, the rails); it replaces the
	// store's. Unset, the store's own clock is the one.
	Now func() time.Time
}

// Platform is an assembled service.
type Platform struct {
	API       *api.Server
	Checkout  *checkout.Handler
	Files     *files.Service
	Documents *files.Renderer // renders invoices and receipts as they come to exist
	Callbacks *callback.Worker
	Messages  *messaging.Worker
	// Flow runs the use cases every front and worker calls.
	Flow *flow.Flow
	// Providers are the payment rails; their poll runs with the workers.
	Providers *provider.Registry
	PollEvery time.Duration    // how often the providers' poll runs; default 250 ms
	Sandbox   *sandbox.Sandbox // nil outside the sandbox
	Expiry    *expiry.Sweeper
	Reminders *reminder.Sweeper
	// Dashboard is the tenants' dashboard under /dashboard/.
	Dashboard *dashboard.Handler
	cfg       Config
	workers   sync.WaitGroup
}

// New assembles the service; Run starts its workers.
func New(cfg Config) (*Platform, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	accounts := pinglinks.BankAccounts{Bankgiro: cfg.Bankgiro, NorwegianAccount: cfg.NorwegianAccount}.WithDefaults()
	if cfg.SwishDelay <= 0 {
		cfg.SwishDelay = 3 * time.Second
	}
	// Whatever logs with a request's context names the request.
	cfg.Log = slog.New(api.LogHandler(cfg.Log.Handler()))
	st, log := cfg.Store, cfg.Log
	// One clock: the store's. Everything else reads it through now, so a
	// test that sets the store's clock moves the whole platform.
	if cfg.Now != nil {
		st.Now = cfg.Now
	}
	now := func() time.Time { return st.Now() }
	base := strings.TrimRight(cfg.PublicURL, "/")
	fileURL := func(token string) string { return base + "/files/" + token }
	checkoutURL := func(l *pinglinks.PaymentLink) string { return base + "/checkout/" + l.Token }
	logos := &files.Logos{Store: st, Client: callback.NewClient(cfg.Sandbox), Log: log}
	p := &Platform{cfg: cfg}
	// The use cases and the rails know each other: a link's methods are
	// checked by their connectors, and what a connector learns updates a
	// payment through the use cases.
	p.Providers = &provider.Registry{Log: log, Now: now}
	p.Flow = &flow.Flow{Store: st, Rails: p.Providers}
	p.Providers.Payments = p.Flow
	p.Files = &files.Service{Store: st, Logos: logos, Accounts: accounts, CheckoutURL: checkoutURL, Providers: p.Providers}
	p.Documents = &files.Renderer{Files: p.Files, Log: log}
	p.Checkout = &checkout.Handler{Store: st, Flow: p.Flow, Providers: p.Providers, TestMode: cfg.Sandbox, PublicURL: base, Log: log,
		Accounts: accounts, TrustProxy: cfg.TrustProxy, FileURL: fileURL, Logos: logos, Now: now}
	p.Checkout.Init()
	// The rails, registered once: bank transfers everywhere; in the
	// sandbox the simulators, in production what is configured — a method
	// that is not is refused saying what the installation lacks.
	p.Providers.Register(banktransfer.Connector{})
	if cfg.Sandbox {
		p.Sandbox = &sandbox.Sandbox{Store: st, Flow: p.Flow, Providers: p.Providers, Pages: p.Checkout, Log: log, SwishDelay: cfg.SwishDelay}
		p.Sandbox.Register(p.Providers)
	}
	if !cfg.Sandbox {
		if err := swishrail.Register(p.Providers, cfg.Swish, base, now(), log); err != nil {
			return nil, fmt.Errorf("swish: %w", err)
		}
		cards, err := cfg.Card.Connector(log)
		if err != nil {
			return nil, err
		}
		if cards != nil {
			p.Providers.Register(cards)
		} else {
			p.Providers.Missing(card.Method, "no card processor is configured: set PINGLINKS_STRIPE_SECRET_KEY and "+
				"PINGLINKS_STRIPE_WEBHOOK_SECRET, or PINGLINKS_STRIPE_TENANT_ACCOUNTS (see docs/cards.md)")
		}
	}
	// The SMS gateway's reports carry this in their URL; every process with
	// the same gateway settings derives the same secret.
	secret := sha256.Sum256([]byte("sms-report:" + cfg.SMSURL))
	var pages http.Handler = p.Checkout
	if !cfg.Sandbox {
		// Cards are paid on the processor's page: no card data may reach us.
		pages = card.RefuseCardData(pages, log)
	}
	p.API = &api.Server{Store: st, Flow: p.Flow, Log: log, Sandbox: cfg.Sandbox, Providers: p.Providers, PublicURL: cfg.PublicURL,
		TrustProxy: cfg.TrustProxy, RateLimit: cfg.RateLimit, RateBurst: int(2 * cfg.RateLimit), Documents: p.Files, Pages: pages,
		SMSReportSecret: ""}
	if cfg.SMSURL != "" {
		p.API.SMSReportSecret = hex.EncodeToString(secret[:16])
	}
	p.API.Importer = &reconcile.Importer{Store: st, Flow: p.Flow, Accounts: accounts, AcceptTestFiles: cfg.Sandbox}
	p.Callbacks = &callback.Worker{Store: st, Client: callback.NewClient(cfg.Sandbox), Log: log, Lease: cfg.CallbackLease}
	p.Messages = &messaging.Worker{Store: st, Log: log, SMSFrom: cfg.SMSFrom, CheckoutURL: checkoutURL,
		FileURL: fileURL, Attach: p.Files.Attachment, Logos: logos, Lease: cfg.MessageLease}
	if cfg.SMTPURL != "" {
		from := cfg.MailFrom
		if from == "" {
			from = "Ping Payments <no-reply@pinglinks.invalid>"
		}
		s, err := mail.NewSMTPSender(cfg.SMTPURL, from)
		if err != nil {
			return nil, fmt.Errorf("PINGLINKS_SMTP_URL: %w", err)
		}
		p.Messages.Mail = s
	}
	if cfg.SMSURL != "" {
		baseURL, user, pass, err := sms.ParseGatewayURL(cfg.SMSURL)
		if err != nil {
			return nil, fmt.Errorf("PINGLINKS_SMS_URL: %w", err)
		}
		p.Messages.SMS = sms.NewElksClient(baseURL, user, pass, &http.Client{Timeout: 15 * time.Second})
		p.Messages.SMSReportURL = base + "/sms/reports/" + p.API.SMSReportSecret
	}
	p.Expiry = &expiry.Sweeper{Store: st, Flow: p.Flow, Log: log}
	p.Reminders = &reminder.Sweeper{Store: st, Log: log}
	if p.Sandbox != nil {
		p.API.Extensions = append(p.API.Extensions, p.Sandbox)
	}
	p.API.Requests = &requestlog.Log{}
	p.Dashboard = &dashboard.Handler{Store: st, Flow: p.Flow, Log: log, PublicURL: base, Sandbox: cfg.Sandbox,
		TrustProxy: cfg.TrustProxy, TenantChanged: p.API.ForgetTenant, Requests: p.API.Requests,
		Payments: dashboard.Payments{Providers: p.Providers, CheckoutURL: checkoutURL, FileURL: fileURL}}
	p.API.Extensions = append(p.API.Extensions, p.Dashboard)
	p.instrument(st, log)
	// A commit that queued callbacks, messages or documents wakes the workers.
	st.OnCommit = func() { p.Callbacks.Notify(); p.Messages.Notify(); p.Documents.Notify() }
	return p, nil
}

// Handler serves everything: APIs, checkout, files, sandbox pages, gzipped
// where the client accepts it and it is worth it.
func (p *Platform) Handler() http.Handler { return compression.Handler(p.API.Handler()) }

// Run runs the background workers until ctx ends. The callbacks and
// messages in flight when it ends are finished (sent and recorded, not cut
// off to be sent again after their lease) within Config.ShutdownGrace;
// Wait returns when every worker has stopped.
func (p *Platform) Run(ctx context.Context) {
	grace := p.cfg.ShutdownGrace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	queues := drain.WithGrace(ctx, grace)
	run := func(f func()) {
		p.workers.Add(1)
		go func() { defer p.workers.Done(); f() }()
	}
	run(func() { p.Callbacks.Run(queues) })
	run(func() { p.Messages.Run(queues) })
	run(func() { p.Documents.Run(ctx) })
	run(func() { p.Expiry.Run(ctx) })
	run(func() { p.Reminders.Run(ctx) })
	run(func() { p.Providers.Run(ctx, p.PollEvery) })
}

// Wait waits for the workers Run started to stop, after its context ended.
func (p *Platform) Wait() { p.workers.Wait() }
