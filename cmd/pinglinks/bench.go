package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pinglinks/pinglinks/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	engines := fs.String("engines", "sqlite,postgres", "engines to measure")
	pg := fs.String("postgres", env("PINGLINKS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"PostgreSQL server on which to create throw-away databases")
	scenario := fs.String("scenario", "link", "link (order → link → get) or pay (… → pay → callback)")
	mode := fs.String("mode", "closed", "closed (N workers) or open (fixed arrival rate)")
	n := fs.Int("tenants", 32, "simulated tenants (= workers in closed mode)")
	rate := fs.Float64("rate", 100, "open mode: flows started per second")
	dur := fs.Duration("duration", 20*time.Second, "measured time per run")
	warm := fs.Duration("warmup", 3*time.Second, "unmeasured time before each run")
	baseline := fs.Bool("baseline", true, "also measure the one-insert-per-request baseline")
	out := fs.String("out", "bench-results.json", "where to write the results (JSON)")
	chart := fs.String("chart", "bench-results.svg", "where to draw the chart (SVG)")
	target := fs.String("target", "", "drive this running server (base URL) instead of starting one")
	creds := fs.String("credentials", "", "with -target: JSON file, an array of tenant create outputs")
	scale := fs.String("scale", "", "instead of load: data-scale run, e.g. 10000,1000000 links")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale != "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		return runScale(ctx, bench.Config{Exe: exe, Engines: strings.Split(*engines, ","), PostgresAdminURL: *pg, Log: stderr}, *scale, *out, stdout)
	}
	var tenants []bench.Credentials
	if *target != "" {
		b, err := os.ReadFile(*creds)
		if err != nil {
			return fmt.Errorf("bench: -target needs -credentials FILE: %w", err)
		}
		if err := json.Unmarshal(b, &tenants); err != nil {
			return fmt.Errorf("bench: %s: %w", *creds, err)
		}
		*baseline = false
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if *scenario != "link" && *scenario != "pay" || *mode != "closed" && *mode != "open" || *n < 1 {
		return fmt.Errorf("bench: -scenario link|pay, -mode closed|open, -tenants ≥ 1")
	}
	results, err := bench.Run(ctx, bench.Config{Exe: exe, Engines: strings.Split(*engines, ","), PostgresAdminURL: *pg,
		Scenario: *scenario, Mode: *mode, Concurrency: *n, Rate: *rate, Duration: *dur, Warmup: *warm,
		Baseline: *baseline, Log: stderr, Target: *target, Credentials: tenants})
	if err != nil {
		return err
	}
	for _, r := range results {
		fmt.Fprintf(stdout, "%-8s %-9s %-6s %6.0f/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %7.1f ms  errors %d  cpu %.2f cores  rss %.0f MB",
			r.Engine, r.System, r.Mode, r.Throughput, r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max,
			r.Errors, r.ServerCPUCores, r.ServerPeakRSSMB)
		if r.RatioToBaseline > 0 {
			fmt.Fprintf(stdout, "  = %.2f × baseline", r.RatioToBaseline)
		}
		fmt.Fprintln(stdout)
	}
	b, _ := json.MarshalIndent(map[string]any{"when": time.Now().UTC().Format(time.RFC3339), "results": results}, "", "  ")
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	f, err := os.Create(*chart)
	if err != nil {
		return err
	}
	defer f.Close()
	return bench.WriteSVG(f, results)
}

// serveBaseline runs the baseline server of the load benchmark.
func serveBaseline(ctx context.Context, cfg config) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := bench.BaselineHandler(st)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); hs.Shutdown(context.Background()) }()
	if err := hs.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func runScale(ctx context.Context, c bench.Config, sizes, out string, stdout io.Writer) error {
	var results []bench.ScaleResult
	for _, engine := range c.Engines {
		for _, s := range strings.Split(sizes, ",") {
			n, err := strconv.Atoi(s)
			if err != nil || n < 20 {
				return fmt.Errorf("bench: -scale takes sizes of at least 20, like 10000,1000000")
			}
			r, err := c.Scale(ctx, engine, n)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%-8s %9d links  seed %6.1f s  list page %6.2f ms  get link %6.2f ms  expiry sweep %6.2f ms  plain list %.1f MB in %.1f s, server peak RSS %.0f MB\n",
				r.Engine, r.Links, r.SeedS, r.ListPageMS, r.GetLinkMS, r.SweepMS, r.PlainListMB, r.PlainListS, r.ServerPeakRSSMB)
			results = append(results, r)
		}
	}
	b, _ := json.MarshalIndent(map[string]any{"when": time.Now().UTC().Format(time.RFC3339), "scale": results}, "", "  ")
	return os.WriteFile(out, b, 0o644)
}
