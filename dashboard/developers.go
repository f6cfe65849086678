package dashboard

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// pathID reads the {id} path segment; a malformed one is simply not found.
func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, pinglinks.NotFound("page")
	}
	return id, nil
}

var developersTmpl = definePage("developers", `{{define "title"}}Developers{{end}}
{{define "content"}}<h1>Developers</h1>
<section class="card"><h2>API credentials</h2><dl class="facts"><dt>tenant_id</dt><dd class="mono">{{.Data.TenantID}}</dd></dl></section>{{end}}`)

func (h *Handler) developersPage(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	h.render(w, r, http.StatusOK, developersTmpl, struct{ TenantID string }{u.TenantID.String()})
	return nil
}
