package main

import (
	"context"
	"encoding/json"
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

// benchCmd is `pinglinks bench`.
type benchCmd struct {
	Engines     string        `default:"sqlite,postgres" help:"Engines to measure."`
	Postgres    string        `env:"PINGLINKS_BENCH_POSTGRES_URL" default:"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" placeholder:"URL" help:"PostgreSQL server on which to create throw-away databases."`
	Scenario    string        `enum:"link,pay" default:"link" help:"link (order → link → get) or pay (… → pay → callback)."`
	Mode        string        `enum:"closed,open" default:"closed" help:"closed (N workers) or open (fixed arrival rate)."`
	Tenants     int           `default:"32" help:"Simulated tenants (= workers in closed mode)."`
	Rate        float64       `default:"100" help:"Open mode: flows started per second."`
	Duration    time.Duration `default:"20s" help:"Measured time per run."`
	Warmup      time.Duration `default:"3s" help:"Unmeasured time before each run."`
	Baseline    bool          `default:"true" negatable:"" help:"Also measure the one-insert-per-request baseline."`
	Floor       bool          `default:"true" negatable:"" help:"Also measure the floor: the flow's writes in the fewest round trips, no auth or idempotency."`
	Out         string        `default:"bench-results.json" type:"path" help:"Where to write the results (JSON)."`
	Chart       string        `default:"bench-results.svg" type:"path" help:"Where to draw the chart (SVG)."`
	Target      string        `placeholder:"URL" help:"Drive this running server (base URL) instead of starting one."`
	Credentials string        `type:"path" placeholder:"FILE" help:"With --target: JSON file, an array of tenant create outputs."`
	Scale       string        `placeholder:"SIZES" help:"Instead of load: data-scale run, e.g. 10000,1000000 links."`
}

func (c *benchCmd) Run(g *globals) error {
	ctx, stdout, stderr := g.ctx, g.stdout, g.stderr
	if c.Scale != "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		return runScale(ctx, bench.Config{Exe: exe, Engines: strings.Split(c.Engines, ","), PostgresAdminURL: c.Postgres, Log: stderr}, c.Scale, c.Out, stdout)
	}
	var tenants []bench.Credentials
	if c.Target != "" {
		b, err := os.ReadFile(c.Credentials)
		if err != nil {
			return fmt.Errorf("bench: --target needs --credentials FILE: %w", err)
		}
		if err := json.Unmarshal(b, &tenants); err != nil {
			return fmt.Errorf("bench: %s: %w", c.Credentials, err)
		}
		c.Baseline, c.Floor = false, false
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if c.Tenants < 1 {
		return fmt.Errorf("bench: --tenants must be ≥ 1")
	}
	results, err := bench.Run(ctx, bench.Config{Exe: exe, Engines: strings.Split(c.Engines, ","), PostgresAdminURL: c.Postgres,
		Scenario: c.Scenario, Mode: c.Mode, Concurrency: c.Tenants, Rate: c.Rate, Duration: c.Duration, Warmup: c.Warmup,
		Baseline: c.Baseline, Floor: c.Floor, Log: stderr, Target: c.Target, Credentials: tenants})
	if err != nil {
		return err
	}
	for _, r := range results {
		fmt.Fprintf(stdout, "%-8s %-9s %-6s %6.0f/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %7.1f ms  errors %d  cpu %.2f cores  rss %.0f MB",
			r.Engine, r.System, r.Mode, r.Throughput, r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max,
			r.Errors, r.ServerCPUCores, r.ServerPeakRSSMB)
		if r.ServerWrittenKBPerOp > 0 {
			fmt.Fprintf(stdout, "  wrote %.0f KB/flow", r.ServerWrittenKBPerOp)
		}
		if r.RatioToBaseline > 0 {
			fmt.Fprintf(stdout, "  = %.2f × baseline", r.RatioToBaseline)
		}
		if r.RatioToFloor > 0 {
			fmt.Fprintf(stdout, ", %.2f × floor", r.RatioToFloor)
		}
		if r.P99ToBaseline > 0 {
			fmt.Fprintf(stdout, "  (p99 %.2f × baseline's", r.P99ToBaseline)
			if r.P99ToFloor > 0 {
				fmt.Fprintf(stdout, ", %.2f × floor's", r.P99ToFloor)
			}
			fmt.Fprint(stdout, ")")
		}
		fmt.Fprintln(stdout)
	}
	b, _ := json.MarshalIndent(map[string]any{"when": time.Now().UTC().Format(time.RFC3339), "results": results}, "", "  ")
	if err := os.WriteFile(c.Out, b, 0o644); err != nil {
		return err
	}
	f, err := os.Create(c.Chart)
	if err != nil {
		return err
	}
	defer f.Close()
	return bench.WriteSVG(f, results)
}

// serveBaseline runs a baseline server of the load benchmark.
func serveBaseline(ctx context.Context, databaseURL, addr, kind string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	var h http.Handler
	if kind == "floor" {
		var closeFloor func()
		if h, closeFloor, err = bench.FloorHandler(ctx, st, databaseURL); err != nil {
			return err
		}
		defer closeFloor()
	} else if h, err = bench.BaselineHandler(st); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
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
				return fmt.Errorf("bench: --scale takes sizes of at least 20, like 10000,1000000")
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
