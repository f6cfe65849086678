package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/client"
	"github.com/pinglinks/pinglinks/examples/marketstall/stall"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

// runDemo runs SPEC §1 end to end on this machine: a sandbox platform and the
// market-stall tenant app in this process, a purchase entered at the
// stall, paid with Swish by a simulated payer, and the stall told by a
// signed callback. Then it keeps both running for trying it by hand.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exit := fs.Bool("exit", false, "stop after the happy path instead of serving until Ctrl-C")
	platformAddr := fs.String("platform-addr", "127.0.0.1:0", "the platform's listen address (default: a free port)")
	stallAddr := fs.String("stall-addr", "127.0.0.1:0", "the stall's listen address (default: a free port)")
	swishDelay := fs.Duration("swish-delay", 2*time.Second, "how long the simulated Swish payer takes to approve")
	verbose := fs.Bool("v", false, "log what the platform and the stall do")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logOut := io.Discard
	if *verbose {
		logOut = stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))

	// Both addresses are taken first, so that one in use stops the demo
	// before anything starts, saying which.
	platformLn, err := net.Listen("tcp", *platformAddr)
	if err != nil {
		return fmt.Errorf("the platform cannot listen on %s (--platform-addr): %w", *platformAddr, err)
	}
	defer platformLn.Close()
	stallLn, err := net.Listen("tcp", *stallAddr)
	if err != nil {
		return fmt.Errorf("the market stall cannot listen on %s (--stall-addr): %w", *stallAddr, err)
	}
	defer stallLn.Close()

	dir, err := os.MkdirTemp("", "pinglinks-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d := &demo{out: &printer{w: stdout}, dir: dir, log: log}
	defer d.stopAll() // whatever was started
	if err := d.startPlatform(ctx, platformLn, *swishDelay); err != nil {
		return err
	}
	if err := d.startStall(ctx, stallLn); err != nil {
		return err
	}
	if err := d.happyPath(ctx); err != nil {
		return err
	}
	d.tryByHand()
	if *exit {
		return nil
	}
	fmt.Fprintln(stdout, "\nServing until Ctrl-C.")
	<-ctx.Done()
	return nil
}

// demo is the running pieces of one demo.
type demo struct {
	out         *printer
	dir         string
	log         *slog.Logger
	st          *store.Store
	creds       credentials
	platformURL string
	stallURL    string
	client      *client.Client
	app         *stall.App
	servers     []*http.Server
	cancelWork  context.CancelFunc
	purchase    *stall.Purchase
	closers     []func()
}

// startPlatform runs a sandbox platform on SQLite in the demo's directory,
// with a tenant.
func (d *demo) startPlatform(ctx context.Context, ln net.Listener, swishDelay time.Duration) error {
	st, err := openStore(ctx, config{databaseURL: "sqlite://" + filepath.Join(d.dir, "pinglinks.db")})
	if err != nil {
		return err
	}
	d.st = st
	d.closers = append(d.closers, func() { st.Close() })
	d.platformURL = "http://" + ln.Addr().String()
	p, err := platform.New(platform.Config{Store: st, Log: d.log, Sandbox: true, PublicURL: d.platformURL,
		SwishDelay: swishDelay})
	if err != nil {
		return err
	}
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancelWork = cancel
	p.Run(work)
	d.serve(ln, p.Handler())
	if d.creds, err = createTenant(ctx, st, "Demo market", true); err != nil {
		return err
	}
	d.client = client.New(d.platformURL, d.creds.TenantID, d.creds.APISecret)
	d.out.step("Platform running (sandbox, SQLite in %s): %s", d.dir, d.platformURL)
	d.out.step("Tenant created: %s", d.creds.TenantID)
	return nil
}

// serve serves h on ln until the demo stops.
func (d *demo) serve(ln net.Listener, h http.Handler) {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	d.servers = append(d.servers, hs)
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("serve", "err", err)
		}
	}()
}

// startStall runs the market-stall app as the tenant's backend.
func (d *demo) startStall(ctx context.Context, ln net.Listener) error {
	d.stallURL = "http://" + ln.Addr().String()
	t, err := d.client.GetTenant(ctx)
	if err != nil {
		return err
	}
	d.app, err = stall.New(ctx, stall.Config{Client: d.client, SigningKey: t.CallbackSigningKey, PublicURL: d.stallURL,
		DBPath: filepath.Join(d.dir, "marketstall.db"), Name: "Biodlarna i Åre", Log: d.log,
		OnEvent: func(_, step string) { d.out.event("Stall: " + step) }})
	if err != nil {
		return err
	}
	d.closers = append(d.closers, func() { d.app.Close() })
	d.serve(ln, d.app.Handler())
	d.out.step("Market stall app running: %s (merchant %s)", d.stallURL, d.app.MerchantID())
	return nil
}

// stopAll stops the servers, the workers and the stores.
func (d *demo) stopAll() {
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range d.servers {
		hs.Shutdown(shut)
	}
	if d.cancelWork != nil {
		d.cancelWork()
	}
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// The payer of the demo.
const (
	demoPhone = "070-123 45 67"
	demoFirst = "Åsa"
	demoLast  = "Öberg"
)

// happyPath is SPEC §1: enter, create, distribute, pay, callback, paid.
func (d *demo) happyPath(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	d.out.step("Payee enters a purchase on the stall's page: Honung 500 g, 125,50 kr, 12 %% VAT, payer's mobile %s", demoPhone)
	p, err := d.enterPurchase(ctx, url.Values{"amount": {"125,50"}, "description": {"Honung 500 g"}, "vat": {"12"},
		"phone": {demoPhone}, "name": {demoFirst + " " + demoLast}})
	if err != nil {
		return fmt.Errorf("entering the purchase: %w", err)
	}
	if p.Status != stall.StatusAwaiting {
		return fmt.Errorf("the purchase is %s: %s", p.Status, p.Error)
	}
	d.purchase = p
	if err := d.waitForSMS(ctx, p); err != nil {
		return err
	}
	if err := d.payWithSwish(ctx, p); err != nil {
		return err
	}
	// Read it as the payee's page does: its status endpoint.
	statusURL := d.stallURL + "/purchases/" + p.ID + "/status"
	for {
		var st struct{ Status, Label string }
		if err := getJSON(ctx, statusURL, &st); err != nil {
			return err
		}
		if st.Status == stall.StatusPaid {
			d.out.step("The stall's page shows: %s  %s/purchases/%s", st.Label, d.stallURL, p.ID)
			return nil
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the stall to hear of the payment: %w", err)
		}
	}
}

func getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// enterPurchase posts the stall's form as the payee's browser would and
// returns the purchase it led to.
func (d *demo) enterPurchase(ctx context.Context, form url.Values) (*stall.Purchase, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.stallURL+"/purchases", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/purchases/")
	if resp.StatusCode != http.StatusSeeOther || !ok {
		return nil, fmt.Errorf("the stall answered %s", resp.Status)
	}
	return d.app.Purchase(ctx, id)
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// waitForSMS waits until the sandbox has "sent" the link's SMS (kept in the
// outbox) and shows it.
func (d *demo) waitForSMS(ctx context.Context, p *stall.Purchase) error {
	tenant := uuid.MustParse(d.creds.TenantID)
	for {
		msgs, err := d.st.RecentMessages(ctx, tenant, 10)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.LinkID.String() == p.LinkID && m.Channel == store.ChannelSMS && m.Text != "" {
				d.out.step("SMS to %s (sandbox outbox %s%s):\n      %q", m.Recipient, d.platformURL, d.creds.SandboxOutboxURL,
					m.Text)
				return nil
			}
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the SMS: %w", err)
		}
	}
}

// payWithSwish plays the payer: open the checkout, choose Swish, pay, and
// approve in the (simulated) Swish app. Stall events that follow are held
// until the approval is printed, so that the steps read in the order they
// happened rather than in the order the goroutines got to print them.
func (d *demo) payWithSwish(ctx context.Context, p *stall.Purchase) error {
	hc := &http.Client{Timeout: 15 * time.Second}
	resp, err := hc.Get(p.CheckoutURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("checkout page: %s", resp.Status)
	}
	d.out.step("Payer opens the link from the SMS: %s", p.CheckoutURL)
	form := url.Values{"method": {"swish/e_commerce"}, "first_name": {demoFirst}, "last_name": {demoLast},
		"phone": {demoPhone}, "swish_phone": {demoPhone}, "email": {""}}
	d.out.hold()
	defer d.out.release()
	// A server-side POST without Origin or Sec-Fetch-Site headers, which
	// the checkout's cross-origin protection lets through as a non-browser.
	resp, err = hc.PostForm(strings.TrimRight(p.CheckoutURL, "/")+"/pay", form)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("paying on the checkout: %s", resp.Status)
	}
	d.out.step("Payer chooses Swish and pays with %s; the checkout waits for the Swish app", demoPhone)
	start := time.Now()
	for {
		l, err := d.client.GetPaymentLink(ctx, p.LinkID)
		if err != nil {
			return err
		}
		pay, err := d.client.GetPayment(ctx, l.PaymentOrderID, l.PaymentID)
		if err != nil {
			return err
		}
		switch pay.Status {
		case client.PaymentCompleted:
			d.out.step("Swish (simulator) approved after %.1f s: payment COMPLETED, link %s",
				time.Since(start).Seconds(), l.Status)
			return nil
		case client.PaymentDeclined, client.PaymentAborted, client.PaymentExpired, client.PaymentCrashed:
			return fmt.Errorf("the Swish payment ended %s", pay.Status)
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for Swish: %w", err)
		}
	}
}

func (d *demo) tryByHand() {
	fmt.Fprintf(d.out.w, `
Try it by hand:
  Market stall (enter a purchase):   %s
  The paid purchase:                 %s/purchases/%s
  Sandbox outbox (SMS and e-mail):   %s%s
  Pay with card 4242 4242 4242 4242, any future expiry (e.g. 12/30), any 3-digit CVC (e.g. 123); Swish approves by itself after a moment.
  API credentials:                   tenant_id %s  api_secret %s
`, d.stallURL, d.stallURL, d.purchase.ID, d.platformURL, d.creds.SandboxOutboxURL, d.creds.TenantID, d.creds.APISecret)
}

// printer numbers and prints the demo's steps. The stall's steps come from
// its callback handler while the demo itself prints; hold queues those
// until release.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	n       int
	held    bool
	pending []string
}

// step prints one of the demo's own steps.
func (p *printer) step(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(fmt.Sprintf(format, args...))
}

// event prints a step the stall reports, or queues it while held.
func (p *printer) event(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held {
		p.pending = append(p.pending, line)
		return
	}
	p.print(line)
}

func (p *printer) print(line string) {
	p.n++
	fmt.Fprintf(p.w, "%2d. %s\n", p.n, line)
}

func (p *printer) hold() {
	p.mu.Lock()
	p.held = true
	p.mu.Unlock()
}

func (p *printer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	for _, line := range p.pending {
		p.print(line)
	}
	p.pending = nil
}
