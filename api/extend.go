package api

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// An Extension adds routes to the API with the API's conventions
// (authentication, idempotency, JSON errors). The sandbox is one; the API
// itself knows nothing of it.
type Extension interface {
	Routes(m *Mux)
}

// Func handles a request and returns its error; the API writes the error
// (api/errors.go).
type Func func(w http.ResponseWriter, r *http.Request) error

// Mux is what an Extension registers its routes on.
type Mux struct{ s *Server }

// Public registers a JSON route that needs no authentication.
func (m *Mux) Public(pattern string, fn Func) { m.s.public(pattern, apiFunc(fn)) }

// Tenant registers a JSON route for an authenticated tenant (TenantFrom);
// writes honour Idempotency-Key.
func (m *Mux) Tenant(pattern string, fn Func) { m.s.tenant(pattern, apiFunc(fn)) }

// Page registers an HTML page; errors are the page's own business.
func (m *Mux) Page(pattern string, h http.Handler) { m.s.mux.Handle(pattern, h) }

// Errors turns fn into a handler that writes fn's error as the API does,
// for routes registered with Page that answer JSON errors.
func (m *Mux) Errors(fn Func) http.Handler { return m.s.errors(apiFunc(fn)) }

// Authenticate checks the request's tenant_id and x-api-secret headers.
func (m *Mux) Authenticate(r *http.Request) (*pinglinks.Tenant, error) { return m.s.authenticate(r) }

// Tenant returns the tenant of id (cached briefly, as authentication does).
func (m *Mux) TenantByID(r *http.Request, id uuid.UUID) (*pinglinks.Tenant, error) {
	return m.s.cachedTenantByID(r.Context(), id)
}

// TenantFrom returns the authenticated tenant of a Tenant route's request.
func TenantFrom(r *http.Request) *pinglinks.Tenant { return tenantFrom(r) }

// Decode parses a JSON object body into v as the API's own handlers do;
// with optional an empty body leaves v as it is.
func Decode(r *http.Request, v any, optional bool) error { return decode(r, v, optional) }

// PathID parses a UUID path segment (422 naming it when malformed).
func PathID(r *http.Request, name string) (uuid.UUID, error) { return pathID(r, name) }

// WriteJSON writes v as the API's JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// NoContent answers 204.
func NoContent(w http.ResponseWriter) error { return noContent(w) }

// providerURL is a connector's mount, where its provider posts news.
func (s *Server) providerURL(name string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/providers/" + name + "/"
}
