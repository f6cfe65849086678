package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/internal/smtptest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// The size of a run; CRASHTEST_CLIENTS, CRASHTEST_KILLS and
// CRASHTEST_SECONDS make it larger (the defaults keep CI at about two
// minutes for the three runs on a small machine).
var (
	clients = envInt("CRASHTEST_CLIENTS", 32)
	kills   = envInt("CRASHTEST_KILLS", 4)
	seconds = envInt("CRASHTEST_SECONDS", 10)
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func TestMain(m *testing.M) {
	code := m.Run()
	if exePath != "" {
		os.RemoveAll(filepath.Dir(exePath))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	exePath   string
	buildErr  error
)

func buildExe(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "crashtest")
		if err != nil {
			buildErr = err
			return
		}
		exePath = filepath.Join(dir, "pinglinks")
		out, err := exec.Command("go", "build", "-o", exePath, "github.com/pinglinks/pinglinks/cmd/pinglinks").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return exePath
}

// server is one `pinglinks serve` child process on a fixed address, so
// that it can be killed and started again where its clients expect it.
type server struct {
	t     *testing.T
	exe   string
	dbURL string
	addr  string
	env   []string // beyond the database and the address
	log   io.Writer
	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (s *server) start() {
	s.t.Helper()
	cmd := exec.Command(s.exe, "serve")
	cmd.Env = append(os.Environ(), "PINGLINKS_ADDR="+s.addr, "PINGLINKS_DATABASE_URL="+s.dbURL,
		"PINGLINKS_PUBLIC_URL=http://"+s.addr, "PINGLINKS_ENV=sandbox", "PINGLINKS_RATE_LIMIT=0",
		"PINGLINKS_CALLBACK_LEASE=20s")
	cmd.Env = append(cmd.Env, s.env...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-done:
			s.t.Fatalf("serve on %s exited at start", s.addr)
		default:
		}
	}
	s.t.Fatalf("serve on %s did not become healthy", s.addr)
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// reap kills the process if it still runs.
func (s *server) reap() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
	default:
		cmd.Process.Kill()
		<-done
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		cmd.Process.Kill()
		<-done
		s.t.Errorf("serve on %s did not stop within 40 s of SIGTERM", s.addr)
	}
}

// receiver is the tenant's callback endpoint: it checks every delivery's
// signature and counts deliveries per webhook-id.
type receiver struct {
	key  string
	mu   sync.Mutex
	seen map[string]int
	bad  int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := callback.Verify(rc.key, r.Header, body, 5*time.Minute, time.Now()); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.seen[r.Header.Get("webhook-id")]++
	w.WriteHeader(http.StatusNoContent)
}

// figures are what a run reports.
type figures struct {
	Tried, Unanswered, Kills, Acknowledged, Lost, Duplicates int
	Callbacks, Redelivered                                   int
	Mails, Remailed                                          int
}

func (f figures) String() string {
	return fmt.Sprintf("requests tried %d (unanswered and retried %d), kills %d, acknowledged %d, lost %d, duplicates %d; "+
		"callbacks %d, delivered more than once %d; e-mails %d, sent more than once %d", f.Tried, f.Unanswered, f.Kills,
		f.Acknowledged, f.Lost, f.Duplicates, f.Callbacks, f.Redelivered, f.Mails, f.Remailed)
}

// driver sends the clients' requests, retrying every unanswered one (no
// response, 5xx, or 409 while its key is busy) with the same key, at any
// of the servers, until it is answered.
type driver struct {
	servers          []*server
	tenantID, secret string
	http             *http.Client
	tried, retried   atomic.Int64
	keys             atomic.Int64
}

type answer struct {
	Status int
	Body   []byte
}

func (d *driver) do(ctx context.Context, client int, method, path string, body any) (answer, error) {
	raw, _ := json.Marshal(body)
	key := fmt.Sprintf("crash-%d-%d", client, d.keys.Add(1))
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return answer{}, ctx.Err()
		}
		srv := d.servers[(client+attempt)%len(d.servers)]
		d.tried.Add(1)
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+srv.addr+path, bytes.NewReader(raw))
		req.Header["tenant_id"] = []string{d.tenantID}
		req.Header["x-api-secret"] = []string{d.secret}
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := d.http.Do(req)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode < 500 && resp.StatusCode != http.StatusConflict {
				return answer{resp.StatusCode, b}, nil
			}
		}
		if attempt == 0 {
			d.retried.Add(1)
		}
		time.Sleep(time.Duration(50+rand.IntN(150)) * time.Millisecond)
	}
}

// step sends one of client n's requests (do) and reports whether it was
// answered want; any other answer fails the test, and a request that went
// unanswered until ctx ended stops the client.
func (d *driver) step(ctx context.Context, t *testing.T, n int, what string, want int, method, path string, body any) (answer, bool) {
	a, err := d.do(ctx, n, method, path, body)
	if err != nil {
		return a, false
	}
	if a.Status != want {
		t.Errorf("%s: %d %s", what, a.Status, a.Body)
		return a, false
	}
	return a, true
}

func (d *driver) get(t *testing.T, path string, v any) {
	t.Helper()
	for attempt := 0; attempt < 50; attempt++ {
		req, _ := http.NewRequest("GET", "http://"+d.servers[len(d.servers)-1].addr+path, nil)
		req.Header["tenant_id"] = []string{d.tenantID}
		req.Header["x-api-secret"] = []string{d.secret}
		resp, err := d.http.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if err := json.Unmarshal(b, v); err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				return
			}
			if resp.StatusCode == 404 {
				t.Fatalf("GET %s: 404", path)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s: no answer", path)
}

// ledger is every acknowledged object, by the key that made it.
type ledger struct {
	mu       sync.Mutex
	orders   map[string]bool // order id → made by a link op
	payments map[string]payment
	links    map[string]bool   // link id → paid
	mailed   map[string]string // link id → the address it was sent to
	refunds  map[string]string
	acked    int
}

type payment struct {
	order  string
	amount int64
}

func id(t *testing.T, a answer) string {
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.Body, &v); err != nil || v.ID == "" {
		t.Errorf("answer without an id: %d %s", a.Status, a.Body)
	}
	return v.ID
}

// client runs one client's work until ctx ends: an order, then either a
// payment (and perhaps a refund) or a link (and perhaps its payment).
func (d *driver) client(ctx context.Context, stop <-chan struct{}, t *testing.T, n int, merchant, cbURL string, l *ledger) {
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for !stopped() {
		a, ok := d.step(ctx, t, n, "order", 200, "POST", "/payments/api/v1/payment_orders", map[string]any{"currency": "SEK"})
		if !ok {
			return
		}
		order := id(t, a)
		l.mu.Lock()
		l.orders[order], l.acked = false, l.acked+1
		l.mu.Unlock()
		if stopped() {
			return
		}
		if rand.IntN(2) == 0 {
			amount := int64(100 + rand.IntN(10000))
			a, ok = d.step(ctx, t, n, "payment", 200, "POST", "/payments/api/v1/payment_orders/"+order+"/payments", map[string]any{
				"currency": "SEK", "total_amount": amount, "provider": "dummy", "method": "dummy", "status_callback_url": cbURL,
				"order_items":                []map[string]any{{"amount": amount, "name": "Honey", "vat_rate": 12, "merchant_id": merchant}},
				"provider_method_parameters": map[string]any{"desired_payment_status": "COMPLETED"},
			})
			if !ok {
				return
			}
			pid := id(t, a)
			l.mu.Lock()
			l.payments[pid], l.acked = payment{order, amount}, l.acked+1
			l.mu.Unlock()
			if rand.IntN(2) == 0 && !stopped() {
				a, ok = d.step(ctx, t, n, "refund", 200, "POST", "/payments/api/v1/payment_orders/"+order+"/payments/"+pid+"/refund",
					map[string]any{"amount": amount / 2, "currency": "SEK", "reason": "crash test"})
				if !ok {
					return
				}
				l.mu.Lock()
				l.refunds[id(t, a)], l.acked = pid, l.acked+1
				l.mu.Unlock()
			}
			continue
		}
		l.mu.Lock()
		l.orders[order] = true
		l.mu.Unlock()
		a, ok = d.step(ctx, t, n, "link", 200, "POST", "/payment_links/api/v1/payment_links", map[string]any{
			"payment_order_id": order, "currency": "SEK", "total_amount": 17000, "locale": "sv-SE",
			"customer":                         map[string]any{"first_name": "Åsa", "last_name": "Öberg"},
			"items":                            []map[string]any{{"description": "Honung", "merchant_id": merchant, "price": 8500, "quantity": 2, "vat": 12}},
			"supplier":                         map[string]any{"name": "Biodlarna"},
			"payment_provider_methods":         []map[string]any{{"provider": "payment_iq", "method": "card"}},
			"payment_link_status_callback_url": cbURL,
		})
		if !ok {
			return
		}
		link := id(t, a)
		l.mu.Lock()
		l.links[link], l.acked = false, l.acked+1
		l.mu.Unlock()
		// A link is then sent by e-mail, or paid, or neither: one paid
		// before its e-mail went out is rightly not sent.
		next := rand.IntN(3)
		if next == 0 && !stopped() {
			to := "payer-" + link + "@example.com"
			_, ok = d.step(ctx, t, n, "distribute", 204, "PUT", "/payment_links/api/v1/payment_links/"+link+"/distribute",
				map[string]any{"methods": []string{"email"}, "customer_email": to})
			if !ok {
				return
			}
			l.mu.Lock()
			l.mailed[link], l.acked = to, l.acked+1
			l.mu.Unlock()
		}
		if next == 1 && !stopped() {
			_, ok = d.step(ctx, t, n, "pay link", 204, "POST", "/sandbox/payment_links/"+link+"/pay", map[string]any{"status": "COMPLETED"})
			if !ok {
				return
			}
			l.mu.Lock()
			l.links[link], l.acked = true, l.acked+1
			l.mu.Unlock()
		}
	}
}

// run drives the clients against servers for the run's length, killing
// victim (with SIGKILL) kills times at random moments and restarting it
// unless restart is false, then checks the database through the API.
func run(t *testing.T, engine store.Engine, processes int, restart bool) figures {
	exe := buildExe(t)
	dbURL := testdb.URL(t, engine)
	logf, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	// The database comes from the environment, as for serve.
	cmd := exec.Command(exe, "tenant", "create", "--name", "crash")
	cmd.Env = append(os.Environ(), "PINGLINKS_DATABASE_URL="+dbURL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tenant create: %v", err)
	}
	var cred struct {
		TenantID  string `json:"tenant_id"`
		APISecret string `json:"api_secret"`
	}
	if err := json.Unmarshal(out, &cred); err != nil {
		t.Fatalf("tenant create: %v: %s", err, out)
	}
	// E-mail goes out through a real SMTP conversation; a message claimed
	// by a process that died is sent again 20 s later.
	smtp := smtptest.Start(t, nil)
	env := []string{"PINGLINKS_SMTP_URL=smtp://" + smtp.Addr, "PINGLINKS_MAIL_FROM=links@example.com",
		"PINGLINKS_MESSAGE_LEASE=20s"}
	var servers []*server
	for range processes {
		s := &server{t: t, exe: exe, dbURL: dbURL, addr: freeAddr(t), env: env, log: logf}
		t.Cleanup(s.reap) // a failed run leaves no process behind
		s.start()
		servers = append(servers, s)
	}
	d := &driver{servers: servers, tenantID: cred.TenantID, secret: cred.APISecret,
		http: &http.Client{Timeout: 15 * time.Second}}
	var tenant struct {
		CallbackSigningKey string `json:"callback_signing_key"`
	}
	d.get(t, "/payments/api/v1/tenant", &tenant)
	rc := &receiver{key: tenant.CallbackSigningKey, seen: map[string]int{}}
	rcv := httptest.NewServer(rc)
	defer rcv.Close()
	a, err := d.do(context.Background(), 0, "POST", "/payments/api/v1/merchants", map[string]any{"name": "Stall",
		"organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"}})
	if err != nil || a.Status != 200 {
		t.Fatalf("merchant: %v %d %s", err, a.Status, a.Body)
	}
	merchant := id(t, a)

	l := &ledger{orders: map[string]bool{}, payments: map[string]payment{}, links: map[string]bool{},
		mailed: map[string]string{}, refunds: map[string]string{}}
	// Requests are retried until answered for at most this long; stop ends
	// the clients' new work.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second+90*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for n := range clients {
		wg.Add(1)
		go func() { defer wg.Done(); d.client(ctx, stop, t, n, merchant, rcv.URL, l) }()
	}
	victim := servers[0]
	length := time.Duration(seconds) * time.Second
	for k := range kills {
		// Kill at a random moment of each slice of the run.
		time.Sleep(time.Duration(rand.Int64N(int64(length / time.Duration(kills)))))
		victim.kill()
		if restart || k < kills-1 {
			victim.start()
		}
	}
	time.Sleep(length / time.Duration(2*kills))
	close(stop)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("requests still unanswered after 90 s of retries")
	}

	f := figures{Tried: int(d.tried.Load()), Unanswered: int(d.retried.Load()), Kills: kills, Acknowledged: l.acked}
	check(t, d, l, &f)
	f.Callbacks, f.Redelivered = waitCallbacks(t, d, rc)
	f.Mails, f.Remailed = waitMail(t, l, smtp)
	if f.Remailed > f.Kills*16 { // one batch in flight per kill
		t.Errorf("%d e-mails sent more than once for %d kills", f.Remailed, f.Kills)
	}
	for _, s := range servers {
		if restart || s != victim {
			s.stop()
		}
	}
	return f
}

// check compares the database, read through the API, with the ledger.
func check(t *testing.T, d *driver, l *ledger, f *figures) {
	var orders []struct {
		ID string `json:"id"`
	}
	d.get(t, "/payments/api/v1/payment_orders", &orders)
	var links []struct {
		ID                 string `json:"payment_link_id"`
		PaymentOrderID     string `json:"payment_order_id"`
		Status             string `json:"status"`
		TotalAmount        int64  `json:"total_amount"`
		DistributedByEmail bool   `json:"distributed_by_email"`
	}
	d.get(t, "/payment_links/api/v1/payment_links", &links)
	type paymentJSON struct {
		ID             string `json:"id"`
		Status         string `json:"status"`
		TotalAmount    int64  `json:"total_amount"`
		PaymentOrderID string `json:"payment_order_id"`
		Refunds        []struct {
			ID     string `json:"id"`
			Amount int64  `json:"amount"`
		} `json:"refunds"`
	}
	var payments []paymentJSON
	d.get(t, "/payments/api/v1/payments", &payments)

	found := map[string]bool{}
	for _, o := range orders {
		found[o.ID] = true
	}
	for id := range l.orders {
		if !found[id] {
			f.Lost++
			t.Errorf("acknowledged order %s is missing", id)
		}
	}
	f.Duplicates += len(orders) - len(l.orders) - 0
	linkTotal := map[string]int64{}
	linkCount := map[string]int{}
	found = map[string]bool{}
	for _, k := range links {
		found[k.ID] = true
		linkTotal[k.PaymentOrderID] = k.TotalAmount
		linkCount[k.PaymentOrderID]++
		if paid, ok := l.links[k.ID]; ok && paid && k.Status != "COMPLETED" {
			t.Errorf("link %s acknowledged paid is %s", k.ID, k.Status)
		}
		if _, ok := l.mailed[k.ID]; ok && !k.DistributedByEmail {
			f.Lost++
			t.Errorf("link %s acknowledged sent by e-mail is not", k.ID)
		}
	}
	for id := range l.links {
		if !found[id] {
			f.Lost++
			t.Errorf("acknowledged link %s is missing", id)
		}
	}
	f.Duplicates += len(links) - len(l.links)
	paid := map[string]int64{}
	apiPayments, refunds := 0, 0
	found = map[string]bool{}
	for _, p := range payments {
		found[p.ID] = true
		var refunded int64
		for _, r := range p.Refunds {
			refunded += r.Amount
			found[r.ID] = true
			refunds++
		}
		if refunded > p.TotalAmount {
			t.Errorf("payment %s refunded %d of %d", p.ID, refunded, p.TotalAmount)
		}
		if p.Status == "COMPLETED" {
			paid[p.PaymentOrderID] += p.TotalAmount
		}
		if linkTotal[p.PaymentOrderID] == 0 {
			apiPayments++
		}
		if want, ok := l.payments[p.ID]; ok && (p.Status != "COMPLETED" || p.TotalAmount != want.amount) {
			t.Errorf("payment %s acknowledged COMPLETED for %d is %s for %d", p.ID, want.amount, p.Status, p.TotalAmount)
		}
	}
	for id := range l.payments {
		if !found[id] {
			f.Lost++
			t.Errorf("acknowledged payment %s is missing", id)
		}
	}
	for id := range l.refunds {
		if !found[id] {
			f.Lost++
			t.Errorf("acknowledged refund %s is missing", id)
		}
	}
	f.Duplicates += apiPayments - len(l.payments) + refunds - len(l.refunds)
	for order, n := range linkCount {
		if n > 1 {
			t.Errorf("order %s has %d links", order, n)
		}
		if paid[order] > linkTotal[order] {
			t.Errorf("order %s paid %d, beyond its link's total %d", order, paid[order], linkTotal[order])
		}
	}
	for order, amount := range paid {
		if linkTotal[order] == 0 && amount > 10100 {
			t.Errorf("order %s paid %d, more than its one payment", order, amount)
		}
	}
	if f.Duplicates != 0 {
		t.Errorf("%d objects more than acknowledged keys", f.Duplicates)
	}
}

// waitCallbacks waits until every callback in the outbox is delivered and
// checks that the receiver saw each, with a valid signature. It returns
// how many there are and how many were delivered more than once.
func waitCallbacks(t *testing.T, d *driver, rc *receiver) (total, again int) {
	var msgs []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d.get(t, "/payments/api/v1/callbacks", &msgs)
		pending := 0
		for _, m := range msgs {
			if m.Status != "DELIVERED" {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d callbacks undelivered after 60 s", pending, len(msgs))
		}
		time.Sleep(500 * time.Millisecond)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, m := range msgs {
		switch n := rc.seen[m.ID]; {
		case n == 0:
			t.Errorf("callback %s recorded delivered, never received", m.ID)
		case n > 1:
			again++
		}
	}
	if rc.bad > 0 {
		t.Errorf("%d deliveries with a bad signature", rc.bad)
	}
	return len(msgs), again
}

// waitMail waits until the e-mail of every acknowledged distribution has
// reached the SMTP server, and returns how many arrived and how many more
// than once (the same Message-ID: a process died after the SMTP server took
// the message and before it recorded so).
func waitMail(t *testing.T, l *ledger, srv *smtptest.Server) (total, again int) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		times := map[string]int{} // Message-ID → deliveries
		reached := map[string]bool{}
		for _, raw := range srv.Received() {
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("an e-mail that does not parse: %v", err)
			}
			id := m.Header.Get("Message-Id")
			if !strings.HasPrefix(id, "<payment_link-") {
				t.Fatalf("e-mail %s: the clients sent only links", id)
			}
			times[id]++
			to, err := mail.ParseAddress(m.Header.Get("To"))
			if err != nil {
				t.Fatalf("e-mail %s: To: %v", id, err)
			}
			reached[to.Address] = true
		}
		missing := 0
		for _, to := range l.mailed {
			if !reached[to] {
				missing++
			}
		}
		if missing == 0 {
			if len(times) != len(l.mailed) {
				t.Errorf("%d e-mails for %d acknowledged distributions", len(times), len(l.mailed))
			}
			for _, n := range times {
				if n > 1 {
					again++
				}
			}
			return len(times), again
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged e-mails never arrived after 60 s", missing, len(l.mailed))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestCrash kills a lone server repeatedly on each engine.
func TestCrash(t *testing.T) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			f := run(t, engine, 1, true)
			t.Logf("%s: %s", engine, f)
			if f.Acknowledged == 0 || f.Unanswered == 0 {
				t.Errorf("the run proved nothing: %s", f)
			}
		})
	}
}

// TestCrashOneOfTwo runs two servers on one PostgreSQL database and kills
// one of them for good: the other answers the retries and delivers the
// callbacks the dead one held, at least once and at most once more than
// that for those in flight when it died.
func TestCrashOneOfTwo(t *testing.T) {
	f := run(t, store.Postgres, 2, false)
	t.Logf("postgres, two servers: %s", f)
	if f.Redelivered > f.Kills*32 { // one batch in flight per kill
		t.Errorf("%d callbacks delivered more than once for %d kills", f.Redelivered, f.Kills)
	}
}
