package api_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/sandbox"
	"github.com/pinglinks/pinglinks/store"
)

// tenantOf reads a tenant as stored (for its sandbox page key).
func tenantOf(t *testing.T, e *apitest.Env, id uuid.UUID) *pinglinks.Tenant {
	t.Helper()
	tn, err := e.Store.Tenant(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// elks speaks 46elks's send API: a form POST to /a1/sms with basic auth
// u:p answered with the new message's id.
type elks struct {
	mu    sync.Mutex
	forms []url.Values
}

func (g *elks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if r.Method != "POST" || r.URL.Path != "/a1/sms" || !ok || user != "u" || pass != "p" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	r.ParseForm()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forms = append(g.forms, r.PostForm)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"s%d","status":"created","to":%q}`, len(g.forms), r.PostForm.Get("to"))
}

func (g *elks) sent() []url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]url.Values(nil), g.forms...)
}

// smsPlatform serves a second platform on the env's store, configured with
// an SMS gateway (PINGLINKS_SMS_URL) as `pinglinks serve` would be.
func smsPlatform(t *testing.T, e *apitest.Env, gw *elks) (*platform.Platform, *httptest.Server) {
	t.Helper()
	gsrv := httptest.NewServer(gw)
	t.Cleanup(gsrv.Close)
	srv := httptest.NewUnstartedServer(nil)
	p, err := platform.New(platform.Config{Store: e.Store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sandbox: true, PublicURL: "http://" + srv.Listener.Addr().String(), SMSFrom: "Biodlarna",
		SMSURL: "http://u:p@" + gsrv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return p, srv
}

func TestSMSDeliveryReports(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		gw := &elks{}
		p, srv := smsPlatform(t, e, gw)
		secret := p.API.SMSReportSecret
		if len(secret) < 22 || strings.Contains(secret, "u:p") {
			t.Fatalf("report secret %q", secret)
		}
		ctx := context.Background()
		var links []apitest.Link
		for i := 0; i < 3; i++ {
			l := e.NewLink(t, nil)
			e.Do(t, "PUT", lv1+"/payment_links/"+l.ID+"/distribute", map[string]any{"methods": []string{"sms"}}).Want(t, 204)
			links = append(links, l)
		}
		if n, err := p.Messages.RunOnce(ctx); err != nil || n != 3 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		forms := gw.sent()
		if len(forms) != 3 {
			t.Fatalf("gateway got %d SMS", len(forms))
		}
		reportURL := forms[0].Get("whendelivered")
		if reportURL != srv.URL+"/sms/reports/"+secret {
			t.Fatalf("whendelivered %q, want %s/sms/reports/%s", reportURL, srv.URL, secret)
		}
		// Which gateway id went to which link: the messages know.
		byID := map[string]string{}
		msgs, err := e.Store.RecentMessages(ctx, e.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			byID[m.ProviderID] = m.LinkID.String()
		}
		for _, l := range links {
			if s := getLink(t, e, l.ID).SMSStatus; s != "PENDING" {
				t.Fatalf("sms_status %s after sending, want PENDING", s)
			}
		}
		v := apitest.NewValidator(t)
		post := func(t *testing.T, target, contentType, body string) int {
			t.Helper()
			req, err := http.NewRequest("POST", target, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			v.Check(t, req, []byte(body), resp, out)
			if resp.StatusCode >= 400 && !strings.Contains(string(out), `"errors"`) {
				t.Errorf("error without an error body: %s", out)
			}
			return resp.StatusCode
		}
		form := "application/x-www-form-urlencoded"
		tests := []struct {
			name, url, contentType, body string
			status                       int
			link                         string // the link whose sms_status changes, by gateway id
			smsStatus                    string
		}{
			{"wrong secret", srv.URL + "/sms/reports/" + strings.Repeat("0", len(secret)), form, "id=s1&status=delivered", 404, "s1", "PENDING"},
			{"secret prefix", srv.URL + "/sms/reports/" + secret[:len(secret)-1], form, "id=s1&status=delivered", 404, "s1", "PENDING"},
			{"no secret configured", e.Server.URL + "/sms/reports/" + secret, form, "id=s1&status=delivered", 404, "s1", "PENDING"},
			{"id missing", reportURL, form, "status=delivered", 422, "", ""},
			{"status unknown", reportURL, form, "id=s1&status=read", 422, "s1", "PENDING"},
			{"status missing", reportURL, form, "id=s1", 422, "s1", "PENDING"},
			{"delivered time bad", reportURL, form, "id=s1&status=delivered&delivered=yesterday", 422, "s1", "PENDING"},
			{"JSON body", reportURL, "application/json", `{"id":"s1","status":"delivered"}`, 422, "s1", "PENDING"},
			{"bad form encoding", reportURL, form, "id=s1&status=%zz", 422, "s1", "PENDING"},
			{"unknown id", reportURL, form, "id=s999&status=delivered", 404, "", ""},
			{"sent: no change", reportURL, form, "id=s1&status=sent", 204, "s1", "PENDING"},
			{"delivered", reportURL, form, "id=s1&status=delivered&delivered=2026-11-25T09:41:07.123000", 204, "s1", "DELIVERED"},
			{"delivered again", reportURL, form, "id=s1&status=delivered", 204, "s1", "DELIVERED"},
			{"failed", reportURL, form, "id=s2&status=failed", 204, "s2", "FAILED"},
			{"delivered, no content type", reportURL, "", "id=s3&status=delivered", 204, "s3", "DELIVERED"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := post(t, tc.url, tc.contentType, tc.body); got != tc.status {
					t.Fatalf("status %d, want %d", got, tc.status)
				}
				if tc.link == "" {
					return
				}
				if s := getLink(t, e, byID[tc.link]).SMSStatus; s != tc.smsStatus {
					t.Fatalf("sms_status of the link of %s is %s, want %s", tc.link, s, tc.smsStatus)
				}
			})
		}
		// The messages themselves say so too.
		msgs, _ = e.Store.RecentMessages(ctx, e.Tenant.ID, 10)
		want := map[string]string{"s1": store.MessageDelivered, "s2": store.MessageFailed, "s3": store.MessageDelivered}
		for _, m := range msgs {
			if m.Status != want[m.ProviderID] {
				t.Errorf("message %s is %s, want %s", m.ProviderID, m.Status, want[m.ProviderID])
			}
		}
		// A status change of sms_status is not a link status change.
		for _, l := range links {
			if cbs := linkCallbacks(t, e, l.ID); len(cbs) != 0 {
				t.Errorf("link callbacks %v for an SMS report", cbs)
			}
		}
	})
}

// The same gateway settings give every process the same report secret;
// other settings another one.
func TestSMSReportSecretDerived(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	secrets := map[string]string{}
	for _, u := range []string{"http://u:p@127.0.0.1:1", "http://u:p@127.0.0.1:1", "http://u:q@127.0.0.1:1", "https://u:p@api.46elks.com"} {
		p, err := platform.New(platform.Config{Store: e.Store, Sandbox: true, PublicURL: "http://x.test", SMSURL: u})
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := secrets[u]; ok && prev != p.API.SMSReportSecret {
			t.Errorf("%s: secret changed between processes", u)
		}
		for other, s := range secrets {
			if other != u && s == p.API.SMSReportSecret {
				t.Errorf("%s and %s share a report secret", u, other)
			}
		}
		secrets[u] = p.API.SMSReportSecret
		if p.Messages.SMSReportURL != "http://x.test/sms/reports/"+p.API.SMSReportSecret {
			t.Errorf("report URL %q", p.Messages.SMSReportURL)
		}
	}
	if e.API.SMSReportSecret != "" {
		t.Errorf("a platform without a gateway has a report secret")
	}
}

func TestSandboxOutbox(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert("x")</script> & Co`
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		e.Do(t, "GET", "/sandbox/outbox", nil).Want(t, 200) // empty
		link := e.NewLink(t, func(b map[string]any) {
			b["supplier"].(map[string]any)["name"] = "Biodlarna " + evil
			b["customer"].(map[string]any)["first_name"] = "<b>Åsa</b>"
		})
		e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/distribute", map[string]any{"methods": []string{"email", "sms"}}).Want(t, 204)
		if n, err := e.Platform.Messages.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		msgs, err := e.Store.RecentMessages(ctx, e.Tenant.ID, 10)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("messages %v, %v", msgs, err)
		}
		var email, text *store.Message
		for _, m := range msgs {
			if m.Channel == store.ChannelEmail {
				email = m
			} else {
				text = m
			}
		}
		if email == nil || text == nil || email.Subject == "" || email.HTML == "" || text.Text == "" {
			t.Fatalf("kept messages: e-mail %+v, SMS %+v", email, text)
		}
		if text.Recipient != "+46701234567" || email.Recipient != "asa@example.com" {
			t.Fatalf("recipients %q, %q", text.Recipient, email.Recipient)
		}
		if l := getLink(t, e, link.ID); l.SMSStatus != pinglinks.SMSDelivered || !l.DistributedByEmail {
			t.Errorf("link after the sandbox kept its messages: sms_status %s, distributed_by_email %v", l.SMSStatus, l.DistributedByEmail)
		}

		page := func(t *testing.T, path string) string {
			t.Helper()
			r := e.Do(t, "GET", path, nil).Want(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Fatalf("Content-Type %q", ct)
			}
			csp := r.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
				strings.Contains(csp, "script-src") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("headers %v", r.Header)
			}
			if strings.Contains(string(r.Body), "<script>") || strings.Contains(string(r.Body), "<b>Åsa") {
				t.Fatalf("%s carries the tenant's markup unescaped:\n%s", path, r.Body)
			}
			return string(r.Body)
		}
		list := page(t, "/sandbox/outbox")
		shown := html.UnescapeString(list)
		wantContains(t, "outbox (unescaped)", shown, text.Recipient, email.Recipient, text.Text, email.Subject, evil,
			link.ID, "/sandbox/outbox/"+email.ID.String())
		wantContains(t, "outbox", list, "&lt;script&gt;")
		// Kept is what happened to them: nothing was delivered.
		if text.Status != store.MessageKept || email.Status != store.MessageKept || strings.Contains(list, "DELIVERED") ||
			strings.Count(list, "kept here, not sent") != 2 {
			t.Errorf("kept messages are %s and %s; the outbox must say kept, not delivered", text.Status, email.Status)
		}
		if strings.Contains(list, "/sandbox/outbox/"+text.ID.String()) {
			t.Errorf("the SMS links to an HTML view it does not have")
		}
		// Per tenant: the tenant's secret link opens its outbox and its
		// e-mails; another tenant, with its own credentials or link, sees
		// none of them; an anonymous visitor or a wrong key sees nothing.
		other := apitest.OtherTenant(t, e)
		mineURL := strings.TrimPrefix(sandbox.OutboxURL(e.Server.URL, tenantOf(t, e, e.Tenant.ID)), e.Server.URL)
		theirsURL := strings.TrimPrefix(sandbox.OutboxURL(e.Server.URL, tenantOf(t, e, other.ID)), e.Server.URL)
		mine := string(e.DoRaw(t, "GET", mineURL, nil).Want(t, 200).Body)
		if !strings.Contains(mine, email.ID.String()) || !strings.Contains(html.UnescapeString(mine), text.Text) {
			t.Errorf("the tenant's secret link does not show its messages")
		}
		_, query, _ := strings.Cut(mineURL, "?")
		if body := string(e.DoRaw(t, "GET", "/sandbox/outbox/"+email.ID.String()+"?"+query, nil).Want(t, 200).Body); body != email.HTML {
			t.Errorf("the secret link does not open the tenant's e-mail")
		}
		if !strings.Contains(html.UnescapeString(mine), "/sandbox/outbox/"+email.ID.String()+"?"+query) {
			t.Errorf("the outbox opened by its link links its e-mails without the key")
		}
		_, theirQuery, _ := strings.Cut(theirsURL, "?")
		for _, tc := range []struct {
			name string
			r    *apitest.Response
		}{
			{"other tenant's link", e.DoRaw(t, "GET", theirsURL, nil).Want(t, 200)},
			{"other tenant's credentials", e.DoRaw(t, "GET", "/sandbox/outbox", nil, "tenant_id", other.ID.String(), "x-api-secret", other.Secret).Want(t, 200)},
			{"other tenant's link, this tenant's id", e.DoRaw(t, "GET", "/sandbox/outbox?tenant_id="+e.Tenant.ID.String()+"&key="+url.QueryEscape(sandbox.PageKey(tenantOf(t, e, other.ID))), nil).Want(t, 401)},
			{"anonymous", e.DoRaw(t, "GET", "/sandbox/outbox", nil).Want(t, 401)},
			{"tenant id alone", e.DoRaw(t, "GET", "/sandbox/outbox?tenant_id="+e.Tenant.ID.String(), nil).Want(t, 401)},
			{"wrong key", e.DoRaw(t, "GET", "/sandbox/outbox?tenant_id="+e.Tenant.ID.String()+"&key=x", nil).Want(t, 401)},
			{"anonymous e-mail", e.DoRaw(t, "GET", "/sandbox/outbox/"+email.ID.String(), nil).Want(t, 401)},
			{"other tenant's e-mail by link", e.DoRaw(t, "GET", "/sandbox/outbox/"+email.ID.String()+"?"+theirQuery, nil).Want(t, 404)},
			{"other tenant's e-mail by credentials", e.DoRaw(t, "GET", "/sandbox/outbox/"+email.ID.String(), nil, "tenant_id", other.ID.String(), "x-api-secret", other.Secret).Want(t, 404)},
		} {
			if body := html.UnescapeString(string(tc.r.Body)); strings.Contains(body, email.ID.String()) ||
				strings.Contains(body, "asa@example.com") || strings.Contains(body, text.Text) {
				t.Errorf("%s: shows this tenant's messages", tc.name)
			}
		}

		// One e-mail as the payer sees it.
		body := page(t, "/sandbox/outbox/"+email.ID.String())
		if body != email.HTML {
			t.Fatalf("the e-mail page is not the e-mail's HTML")
		}
		wantContains(t, "e-mail HTML", html.UnescapeString(body), evil, link.CheckoutURL)
		// An SMS has no HTML: its text, escaped.
		sms := page(t, "/sandbox/outbox/"+text.ID.String())
		wantContains(t, "SMS page", html.UnescapeString(sms), text.Text)

		for _, tc := range []struct {
			path   string
			status int
		}{
			{"/sandbox/outbox/x", 422},
			{"/sandbox/outbox/123", 422},
			{"/sandbox/outbox/01a2118b-a2cf-7446-afaa-c267239684c7", 404},
			{"/sandbox/outbox/" + link.ID, 404},
			{"/sandbox/outbox?tenant_id=acme&key=x", 401},
		} {
			t.Run(tc.path, func(t *testing.T) {
				r := e.Do(t, "GET", tc.path, nil).Want(t, tc.status)
				r.ErrorAt(t)
			})
		}
	})
}

// The outbox lists the newest first.
func TestSandboxOutboxOrder(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	first := e.NewLink(t, func(b map[string]any) { b["customer"].(map[string]any)["email"] = "first@example.com" })
	second := e.NewLink(t, func(b map[string]any) { b["customer"].(map[string]any)["email"] = "second@example.com" })
	for _, l := range []apitest.Link{first, second} {
		e.Do(t, "PUT", lv1+"/payment_links/"+l.ID+"/distribute", map[string]any{"methods": []string{"email"}}).Want(t, 204)
	}
	if _, err := e.Platform.Messages.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	list := string(e.Do(t, "GET", "/sandbox/outbox", nil).Want(t, 200).Body)
	i, j := strings.Index(list, "second@example.com"), strings.Index(list, "first@example.com")
	if i < 0 || j < 0 || i > j {
		t.Fatalf("not newest first (second at %d, first at %d)", i, j)
	}
}

// A link distributed again by SMS (the first number was wrong) shows its
// newest SMS's fate: a late report about the earlier one is recorded on
// that message but does not change the link's sms_status.
func TestSMSReportOfAnEarlierSMS(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		gw := &elks{}
		p, srv := smsPlatform(t, e, gw)
		ctx := context.Background()
		report := func(id, status string) {
			t.Helper()
			resp, err := srv.Client().PostForm(srv.URL+"/sms/reports/"+p.API.SMSReportSecret, url.Values{"id": {id}, "status": {status}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 204 {
				t.Fatalf("report %s %s: %d", id, status, resp.StatusCode)
			}
		}
		link := e.NewLink(t, nil)
		distribute := func(phone string) {
			t.Helper()
			e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/distribute", map[string]any{"methods": []string{"sms"}, "customer_phone": phone}).Want(t, 204)
		}
		wantStatus := func(when, want string) {
			t.Helper()
			if s := getLink(t, e, link.ID).SMSStatus; s != want {
				t.Fatalf("%s: sms_status %s, want %s", when, s, want)
			}
		}
		distribute("+46701111111") // wrong
		if n, err := p.Messages.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		wantStatus("first SMS sent", "PENDING")
		distribute("+46702222222") // right
		wantStatus("second SMS queued", "CREATED")
		report("s1", "failed")
		wantStatus("the first SMS failed while the second waits", "CREATED")
		if n, err := p.Messages.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		wantStatus("second SMS sent", "PENDING")
		report("s2", "delivered")
		wantStatus("second SMS delivered", "DELIVERED")
		report("s1", "failed") // again, late
		wantStatus("a late report of the first SMS", "DELIVERED")
		msgs, _ := e.Store.RecentMessages(ctx, e.Tenant.ID, 10)
		got := map[string]string{}
		for _, m := range msgs {
			got[m.ProviderID] = m.Status
		}
		if got["s1"] != store.MessageFailed || got["s2"] != store.MessageDelivered {
			t.Fatalf("messages %v", got)
		}
	})
}

// Outside the sandbox the Mimic deposit and the outbox do not exist; files
// and SMS reports do.
func TestSandboxRoutesOnlyInSandbox(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	link := e.NewLink(t, nil)
	inv := createInvoice(t, e, link.ID, "OCR")
	p, err := platform.New(platform.Config{Store: e.Store, Sandbox: false, PublicURL: "https://links.example",
		SMSURL: "https://u:p@api.46elks.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler()
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/mimic/api/deposit_payment", `{"amount":17000,"currency":"SEK","reference_type":"OCR","reference":"` + inv.Reference + `"}`, 404},
		{"GET", "/sandbox/outbox", "", 404},
		{"GET", "/sandbox/outbox/01a2118b-a2cf-7446-afaa-c267239684c7", "", 404},
		{"GET", strings.TrimPrefix(inv.URL, e.Server.URL), "", 200},
		{"POST", "/sms/reports/" + p.API.SMSReportSecret, "id=s404&status=delivered", 404}, // routed: unknown SMS
		{"POST", "/sms/reports/" + p.API.SMSReportSecret, "id=s404&status=sent", 204},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		req.Header.Set("tenant_id", e.Tenant.ID.String())
		if strings.HasPrefix(tc.path, "/sms/") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d: %.200s", tc.method, tc.path, rec.Code, tc.status, rec.Body.String())
		}
	}
	if s := getLink(t, e, link.ID).Status; s != "CREATED" {
		t.Fatalf("link %s", s)
	}
}
