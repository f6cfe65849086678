// Command marketstall is a small tenant app of Ping Payments Links: the
// payee at a market stall enters a purchase and the payer pays it through
// a payment link (QR code, SMS or e-mail). See package stall.
//
//	PLATFORM_URL=http://127.0.0.1:8080 TENANT_ID=… API_SECRET=… go run ./examples/marketstall
//
// Settings come from flags or the environment: PLATFORM_URL, TENANT_ID,
// API_SECRET, SIGNING_KEY (fetched with GET /tenant when not given), ADDR,
// PUBLIC_URL (where the platform sends callbacks), STALL_DB, STALL_NAME.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pinglinks/pinglinks/client"
	"github.com/pinglinks/pinglinks/examples/marketstall/stall"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "marketstall:", err)
		os.Exit(1)
	}
}

func run() error {
	platformURL := flag.String("platform-url", env("PLATFORM_URL", "http://127.0.0.1:8080"), "the platform's base URL (PLATFORM_URL)")
	tenantID := flag.String("tenant-id", env("TENANT_ID", ""), "tenant id (TENANT_ID)")
	secret := flag.String("api-secret", env("API_SECRET", ""), "the tenant's API secret (API_SECRET)")
	signingKey := flag.String("signing-key", env("SIGNING_KEY", ""), "callback signing key; default: fetched with GET /tenant (SIGNING_KEY)")
	addr := flag.String("addr", env("ADDR", "127.0.0.1:8081"), "listen address (ADDR)")
	publicURL := flag.String("public-url", env("PUBLIC_URL", ""), "base URL the platform reaches this app at; default http://ADDR (PUBLIC_URL)")
	dbPath := flag.String("db", env("STALL_DB", "marketstall.db"), "SQLite file of the stall's records (STALL_DB)")
	name := flag.String("name", env("STALL_NAME", "Honey stall"), "the stall's name (STALL_NAME)")
	flag.Parse()
	if *tenantID == "" || *secret == "" {
		return errors.New("TENANT_ID and API_SECRET are required (pinglinks serve prints a sandbox tenant's)")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c := client.New(*platformURL, *tenantID, *secret)
	if *signingKey == "" {
		t, err := c.GetTenant(ctx)
		if err != nil {
			return fmt.Errorf("fetching the callback signing key: %w", err)
		}
		*signingKey = t.CallbackSigningKey
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *publicURL == "" {
		*publicURL = "http://" + ln.Addr().String()
	}
	app, err := stall.New(ctx, stall.Config{Client: c, SigningKey: *signingKey, PublicURL: *publicURL,
		DBPath: *dbPath, Name: *name, Log: log})
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	log.Info("market stall open", "url", "http://"+ln.Addr().String(), "platform", *platformURL, "merchant", app.MerchantID())
	return serve(ctx, ln, app.Handler())
}

// serve serves h on ln until ctx ends, then lets requests in flight finish.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shut)
}
