package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

// serveCmd is `pinglinks serve`.
type serveCmd struct {
	databaseFlags `embed:""`
	serverFlags   `embed:""`
	cardFlags     `embed:""`
	swishFlags    `embed:""`
	logFlags      `embed:""`
}

// Run checks the settings, takes the port and opens the database before
// anything is created or printed, so that a bad setting or a busy port
// fails without side effects.
func (c *serveCmd) Run(g *globals) error {
	log := c.newLogger(g.stderr)
	setGCPercent()
	cards, err := c.cardFlags.settings(c.Env)
	if err != nil {
		return err
	}
	swishOptions, err := c.swishFlags.options()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(g.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (--addr): %w", c.Addr, err)
	}
	defer ln.Close()
	var pprofLn net.Listener
	if c.PprofAddr != "" {
		if pprofLn, err = net.Listen("tcp", c.PprofAddr); err != nil {
			return fmt.Errorf("cannot listen on %s (--pprof-addr): %w", c.PprofAddr, err)
		}
		defer pprofLn.Close()
	}
	base := "http://" + ln.Addr().String()
	publicURL := c.PublicURL
	if publicURL == "" {
		publicURL = base
	}

	st, err := openStore(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := platform.New(platform.Config{Swish: swishOptions, Card: cards, Store: st, Log: log, Sandbox: c.sandbox(), PublicURL: publicURL,
		RateLimit: c.RateLimit, SMTPURL: c.SMTPURL, MailFrom: c.MailFrom, SMSURL: c.SMSURL, SMSFrom: c.SMSFrom,
		Bankgiro: c.Bankgiro, NorwegianAccount: c.BankAccountNo, SwishDelay: c.SwishSimDelay, TrustProxy: c.TrustProxy,
		CallbackLease: c.CallbackLease, MessageLease: c.MessageLease})
	if err != nil {
		return err
	}

	// Everything is checked: now the newcomer's credentials may be shown.
	if c.sandbox() {
		if err := greetNewcomer(ctx, st, base, g.stdout); err != nil {
			return err
		}
	}
	p.Run(ctx)
	if pprofLn != nil {
		// Profiling on its own (loopback) address, never on the public one.
		ps := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ps.Serve(pprofLn) }()
		defer ps.Close()
	}
	hs := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(g.stdout, "Serving on %s (%s, %s)\n", base, c.Env, st.Engine())
	log.Info("serving", "addr", ln.Addr().String(), "engine", st.Engine(), "env", c.Env, "public_url", publicURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	p.Wait() // the workers finish what they hold, within the platform's grace
	log.Info("stopped")
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveGCPercent is the Go collector's GOGC for serve unless the
// environment sets one. The live heap under load is about 5 MB, so at
// Go's default (100) the collector ran five times a second. Each run slowed
// the requests in flight on a small machine; at 400 it runs about once a
// second. Measured (BENCHMARKS.md): SQLite's closed-loop flows/s +9 to
// +17 %; PostgreSQL's open-loop flow p99 27 → 17 ms while the machine was
// busy, no difference beyond the spread when it was quiet; about 20 MB more
// RSS. GOMEMLIMIT still caps the heap where memory is tight
// (docs/operations.md).
const serveGCPercent = 400

func setGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// greetNewcomer creates a demo tenant on an empty sandbox database and
// prints its credentials with a first request to try against base.
func greetNewcomer(ctx context.Context, st *store.Store, base string, out io.Writer) error {
	n, err := st.CountTenants(ctx)
	if err != nil || n > 0 {
		return err
	}
	c, err := createTenant(ctx, st, "Demo tenant", true)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `
Sandbox demo tenant created (shown once; keep it):
  tenant_id:     %s
  api_secret:    %s
  split_tree_id: %s
  sandbox outbox (its secret link): %s

Sign in to the dashboard as its owner (this link works once, for 7 days):
  %s

Try it:
  curl -s -X POST %s/payments/api/v1/payment_orders \
    -H 'tenant_id: %s' -H 'x-api-secret: %s' \
    -H 'Content-Type: application/json' -d '{"currency":"SEK"}'

`, c.TenantID, c.APISecret, c.SplitTreeID, base+c.SandboxOutboxURL, base+c.OwnerSignInURL, base, c.TenantID, c.APISecret)
	return nil
}
