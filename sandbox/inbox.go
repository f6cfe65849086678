package sandbox

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/callback"
)

// inbox is the sandbox's own callback receiver: point a callback URL at
// /sandbox/inbox/{tenant_id} and read what arrived with GET. It keeps the
// last inboxSize callbacks per tenant in memory and checks each signature
// with the tenant's key, as a tenant's receiver should.
type inbox struct {
	mu       sync.Mutex
	received map[uuid.UUID][]inboxEntry
}

const inboxSize = 100

type inboxEntry struct {
	ReceivedAt    string `json:"received_at"`
	WebhookID     string `json:"webhook_id"`
	SignatureOK   bool   `json:"signature_ok"`
	SignatureNote string `json:"signature_error,omitempty"`
	Body          any    `json:"body"`
}

// receiveInbox keeps a callback for the tenant named in the path; its
// signature is checked with that tenant's key, and only that tenant reads it.
func (s *Sandbox) receiveInbox(m *api.Mux) api.Func {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathID(r, "tenant_id")
		if err != nil {
			return err
		}
		t, err := m.TenantByID(r, id)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, api.MaxBodyBytes))
		if err != nil {
			return err
		}
		e := inboxEntry{ReceivedAt: s.Store.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"), WebhookID: r.Header.Get("webhook-id"), Body: rawOrString(body)}
		if err := callback.Verify(t.CallbackSigningKey, r.Header, body, 5*time.Minute, s.Store.Now()); err != nil {
			e.SignatureNote = err.Error()
		} else {
			e.SignatureOK = true
		}
		s.inbox.mu.Lock()
		if s.inbox.received == nil {
			s.inbox.received = map[uuid.UUID][]inboxEntry{}
		}
		list := append(s.inbox.received[id], e)
		if len(list) > inboxSize {
			list = list[len(list)-inboxSize:]
		}
		s.inbox.received[id] = list
		s.inbox.mu.Unlock()
		return api.NoContent(w)
	}
}

// readInbox lists the authenticated tenant's callbacks, oldest first.
func (s *Sandbox) readInbox(w http.ResponseWriter, r *http.Request) error {
	t := api.TenantFrom(r)
	s.inbox.mu.Lock()
	list := append([]inboxEntry{}, s.inbox.received[t.ID]...)
	s.inbox.mu.Unlock()
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}
