// Command pinglinks runs the Ping Payments Links platform.
//
//	pinglinks serve                      API, checkout and workers in one process
//	pinglinks migrate                    bring the database schema up to date
//	pinglinks tenant create --name NAME  create a tenant; prints its credentials as JSON
//	pinglinks demo [--exit]              SPEC §1 end to end with the market-stall example app
//
// Settings come from flags or the environment (PINGLINKS_ADDR,
// PINGLINKS_DATABASE_URL, PINGLINKS_PUBLIC_URL, PINGLINKS_ENV).
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
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/platform"
	pinglinkssandbox "github.com/pinglinks/pinglinks/sandbox"
	"github.com/pinglinks/pinglinks/store"
	"github.com/pinglinks/pinglinks/swishrail"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pinglinks:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, databaseURL, publicURL, env string
	swish                             swishrail.Options // serve only (swish.go)
	swishPollAfter                    string
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", env("PINGLINKS_ADDR", "127.0.0.1:8080"), "listen address (PINGLINKS_ADDR)")
	fs.StringVar(&c.databaseURL, "database-url", env("PINGLINKS_DATABASE_URL", "sqlite://pinglinks.db"), "sqlite://PATH or postgres://… (PINGLINKS_DATABASE_URL)")
	fs.StringVar(&c.publicURL, "public-url", env("PINGLINKS_PUBLIC_URL", ""), "base URL of checkout links; default http://ADDR (PINGLINKS_PUBLIC_URL)")
	fs.StringVar(&c.env, "env", env("PINGLINKS_ENV", "sandbox"), "sandbox or production (PINGLINKS_ENV)")
}

func (c *config) check() error {
	if c.env != "sandbox" && c.env != "production" {
		return fmt.Errorf("PINGLINKS_ENV must be sandbox or production, not %q", c.env)
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	return nil
}

const usage = `usage:
  pinglinks serve [flags]                 run the API, checkout and workers
  pinglinks migrate [flags]               bring the database schema up to date
  pinglinks tenant create --name NAME     create a tenant and print its credentials
  pinglinks demo [--exit]                 the whole flow with a market-stall app, then try it by hand
  pinglinks bench [flags]                 load benchmark against a fresh server and a baseline
  pinglinks import [flags] FILE…          book bank files (BgMax, Nets OCR giro); prints a summary
  pinglinks operator SUBCOMMAND [flags]   the platform operator's actions ("pinglinks operator" lists them)
run "pinglinks COMMAND -h" for the flags`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	var cfg config
	switch args[0] {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.flags(fs)
		swishFlags(fs, &cfg.swish, &cfg.swishPollAfter)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := checkSwish(&cfg.swish, cfg.swishPollAfter); err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr)
	case "migrate":
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		cfg.flags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintln(stdout, "schema is up to date")
		return nil
	case "import", "operator":
		fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
		cfg.flags(fs)
		rest, sub := args[1:], ""
		var of operatorFlags
		if args[0] == "operator" {
			if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" {
				fmt.Fprintln(stdout, operatorUsage)
				return nil
			}
			sub, rest = rest[0], rest[1:]
			of = addOperatorFlags(fs)
		}
		positional, err := parseInterspersed(fs, rest)
		if err != nil {
			return err
		}
		if err := cfg.check(); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		if args[0] == "import" {
			return runImport(ctx, st, cfg.env == "sandbox", positional, stdout)
		}
		return runOperator(ctx, st, cfg.env == "sandbox", sub, of, positional, stdout)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "bench-baseline":
		fs := flag.NewFlagSet("bench-baseline", flag.ContinueOnError)
		cfg.flags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serveBaseline(ctx, cfg)
	case "tenant":
		if len(args) < 2 || args[1] != "create" {
			return errors.New(usage)
		}
		fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
		cfg.flags(fs)
		name := fs.String("name", "", "the tenant's name")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		if err := cfg.check(); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		creds, err := createTenant(ctx, st, *name, cfg.env == "sandbox")
		if err != nil {
			return err
		}
		if creds.SandboxOutboxURL != "" {
			creds.SandboxOutboxURL = strings.TrimRight(cfg.publicURL, "/") + creds.SandboxOutboxURL
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(creds)
	}
	return errors.New(usage)
}

func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	st, err := store.Open(cfg.databaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

type credentials struct {
	TenantID    string `json:"tenant_id"`
	APISecret   string `json:"api_secret"`
	SplitTreeID string `json:"split_tree_id"`
	// SandboxOutboxURL is the tenant's secret link to its sandbox outbox
	// (a path until a caller prefixes the public URL).
	SandboxOutboxURL string `json:"sandbox_outbox_url,omitempty"`
}

func createTenant(ctx context.Context, st *store.Store, name string, sandbox bool) (credentials, error) {
	t, tree, secret, err := pinglinks.NewTenant(name, sandbox, st.Now())
	if err != nil {
		return credentials{}, err
	}
	if err := st.CreateTenant(ctx, t, tree); err != nil {
		return credentials{}, err
	}
	c := credentials{TenantID: t.ID.String(), APISecret: secret, SplitTreeID: tree.ID.String()}
	if sandbox {
		c.SandboxOutboxURL = pinglinkssandbox.OutboxURL("", t)
	}
	return c, nil
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if err := cfg.check(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	sandbox := cfg.env == "sandbox"
	if sandbox {
		if err := greetNewcomer(ctx, st, cfg, stdout); err != nil {
			return err
		}
	}
	limit, err := strconv.ParseFloat(env("PINGLINKS_RATE_LIMIT", "200"), 64)
	if err != nil || limit < 0 {
		return fmt.Errorf("PINGLINKS_RATE_LIMIT must be requests per second per tenant (0 turns limiting off)")
	}
	swishDelay, err := time.ParseDuration(env("PINGLINKS_SWISH_SIM_DELAY", "3s"))
	if err != nil || swishDelay <= 0 {
		return fmt.Errorf("PINGLINKS_SWISH_SIM_DELAY must be a duration such as 3s")
	}
	cardSettings, err := cardFromEnv()
	if err != nil {
		return err
	}
	p, err := platform.New(platform.Config{Store: st, Log: log, Sandbox: sandbox, PublicURL: cfg.publicURL,
		Swish: cfg.swish, Card: cardSettings,
		RateLimit: limit, SMTPURL: os.Getenv("PINGLINKS_SMTP_URL"), MailFrom: os.Getenv("PINGLINKS_MAIL_FROM"),
		SMSURL: os.Getenv("PINGLINKS_SMS_URL"), SMSFrom: os.Getenv("PINGLINKS_SMS_FROM"),
		Bankgiro: os.Getenv("PINGLINKS_BANKGIRO"), NorwegianAccount: os.Getenv("PINGLINKS_BANK_ACCOUNT_NO"), SwishDelay: swishDelay,
		TrustProxy: os.Getenv("PINGLINKS_TRUST_PROXY") == "1"})
	if err != nil {
		return err
	}
	p.Run(ctx)
	if addr := os.Getenv("PINGLINKS_PPROF_ADDR"); addr != "" {
		// Profiling on its own (loopback) address, never on the public one.
		go func() { log.Error("pprof", "err", http.ListenAndServe(addr, pprofMux())) }()
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "engine", st.Engine(), "env", cfg.env, "public_url", cfg.publicURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return hs.Shutdown(shutCtx)
}

func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// greetNewcomer creates a demo tenant on an empty sandbox database and
// prints its credentials with a first request to try.
func greetNewcomer(ctx context.Context, st *store.Store, cfg config, out io.Writer) error {
	n, err := st.CountTenants(ctx)
	if err != nil || n > 0 {
		return err
	}
	c, err := createTenant(ctx, st, "Demo tenant", true)
	if err != nil {
		return err
	}
	base := "http://" + cfg.addr
	fmt.Fprintf(out, `
Sandbox demo tenant created (shown once; keep it):
  tenant_id:     %s
  api_secret:    %s
  split_tree_id: %s
  sandbox outbox (its secret link): %s

Try it:
  curl -s -X POST %s/payments/api/v1/payment_orders \
    -H 'tenant_id: %s' -H 'x-api-secret: %s' \
    -H 'Content-Type: application/json' -d '{"currency":"SEK"}'

`, c.TenantID, c.APISecret, c.SplitTreeID, base+c.SandboxOutboxURL, base, c.TenantID, c.APISecret)
	return nil
}
