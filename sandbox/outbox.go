package sandbox

import (
	"html/template"
	"net/http"

	"github.com/pinglinks/pinglinks/api"
)

var outboxPage = template.Must(template.New("outbox").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sandbox outbox</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
h1{font-size:1.5rem}article{border:1px solid #bbb;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.meta{color:#444;font-size:.9rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem;border-radius:4px}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e6e6e6;font-size:.85rem}
</style></head><body>
<h1>Sandbox outbox</h1>
<p>Without <code>PINGLINKS_SMTP_URL</code> and <code>PINGLINKS_SMS_URL</code> the sandbox keeps every e-mail and SMS here
instead of sending it. Newest first: tenant {{.Tenant}} only.</p>
{{range .Messages}}<article>
<p class="meta"><span class="badge">{{.Channel}}</span> <span class="badge">{{.Kind}}</span> <span class="badge">{{if eq .Status "KEPT"}}kept here, not sent{{else}}{{.Status}}{{end}}</span>
to <strong>{{.Recipient}}</strong> · {{.CreatedAt.Format "2006-01-02 15:04:05 UTC"}} · link {{.LinkID}}</p>
{{if .Subject}}<p><strong>{{.Subject}}</strong>{{if .Attachment}} · attached: {{.Attachment}}{{end}}</p>{{end}}
{{if .Text}}<pre>{{.Text}}</pre>{{else}}<p class="meta">Not sent yet{{if .LastError}}: {{.LastError}}{{end}}.</p>{{end}}
{{if .HTML}}<p><a href="/sandbox/outbox/{{.ID}}{{$.Query}}">See the HTML e-mail</a></p>{{end}}
</article>{{else}}<p>Nothing sent yet. Distribute a link with <code>PUT …/payment_links/{id}/distribute</code>.</p>{{end}}
{{if .Account}}<h2>Dashboard e-mails</h2><p>Invitations and password resets to the tenant's dashboard users.</p>
{{range .Account}}<article>
<p class="meta"><span class="badge">{{.Kind}}</span> <span class="badge">{{if eq .Status "KEPT"}}kept here, not sent{{else}}{{.Status}}{{end}}</span>
to <strong>{{.Recipient}}</strong> · {{.CreatedAt.Format "2006-01-02 15:04:05 UTC"}}</p>
<p><strong>{{.Subject}}</strong></p><pre>{{.Text}}</pre></article>{{end}}{{end}}
</body></html>`))

// outbox lists the tenant's messages kept instead of sent (README, "Messages"),
// newest first.
func (s *Sandbox) outbox(m *api.Mux) api.Func {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := pageTenant(m, r)
		if err != nil {
			return err
		}
		msgs, err := s.Store.RecentMessages(r.Context(), t.ID, 100)
		if err != nil {
			return err
		}
		account, err := s.Store.RecentAccountMail(r.Context(), t.ID, 20)
		if err != nil {
			return err
		}
		query := "" // links within the page keep the secret link's key
		if r.URL.Query().Has("key") {
			query = "?" + pageQuery(t)
		}
		setPageHeaders(w, "default-src 'none'; style-src 'unsafe-inline'")
		return outboxPage.Execute(w, map[string]any{"Messages": msgs, "Account": account, "Tenant": t.ID.String(), "Query": query})
	}
}

// outboxMessage shows one of the tenant's kept e-mails as the payer would
// see it.
func (s *Sandbox) outboxMessage(m *api.Mux) api.Func {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathID(r, "id")
		if err != nil {
			return err
		}
		t, err := pageTenant(m, r)
		if err != nil {
			return err
		}
		msg, err := s.Store.MessageByID(r.Context(), t.ID, id)
		if err != nil {
			return err
		}
		// The body is our own rendering, but it is shown with no script and
		// nothing fetched, as a careful mail client would.
		setPageHeaders(w, "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		if msg.HTML == "" {
			_, err = w.Write([]byte("<!doctype html><pre>" + template.HTMLEscapeString(msg.Text) + "</pre>"))
			return err
		}
		_, err = w.Write([]byte(msg.HTML))
		return err
	}
}

func setPageHeaders(w http.ResponseWriter, csp string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp+"; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
}
