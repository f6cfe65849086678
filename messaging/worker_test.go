package messaging_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/smtptest"
	pmail "github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/messaging"
	"github.com/pinglinks/pinglinks/sms"
	"github.com/pinglinks/pinglinks/store"
)

// gateway speaks 46elks's send API: form POST to /a1/sms with basic auth.
type gateway struct {
	mu     sync.Mutex
	fail   int // answer 503 this many times first
	forms  []url.Values
	nextID int
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if r.URL.Path != "/a1/sms" || !ok || user != "u" || pass != "p" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	r.ParseForm()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail > 0 {
		g.fail--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	g.forms = append(g.forms, r.PostForm)
	g.nextID++
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"id":"s` + string(rune('0'+g.nextID)) + `","status":"created"}`))
}

func setup(t *testing.T, e *apitest.Env, smtpSrv *smtptest.Server, gw *gateway) *messaging.Worker {
	t.Helper()
	w := &messaging.Worker{Store: e.Store, SMSReportURL: "http://127.0.0.1/sms-report",
		CheckoutURL: func(l *pinglinks.PaymentLink) string { return e.Server.URL + "/checkout/" + l.Token },
		FileURL:     func(tok string) string { return e.Server.URL + "/files/" + tok }}
	if smtpSrv != nil {
		s, err := pmail.NewSMTPSender("smtp://"+smtpSrv.Addr, "Ping Payments <no-reply@pinglinks.test>")
		if err != nil {
			t.Fatal(err)
		}
		w.Mail = s
	}
	if gw != nil {
		srv := httptest.NewServer(gw)
		t.Cleanup(srv.Close)
		w.SMS = sms.NewElksClient(srv.URL, "u", "p", srv.Client())
	}
	return w
}

func linkState(t *testing.T, e *apitest.Env, id string) *pinglinks.PaymentLink {
	t.Helper()
	l, err := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSendsEmailAndSMS(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		smtpSrv, gw := smtptest.Start(t, nil), &gateway{}
		w := setup(t, e, smtpSrv, gw)
		link := e.NewLink(t, nil)
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
			map[string]any{"methods": []string{"email", "sms"}}).Want(t, 204)
		if n, err := w.RunOnce(context.Background()); err != nil || n != 2 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		got := smtpSrv.Received()
		if len(got) != 1 {
			t.Fatalf("SMTP server received %d messages", len(got))
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(got[0])))
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mimeWordDecoder)
		subject := dec.decode(msg.Header.Get("Subject"))
		if !strings.Contains(subject, "Biodlarna i Åre AB") || msg.Header.Get("To") != "<asa@example.com>" && !strings.Contains(msg.Header.Get("To"), "asa@example.com") {
			t.Errorf("subject %q to %q", subject, msg.Header.Get("To"))
		}
		if !strings.Contains(string(got[0]), link.CheckoutURL) {
			t.Errorf("the e-mail does not carry the checkout URL %s", link.CheckoutURL)
		}
		if len(gw.forms) != 1 || gw.forms[0].Get("to") != "+46701234567" ||
			!strings.Contains(gw.forms[0].Get("message"), link.CheckoutURL) || gw.forms[0].Get("whendelivered") == "" {
			t.Fatalf("gateway got %v", gw.forms)
		}
		if l := linkState(t, e, link.ID); l.SMSStatus != pinglinks.SMSPending {
			t.Errorf("sms_status after sending = %s, want PENDING", l.SMSStatus)
		}
		if err := e.Store.RecordSMSReport(context.Background(), "s1", true); err != nil {
			t.Fatal(err)
		}
		if l := linkState(t, e, link.ID); l.SMSStatus != pinglinks.SMSDelivered {
			t.Errorf("sms_status after the report = %s, want DELIVERED", l.SMSStatus)
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Errorf("%d messages sent again", n)
		}
	})
}

// A failing SMTP server or gateway loses no message: it is retried on the
// schedule until it goes through.
func TestRetriesUntilSent(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		smtpSrv, gw := smtptest.Start(t, nil), &gateway{fail: 2}
		w := setup(t, e, smtpSrv, gw)
		seen := map[string]int{}
		w.Attempted = func(channel, outcome string) { seen[channel+" "+outcome]++ } // RunOnce sends one at a time
		clock := time.Now().UTC().Truncate(time.Microsecond)
		e.Store.Now = func() time.Time { return clock }
		smtpSrv.SetRcptErr(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
		link := e.NewLink(t, nil)
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
			map[string]any{"methods": []string{"email", "sms"}}).Want(t, 204)
		for i := 0; i < 3; i++ {
			if i == 2 {
				smtpSrv.SetRcptErr(nil)
			}
			if n, err := w.RunOnce(context.Background()); err != nil || n != 2 {
				t.Fatalf("round %d: RunOnce = %d, %v", i, n, err)
			}
			if n, _ := w.RunOnce(context.Background()); n != 0 {
				t.Fatalf("round %d: retried before its time", i)
			}
			clock = clock.Add(messaging.Schedule[i] + messaging.Schedule[i]/5)
		}
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		for _, m := range msgs {
			if m.Status != store.MessageSent || m.Attempts != 3 {
				t.Errorf("%s: status %s after %d attempts (%s)", m.Channel, m.Status, m.Attempts, m.LastError)
			}
		}
		if len(smtpSrv.Received()) != 1 || len(gw.forms) != 1 {
			t.Errorf("received %d e-mails and %d SMS, want 1 each", len(smtpSrv.Received()), len(gw.forms))
		}
		if want := map[string]int{"email retry": 2, "email sent": 1, "sms retry": 2, "sms sent": 1}; !maps.Equal(seen, want) {
			t.Errorf("outcomes told %v, want %v", seen, want)
		}
	})
}

// A permanent refusal (550, gateway 4xx) is not retried; the SMS link says FAILED.
func TestPermanentFailure(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		smtpSrv := smtptest.Start(t, nil)
		smtpSrv.SetRcptErr(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		w := setup(t, e, smtpSrv, nil)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "invalid to", http.StatusBadRequest)
		}))
		defer srv.Close()
		w.SMS = sms.NewElksClient(srv.URL, "u", "p", srv.Client())
		seen := map[string]int{}
		w.Attempted = func(channel, outcome string) { seen[channel+" "+outcome]++ }
		link := e.NewLink(t, nil)
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
			map[string]any{"methods": []string{"email", "sms"}}).Want(t, 204)
		if n, err := w.RunOnce(context.Background()); err != nil || n != 2 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if want := map[string]int{"email failed": 1, "sms failed": 1}; !maps.Equal(seen, want) {
			t.Errorf("outcomes told %v, want %v", seen, want)
		}
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		for _, m := range msgs {
			if m.Status != store.MessageFailed || m.LastError == "" {
				t.Errorf("%s: status %s (%q), want FAILED with a reason", m.Channel, m.Status, m.LastError)
			}
		}
		if l := linkState(t, e, link.ID); l.SMSStatus != pinglinks.SMSFailed {
			t.Errorf("sms_status = %s, want FAILED", l.SMSStatus)
		}
	})
}

// Without SMTP or a gateway (the sandbox), messages are kept, rendered.
func TestSandboxOutbox(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := setup(t, e, nil, nil)
		link := e.NewLink(t, nil)
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
			map[string]any{"methods": []string{"email", "sms"}, "customer_email": "other@example.com"}).Want(t, 204)
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		if len(msgs) != 2 {
			t.Fatalf("%d messages", len(msgs))
		}
		for _, m := range msgs {
			if m.Status != store.MessageKept || !strings.Contains(m.Text, link.CheckoutURL) {
				t.Errorf("%s: %s, text %q", m.Channel, m.Status, m.Text)
			}
			if m.Channel == store.ChannelEmail && (m.Recipient != "other@example.com" || !strings.Contains(m.HTML, link.CheckoutURL) || m.Subject == "") {
				t.Errorf("e-mail to %s subject %q", m.Recipient, m.Subject)
			}
		}
		if l := linkState(t, e, link.ID); l.SMSStatus != pinglinks.SMSDelivered || !l.DistributedByEmail {
			t.Errorf("link sms_status %s by e-mail %v", l.SMSStatus, l.DistributedByEmail)
		}
	})
}

// attachments lists the attached files of a raw e-mail: name → content type.
func attachments(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(ct string, body io.Reader)
	walk = func(ct string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			pct := p.Header.Get("Content-Type")
			if name := p.FileName(); name != "" {
				data, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
				if !bytes.HasPrefix(data, []byte("%PDF")) {
					t.Errorf("attachment %s is not a PDF", name)
				}
				out[name], _, _ = mime.ParseMediaType(pct)
				continue
			}
			walk(pct, p)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return out
}

// The link e-mail carries the invoice PDF once there is an invoice, and the
// payer's receipt e-mail carries the receipt PDF.
func TestDocumentsAttached(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		smtpSrv := smtptest.Start(t, nil)
		w := setup(t, e, smtpSrv, nil)
		w.Attach = e.Platform.Files.Attachment
		link := e.NewLink(t, nil)
		base := "/payment_links/api/v1/payment_links/" + link.ID
		e.Do(t, "PUT", base+"/invoice", map[string]any{"reference_type": "OCR"}).Want(t, 204)
		e.Do(t, "PUT", base+"/distribute", map[string]any{"methods": []string{"email"}}).Want(t, 204)
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := smtpSrv.Received()
		if len(got) != 2 {
			t.Fatalf("%d e-mails", len(got))
		}
		if a := attachments(t, got[0]); a["faktura-1.pdf"] != "application/pdf" {
			t.Errorf("link e-mail attachments %v", a)
		}
		if a := attachments(t, got[1]); a["kvitto-1.pdf"] != "application/pdf" {
			t.Errorf("receipt e-mail attachments %v", a)
		}
		if !strings.Contains(string(got[1]), "Kvitto") {
			t.Errorf("the second e-mail is not the receipt")
		}
	})
}

// stoppingSender stands for a worker being shut down in the middle of a
// batch: its first Send cancels the worker's context.
type stoppingSender struct {
	cancel context.CancelFunc
	sent   int
}

func (s *stoppingSender) Send(ctx context.Context, msg pmail.Message) error {
	s.sent++
	s.cancel()
	return ctx.Err()
}

// A worker stopped mid-batch leaves the rest of its batch to come back
// when the lease ends: shutting down never fails a message for good.
func TestShutdownMidBatchLosesNothing(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := setup(t, e, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		snd := &stoppingSender{cancel: cancel}
		w.Mail = snd
		for range 3 {
			link := e.NewLink(t, nil)
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
				map[string]any{"methods": []string{"email"}}).Want(t, 204)
		}
		if n, _ := w.RunOnce(ctx); n != 3 {
			t.Fatalf("RunOnce claimed %d", n)
		}
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		for _, m := range msgs {
			if m.Status != store.MessageQueued {
				t.Errorf("message %s: %s (%q) after a shutdown, want QUEUED", m.ID, m.Status, m.LastError)
			}
		}
	})
}

// slowSender takes its time over each message, as a slow SMTP server does,
// and counts the messages it got through, by Message-ID.
type slowSender struct {
	delay time.Duration
	mu    sync.Mutex
	sent  map[string]int
}

func (s *slowSender) Send(ctx context.Context, msg pmail.Message) error {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[msg.MessageID]++
	return nil
}

// A worker whose lease ran out while it was busy with the rest of its batch
// must not go on to send what another worker has claimed since: each
// message goes out once.
func TestExpiredLeaseIsNotSentTwice(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		snd := &slowSender{delay: 400 * time.Millisecond, sent: map[string]int{}}
		a, b := setup(t, e, nil, nil), setup(t, e, nil, nil)
		a.Mail, b.Mail = snd, snd
		a.Lease, b.Lease = 600*time.Millisecond, time.Minute
		for range 3 {
			link := e.NewLink(t, nil)
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
				map[string]any{"methods": []string{"email"}}).Want(t, 204)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			a.RunOnce(context.Background())
		}()
		time.Sleep(700 * time.Millisecond) // a's lease is over; it is still busy
		if _, err := b.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		<-done
		for range 3 { // whatever is left, once every lease is over
			if n, err := b.RunOnce(context.Background()); err != nil || n == 0 {
				break
			}
		}
		snd.mu.Lock()
		defer snd.mu.Unlock()
		if len(snd.sent) != 3 {
			t.Errorf("%d messages sent, want 3: %v", len(snd.sent), snd.sent)
		}
		for id, n := range snd.sent {
			if n != 1 {
				t.Errorf("%s sent %d times", id, n)
			}
		}
	})
}

// Workers running at once (several processes on PostgreSQL, or goroutines
// on one SQLite file) each claim their own messages: every message is sent
// exactly once.
func TestConcurrentWorkersSendEachOnce(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		snd := &slowSender{delay: 5 * time.Millisecond, sent: map[string]int{}}
		const links = 12
		for range links {
			link := e.NewLink(t, nil)
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
				map[string]any{"methods": []string{"email"}}).Want(t, 204)
		}
		var wg sync.WaitGroup
		for range 4 {
			w := setup(t, e, nil, nil)
			w.Mail, w.Batch = snd, 3
			wg.Add(1)
			go func() {
				defer wg.Done()
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
		snd.mu.Lock()
		defer snd.mu.Unlock()
		if len(snd.sent) != links {
			t.Errorf("%d messages sent, want %d", len(snd.sent), links)
		}
		for id, n := range snd.sent {
			if n != 1 {
				t.Errorf("%s sent %d times", id, n)
			}
		}
	})
}

// A payment link message still waiting (the SMTP server or the gateway was
// down) when its link stops being payable is not sent: a "pay now" for a
// cancelled or already paid link only confuses the payer.
func TestLinkMessageForALinkNoLongerPayable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(t *testing.T, e *apitest.Env, id string)
	}{
		{"cancelled", func(t *testing.T, e *apitest.Env, id string) {
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+id+"/cancel", map[string]any{}).Want(t, 204)
		}},
		{"paid", func(t *testing.T, e *apitest.Env, id string) {
			e.Do(t, "POST", "/sandbox/payment_links/"+id+"/pay", nil).Want(t, 204)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apitest.Each(t, func(t *testing.T, e *apitest.Env) {
				smtpSrv, gw := smtptest.Start(t, nil), &gateway{}
				w := setup(t, e, smtpSrv, gw)
				link := e.NewLink(t, nil)
				e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
					map[string]any{"methods": []string{"email", "sms"}}).Want(t, 204)
				tt.end(t, e, link.ID)
				for range 3 {
					if n, err := w.RunOnce(context.Background()); err != nil || n == 0 {
						break
					}
				}
				for _, raw := range smtpSrv.Received() {
					if strings.Contains(string(raw), link.CheckoutURL) && !strings.Contains(string(raw), "Kvitto") {
						t.Errorf("a payment link e-mail went out for a %s link", tt.name)
					}
				}
				if len(gw.forms) != 0 {
					t.Errorf("an SMS went out for a %s link: %v", tt.name, gw.forms)
				}
				msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
				for _, m := range msgs {
					if m.Kind == store.MessageLink && (m.Status != store.MessageFailed || m.LastError == "") {
						t.Errorf("%s link message: %s (%q), want FAILED with a reason", m.Channel, m.Status, m.LastError)
					}
				}
			})
		})
	}
}

// lastSender cancels the worker's context, as a shutdown does, just as the
// server accepts the message.
type lastSender struct{ cancel context.CancelFunc }

func (s lastSender) Send(ctx context.Context, msg pmail.Message) error {
	s.cancel()
	return nil
}

// A message the server accepted is recorded as sent even when the worker is
// stopping at that moment: otherwise the next worker sends it again.
func TestAcceptedAsTheWorkerStopsIsRecorded(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := setup(t, e, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w.Mail = lastSender{cancel}
		link := e.NewLink(t, nil)
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
			map[string]any{"methods": []string{"email"}}).Want(t, 204)
		w.RunOnce(ctx)
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		if len(msgs) != 1 || msgs[0].Status != store.MessageSent {
			for _, m := range msgs {
				t.Errorf("message %s: %s (%q)", m.ID, m.Status, m.LastError)
			}
			t.Fatalf("%d messages, want one SENT", len(msgs))
		}
	})
}

// Distributing again replaces what is still waiting on that channel: a
// tenant correcting a wrong address does not also mail the wrong one.
func TestRedistributionSupersedesQueued(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		smtpSrv := smtptest.Start(t, nil)
		w := setup(t, e, smtpSrv, nil)
		link := e.NewLink(t, nil)
		path := "/payment_links/api/v1/payment_links/" + link.ID + "/distribute"
		e.Do(t, "PUT", path, map[string]any{"methods": []string{"email", "sms"}, "customer_email": "wrong@example.com"}).Want(t, 204)
		e.Do(t, "PUT", path, map[string]any{"methods": []string{"email"}, "customer_email": "right@example.com"}).Want(t, 204)
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := smtpSrv.Received()
		if len(got) != 1 || !strings.Contains(string(got[0]), "right@example.com") || strings.Contains(string(got[0]), "wrong@example.com") {
			t.Fatalf("%d e-mails sent; want one, to the corrected address", len(got))
		}
		msgs, _ := e.Store.RecentMessages(context.Background(), e.Tenant.ID, 10)
		status := map[string]string{}
		for _, m := range msgs {
			status[m.Recipient] = m.Status
		}
		if status["wrong@example.com"] != store.MessageFailed || status["+46701234567"] != store.MessageKept {
			t.Errorf("statuses %v: the superseded e-mail should be FAILED, the SMS (another channel) kept", status)
		}
	})
}
