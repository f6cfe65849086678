package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// ScaleResult is what the hot reads cost with Links payment links stored.
type ScaleResult struct {
	Engine     string  `json:"engine"`
	Links      int     `json:"links"`
	SeedS      float64 `json:"seed_s"`
	ListPageMS float64 `json:"list_page_ms"`    // a page of 50, deep in the list (cursor), median
	GetLinkMS  float64 `json:"get_link_ms"`     // one link by id, median
	SweepMS    float64 `json:"expiry_sweep_ms"` // the due-links query of the expiry sweep, median
	// The whole list as a plain array (no x-api-version), read from a
	// running `pinglinks serve` (only when Config.Exe is set): how long it
	// took, how much it was, and the server's peak RSS meanwhile.
	PlainListS      float64 `json:"plain_list_s,omitempty"`
	PlainListMB     float64 `json:"plain_list_mb,omitempty"`
	ServerPeakRSSMB float64 `json:"server_peak_rss_mb,omitempty"`
}

// Scale seeds a fresh database with n links for one tenant (all but a few
// due in the future) and times the reads that must not grow with n.
func (c *Config) Scale(ctx context.Context, engine string, n int) (ScaleResult, error) {
	dir, err := os.MkdirTemp("", "pinglinks-scale")
	if err != nil {
		return ScaleResult{}, err
	}
	defer os.RemoveAll(dir)
	dbURL, drop, err := c.database(engine, dir)
	if err != nil {
		return ScaleResult{}, err
	}
	defer drop()
	st, err := store.Open(dbURL)
	if err != nil {
		return ScaleResult{}, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return ScaleResult{}, err
	}
	t, tree, secret, err := pinglinks.NewTenant("scale", true, st.Now())
	if err != nil {
		return ScaleResult{}, err
	}
	if err := st.CreateTenant(ctx, t, tree); err != nil {
		return ScaleResult{}, err
	}
	order := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: t.ID, Status: pinglinks.OrderOpen, Currency: pinglinks.SEK,
		SplitTreeID: tree.ID, CreatedAt: st.Now()}
	if err := st.CreateOrder(ctx, t.ID, order); err != nil {
		return ScaleResult{}, err
	}
	start := time.Now()
	if err := seedLinks(ctx, st, engine, t.ID, order.ID, n); err != nil {
		return ScaleResult{}, err
	}
	r := ScaleResult{Engine: engine, Links: n, SeedS: time.Since(start).Seconds()}
	c.logf("%s: seeded %d links in %.1f s", engine, n, r.SeedS)

	// Cursors and ids to read, taken from the middle of the list.
	var ids []uuid.UUID
	rows, err := st.DB().QueryContext(ctx, `SELECT id FROM payment_links WHERE tenant_id = $1 ORDER BY id LIMIT 200 OFFSET $2`, t.ID, n/2)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var id uuid.UUID
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return r, fmt.Errorf("bench: no links seeded")
	}
	median := func(fn func(i int) error) (float64, error) {
		var d []time.Duration
		for i := 0; i < 200; i++ {
			s := time.Now()
			if err := fn(i); err != nil {
				return 0, err
			}
			d = append(d, time.Since(s))
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[len(d)/2].Microseconds()) / 1000, nil
	}
	if r.ListPageMS, err = median(func(i int) error {
		_, _, err := st.Links(ctx, t.ID, store.LinkFilter{}, store.Page{Limit: 50, After: ids[i%len(ids)]})
		return err
	}); err != nil {
		return r, err
	}
	if r.GetLinkMS, err = median(func(i int) error {
		_, err := st.Link(ctx, t.ID, ids[i%len(ids)])
		return err
	}); err != nil {
		return r, err
	}
	if r.SweepMS, err = median(func(int) error {
		due, err := st.DueLinks(ctx, st.Now(), 100)
		if err == nil && len(due) != 10 {
			err = fmt.Errorf("bench: %d links due, want the 10 seeded due", len(due))
		}
		return err
	}); err != nil {
		return r, err
	}
	if c.Exe != "" {
		if err := c.readPlainList(ctx, dbURL, t.ID.String(), secret, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// readPlainList starts the server on the seeded database and reads every
// link as one plain JSON array, decoding it as a stream so the client's own
// memory stays flat, while the server's peak RSS is recorded.
func (c *Config) readPlainList(ctx context.Context, dbURL, tenantID, secret string, r *ScaleResult) error {
	srv, err := startServer(c.Exe, []string{"serve", "--database-url", dbURL}, []string{"PINGLINKS_RATE_LIMIT=0"}, io.Discard)
	if err != nil {
		return err
	}
	defer srv.stop()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+srv.addr+"/payment_links/api/v1/payment_links", nil)
	if err != nil {
		return err
	}
	req.Header.Set("tenant_id", tenantID)
	req.Header.Set("x-api-secret", secret)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("bench: plain list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: plain list answered %s", resp.Status)
	}
	counted := &countingReader{r: resp.Body}
	dec := json.NewDecoder(counted)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("bench: plain list: %w", err)
	}
	n := 0
	for dec.More() {
		var l struct {
			ID string `json:"payment_link_id"`
		}
		if err := dec.Decode(&l); err != nil {
			return fmt.Errorf("bench: plain list item %d: %w", n, err)
		}
		n++
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("bench: plain list end: %w", err)
	}
	if n != r.Links {
		return fmt.Errorf("bench: plain list held %d links, want %d", n, r.Links)
	}
	r.PlainListS = time.Since(start).Seconds()
	r.PlainListMB = float64(counted.n) / (1 << 20)
	r.ServerPeakRSSMB = srv.peakRSSMB()
	c.logf("%s: plain list of %d links, %.1f MB in %.1f s, server peak RSS %.0f MB", r.Engine, n, r.PlainListMB, r.PlainListS, r.ServerPeakRSSMB)
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// seedLinks writes n links in the database itself (generate_series on
// PostgreSQL, a recursive CTE on SQLite): 10 of them already due, the rest
// due next year, so the expiry sweep has a little to find among many.
func seedLinks(ctx context.Context, st *store.Store, engine string, tenantID, orderID uuid.UUID, n int) error {
	customer := `{"first_name":"Åsa","last_name":"Öberg","email":"asa@example.com"}`
	items := `[{"description":"Honung 500 g","merchant_id":"01a2118b-a2cf-7446-afaa-c267239684c7","price":7000,"quantity":2,"vat":12}]`
	supplier := `{"name":"Biodlarna AB"}`
	methods := `[{"provider":"dummy","method":"dummy"}]`
	now := st.Now()
	past, future := now.Add(-time.Hour), now.Add(365*24*time.Hour)
	var q string
	if engine == "postgres" {
		q = `INSERT INTO payment_links (id, tenant_id, order_id, payment_id, token, receipt_token, status, sms_status,
			customer, due_date, expires_at, items, supplier, currency, total_amount, locale, provider_methods, created_at, updated_at)
			SELECT gen_random_uuid(), $1, $2, gen_random_uuid(), 't' || g, 'r' || g, 'CREATED', 'NOT_CREATED',
			$3, '2027-01-01', CASE WHEN g <= 10 THEN $8::timestamptz ELSE $9::timestamptz END, $4, $5, 'SEK', 14000, 'sv-SE', $6, $7, $7
			FROM generate_series(1, $10::int) AS g`
	} else {
		q = `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $10)
			INSERT INTO payment_links (id, tenant_id, order_id, payment_id, token, receipt_token, status, sms_status,
			customer, due_date, expires_at, items, supplier, currency, total_amount, locale, provider_methods, created_at, updated_at)
			SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-7' || substr(hex(randomblob(2)), 2) || '-8' ||
			substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), $1, $2, lower(hex(randomblob(16))), 't' || i, 'r' || i,
			'CREATED', 'NOT_CREATED', $3, '2027-01-01', CASE WHEN i <= 10 THEN $8 ELSE $9 END, $4, $5, 'SEK', 14000, 'sv-SE', $6, $7, $7
			FROM g`
	}
	if _, err := st.DB().ExecContext(ctx, q, tenantID, orderID, customer, items, supplier, methods, now, past, future, n); err != nil {
		return fmt.Errorf("bench: seed links: %w", err)
	}
	analyze := "ANALYZE"
	_, err := st.DB().ExecContext(ctx, analyze)
	return err
}
