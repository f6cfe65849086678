package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/bankfiletest"
	"github.com/pinglinks/pinglinks/internal/smtptest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

const op = "/operator/api/v1"

// receiver is the tenant's callback endpoint: it keeps what arrives.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies, rc.heads = append(rc.bodies, b), append(rc.heads, r.Header.Clone())
	rc.mu.Unlock()
}

// signed returns the bodies whose signature verifies with key.
func (rc *receiver) signed(t *testing.T, key string) []map[string]any {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []map[string]any
	for i, b := range rc.bodies {
		if err := callback.Verify(key, rc.heads[i], b, time.Hour, time.Now()); err != nil {
			t.Fatalf("callback %s: %v", b, err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// prod is a production platform with real SMTP, a tenant whose callbacks
// go to a receiver, and an operator.
type prod struct {
	*apitest.Env
	smtp     *smtptest.Server
	rcv      *receiver
	rcvURL   string
	key      string // the tenant's callback signing key
	opSecret string
}

func newProd(t *testing.T, engine store.Engine) *prod {
	smtpSrv := smtptest.Start(t, nil)
	e := apitest.NewProduction(t, engine, func(c *platform.Config) {
		c.SMTPURL = "smtp://" + smtpSrv.Addr
	})
	// The tenant's receiver listens on loopback, which production's callback
	// client refuses (SSRF guard); the test lets this one through.
	e.Platform.Callbacks.Client = callback.NewClient(true)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	o, secret, err := pinglinks.NewOperator("ops", e.Store.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.CreateOperator(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	p := &prod{Env: e, smtp: smtpSrv, rcv: rc, rcvURL: srv.URL, opSecret: secret}
	e.Do(t, "PUT", v1+"/tenant", map[string]any{"merchant_status_callback_url": srv.URL + "/merchants"}).Want(t, 204)
	var tn struct {
		Key string `json:"callback_signing_key"`
	}
	e.Do(t, "GET", v1+"/tenant", nil).Want(t, 200).JSON(t, &tn)
	p.key = tn.Key
	return p
}

func (p *prod) op(t *testing.T, method, path string, body any, headers ...string) *apitest.Response {
	t.Helper()
	return p.DoRaw(t, method, op+path, body, append([]string{"Authorization", "Bearer " + p.opSecret}, headers...)...)
}

// drain runs the callback and message workers until nothing is due.
func (p *prod) drain(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for range 10 {
		n1, err := p.Platform.Callbacks.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n2, err := p.Platform.Messages.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n1+n2 == 0 {
			return
		}
	}
}

// invoicedLink creates an approved merchant's link in currency for amount,
// payable by bank transfer, with an invoice of refType; it returns the link
// id and its reference.
func (p *prod) invoicedLink(t *testing.T, currency string, refType string) (id, ref string) {
	t.Helper()
	mid := p.Do(t, "POST", v1+"/merchants", map[string]any{"name": "Biodlarna",
		"organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"}}).Want(t, 200).ID(t)
	p.op(t, "PUT", "/merchants/"+mid+"/approve", nil).Want(t, 204)
	oid := p.Do(t, "POST", v1+"/payment_orders", map[string]any{"currency": currency}).Want(t, 200).ID(t)
	body := apitest.LinkBody(oid, mid)
	body["currency"] = currency
	body["payment_link_status_callback_url"] = p.rcvURL + "/links"
	body["payment_provider_methods"] = []map[string]any{{"provider": "ping", "method": "deposit"}}
	id = p.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200).ID(t)
	inv := createInvoice(t, p.Env, id, refType)
	return id, inv.Reference
}

var day = time.Now().UTC().Truncate(24 * time.Hour)

// Done when (issue 18): in production, an invoice's OCR in a BgMax file
// completes the link, the tenant gets the signed callback and the payer the
// receipt; a KID in a Nets OCR giro file does the same for a NOK link. The
// same file twice books nothing twice; a corrupted file books nothing and
// names the line.
func TestBankFilesCompleteLinks(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := newProd(t, engine)
			sekLink, ocr := p.invoicedLink(t, "SEK", "OCR")
			nokLink, kid := p.invoicedLink(t, "NOK", "KID")
			p.drain(t)
			before := len(p.smtp.Received())

			bg := bankfiletest.BgMax(time.Now().UTC(), bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 1,
				Payments: []bankfiletest.BgPayment{
					{Reference: ocr, Amount: 17000, Serial: 1, PayerBG: 3783511, PayerName: "Åsa Öberg"},
					{Reference: "faktura 7", Amount: 500, Serial: 2, PayerBG: 1234567}, // kept unmatched
				}})
			ny := bankfiletest.OCRGiro(day, bankfiletest.NetsAssignment{Account: "1503.27.19535", Number: 1, Settled: day,
				Payments: []bankfiletest.NetsTransaction{{KID: kid, Amount: 17000, Date: day, Archive: 4711}}})

			for _, tc := range []struct {
				name, link string
				file       []byte
				booked     int
			}{{"bgmax.txt", sekLink, bg, 1}, {"ocr.txt", nokLink, ny, 1}} {
				var f struct {
					Status                                  string
					Payments, Booked, Unmatched, Duplicates int
				}
				p.op(t, "POST", "/bank_files?name="+tc.name, tc.file).Want(t, 201).JSON(t, &f)
				if f.Status != "IMPORTED" || f.Booked != tc.booked || f.Duplicates != 0 {
					t.Fatalf("%s: %+v", tc.name, f)
				}
				if s := getLink(t, p.Env, tc.link).Status; s != "COMPLETED" {
					t.Fatalf("%s: link %s", tc.name, s)
				}
				// Delivered again: nothing is booked twice.
				p.op(t, "POST", "/bank_files?name="+tc.name, tc.file).Want(t, 201).JSON(t, &f)
				if f.Booked != 0 || f.Duplicates != f.Payments {
					t.Fatalf("%s again: %+v", tc.name, f)
				}
			}
			p.drain(t)
			completed := map[string]bool{}
			cbs := p.rcv.signed(t, p.key)
			for _, cb := range cbs {
				if cb["status"] == "COMPLETED" && cb["payment_link_id"] != nil {
					completed[cb["payment_link_id"].(string)] = true
				}
			}
			if !completed[sekLink] || !completed[nokLink] {
				t.Fatalf("signed COMPLETED callbacks for %v, want both links; got %v", completed, cbs)
			}
			mails := p.smtp.Received()[before:]
			if len(mails) != 2 || !bytes.Contains(mails[0], []byte("asa@example.com")) {
				t.Fatalf("%d receipt e-mails after the imports", len(mails))
			}

			// The unmatched payment waits for the operator.
			var un []struct {
				ID, Status, Reason, Reference string
				Amount                        int64
			}
			p.op(t, "GET", "/bank_payments?status=UNMATCHED", nil).Want(t, 200).JSON(t, &un)
			if len(un) != 1 || un[0].Amount != 500 || un[0].Reference != "faktura 7" || un[0].Reason == "" {
				t.Fatalf("unmatched %+v", un)
			}

			// A corrupted file: refused, naming the line; nothing booked.
			bad := bankfiletest.BgMax(time.Now().UTC(), bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 2,
				Payments: []bankfiletest.BgPayment{{Reference: ocr, Amount: 9900, Serial: 9, PayerBG: 3783511}}})
			bad = bytes.Replace(bad, []byte("000000000000009900"), []byte("000000000000009901"), 1) // the payment, not the deposit
			r := p.op(t, "POST", "/bank_files?name=bad.txt", bad).Want(t, 422)
			if code, prop := r.ErrorAt(t); code != "validation_error" || prop != "file" || !strings.Contains(string(r.Body), "line 4") {
				t.Fatalf("refusal %s", r.Body)
			}
			var all []struct{ ID string }
			p.op(t, "GET", "/bank_payments", nil).Want(t, 200).JSON(t, &all)
			if len(all) != 3 {
				t.Fatalf("%d bank payments after the refused file, want 3", len(all))
			}
			var files []struct{ Status, Reason string }
			p.op(t, "GET", "/bank_files", nil).Want(t, 200).JSON(t, &files)
			if len(files) != 5 || files[4].Status != "REFUSED" || !strings.Contains(files[4].Reason, "line 4") {
				t.Fatalf("files %+v", files)
			}
		})
	}
}

// The operator's API: its credential, merchant review with the status
// callback, tenants, and the unmatched payments' queue.
func TestOperatorAPI(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := newProd(t, engine)
			// Only the operator's credential opens the operator API.
			for _, h := range [][]string{{}, {"Authorization", "Bearer op_wrong"}, {"Authorization", "Bearer " + p.Tenant.Secret},
				{"tenant_id", p.Tenant.ID.String(), "x-api-secret", p.Tenant.Secret}} {
				p.DoRaw(t, "GET", op+"/tenants", nil, h...).Want(t, 401)
			}
			// A production merchant waits for review; the operator approves it.
			mid := p.Do(t, "POST", v1+"/merchants", map[string]any{"name": "Biodlarna",
				"organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"}}).Want(t, 200).ID(t)
			var m struct{ Status string }
			p.Do(t, "GET", v1+"/merchants/"+mid, nil).Want(t, 200).JSON(t, &m)
			if m.Status != "CREATED" {
				t.Fatalf("production merchant %s, want CREATED (pending review)", m.Status)
			}
			var queue []struct {
				ID, Status string
				TenantID   string `json:"tenant_id"`
			}
			p.op(t, "GET", "/merchants?status=CREATED", nil).Want(t, 200).JSON(t, &queue)
			if len(queue) != 1 || queue[0].ID != mid || queue[0].TenantID != p.Tenant.ID.String() {
				t.Fatalf("review queue %+v", queue)
			}
			p.op(t, "PUT", "/merchants/"+mid+"/approve", nil, "Idempotency-Key", "a1").Want(t, 204)
			p.op(t, "PUT", "/merchants/"+mid+"/approve", nil, "Idempotency-Key", "a1").Want(t, 204) // replayed
			p.op(t, "PUT", "/merchants/"+mid+"/reject", nil).Want(t, 403)
			p.op(t, "PUT", "/merchants/not-a-uuid/approve", nil).Want(t, 422)
			p.op(t, "PUT", "/merchants/01a2118b-a2cf-7446-afaa-c267239684c7/approve", nil).Want(t, 404)
			p.op(t, "GET", "/merchants?status=PENDING", nil).Want(t, 422)
			p.Do(t, "GET", v1+"/merchants/"+mid, nil).Want(t, 200).JSON(t, &m)
			if m.Status != "APPROVED" {
				t.Fatalf("merchant %s after approval", m.Status)
			}
			p.drain(t)
			if cbs := p.rcv.signed(t, p.key); len(cbs) != 1 || cbs[0]["merchant_id"] != mid || cbs[0]["status"] != "APPROVED" {
				t.Fatalf("merchant status callbacks %v", cbs)
			}

			// Tenants: create, list (paginated too), disable.
			var creds struct {
				TenantID  string `json:"tenant_id"`
				APISecret string `json:"api_secret"`
			}
			p.op(t, "POST", "/tenants", map[string]any{"name": "Acme"}).Want(t, 201).JSON(t, &creds)
			p.op(t, "POST", "/tenants", map[string]any{"name": " "}).Want(t, 422)
			p.DoRaw(t, "GET", v1+"/tenant", nil, "tenant_id", creds.TenantID, "x-api-secret", creds.APISecret).Want(t, 200)
			var page struct {
				Data []struct {
					ID         string
					Sandbox    bool
					DisabledAt *string `json:"disabled_at"`
				}
			}
			p.op(t, "GET", "/tenants?limit=1", nil, "x-api-version", "2025-03-06").Want(t, 200).JSON(t, &page)
			if len(page.Data) != 1 || page.Data[0].Sandbox {
				t.Fatalf("tenants page %+v", page)
			}
			link, _ := p.invoicedLink(t, "SEK", "OCR")
			var l struct {
				CheckoutURL string `json:"checkout_url"`
			}
			p.Do(t, "GET", lv1+"/payment_links/"+link, nil).Want(t, 200).JSON(t, &l)
			p.op(t, "PUT", "/tenants/"+p.Tenant.ID.String()+"/disable", nil).Want(t, 204)
			p.Do(t, "GET", v1+"/tenant", nil).Want(t, 401)
			page2 := p.DoRaw(t, "GET", strings.TrimPrefix(l.CheckoutURL, p.Server.URL), nil)
			if page2.Status != 200 || bytes.Contains(page2.Body, []byte("<form")) {
				t.Fatalf("a disabled tenant's checkout: %d, form shown: %v", page2.Status, bytes.Contains(page2.Body, []byte("<form")))
			}

			// Unmatched payments: assigned to a link, or returned.
			bg := bankfiletest.BgMax(time.Now().UTC(), bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 1,
				Payments: []bankfiletest.BgPayment{{Reference: "fel", Amount: 17000, Serial: 1, PayerBG: 1},
					{Reference: "fel igen", Amount: 100, Serial: 2, PayerBG: 1}}})
			p.op(t, "POST", "/bank_files?name=x", bg).Want(t, 201)
			var un []struct{ ID string }
			p.op(t, "GET", "/bank_payments?status=UNMATCHED", nil).Want(t, 200).JSON(t, &un)
			if len(un) != 2 {
				t.Fatalf("%d unmatched", len(un))
			}
			// The disabled tenant's link takes no money, not even by hand.
			p.op(t, "PUT", "/bank_payments/"+un[0].ID+"/assign", map[string]any{"tenant_id": p.Tenant.ID, "payment_link_id": link}).Want(t, 403)
			p.op(t, "PUT", "/bank_payments/"+un[0].ID+"/assign", map[string]any{"tenant_id": "x"}).Want(t, 422)
			var ret struct{ Status string }
			p.op(t, "PUT", "/bank_payments/"+un[1].ID+"/return", nil).Want(t, 200).JSON(t, &ret)
			if ret.Status != "RETURNED" {
				t.Fatalf("returned: %s", ret.Status)
			}
			p.op(t, "PUT", "/bank_payments/"+un[1].ID+"/return", nil).Want(t, 403)
			p.op(t, "GET", "/bank_payments?status=NEW", nil).Want(t, 422)
			p.op(t, "POST", "/bank_files", "not a bank file").Want(t, 422)
		})
	}
}

// An unmatched payment assigned by the operator completes the link.
func TestOperatorAssigns(t *testing.T) {
	t.Parallel()
	p := newProd(t, store.SQLite)
	link, _ := p.invoicedLink(t, "SEK", "OCR")
	bg := bankfiletest.BgMax(time.Now().UTC(), bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 1,
		Payments: []bankfiletest.BgPayment{{Reference: "faktura", Amount: 17000, Serial: 1, PayerBG: 1}}})
	p.op(t, "POST", "/bank_files", bg).Want(t, 201)
	var un []struct{ ID string }
	p.op(t, "GET", "/bank_payments?status=UNMATCHED", nil).Want(t, 200).JSON(t, &un)
	var got struct {
		Status        string
		PaymentLinkID string `json:"payment_link_id"`
	}
	p.op(t, "PUT", "/bank_payments/"+un[0].ID+"/assign", map[string]any{"tenant_id": p.Tenant.ID, "payment_link_id": link}).
		Want(t, 200).JSON(t, &got)
	if got.Status != "BOOKED" || got.PaymentLinkID != link || getLink(t, p.Env, link).Status != "COMPLETED" {
		t.Fatalf("assigned %+v, link %s", got, getLink(t, p.Env, link).Status)
	}
}
