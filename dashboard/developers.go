package dashboard

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/requestlog"
	"github.com/pinglinks/pinglinks/store"
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
{{define "content"}}<h1>Developers</h1>{{with .Data}}
{{if .NewSecret}}<section class="card" aria-labelledby="new-h" role="status"><h2 id="new-h">Your new API secret</h2>
<p>Copy it now: it is shown this once, and only its hash is kept.</p><p><code class="secret" id="new-secret">{{.NewSecret}}</code></p>
{{if .Tenant.PreviousSecretExpires}}<p>The previous secret keeps working until {{whenp .Tenant.PreviousSecretExpires}}: switch your integration before then.</p>{{end}}</section>{{end}}
<div class="grid">
<section class="card" aria-labelledby="keys-h"><h2 id="keys-h">API secret</h2>
<dl class="facts"><dt>tenant_id</dt><dd class="mono" id="tenant-id">{{.Tenant.ID}}</dd>
<dt>Previous secret</dt><dd id="previous-secret">{{if .SecretOverlap}}works until {{whenp .Tenant.PreviousSecretExpires}}{{else}}none{{end}}</dd></dl>
<form method="post" action="/dashboard/developers/secret">{{template "csrf" $}}
<p class="field"><label for="secret-overlap">The current secret keeps working for</label>{{template "overlap" "secret-overlap"}}</p>
<button type="submit">Rotate the API secret</button></form>
{{if .SecretOverlap}}<form method="post" action="/dashboard/developers/secret/retire" class="actions">{{template "csrf" $}}<button type="submit" class="secondary">Stop the previous secret now</button></form>{{end}}</section>
<section class="card" aria-labelledby="sign-h"><h2 id="sign-h">Callback signing key</h2>
<p class="hint">Callbacks are signed the Standard Webhooks way; during a rotation they carry a signature with each key, so your receiver can switch keys in its own time.</p>
<details><summary>Show the current key</summary><p><code class="secret" id="signing-key">{{.Tenant.CallbackSigningKey}}</code></p></details>
<dl class="facts"><dt>Previous key</dt><dd id="previous-key">{{if .KeyOverlap}}also signs until {{whenp .Tenant.PreviousSigningKeyExpires}}{{else}}none{{end}}</dd></dl>
<form method="post" action="/dashboard/developers/signing-key">{{template "csrf" $}}
<p class="field"><label for="key-overlap">Sign with the current key too for</label>{{template "overlap" "key-overlap"}}</p>
<button type="submit">Rotate the signing key</button></form>
{{if .KeyOverlap}}<form method="post" action="/dashboard/developers/signing-key/retire" class="actions">{{template "csrf" $}}<button type="submit" class="secondary">Stop signing with the previous key now</button></form>{{end}}
</section></div>
<section class="card" aria-labelledby="test-h"><h2 id="test-h">Send a test callback</h2>
<form method="post" action="/dashboard/developers/test-callback" novalidate>{{template "csrf" $}}
<p class="field{{if .TestError}} invalid{{end}}"><label for="test-url">Your receiver's URL</label><input id="test-url" name="url" type="url" value="{{.TestURL}}" autocomplete="url"{{if .TestError}} aria-invalid="true" aria-describedby="test-url-err"{{end}}>{{with .TestError}}<span class="err" id="test-url-err">{{.}}</span>{{end}}</p>
<button type="submit">Send a test callback</button></form></section>
<section class="card" aria-labelledby="cb-h"><h2 id="cb-h">Callbacks</h2>
{{if .Callbacks}}<table><thead><tr><th scope="col">Created</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col"><span class="sr">Actions</span></th></tr></thead><tbody>
{{range .Callbacks}}<tr><td><a href="/dashboard/developers/callbacks/{{.ID}}">{{when .CreatedAt}}</a></td><td>{{.Kind}}</td><td class="mono">{{.URL}}</td>
<td>{{template "cbstatus" .Status}}</td><td class="num">{{.Attempts}}</td>
<td><form method="post" action="/dashboard/developers/callbacks/{{.ID}}/redeliver">{{template "csrf" $}}<button type="submit" class="secondary">Redeliver<span class="sr"> the callback of {{when .CreatedAt}}</span></button></form></td></tr>{{end}}
</tbody></table>{{else}}<p>No callbacks yet.</p>{{end}}</section>
<section class="card" aria-labelledby="req-h"><h2 id="req-h">Recent API requests</h2>
<p class="hint">The last {{.RequestsKept}} requests with your credentials this server answered (kept in memory: a restart empties the list; a request with a wrong secret names no tenant and is not listed).</p>
{{if .Requests}}<table><thead><tr><th scope="col">When</th><th scope="col">Request</th><th scope="col">Status</th><th scope="col" class="num">Time</th></tr></thead><tbody>
{{range .Requests}}<tr><td>{{when .At}}</td><td class="mono">{{.Method}} {{.Path}}</td><td><span class="badge {{if lt .Status 300}}ok{{else if lt .Status 500}}wait{{else}}bad{{end}}">{{.Status}}</span></td><td class="num">{{ms .Duration}}</td></tr>{{end}}
</tbody></table>{{else}}<p>No API requests since this server started.</p>{{end}}</section>
{{end}}{{end}}
{{define "overlap"}}<select id="{{.}}" name="overlap"><option value="1h">1 hour</option><option value="24h" selected>24 hours</option><option value="168h">7 days</option><option value="0s">No time: stop it at once</option></select>{{end}}
{{define "cbstatus"}}<span class="badge {{if eq . "DELIVERED"}}ok{{else if eq . "PENDING"}}wait{{else}}bad{{end}}">{{.}}</span>{{end}}`)

type developersView struct {
	Tenant                    *pinglinks.Tenant
	Owner                     bool
	NewSecret                 string
	SecretOverlap, KeyOverlap bool
	TestURL, TestError        string
	Callbacks                 []store.OutboxMessage
	Requests                  []requestlog.Entry
	RequestsKept              int
}

func (h *Handler) developers(r *http.Request) (*developersView, error) {
	u := userFrom(r.Context())
	t, err := h.Store.Tenant(r.Context(), u.TenantID)
	if err != nil {
		return nil, err
	}
	now := h.Now()
	v := &developersView{Tenant: t, TestURL: t.MerchantStatusCallbackURL,
		SecretOverlap: t.PreviousSecretLive(now), KeyOverlap: t.PreviousSigningKeyLive(now), RequestsKept: requestlog.DefaultSize}
	if v.Callbacks, err = h.Store.RecentCallbacks(r.Context(), t.ID, 20); err != nil {
		return nil, err
	}
	if h.Requests != nil {
		v.Requests = h.Requests.Recent(t.ID)
		if len(v.Requests) > 50 {
			v.Requests = v.Requests[:50]
		}
	}
	return v, nil
}

func (h *Handler) developersPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.developers(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, developersTmpl, v)
	return nil
}

func overlapOf(r *http.Request) (time.Duration, error) {
	d, err := time.ParseDuration(r.PostFormValue("overlap"))
	if err != nil {
		return 0, pinglinks.Invalid("overlap", "must be a duration such as 24h")
	}
	return d, nil
}

// tenantKeys runs a change of the tenant's keys as one unit and tells the
// API to forget its cached copy.
func (h *Handler) tenantKeys(r *http.Request, change func(t *pinglinks.Tenant) error) error {
	u := userFrom(r.Context())
	t, err := h.Flow.ChangeTenantKeys(r.Context(), u.TenantID, change)
	if err != nil {
		return err
	}
	if h.TenantChanged != nil {
		h.TenantChanged(t.ID)
	}
	h.Log.InfoContext(r.Context(), "tenant keys changed", "tenant", t.ID, "by", u.ID, "path", r.URL.Path)
	return nil
}

func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	overlap, err := overlapOf(r)
	if err != nil {
		return err
	}
	var secret string
	if err := h.tenantKeys(r, func(t *pinglinks.Tenant) error {
		secret, err = t.RotateSecret(h.Now(), overlap)
		return err
	}); err != nil {
		return err
	}
	// The new secret is shown in the answer itself: it must not travel in
	// a cookie or a URL.
	v, err := h.developers(r)
	if err != nil {
		return err
	}
	v.NewSecret = secret
	h.render(w, r, http.StatusOK, developersTmpl, v)
	return nil
}

func (h *Handler) retireSecret(w http.ResponseWriter, r *http.Request) error {
	if err := h.tenantKeys(r, func(t *pinglinks.Tenant) error { t.RetirePreviousSecret(); return nil }); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/developers", "The previous API secret no longer works.")
	return nil
}

func (h *Handler) rotateSigningKey(w http.ResponseWriter, r *http.Request) error {
	overlap, err := overlapOf(r)
	if err != nil {
		return err
	}
	if err := h.tenantKeys(r, func(t *pinglinks.Tenant) error { return t.RotateSigningKey(h.Now(), overlap) }); err != nil {
		return err
	}
	msg := "A new signing key signs every callback from now on."
	if overlap > 0 {
		msg = "A new signing key signs every callback from now on; the previous key signs them too for " + overlap.String() + "."
	}
	h.seeOther(w, r, "/dashboard/developers", msg)
	return nil
}

func (h *Handler) retireSigningKey(w http.ResponseWriter, r *http.Request) error {
	if err := h.tenantKeys(r, func(t *pinglinks.Tenant) error { t.RetirePreviousSigningKey(); return nil }); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/developers", "Callbacks are signed with the current key only.")
	return nil
}

func (h *Handler) testCallback(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	url := strings.TrimSpace(r.PostFormValue("url"))
	err := pinglinks.ValidateCallbackURL("url", url)
	if err == nil && url == "" {
		err = pinglinks.Invalid("url", "is required")
	}
	if err != nil {
		v, verr := h.developers(r)
		if verr != nil {
			return verr
		}
		v.TestURL, v.TestError = url, "The URL "+err.(*pinglinks.Error).Message+"."
		h.render(w, r, http.StatusUnprocessableEntity, developersTmpl, v)
		return nil
	}
	payload := map[string]any{"type": "test", "tenant_id": u.TenantID.String(),
		"message": "A test callback sent from the dashboard.", "sent_at": h.Now().Format(time.RFC3339)}
	if err := h.Store.QueueTestCallback(r.Context(), u.TenantID, url, payload); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/developers", "A test callback is on its way to "+url+"; its delivery shows below.")
	return nil
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.Store.Redeliver(r.Context(), u.TenantID, id); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/developers/callbacks/"+id.String(), "The callback is being delivered again.")
	return nil
}

var callbackTmpl = definePage("callback", `{{define "title"}}Callback{{end}}
{{define "content"}}{{with .Data}}<p><a href="/dashboard/developers">Developers</a></p>
<h1>Callback {{.Callback.Kind}}</h1>
<section class="card"><dl class="facts"><dt>Id (webhook-id)</dt><dd class="mono">{{.Callback.ID}}</dd><dt>To</dt><dd class="mono">{{.Callback.URL}}</dd>
<dt>Created</dt><dd>{{when .Callback.CreatedAt}}</dd><dt>Status</dt><dd>{{template "cbstatus" .Callback.Status}}</dd></dl>
<form method="post" action="/dashboard/developers/callbacks/{{.Callback.ID}}/redeliver">{{template "csrf" $}}<button type="submit">Redeliver</button></form></section>
<section class="card" aria-labelledby="body-h"><h2 id="body-h">Body</h2><pre class="mono">{{.Body}}</pre></section>
<section class="card" aria-labelledby="att-h"><h2 id="att-h">Delivery attempts</h2>
{{if .Attempts}}<table><thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col">Answer</th><th scope="col" class="num">Time</th></tr></thead><tbody>
{{range .Attempts}}<tr><td>{{.Attempt}}</td><td>{{when .StartedAt}}</td><td>{{if .StatusCode}}<span class="badge {{if lt .StatusCode 300}}ok{{else}}bad{{end}}">{{.StatusCode}}</span>{{end}} {{.Error}}</td><td class="num">{{.DurationMS}} ms</td></tr>{{end}}
</tbody></table>{{else}}<p>Not attempted yet.</p>{{end}}</section>{{end}}{{end}}`)

func (h *Handler) callbackPage(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := h.Store.Callback(r.Context(), u.TenantID, id)
	if err != nil {
		return err
	}
	attempts, err := h.Store.CallbackAttempts(r.Context(), u.TenantID, id)
	if err != nil {
		return err
	}
	body := m.Payload
	var pretty any
	if json.Unmarshal([]byte(m.Payload), &pretty) == nil {
		if b, err := json.MarshalIndent(pretty, "", "  "); err == nil {
			body = string(b)
		}
	}
	h.render(w, r, http.StatusOK, callbackTmpl, struct {
		Callback *store.OutboxMessage
		Body     string
		Attempts []store.CallbackAttempt
	}{m, body, attempts})
	return nil
}
