// Package stripemock runs Stripe's official mock API server, stripe-mock,
// for tests, and signs webhooks the way Stripe signs them.
//
// stripe-mock validates every request against Stripe's OpenAPI
// specification and answers with fixture objects; it keeps no state. A
// test that needs Stripe to "remember" (a session that became paid)
// restarts it with fixtures saying what Stripe's API holds at that step
// (Restart), on the same ports, so the code under test keeps its
// configuration.
//
// A missing stripe-mock fails the test, never skips it: install it with
// go install github.com/stripe/stripe-mock@v0.203.0 (.ci/run does).
package stripemock

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Version is the stripe-mock the tests are written against.
const Version = "v0.203.0"

// Server is one running stripe-mock.
type Server struct {
	// URL is its HTTPS address (what the library talks to, as to Stripe).
	URL string
	// HTTPURL is its plain HTTP address.
	HTTPURL string
	// Client trusts exactly the server's self-signed certificate.
	Client *http.Client

	bin                 string
	httpAddr, httpsAddr string
	dir                 string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *tail
}

// Binary finds stripe-mock in PATH, $GOBIN or $(go env GOPATH)/bin.
func Binary() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, gp := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(gp, "bin"))
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("stripe-mock is not installed (looked in PATH, $GOBIN and $(go env GOPATH)/bin, i.e. %s); "+
		"install it with: go install github.com/stripe/stripe-mock@%s (.ci/run does)", strings.Join(dirs, ", "), Version)
}

// Start runs stripe-mock with its bundled fixtures on free loopback ports,
// HTTP and HTTPS both set, until the test ends.
func Start(t testing.TB) *Server { return StartWith(t, nil) }

// StartWith runs stripe-mock with fixtures (nil: the bundled ones).
func StartWith(t testing.TB, fixtures Fixtures) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{bin: bin, httpAddr: "127.0.0.1:0", httpsAddr: "127.0.0.1:0", dir: t.TempDir()}
	if err := s.start(fixtures); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	cert, err := s.certificate()
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{
			// stripe-mock's certificate names no IP address; trust it by
			// pinning its exact bytes instead of by name.
			InsecureSkipVerify: true,
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				if len(raw) == 0 || !bytes.Equal(raw[0], cert) {
					return errors.New("stripemock: not stripe-mock's certificate")
				}
				return nil
			},
		},
		ForceAttemptHTTP2: true,
	}}
	return s
}

// Restart stops stripe-mock and starts it again on the same ports with
// fixtures (nil: the bundled ones): what Stripe's API holds from now on.
func (s *Server) Restart(t testing.TB, fixtures Fixtures) {
	t.Helper()
	s.stop()
	if err := s.start(fixtures); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) start(fixtures Fixtures) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"-http-addr", s.httpAddr, "-https-addr", s.httpsAddr}
	if fixtures != nil {
		b, err := json.Marshal(map[string]any{"resources": fixtures})
		if err != nil {
			return err
		}
		f, err := os.CreateTemp(s.dir, "fixtures-*.json")
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		args = append(args, "-fixtures", f.Name())
	}
	cmd := exec.Command(s.bin, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	s.cmd, s.done, s.out = cmd, make(chan struct{}), &tail{}
	go func() {
		cmd.Wait()
		pw.Close()
		close(s.done)
	}()
	found := make(chan [2]string, 1)
	go func() {
		var httpAddr, httpsAddr string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			s.out.add(line)
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok {
				httpAddr = a
			}
			if a, ok := strings.CutPrefix(line, "Listening for HTTPS at address: "); ok {
				httpsAddr = a
			}
			if httpAddr != "" && httpsAddr != "" && found != nil {
				found <- [2]string{httpAddr, httpsAddr}
				found = nil
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-found:
		s.httpAddr, s.httpsAddr = a[0], a[1]
		s.HTTPURL, s.URL = "http://"+a[0], "https://"+a[1]
		return nil
	case <-s.done:
		return fmt.Errorf("stripe-mock exited before listening: %s", s.out)
	case <-time.After(2 * time.Minute): // a start-up guard, not an assertion
		cmd.Process.Kill()
		return fmt.Errorf("stripe-mock did not listen within 2 minutes: %s", s.out)
	}
}

func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// certificate reads the server's TLS certificate from a handshake.
func (s *Server) certificate() ([]byte, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", s.httpsAddr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return nil, fmt.Errorf("stripe-mock's HTTPS address: %w", err)
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New("stripe-mock presented no certificate")
	}
	return certs[0].Raw, nil
}

// Do sends one API request with key, for tests that check what the mock
// answers directly.
func (s *Server) Do(ctx context.Context, method, path, key string, form string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(key, "")
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return s.Client.Do(req)
}

// tail keeps the server's last lines for failure messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(l string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, l)
	if len(t.lines) > 20 {
		t.lines = t.lines[len(t.lines)-20:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// Sign makes the Stripe-Signature header Stripe sends with a webhook:
// t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the
// endpoint's signing secret>. Written here, not taken from the library,
// so a test checks the library against the scheme itself.
func Sign(secret string, payload []byte, at time.Time) string {
	ts := fmt.Sprint(at.Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Event is the body of a Stripe webhook: an event object of type typ
// wrapping object (e.g. a Checkout Session).
func Event(id, typ string, object any, created time.Time) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": "2025-10-29.clover",
		"created": created.Unix(), "livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil},
		"data":    map[string]any{"object": object},
	})
	if err != nil {
		panic(err) // plain maps always marshal
	}
	return b
}

// SessionEvent is the body of a webhook of type typ about the Checkout
// Session sessionID, sent now.
func SessionEvent(typ, sessionID string) []byte {
	return Event("evt_test_"+uuid.NewString()[:8], typ,
		map[string]any{"id": sessionID, "object": "checkout.session"}, time.Now())
}

// PostWebhook posts body to url as Stripe posts a webhook, with signature
// as its Stripe-Signature header (none when empty), and returns the status.
func PostWebhook(t testing.TB, url string, body []byte, signature string) int {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
