package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

type merchantJSON struct {
	ID           string                  `json:"id"`
	Name         string                  `json:"name"`
	Status       string                  `json:"status"`
	Organization *pinglinks.Organization `json:"organization,omitempty"`
	Person       *pinglinks.Person       `json:"person,omitempty"`
	Email        *string                 `json:"email"`
	PhoneNumber  *string                 `json:"phone_number"`
	CreatedAt    string                  `json:"created_at"`
}

func toMerchantJSON(m *pinglinks.Merchant) merchantJSON {
	out := merchantJSON{ID: m.ID.String(), Name: m.Name, Status: m.Status, Organization: m.Organization,
		Person: m.Person, CreatedAt: formatTime(m.CreatedAt)}
	if m.Email != "" {
		out.Email = &m.Email
	}
	if m.PhoneNumber != "" {
		out.PhoneNumber = &m.PhoneNumber
	}
	return out
}

func (s *Server) createMerchant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name         string                  `json:"name"`
		Organization *pinglinks.Organization `json:"organization"`
		Person       *pinglinks.Person       `json:"person"`
		Email        string                  `json:"email"`
		PhoneNumber  string                  `json:"phone_number"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	t := tenantFrom(r)
	m := &pinglinks.Merchant{ID: pinglinks.NewID(), TenantID: t.ID, Name: in.Name, Status: pinglinks.MerchantCreated,
		Organization: in.Organization, Person: in.Person, Email: in.Email, PhoneNumber: in.PhoneNumber,
		CreatedAt: s.Store.Now()}
	if err := s.Flow.RegisterMerchant(r.Context(), t.ID, m, s.Sandbox || t.Sandbox); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": m.ID.String()})
	return nil
}

func (s *Server) getMerchant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.Store.Merchant(r.Context(), tenantFrom(r).ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMerchantJSON(m))
	return nil
}

func (s *Server) listMerchants(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	tenantID := tenantFrom(r).ID
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.Merchant, store.PageInfo, error) {
			return s.Store.Merchants(r.Context(), tenantID, p)
		},
		func(m *pinglinks.Merchant) uuid.UUID { return m.ID }, toMerchantJSON)
}
