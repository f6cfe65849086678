package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Config says what to measure.
type Config struct {
	Exe              string   // the pinglinks binary to start
	Engines          []string // "sqlite", "postgres"
	PostgresAdminURL string   // server on which to create throw-away databases
	Scenario         string   // "link": order → link → get; "pay": also pay and wait for the callback
	Mode             string   // "closed" (Concurrency workers) or "open" (Rate flows/s)
	Concurrency      int      // simulated tenants (and workers in closed mode)
	Rate             float64  // open mode: flows started per second
	Duration         time.Duration
	Warmup           time.Duration
	Baseline         bool // also measure the one-insert baseline server
	Floor            bool // also measure the floor server (FloorHandler)
	Log              io.Writer
	// Target, if set, is a running server to drive instead of starting one;
	// Credentials are its tenants (the JSON printed by `pinglinks tenant create`).
	Target      string
	Credentials []credentials
}

// Percentiles of latency, in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Result is one measured run.
type Result struct {
	Engine          string                 `json:"engine"`
	System          string                 `json:"system"` // "pinglinks", "baseline" or "floor"
	Scenario        string                 `json:"scenario"`
	Mode            string                 `json:"mode"`
	Concurrency     int                    `json:"concurrency"`
	Rate            float64                `json:"rate,omitempty"`
	DurationS       float64                `json:"duration_s"`
	Ops             int                    `json:"ops"`
	Errors          int                    `json:"errors"`
	Throughput      float64                `json:"throughput_per_s"`
	Latency         Percentiles            `json:"latency_ms"`
	Steps           map[string]Percentiles `json:"steps_latency_ms,omitempty"`
	ServerCPUCores  float64                `json:"server_cpu_cores"`
	ServerPeakRSSMB float64                `json:"server_peak_rss_mb"`
	// ServerWrittenKBPerOp is what the server process itself wrote to
	// disk per flow (/proc/PID/io write_bytes): SQLite's WAL and its
	// checkpoints; on PostgreSQL the database server writes, not ours.
	ServerWrittenKBPerOp float64  `json:"server_written_kb_per_op,omitempty"`
	ErrorSamples         []string `json:"error_samples,omitempty"`
	RatioToBaseline      float64  `json:"ratio_to_baseline,omitempty"`
	RatioToFloor         float64  `json:"ratio_to_floor,omitempty"`
	// P99ToBaseline and P99ToFloor are this run's p99 over theirs, in the
	// same invocation (meaningful in open loop, where the load is the same).
	P99ToBaseline float64 `json:"p99_to_baseline,omitempty"`
	P99ToFloor    float64 `json:"p99_to_floor,omitempty"`
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(d)))) - 1
		if i < 0 {
			i = 0
		}
		return float64(d[i].Microseconds()) / 1000
	}
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: float64(d[len(d)-1].Microseconds()) / 1000}
}

// database makes a throw-away database of the engine and returns its URL
// and a function that removes it.
func (c *Config) database(engine, dir string) (string, func(), error) {
	if engine == "sqlite" {
		return "sqlite://" + filepath.Join(dir, "bench-"+uuid.NewString()[:8]+".db"), func() {}, nil
	}
	name := "pinglinks_bench_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	admin, err := sql.Open("pgx", c.PostgresAdminURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: create database: %w", err)
	}
	// Runs follow one another on one server: without a checkpoint each
	// would pay for flushing the pages the run before it dirtied, and the
	// last (the platform's) the most. A role that may not checkpoint
	// measures without.
	if _, err := admin.Exec("CHECKPOINT"); err != nil {
		c.logf("bench: no CHECKPOINT before the run (%v); runs may pay for each other's writes", err)
	}
	i := strings.LastIndex(c.PostgresAdminURL, "/")
	u := c.PostgresAdminURL[:i+1] + name
	if q := strings.Index(c.PostgresAdminURL[i:], "?"); q >= 0 {
		u += c.PostgresAdminURL[i+q:]
	}
	return u, func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}, nil
}

// Credentials of one tenant, as `pinglinks tenant create` prints them.
type Credentials = credentials

type credentials struct {
	TenantID  string `json:"tenant_id"`
	APISecret string `json:"api_secret"`
}

// Run measures every engine asked for, ours and (if asked) the baseline.
func Run(ctx context.Context, c Config) ([]Result, error) {
	dir, err := os.MkdirTemp("", "pinglinks-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var out []Result
	if c.Target != "" {
		r, err := c.runTarget(ctx)
		return append(out, r), err
	}
	for _, engine := range c.Engines {
		var base, floor *Result
		if c.Baseline {
			r, err := c.runBaseline(ctx, engine, dir)
			if err != nil {
				return out, err
			}
			base = &r
			out = append(out, r)
		}
		if c.Floor {
			r, err := c.runFloor(ctx, engine, dir)
			if err != nil {
				return out, err
			}
			r.RatioToBaseline, r.P99ToBaseline = ratios(r, base)
			floor = &r
			out = append(out, r)
		}
		r, err := c.runPlatform(ctx, engine, dir)
		if err != nil {
			return out, err
		}
		r.RatioToBaseline, r.P99ToBaseline = ratios(r, base)
		r.RatioToFloor, r.P99ToFloor = ratios(r, floor)
		out = append(out, r)
	}
	return out, nil
}

// ratios are r's throughput and p99 over ref's, or zero without ref.
func ratios(r Result, ref *Result) (throughput, p99 float64) {
	if ref == nil {
		return 0, 0
	}
	if ref.Throughput > 0 {
		throughput = r.Throughput / ref.Throughput
	}
	if ref.Latency.P99 > 0 {
		p99 = r.Latency.P99 / ref.Latency.P99
	}
	return throughput, p99
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

func (c *Config) runPlatform(ctx context.Context, engine, dir string) (Result, error) {
	dbURL, drop, err := c.database(engine, dir)
	if err != nil {
		return Result{}, err
	}
	defer drop()
	if out, err := exec.Command(c.Exe, "migrate", "--database-url", dbURL).CombinedOutput(); err != nil {
		return Result{}, fmt.Errorf("bench: migrate: %v: %s", err, out)
	}
	tenants := make([]credentials, c.Concurrency)
	for i := range tenants {
		out, err := exec.Command(c.Exe, "tenant", "create", "--name", fmt.Sprintf("bench %d", i), "--database-url", dbURL).Output()
		if err != nil {
			return Result{}, fmt.Errorf("bench: tenant create: %w", err)
		}
		if err := json.Unmarshal(out, &tenants[i]); err != nil {
			return Result{}, err
		}
	}
	logFile, _ := os.Create(filepath.Join(dir, "server-"+engine+".log"))
	defer logFile.Close()
	srv, err := startServer(c.Exe, []string{"serve", "--database-url", dbURL}, []string{"PINGLINKS_RATE_LIMIT=0"}, logFile)
	if err != nil {
		return Result{}, err
	}
	defer srv.stop()
	base := "http://" + srv.addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * c.Concurrency}, Timeout: 30 * time.Second}

	// The tenant's callback receiver, for the pay scenario.
	var waiting sync.Map // link id → chan struct{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			ID     string `json:"payment_link_id"`
			Status string
		}
		json.NewDecoder(r.Body).Decode(&p)
		if ch, ok := waiting.LoadAndDelete(p.ID); ok && p.Status == "COMPLETED" {
			close(ch.(chan struct{}))
		}
	}))
	defer rcv.Close()

	sims := make([]*tenantSim, len(tenants))
	for i, t := range tenants {
		sims[i] = &tenantSim{client: client, base: base, cred: t, callbackURL: rcv.URL + "/cb", waiting: &waiting}
		if err := sims[i].setup(); err != nil {
			return Result{}, err
		}
	}
	steps := []string{"create_order", "create_link", "get_link"}
	if c.Scenario == "pay" {
		steps = append(steps, "pay", "callback")
	}
	flow := func(sim *tenantSim, rec *recorder) error { return sim.flow(c.Scenario == "pay", rec) }
	c.logf("%s/pinglinks: %s scenario, %s loop, %d tenants", engine, c.Scenario, c.Mode, c.Concurrency)
	r := c.drive(ctx, srv, func(i int) func(*recorder) error {
		sim := sims[i%len(sims)]
		return func(rec *recorder) error { return flow(sim, rec) }
	}, steps)
	r.Engine, r.System, r.Scenario = engine, "pinglinks", c.Scenario
	return r, nil
}

// runTarget drives a server that is already running. Its CPU and memory
// cannot be read from here; watch them on that machine.
func (c *Config) runTarget(ctx context.Context) (Result, error) {
	if len(c.Credentials) == 0 {
		return Result{}, fmt.Errorf("bench: -target needs -credentials: a JSON array of tenant_id/api_secret")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * c.Concurrency}, Timeout: 30 * time.Second}
	var waiting sync.Map
	sims := make([]*tenantSim, len(c.Credentials))
	for i, cr := range c.Credentials {
		sims[i] = &tenantSim{client: client, base: strings.TrimRight(c.Target, "/"), cred: cr, waiting: &waiting}
		if err := sims[i].setup(); err != nil {
			return Result{}, err
		}
	}
	c.logf("%s: %s scenario, %s loop, %d workers over %d tenants", c.Target, c.Scenario, c.Mode, c.Concurrency, len(sims))
	r := c.drive(ctx, nil, func(i int) func(*recorder) error {
		sim := sims[i%len(sims)]
		return func(rec *recorder) error { return sim.flow(false, rec) }
	}, []string{"create_order", "create_link", "get_link"})
	r.Engine, r.System, r.Scenario = c.Target, "pinglinks", "link"
	return r, nil
}

func (c *Config) runBaseline(ctx context.Context, engine, dir string) (Result, error) {
	dbURL, drop, err := c.database(engine, dir)
	if err != nil {
		return Result{}, err
	}
	defer drop()
	logFile, _ := os.Create(filepath.Join(dir, "baseline-"+engine+".log"))
	defer logFile.Close()
	srv, err := startServer(c.Exe, []string{"bench-baseline", "--kind", "insert", "--database-url", dbURL}, nil, logFile)
	if err != nil {
		return Result{}, err
	}
	defer srv.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * c.Concurrency}, Timeout: 30 * time.Second}
	payload := bytes.Repeat([]byte("x"), baselineRowBytes)
	c.logf("%s/baseline: one durable insert per request, %s loop, %d clients", engine, c.Mode, c.Concurrency)
	r := c.drive(ctx, srv, func(int) func(*recorder) error {
		return func(rec *recorder) error {
			return rec.step("insert", func() error {
				resp, err := client.Post("http://"+srv.addr+"/rows", "text/plain", bytes.NewReader(payload))
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					return fmt.Errorf("baseline answered %d", resp.StatusCode)
				}
				return nil
			})
		}
	}, []string{"insert"})
	r.Engine, r.System, r.Scenario = engine, "baseline", "insert"
	return r, nil
}

// runFloor measures the floor server: the flow's writes in the fewest round
// trips, on the platform's schema (migrated as for the platform).
func (c *Config) runFloor(ctx context.Context, engine, dir string) (Result, error) {
	dbURL, drop, err := c.database(engine, dir)
	if err != nil {
		return Result{}, err
	}
	defer drop()
	if out, err := exec.Command(c.Exe, "migrate", "--database-url", dbURL).CombinedOutput(); err != nil {
		return Result{}, fmt.Errorf("bench: migrate: %v: %s", err, out)
	}
	logFile, _ := os.Create(filepath.Join(dir, "floor-"+engine+".log"))
	defer logFile.Close()
	srv, err := startServer(c.Exe, []string{"bench-baseline", "--kind", "floor", "--database-url", dbURL}, nil, logFile)
	if err != nil {
		return Result{}, err
	}
	defer srv.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * c.Concurrency}, Timeout: 30 * time.Second}
	sims := make([]*tenantSim, c.Concurrency)
	for i := range sims {
		sims[i] = &tenantSim{client: client, base: "http://" + srv.addr}
		if err := sims[i].floorSetup(); err != nil {
			return Result{}, err
		}
	}
	c.logf("%s/floor: the flow's writes in the fewest round trips, %s loop, %d tenants", engine, c.Mode, c.Concurrency)
	r := c.drive(ctx, srv, func(i int) func(*recorder) error {
		sim := sims[i%len(sims)]
		return func(rec *recorder) error { return sim.floorFlow(rec) }
	}, []string{"create_order", "create_link", "get_link"})
	r.Engine, r.System, r.Scenario = engine, "floor", "link"
	return r, nil
}

// recorder collects one worker's latencies.
type recorder struct {
	flows []time.Duration
	steps map[string][]time.Duration
	errs  []string
	nerr  int
}

func (r *recorder) step(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	if err == nil {
		r.steps[name] = append(r.steps[name], time.Since(start))
	}
	return err
}

// drive runs the flows, closed or open loop, and measures them and the server.
func (c *Config) drive(ctx context.Context, srv *server, flowFor func(i int) func(*recorder) error, steps []string) Result {
	var measuring atomic.Bool
	var mu sync.Mutex
	var all recorder
	all.steps = map[string][]time.Duration{}
	merge := func(rec *recorder) {
		mu.Lock()
		defer mu.Unlock()
		all.flows = append(all.flows, rec.flows...)
		for k, v := range rec.steps {
			all.steps[k] = append(all.steps[k], v...)
		}
		all.nerr += rec.nerr
		if len(all.errs) < 5 {
			all.errs = append(all.errs, rec.errs...)
		}
	}
	run := func(fn func(*recorder) error, rec *recorder, scheduled time.Time) {
		err := fn(rec)
		if !measuring.Load() {
			return
		}
		if err != nil {
			rec.nerr++
			if len(rec.errs) < 2 {
				rec.errs = append(rec.errs, err.Error())
			}
			return
		}
		rec.flows = append(rec.flows, time.Since(scheduled))
	}
	ctx, cancel := context.WithTimeout(ctx, c.Warmup+c.Duration)
	defer cancel()
	var cpu0 float64
	var written0 int64
	var start time.Time
	go func() {
		select {
		case <-time.After(c.Warmup):
			if srv != nil {
				cpu0, written0 = srv.cpuSeconds(), srv.writtenBytes()
			}
			start = time.Now()
			measuring.Store(true)
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	if c.Mode == "open" {
		// Open loop: flows start on schedule whatever happened to earlier ones,
		// and latency counts from the scheduled start (no coordinated omission).
		interval := time.Duration(float64(time.Second) / c.Rate)
		t0 := time.Now()
		var inflight atomic.Int64
		for i := 0; ctx.Err() == nil; i++ {
			at := t0.Add(time.Duration(i) * interval)
			time.Sleep(time.Until(at))
			if ctx.Err() != nil {
				break
			}
			if inflight.Load() > int64(20*c.Concurrency) {
				rec := &recorder{nerr: 1, errs: []string{"too many flows in flight: the server is not keeping up"}, steps: map[string][]time.Duration{}}
				if measuring.Load() {
					merge(rec)
				}
				continue
			}
			inflight.Add(1)
			wg.Add(1)
			// Only flows scheduled inside the measured window count, however
			// late they end; one scheduled in the warm-up does not.
			counted := measuring.Load()
			go func() {
				defer func() { inflight.Add(-1); wg.Done() }()
				rec := &recorder{steps: map[string][]time.Duration{}}
				run(flowFor(i), rec, at)
				if counted {
					merge(rec)
				}
			}()
		}
	} else {
		for w := 0; w < c.Concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := &recorder{steps: map[string][]time.Duration{}}
				fn := flowFor(w)
				for ctx.Err() == nil {
					if !measuring.Load() {
						run(fn, &recorder{steps: map[string][]time.Duration{}}, time.Now())
						continue
					}
					run(fn, rec, time.Now())
				}
				merge(rec)
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	r := Result{Mode: c.Mode, Concurrency: c.Concurrency, DurationS: elapsed, Ops: len(all.flows), Errors: all.nerr,
		Latency: percentiles(all.flows), Steps: map[string]Percentiles{}, ErrorSamples: all.errs}
	if srv != nil {
		r.ServerCPUCores, r.ServerPeakRSSMB = (srv.cpuSeconds()-cpu0)/elapsed, srv.peakRSSMB()
		if n := len(all.flows); n > 0 {
			r.ServerWrittenKBPerOp = float64(srv.writtenBytes()-written0) / 1024 / float64(n)
		}
	}
	if c.Mode == "open" {
		r.Rate = c.Rate
	}
	if c.Mode == "open" {
		// The flows scheduled in the window, over the window (not the
		// window plus the time the last of them took to end).
		r.Throughput = float64(r.Ops) / c.Duration.Seconds()
	} else if elapsed > 0 {
		r.Throughput = float64(r.Ops) / elapsed
	}
	for _, s := range steps {
		r.Steps[s] = percentiles(all.steps[s])
	}
	return r
}

var errStatus = errors.New("unexpected status")
