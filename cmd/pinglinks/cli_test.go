package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// runCLI runs the command line in-process and returns what it printed.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpExitsZeroOnStdout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want []string // in stdout
		not  []string // not in stdout: each command lists only its flags
	}{
		{[]string{"--help"}, []string{"Usage: pinglinks <command>", "serve", "migrate", "tenant create", "backup"}, []string{"--addr"}},
		{[]string{"-h"}, []string{"Usage: pinglinks <command>"}, nil},
		{[]string{"help"}, []string{"Usage: pinglinks <command>", "backup"}, nil},
		{[]string{"serve", "-h"}, []string{"Usage: pinglinks serve", "--addr", "--log-format", "--database-url"}, []string{"--name"}},
		{[]string{"serve", "--help"}, []string{"Usage: pinglinks serve"}, nil},
		{[]string{"help", "serve"}, []string{"Usage: pinglinks serve", "--smtp-url"}, nil},
		{[]string{"migrate", "-h"}, []string{"Usage: pinglinks migrate", "--database-url", "PINGLINKS_DATABASE_URL"}, []string{"--addr", "--public-url", "--smtp-url", "--log-level"}},
		{[]string{"tenant", "create", "-h"}, []string{"--name", "--database-url"}, []string{"--addr", "--smtp-url"}},
		{[]string{"help", "tenant", "create"}, []string{"Usage: pinglinks tenant create"}, nil},
		{[]string{"backup", "-h"}, []string{"Usage: pinglinks backup <file>", "--database-url"}, []string{"--addr"}},
		{[]string{"demo", "-h"}, []string{"--exit", "--platform-addr"}, []string{"--database-url"}},
		{[]string{"bench", "-h"}, []string{"--scenario", "--engines"}, []string{"--database-url"}},
		{[]string{"operator", "-h"}, []string{"operator approve", "operator assign"}, []string{"--addr"}},
		{[]string{"operator", "approve", "-h"}, []string{"<id>", "--database-url", "--env"}, []string{"--addr", "--bankgiro"}},
		{[]string{"import", "-h"}, []string{"<files>", "--bankgiro", "--database-url"}, []string{"--addr", "--smtp-url"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			out, errOut, err := runCLI(t, tt.args...)
			if err != nil {
				t.Fatalf("error %v (stderr %q)", err, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("stdout lists %q, which this command does not use:\n%s", w, out)
				}
			}
		})
	}
}

// TestServeHelpListsEverySetting: every setting of serve is a flag and
// names its environment variable.
func TestServeHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "serve", "-h")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ADDR", "DATABASE_URL", "PUBLIC_URL", "ENV", "SMTP_URL", "MAIL_FROM", "SMS_URL", "SMS_FROM",
		"BANKGIRO", "BANK_ACCOUNT_NO", "SWISH_SIM_DELAY", "CALLBACK_LEASE", "MESSAGE_LEASE", "RATE_LIMIT", "TRUST_PROXY", "PPROF_ADDR", "LOG_FORMAT", "LOG_LEVEL"} {
		if !strings.Contains(out, "$PINGLINKS_"+v+")") {
			t.Errorf("serve -h does not name PINGLINKS_%s", v)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string // in the error
	}{
		{nil, "no command given"},
		{[]string{"srve"}, `unknown command "srve", did you mean "serve"?`},
		{[]string{"migrat"}, `did you mean "migrate"?`},
		{[]string{"tenants"}, `did you mean "tenant"?`},
		{[]string{"fly"}, `unknown command "fly" (commands: serve, migrate`},
		{[]string{"help", "srve"}, `did you mean "serve"?`},
		{[]string{"tenant", "crate"}, `unknown command "tenant crate", did you mean "tenant create"?`},
		{[]string{"tenant"}, `expected "create"`},
		{[]string{"operator", "aprove", "x"}, `unknown command "operator aprove", did you mean "operator approve"?`},
		{[]string{"operator", "assign", "x"}, "--tenant"},
		{[]string{"import"}, `expected "<files> ..."`},
		{[]string{"tenant", "create"}, "--name"},
		{[]string{"serve", "--env", "staging"}, `--env must be one of "sandbox","production"`},
		{[]string{"serve", "--rate-limit=-1"}, "--rate-limit must be ≥ 0"},
		{[]string{"serve", "--swish-sim-delay", "soon"}, "--swish-sim-delay"},
		{[]string{"serve", "--swish-sim-delay", "0s"}, "--swish-sim-delay must be a positive duration"},
		{[]string{"serve", "--callback-lease", "5s"}, "--callback-lease must be a duration of at least 20s"},
		{[]string{"serve", "--message-lease", "19s"}, "--message-lease must be a duration of at least 20s"},
		{[]string{"serve", "--public-url", "example.com"}, "--public-url must be an absolute http(s) URL"},
		{[]string{"serve", "--log-format", "xml"}, "--log-format must be one of"},
		{[]string{"serve", "--log-level", "loud"}, "--log-level must be one of"},
		{[]string{"migrate", "--addr", "127.0.0.1:1"}, "unknown flag --addr"},
		{[]string{"backup"}, "expected \"<file>\""},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			out, _, err := runCLI(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if !errors.As(err, new(usageError)) {
				t.Errorf("%v is not a usage error (exit status 2)", err)
			}
			if strings.Contains(out, "api_secret") {
				t.Errorf("credentials printed before failing:\n%s", out)
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"migrate", "--database-url", "mysql://x"},
		{"tenant", "create", "--name", "", "--database-url", "sqlite://" + filepath.Join(t.TempDir(), "x.db")},
	} {
		if _, _, err := runCLI(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "--version")
	if err != nil || !strings.HasPrefix(out, "pinglinks ") {
		t.Fatalf("--version: %q, %v", out, err)
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "pinglinks (devel) (no VCS revision recorded"},
		{"release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			true, "pinglinks v1.2.0 (revision 0123abcd, 2026-11-30T10:00:00Z)"},
		{"local change", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}},
			true, "pinglinks (devel) (revision 0123abcd, with uncommitted changes)"},
	} {
		if got := versionOf(tt.bi, tt.ok); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	names := []string{"serve", "migrate", "tenant", "backup", "demo", "bench", "help"}
	for word, want := range map[string]string{"srve": "serve", "serv": "serve", "bakup": "backup", "tenat": "tenant",
		"benc": "bench", "xyzzy": "", "d": "demo", "migration": "migrate"} {
		if got := nearest(word, names); got != want {
			t.Errorf("nearest(%q) = %q, want %q", word, got, want)
		}
	}
}

// TestFlagsFallBackToEnvironment: a variable sets what its flag would; a
// flag given wins.
func TestFlagsFallBackToEnvironment(t *testing.T) {
	t.Setenv("PINGLINKS_ENV", "staging")
	if _, _, err := runCLI(t, "serve"); err == nil || !strings.Contains(err.Error(), "staging") {
		t.Errorf("PINGLINKS_ENV=staging: %v", err)
	}
	t.Setenv("PINGLINKS_ENV", "sandbox")
	t.Setenv("PINGLINKS_SWISH_SIM_DELAY", "never")
	if _, _, err := runCLI(t, "serve"); err == nil || !strings.Contains(err.Error(), "swish-sim-delay") {
		t.Errorf("PINGLINKS_SWISH_SIM_DELAY=never: %v", err)
	}
	t.Setenv("PINGLINKS_SWISH_SIM_DELAY", "")
	dir := t.TempDir()
	t.Setenv("PINGLINKS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "env.db"))
	if _, _, err := runCLI(t, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "migrate", "--database-url", "sqlite://"+filepath.Join(dir, "flag.db")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"env.db", "flag.db"} {
		if m, _ := filepath.Glob(filepath.Join(dir, f)); len(m) != 1 {
			t.Errorf("%s not created", f)
		}
	}
}

// TestServeChecksBeforeGreeting: a busy port or a bad setting stops serve
// before it creates the demo tenant and prints credentials.
func TestServeChecksBeforeGreeting(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"busy port", []string{"--addr", busy.Addr().String()}, "--addr"},
		{"busy pprof port", []string{"--addr", "127.0.0.1:0", "--pprof-addr", busy.Addr().String()}, "--pprof-addr"},
		{"bad smtp url", []string{"--addr", "127.0.0.1:0", "--smtp-url", "ftp://mail.example"}, "SMTP"},
		{"bad sms url", []string{"--addr", "127.0.0.1:0", "--sms-url", "::"}, "SMS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbURL := "sqlite://" + filepath.Join(t.TempDir(), "p.db")
			out, _, err := runCLI(t, append([]string{"serve", "--database-url", dbURL}, tt.args...)...)
			if err == nil || !strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(tt.want)) {
				t.Fatalf("error %v, want one naming %s", err, tt.want)
			}
			if strings.Contains(out, "api_secret") {
				t.Fatalf("credentials printed before failing:\n%s", out)
			}
			if n := countTenants(t, dbURL); n != 0 {
				t.Errorf("%d tenants created before failing", n)
			}
		})
	}
}

func countTenants(t *testing.T, dbURL string) int {
	t.Helper()
	st, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := st.CountTenants(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServePrintsThePortItGot: with port 0 serve says where it listens,
// and the greeting's curl uses that address. Its log is text or JSON, from
// the level asked for.
func TestServePrintsThePortItGot(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, format, level string
		serving             *regexp.Regexp // the "serving" log line; nil: none
	}{
		{"text", "text", "info", regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=serving addr=127\.0\.0\.1:\d+ `)},
		{"json", "json", "info", regexp.MustCompile(`(?m)^\{"time":"[^"]+","level":"INFO","msg":"serving","addr":"127\.0\.0\.1:\d+"`)},
		{"errors only", "json", "error", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, logs syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-format", tt.format, "--log-level", tt.level,
					"--database-url", "sqlite://" + filepath.Join(t.TempDir(), "p.db")}, &out, &logs)
			}()
			serving := regexp.MustCompile(`Serving on http://127\.0\.0\.1:(\d+) `)
			var m []string
			for m == nil {
				select {
				case err := <-done:
					t.Fatalf("serve ended: %v\n%s", err, out.String())
				case <-time.After(20 * time.Millisecond):
				}
				m = serving.FindStringSubmatch(out.String())
			}
			if m[1] == "0" || !strings.Contains(out.String(), "curl -s -X POST http://127.0.0.1:"+m[1]+"/") {
				t.Fatalf("port %s; output:\n%s", m[1], out.String())
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			text := logs.String()
			if tt.serving == nil {
				if text != "" {
					t.Errorf("--log-level error logged:\n%s", text)
				}
				return
			}
			if !tt.serving.MatchString(text) {
				t.Errorf("no serving line in the %s log:\n%s", tt.format, text)
			}
			for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
				if tt.format == "json" && !json.Valid([]byte(line)) {
					t.Errorf("not JSON: %s", line)
				}
			}
		})
	}
}

// TestBackup copies a database that is being written to and checks the
// copy is a complete, consistent database.
func TestBackup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "live.db")
	if _, _, err := runCLI(t, "tenant", "create", "--name", "Before", "--database-url", dbURL); err != nil {
		t.Fatal(err)
	}
	// A writer keeps committing while the backup runs.
	ctx, cancel := context.WithCancel(context.Background())
	writing := make(chan int)
	go func() {
		n := 0
		for ctx.Err() == nil {
			if _, _, err := runCLI(t, "tenant", "create", "--name", "During", "--database-url", dbURL); err == nil {
				n++
			}
		}
		writing <- n
	}()
	copyPath := filepath.Join(dir, "copy.db")
	out, _, err := runCLI(t, "backup", "--database-url", dbURL, copyPath)
	cancel()
	<-writing
	if err != nil || !strings.Contains(out, copyPath) {
		t.Fatalf("backup: %v %q", err, out)
	}
	st, err := store.Open("sqlite://" + copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var check string
	if err := st.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var before int
	st.DB().QueryRow(`SELECT count(*) FROM tenants WHERE name = 'Before'`).Scan(&before)
	if before != 1 {
		t.Errorf("the copy has %d of the tenant created before the backup", before)
	}

	for _, tt := range []struct {
		name, dbURL, file, want string
	}{
		{"existing file", dbURL, copyPath, "already exists"},
		{"missing database", "sqlite://" + filepath.Join(dir, "none.db"), filepath.Join(dir, "c2.db"), "no such file"},
		{"postgres", testdb.AdminURL(), filepath.Join(dir, "c3.db"), "pg_dump"},
		{"in memory", "sqlite::memory:", filepath.Join(dir, "c4.db"), "in-memory"},
	} {
		_, _, err := runCLI(t, "backup", "--database-url", tt.dbURL, tt.file)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
}

func TestServeSetsGCPercentUnlessGOGCIs(t *testing.T) {
	for _, tc := range []struct {
		gogc string
		want int
	}{
		{"", serveGCPercent},
		{"50", 77}, // the environment decides: serve leaves the runtime's setting alone
	} {
		t.Run("GOGC="+tc.gogc, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			before := debug.SetGCPercent(77)
			defer debug.SetGCPercent(before)
			setGCPercent()
			if got := debug.SetGCPercent(77); got != tc.want {
				t.Errorf("GC percent %d, want %d", got, tc.want)
			}
		})
	}
}
