package api

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/store"
)

type callbackJSON struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	URL       string          `json:"url"`
	Payload   json.RawMessage `json:"payload"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	CreatedAt string          `json:"created_at"`
}

func toCallbackJSON(m store.OutboxMessage) callbackJSON {
	return callbackJSON{ID: m.ID.String(), Kind: m.Kind, URL: m.URL, Payload: json.RawMessage(m.Payload),
		Status: m.Status, Attempts: m.Attempts, CreatedAt: formatTime(m.CreatedAt)}
}

// listCallbacks lists the tenant's callbacks (the outbox), oldest first.
func (s *Server) listCallbacks(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	tenantID := tenantFrom(r).ID
	return serveList(w, r, lr,
		func(p store.Page) ([]store.OutboxMessage, store.PageInfo, error) {
			return s.Store.Outbox(r.Context(), tenantID, p)
		},
		func(m store.OutboxMessage) uuid.UUID { return m.ID }, toCallbackJSON)
}

func (s *Server) getCallback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.Store.Callback(r.Context(), tenantFrom(r).ID, id)
	if err != nil {
		return err
	}
	attempts, err := s.Store.CallbackAttempts(r.Context(), tenantFrom(r).ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		callbackJSON
		DeliveryAttempts []store.CallbackAttempt `json:"delivery_attempts"`
	}{toCallbackJSON(*m), attempts})
	return nil
}

func (s *Server) redeliverCallback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decode(r, &struct{}{}, true); err != nil {
		return err
	}
	if err := s.Store.Redeliver(r.Context(), tenantFrom(r).ID, id); err != nil {
		return err
	}
	return noContent(w)
}
