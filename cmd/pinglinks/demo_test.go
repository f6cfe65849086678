package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDemoHappyPath runs `pinglinks demo --exit` and checks that it tells
// The payment-link story in order, ending with the stall showing the purchase paid.
func TestDemoHappyPath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"demo", "--exit"}, &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	text := out.String()
	steps := []string{
		"Platform running", "Tenant created", "Market stall app running",
		"Payee enters a purchase on the stall's page", "Stall: purchase entered", "Stall: payment order created",
		"Stall: payment link created", "Stall: link distributed by SMS", "SMS to +46701234567",
		"Payer opens the link", "Payer chooses Swish", "Swish (simulator) approved",
		"Stall: callback received: link COMPLETED (signature verified)", "Stall: purchase paid ✓ 125,50\u00a0kr",
		"The stall's page shows: Paid ✓",
	}
	at := 0
	for _, s := range steps {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("step %q missing or out of order in:\n%s", s, text)
		}
		at += i + len(s)
	}
	// The last numbered step is the paid one; then the hints to try it by hand.
	lines := strings.Split(strings.TrimSpace(text[:strings.Index(text, "Try it by hand")]), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "Paid ✓") {
		t.Errorf("last step %q", last)
	}
	for _, s := range []string{"/sandbox/outbox", "Market stall (enter a purchase):   http://127.0.0.1:"} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

// A port in use makes the demo fail at once, saying which address of which
// piece, before anything starts, and leaving no temporary directory behind.
func TestDemoPortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	tests := []struct {
		flag string
		want string
	}{
		{"--platform-addr", "the platform cannot listen on " + addr + " (--platform-addr)"},
		{"--stall-addr", "the market stall cannot listen on " + addr + " (--stall-addr)"},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			err := run(ctx, []string{"demo", "--exit", tt.flag, addr}, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "address already in use") {
				t.Fatalf("err %v, want it to say %q", err, tt.want)
			}
			if strings.Contains(out.String(), "running") {
				t.Errorf("started pieces before failing:\n%s", out.String())
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left behind in TMPDIR: %v", left)
			}
		})
	}
}
