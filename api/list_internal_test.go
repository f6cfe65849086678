package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/store"
)

// TestStreamedListOutlivesWriteTimeout: a plain list that takes longer than
// the server's WriteTimeout as a whole still arrives whole, because each
// chunk gets its own deadline; the handler runs behind the metrics wrapper,
// as in the server, so the deadline must reach the connection through it.
func TestStreamedListOutlivesWriteTimeout(t *testing.T) {
	t.Parallel()
	ids := make([]uuid.UUID, 3*listChunk+7)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7())
	}
	fetch := func(p store.Page) ([]uuid.UUID, store.PageInfo, error) {
		time.Sleep(150 * time.Millisecond) // each chunk is slow; together they pass the timeout
		start := 0
		for start < len(ids) && p.After != uuid.Nil && ids[start] != p.After {
			start++
		}
		if p.After != uuid.Nil {
			start++
		}
		end := min(start+p.Limit, len(ids))
		return ids[start:end], store.PageInfo{HasNext: end < len(ids)}, nil
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveList(w, r, listRequest{}, fetch, func(id uuid.UUID) uuid.UUID { return id },
			func(id uuid.UUID) string { return id.String() })
	})
	srv := httptest.NewUnstartedServer(newMetrics().instrument(h))
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("list cut off after %d bytes: %v", len(body), err)
	}
	var got []string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("list is not one JSON array (%d bytes): %v", len(body), err)
	}
	if len(got) != len(ids) || got[len(got)-1] != ids[len(ids)-1].String() {
		t.Fatalf("got %d ids, want %d", len(got), len(ids))
	}
}
