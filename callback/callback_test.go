package callback_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

func TestSignAndVerify(t *testing.T) {
	key := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"payment_link_id":"x","status":"COMPLETED"}`)
	sig, err := callback.Sign(key, "msg_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("0123456789abcdef0123456789abcdef"))
	mac.Write([]byte("msg_1.1700000000." + string(body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); sig != want {
		t.Fatalf("signature %s, want %s", sig, want)
	}
	h := http.Header{"Webhook-Id": {"msg_1"}, "Webhook-Timestamp": {"1700000000"}, "Webhook-Signature": {"v1,bogus " + sig}}
	if err := callback.Verify(key, h, body, 5*time.Minute, ts.Add(time.Minute)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	for name, tc := range map[string]struct {
		h    http.Header
		body []byte
		now  time.Time
		want error
	}{
		"tampered body":   {h, []byte(`{"status":"EXPIRED"}`), ts, callback.ErrBadSignature},
		"too old":         {h, body, ts.Add(time.Hour), callback.ErrTimestamp},
		"from the future": {h, body, ts.Add(-time.Hour), callback.ErrTimestamp},
		"no signature":    {http.Header{"Webhook-Id": {"msg_1"}}, body, ts, callback.ErrNoSignature},
		"other id": {http.Header{"Webhook-Id": {"msg_2"}, "Webhook-Timestamp": {"1700000000"}, "Webhook-Signature": {sig}},
			body, ts, callback.ErrBadSignature},
	} {
		if err := callback.Verify(key, tc.h, tc.body, 5*time.Minute, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if _, err := callback.Sign("whsec_not base64!", "id", ts, body); err == nil {
		t.Error("a malformed key signed")
	}
}

// receiver is a tenant's callback endpoint on loopback.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
	answer atomic.Int32 // status to answer; 0 means 204
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.heads = append(r.heads, req.Header.Clone())
		r.mu.Unlock()
		code := int(r.answer.Load())
		if code == 0 {
			code = http.StatusNoContent
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// setup makes a tenant whose merchant status callbacks go to url, and
// creates n approved merchants, each writing one callback to the outbox.
func setup(t *testing.T, st *store.Store, url string, n int) testdb.Tenant {
	t.Helper()
	ctx := context.Background()
	tn := testdb.NewTenant(t, st, "callbacks")
	if err := st.UpdateTenantCallbacks(ctx, tn.ID, url); err != nil {
		t.Fatal(err)
	}
	tn.CallbackSigningKey = mustTenant(t, st, tn).CallbackSigningKey
	for range n {
		m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
			Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
		if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, true); err != nil {
			t.Fatal(err)
		}
	}
	return tn
}

func mustTenant(t *testing.T, st *store.Store, tn testdb.Tenant) *pinglinks.Tenant {
	got, err := st.Tenant(context.Background(), tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func outbox(t *testing.T, st *store.Store, tn testdb.Tenant) []store.OutboxMessage {
	t.Helper()
	msgs, _, err := st.Outbox(context.Background(), tn.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestDeliverySignedAndRecorded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		rcv := newReceiver(t)
		tn := setup(t, st, rcv.URL+"/merchants", 1)
		w := &callback.Worker{Store: st, Client: callback.NewClient(true)}
		if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if rcv.count() != 1 {
			t.Fatalf("receiver got %d", rcv.count())
		}
		if err := callback.Verify(tn.CallbackSigningKey, rcv.heads[0], rcv.bodies[0], time.Minute, time.Now()); err != nil {
			t.Fatalf("the tenant cannot verify the callback: %v", err)
		}
		var payload map[string]any
		json.Unmarshal(rcv.bodies[0], &payload)
		if payload["status"] != "APPROVED" || payload["merchant_id"] == nil {
			t.Fatalf("payload %s", rcv.bodies[0])
		}
		msgs := outbox(t, st, tn)
		if msgs[0].Status != store.OutboxDelivered || msgs[0].Attempts != 1 || rcv.heads[0].Get("webhook-id") != msgs[0].ID.String() {
			t.Fatalf("outbox %+v", msgs[0])
		}
		attempts, err := st.CallbackAttempts(context.Background(), tn.ID, msgs[0].ID)
		if err != nil || len(attempts) != 1 || !attempts[0].Success || attempts[0].StatusCode != 204 {
			t.Fatalf("attempts %+v %v", attempts, err)
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatalf("a delivered callback was claimed again")
		}
		// Redelivery on request, and another tenant cannot touch it.
		other := testdb.NewTenant(t, st, "other")
		if err := st.Redeliver(context.Background(), other.ID, msgs[0].ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("other tenant's redeliver: %v", err)
		}
		if _, err := st.CallbackAttempts(context.Background(), other.ID, msgs[0].ID); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("other tenant's attempts: %v", err)
		}
		if err := st.Redeliver(context.Background(), tn.ID, msgs[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.RunOnce(context.Background()); n != 1 || rcv.count() != 2 {
			t.Fatalf("redelivery: claimed %d, received %d", n, rcv.count())
		}
	})
}

// clock lets a test move the store's time forward.
func clock(st *store.Store) func(d time.Duration) {
	var offset atomic.Int64
	real := st.Now
	st.Now = func() time.Time { return real().Add(time.Duration(offset.Load())) }
	return func(d time.Duration) { offset.Add(int64(d)) }
}

// outcomes records what a worker tells its Attempted hook.
type outcomes struct {
	mu   sync.Mutex
	seen []string
}

func (o *outcomes) add(outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, outcome)
}

func (o *outcomes) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.seen, ",")
}

func TestRetriesFollowTheSchedule(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		advance := clock(st)
		rcv := newReceiver(t)
		tn := setup(t, st, rcv.URL, 1)
		var seen outcomes
		w := &callback.Worker{Store: st, Client: callback.NewClient(true), Attempted: seen.add}
		rcv.answer.Store(500)
		w.RunOnce(context.Background())
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatal("retried before its time")
		}
		advance(6 * time.Second) // the first retry comes after 5 s ± 10 %
		rcv.answer.Store(200)
		if n, _ := w.RunOnce(context.Background()); n != 1 {
			t.Fatal("not retried after 5 s")
		}
		msgs := outbox(t, st, tn)
		if msgs[0].Status != store.OutboxDelivered || msgs[0].Attempts != 2 {
			t.Fatalf("outbox %+v", msgs[0])
		}
		attempts, _ := st.CallbackAttempts(context.Background(), tn.ID, msgs[0].ID)
		if len(attempts) != 2 || attempts[0].Success || attempts[0].StatusCode != 500 || !attempts[1].Success {
			t.Fatalf("attempts %+v", attempts)
		}
		if seen.String() != "retry,delivered" {
			t.Errorf("outcomes told: %s", seen.String())
		}
	})
}

func TestGivesUpAfterTheLastAttempt(t *testing.T) {
	st := testdb.Open(t, store.SQLite)
	advance := clock(st)
	rcv := newReceiver(t)
	rcv.answer.Store(503)
	tn := setup(t, st, rcv.URL, 1)
	var seen outcomes
	w := &callback.Worker{Store: st, Client: callback.NewClient(true), Attempted: seen.add}
	var total time.Duration
	for i := 0; i < 20; i++ {
		w.RunOnce(context.Background())
		advance(25 * time.Hour)
		total += 25 * time.Hour
	}
	msgs := outbox(t, st, tn)
	if want := len(callback.Schedule) + 1; rcv.count() != want || msgs[0].Status != store.OutboxFailed {
		t.Fatalf("%d attempts, status %s; want %d and FAILED", rcv.count(), msgs[0].Status, want)
	}
	if want := strings.Repeat("retry,", len(callback.Schedule)) + "failed"; seen.String() != want {
		t.Errorf("outcomes told: %s, want %s", seen.String(), want)
	}
	var span time.Duration
	for _, d := range callback.Schedule {
		span += d
	}
	if span < 72*time.Hour {
		t.Fatalf("the schedule spans %s, less than 3 days", span)
	}
}

func TestGoneStopsAndRedirectsAreNotFollowed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		advance := clock(st)
		var followed atomic.Int32
		target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
		defer target.Close()
		redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
		defer redirect.Close()
		tn := setup(t, st, redirect.URL, 1)
		w := &callback.Worker{Store: st, Client: callback.NewClient(true)}
		w.RunOnce(context.Background())
		msgs := outbox(t, st, tn)
		if followed.Load() != 0 || msgs[0].Status != store.OutboxPending {
			t.Fatalf("redirect followed %d times; status %s", followed.Load(), msgs[0].Status)
		}

		gone := newReceiver(t)
		gone.answer.Store(http.StatusGone)
		tn2 := setup(t, st, gone.URL, 1)
		var seen outcomes
		w.Attempted = seen.add
		for range 3 {
			w.RunOnce(context.Background())
			advance(time.Hour)
		}
		msgs = outbox(t, st, tn2)
		if gone.count() != 1 || msgs[0].Status != store.OutboxStopped {
			t.Fatalf("410: %d deliveries, status %s", gone.count(), msgs[0].Status)
		}
		// (the redirect's callback above is retried meanwhile)
		if strings.Count(seen.String(), "stopped") != 1 || strings.Count(seen.String(), "delivered") != 0 {
			t.Errorf("outcomes told: %s", seen.String())
		}
	})
}

func TestTimeoutIsAFailedAttempt(t *testing.T) {
	st := testdb.Open(t, store.SQLite)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	tn := setup(t, st, slow.URL, 1)
	client := callback.NewClient(true)
	client.Timeout = 100 * time.Millisecond
	w := &callback.Worker{Store: st, Client: client}
	w.RunOnce(context.Background())
	msgs := outbox(t, st, tn)
	attempts, _ := st.CallbackAttempts(context.Background(), tn.ID, msgs[0].ID)
	if len(attempts) != 1 || attempts[0].Success || attempts[0].Error == "" || msgs[0].Status != store.OutboxPending {
		t.Fatalf("attempts %+v, status %s", attempts, msgs[0].Status)
	}
}

// TestKilledProcessLosesNothing claims callbacks as a process that then dies
// would, and shows another process delivers them once the lease ends.
func TestKilledProcessLosesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		advance := clock(st)
		rcv := newReceiver(t)
		tn := setup(t, st, rcv.URL, 3)
		if due, err := st.ClaimCallbacks(context.Background(), st.Now(), 10, time.Minute); err != nil || len(due) != 3 {
			t.Fatalf("claimed %d (%v)", len(due), err)
		}
		w := &callback.Worker{Store: st, Client: callback.NewClient(true)}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatal("leased callbacks were claimed twice")
		}
		advance(61 * time.Second)
		if n, _ := w.RunOnce(context.Background()); n != 3 || rcv.count() != 3 {
			t.Fatalf("after the lease: claimed %d, received %d", n, rcv.count())
		}
		for _, m := range outbox(t, st, tn) {
			if m.Status != store.OutboxDelivered {
				t.Fatalf("outbox %+v", m)
			}
		}
	})
}

// TestWorkersNeverDeliverTwice runs several workers at once on one database,
// as several serve processes would.
func TestWorkersNeverDeliverTwice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		rcv := newReceiver(t)
		setup(t, st, rcv.URL, 100)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &callback.Worker{Store: st, Client: callback.NewClient(true), Batch: 7}
				for {
					n, err := w.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, h := range rcv.heads {
			seen[h.Get("webhook-id")]++
		}
		if len(seen) != 100 || rcv.count() != 100 {
			t.Fatalf("%d deliveries of %d callbacks", rcv.count(), len(seen))
		}
	})
}

func TestAddressGuard(t *testing.T) {
	for addr, allowed := range map[string]bool{
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fd00::1": false, "::ffff:127.0.0.1": false,
		"224.0.0.1": false, "93.184.216.34": true, "2606:4700::1111": true,
		// IPv6 forms that carry an IPv4 address: NAT64, local-use NAT64, 6to4,
		// IPv4-compatible, Teredo; and other special-purpose ranges.
		"64:ff9b::7f00:1": false, "64:ff9b::a9fe:a9fe": false, "64:ff9b:1::a00:1": false,
		"2002:7f00:1::1": false, "2002:a00:1::": false, "::7f00:1": false, "::a00:1": false,
		"2001::1": false, "2001:0:4136:e378:8000:63bf:3fff:fdd2": false, "2001:db8::1": false,
		"198.51.100.1": false, "203.0.113.7": false, "240.0.0.1": false, "255.255.255.255": false,
		"::": false, "ff02::1": false, "::ffff:10.0.0.1": false, "192.88.99.1": false,
		"8.8.8.8": true, "2a00:1450:4001:80b::200e": true,
	} {
		if got := callback.AllowedAddress(mustAddr(t, addr)); got != allowed {
			t.Errorf("%s allowed = %v, want %v", addr, got, allowed)
		}
	}
	// Outside the sandbox the client refuses loopback before connecting.
	rcv := newReceiver(t)
	_, err := callback.NewClient(false).Post(rcv.URL, "application/json", nil)
	if !errors.Is(err, callback.ErrForbiddenAddress) || rcv.count() != 0 {
		t.Fatalf("production client reached loopback: %v (%d requests)", err, rcv.count())
	}
	// A name that resolves to loopback is refused too: the check is on the dialled address.
	_, err = callback.NewClient(false).Get("http://localhost:" + strconv.Itoa(rcv.Listener.Addr().(*net.TCPAddr).Port))
	if !errors.Is(err, callback.ErrForbiddenAddress) {
		t.Fatalf("localhost: %v", err)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
