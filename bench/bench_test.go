package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/internal/testdb"
)

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(d)
	if p.P50 != 50 || p.P95 != 95 || p.P99 != 99 || p.Max != 100 {
		t.Fatalf("percentiles %+v", p)
	}
	if (percentiles(nil) != Percentiles{}) {
		t.Fatal("percentiles of nothing")
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	var b bytes.Buffer
	err := WriteSVG(&b, []Result{
		{Engine: "postgres", System: "baseline", Throughput: 4000, Latency: Percentiles{6, 15, 25, 50}},
		{Engine: "postgres", System: "pinglinks", Throughput: 700, Latency: Percentiles{44, 75, 98, 200}},
		{Engine: "sqlite<&>", System: "pinglinks"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&b)
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed: %v", err)
		}
	}
}

// TestRunAgainstRealProcesses builds the binary and runs a short benchmark of
// both scenarios on both engines: servers start, flows complete without
// errors, and the server is measured.
func TestRunAgainstRealProcesses(t *testing.T) {
	exe := buildExe(t)
	for _, scenario := range []string{"link", "pay"} {
		results, err := Run(context.Background(), Config{Exe: exe, Engines: []string{"sqlite", "postgres"},
			PostgresAdminURL: testdb.AdminURL(), Scenario: scenario, Mode: "closed", Concurrency: 4,
			Duration: 1500 * time.Millisecond, Warmup: 300 * time.Millisecond, Baseline: scenario == "link",
			Floor: scenario == "link"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Ops == 0 || r.Errors != 0 || r.Throughput <= 0 || r.Latency.P50 <= 0 || r.ServerPeakRSSMB <= 0 {
				t.Errorf("%s %s %s: %+v", scenario, r.Engine, r.System, r)
			}
		}
		if scenario == "link" && (len(results) != 6 || results[1].System != "floor" || results[2].RatioToFloor <= 0 ||
			results[2].P99ToBaseline <= 0) {
			t.Errorf("link scenario: want baseline, floor and pinglinks per engine with ratios: %+v", results)
		}
		if scenario == "pay" && results[0].Steps["callback"].P50 <= 0 {
			t.Errorf("pay scenario measured no callbacks: %+v", results[0].Steps)
		}
	}
	// A server that is already running, driven by URL with its tenants' credentials.
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "target.db")
	out, err := exec.Command(exe, "tenant", "create", "--name", "target", "--database-url", dbURL).Output()
	if err != nil {
		t.Fatal(err)
	}
	var cred Credentials
	if err := json.Unmarshal(out, &cred); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(exe, []string{"serve", "--database-url", dbURL}, []string{"PINGLINKS_RATE_LIMIT=0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	results, err := Run(context.Background(), Config{Target: "http://" + srv.addr, Credentials: []Credentials{cred},
		Scenario: "link", Mode: "closed", Concurrency: 2, Duration: time.Second, Warmup: 200 * time.Millisecond})
	if err != nil || len(results) != 1 || results[0].Ops == 0 || results[0].Errors != 0 {
		t.Fatalf("target run: %+v %v", results, err)
	}
	// Open loop at a modest rate.
	results, err = Run(context.Background(), Config{Exe: exe, Engines: []string{"sqlite"}, Scenario: "link", Mode: "open",
		Concurrency: 4, Rate: 50, Duration: time.Second, Warmup: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Errors != 0 || r.Ops < 35 || r.Ops > 60 {
		t.Errorf("open loop at 50/s for 1 s: %+v", r)
	}
}

// buildExe builds the pinglinks binary for a test.
func buildExe(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "pinglinks")
	if out, err := exec.Command("go", "build", "-o", exe, "../cmd/pinglinks").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return exe
}

func TestScaleRun(t *testing.T) {
	c := &Config{Exe: buildExe(t), PostgresAdminURL: testdb.AdminURL()}
	for _, engine := range []string{"sqlite", "postgres"} {
		r, err := c.Scale(context.Background(), engine, 1200) // more than one chunk of the streamed list
		if err != nil {
			t.Fatal(err)
		}
		if r.Links != 1200 || r.ListPageMS <= 0 || r.GetLinkMS <= 0 || r.SweepMS <= 0 || r.PlainListMB <= 0 || r.ServerPeakRSSMB <= 0 {
			t.Errorf("%s: %+v", engine, r)
		}
	}
}
