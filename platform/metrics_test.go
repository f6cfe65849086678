package platform_test

import (
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/testdb"
)

// metric is the value of the sample named exactly by series (name and
// labels as exposed), or -1 if /metrics lacks it.
func metric(t *testing.T, e *apitest.Env, series string) float64 {
	t.Helper()
	body := string(e.DoRaw(t, "GET", "/metrics", nil).Want(t, 200).Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v
}

// TestMetrics follows a link through creation, distribution, payment, an
// invoice and the workers, and checks each metric beyond the HTTP ones
// moves as it should.
func TestMetrics(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			e := apitest.New(t, engine)
			// A clock the test moves, for the queue's age.
			var clock atomic.Int64
			clock.Store(time.Now().UTC().Truncate(time.Second).UnixMicro())
			e.Store.Now = func() time.Time { return time.UnixMicro(clock.Load()).UTC() }

			want := func(series string, v float64) {
				t.Helper()
				if got := metric(t, e, series); got != v {
					t.Errorf("%s = %v, want %v", series, got, v)
				}
			}
			want(`pinglinks_queue_pending{queue="callbacks"}`, 0)
			want(`pinglinks_queue_oldest_pending_age_seconds{queue="callbacks"}`, 0)
			want(`pinglinks_queue_pending{queue="messages"}`, 0)
			want(`pinglinks_callback_attempts_total{outcome="delivered"}`, 0)
			want(`pinglinks_message_attempts_total{channel="email",outcome="sent"}`, 0)
			if v := metric(t, e, `go_sql_max_open_connections{db_name="`+string(engine)+`"}`); v <= 0 {
				t.Errorf("database pool: max open connections %v", v)
			}

			link := e.NewLink(t, func(b map[string]any) {
				b["payment_link_status_callback_url"] = e.Server.URL + "/sandbox/inbox/" + e.Tenant.ID.String()
			})
			e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute", map[string]any{"methods": []string{"email"}}).Want(t, 204)
			e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
			clock.Add((90 * time.Second).Microseconds())

			want(`pinglinks_link_status_transitions_total{from="CREATED",to="COMPLETED"}`, 1)
			want(`pinglinks_queue_pending{queue="callbacks"}`, 1)
			want(`pinglinks_queue_oldest_pending_age_seconds{queue="callbacks"}`, 90)
			if v := metric(t, e, `pinglinks_queue_pending{queue="messages"}`); v < 1 {
				t.Errorf("messages pending %v, want the link e-mail (and the receipt)", v)
			}
			body := string(e.DoRaw(t, "GET", "/metrics", nil).Body)
			if !regexp.MustCompile(`(?m)^pinglinks_payments\{provider="[a-z_]+",status="COMPLETED"\} 1$`).MatchString(body) {
				t.Errorf("no completed payment counted:\n%s", grep(body, "pinglinks_payments"))
			}

			// A document is rendered once, then served from the database.
			want(`pinglinks_document_render_seconds_count{kind="receipt",outcome="ok"}`, -1)
			var receipt struct{ URL string }
			e.Do(t, "GET", "/payment_links/api/v1/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &receipt)
			path := strings.TrimPrefix(receipt.URL, e.Server.URL)
			if !strings.HasPrefix(path, "/files/") {
				t.Fatalf("receipt url %q", receipt.URL)
			}
			e.DoRaw(t, "GET", path, nil).Want(t, 200)
			e.DoRaw(t, "GET", path, nil).Want(t, 200)
			want(`pinglinks_document_render_seconds_count{kind="receipt",outcome="ok"}`, 1)

			// The workers drain both queues.
			e.StartWorkers(t)
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if metric(t, e, `pinglinks_queue_pending{queue="callbacks"}`) == 0 && metric(t, e, `pinglinks_queue_pending{queue="messages"}`) == 0 {
					break
				}
			}
			want(`pinglinks_queue_pending{queue="callbacks"}`, 0)
			want(`pinglinks_queue_oldest_pending_age_seconds{queue="callbacks"}`, 0)
			want(`pinglinks_queue_pending{queue="messages"}`, 0)
			want(`pinglinks_callback_attempts_total{outcome="delivered"}`, 1)
			if v := metric(t, e, `pinglinks_message_attempts_total{channel="email",outcome="sent"}`); v < 1 {
				t.Errorf("e-mails sent %v", v)
			}
		})
	}
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
