// Package bench measures the platform under load: a load generator that
// drives simulated tenants through the tenant's hot path against a
// `pinglinks serve` process, and a baseline server that does nothing but
// insert one row per request into the same engine with the same durability,
// which is the limit the platform is compared with.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/pinglinks/pinglinks/store"
)

// baselineRowBytes is about the size of a payment link row as stored.
const baselineRowBytes = 1200

// BaselineHandler answers POST /rows by inserting one row of about a link's
// size, durably, and nothing else: no auth, no validation, no JSON decoding.
func BaselineHandler(st *store.Store) (http.Handler, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := st.DB().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS baseline_rows (id text PRIMARY KEY, payload text NOT NULL)`); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rows", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		id := make([]byte, 16)
		rand.Read(id)
		if _, err := st.DB().ExecContext(r.Context(), `INSERT INTO baseline_rows (id, payload) VALUES ($1, $2)`,
			hex.EncodeToString(id), string(body)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	return mux, nil
}
