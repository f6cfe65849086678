package dashboard

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/store"
)

var overviewTmpl = definePage("overview", `{{define "title"}}Overview{{end}}
{{define "content"}}<h1>Hello{{with .User.Name}}, {{.}}{{end}}</h1>
{{if not .User.TwoFactor}}<div class="banner" role="note"><p>Two-factor sign-in is off for your account. <a href="/dashboard/account">Turn it on</a>.</p></div>{{end}}
<div class="grid">
<section class="card"><h2>{{.Tenant}}</h2><dl class="facts"><dt>Tenant id</dt><dd class="mono">{{.Data.TenantID}}</dd>
<dt>Your role</dt><dd>{{.User.Role.Label}}</dd><dt>People</dt><dd>{{.Data.People}}</dd></dl></section>
<section class="card"><h2>Where to go</h2><ul>
{{if allows .User "developer"}}<li><a href="/dashboard/developers">Developers</a>: API secret, callback signing key, callbacks and requests</li>{{end}}
<li><a href="/dashboard/team">Team</a>: who can sign in, with which role</li>
{{if allows .User "owner"}}<li><a href="/dashboard/settings">Settings</a>: the checkout's logo and colour</li>{{end}}
</ul></section></div>{{end}}`)

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	users, err := h.Store.Users(r.Context(), u.TenantID)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, overviewTmpl, struct {
		TenantID string
		People   int
	}{u.TenantID.String(), len(users)})
	return nil
}

var teamTmpl = definePage("team", `{{define "title"}}Team{{end}}
{{define "content"}}<h1>Team</h1>{{with .Data}}
<section class="card" aria-labelledby="people-h"><h2 id="people-h">People</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Two-factor</th></tr></thead><tbody>
{{range .Users}}<tr><td>{{.Name}}</td><td>{{.Email}}</td><td>{{if and $.Data.Owner (ne .ID $.User.ID)}}
<form method="post" action="/dashboard/team/{{.ID}}/role" class="actions">{{template "csrf" $}}
<label class="sr" for="role-{{.ID}}">Role of {{.Email}}</label><select id="role-{{.ID}}" name="role">{{$r := .Role}}{{range $.Data.Roles}}<option value="{{.}}"{{if eq . $r}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<button type="submit" class="secondary">Change</button></form>{{else}}{{.Role.Label}}{{end}}</td>
<td>{{if .TwoFactor}}<span class="badge ok">On</span>{{else}}<span class="badge bad">Off</span>{{end}}</td></tr>{{end}}
</tbody></table></section>
{{if .Invites}}<section class="card" aria-labelledby="inv-h"><h2 id="inv-h">Invitations not yet accepted</h2>
<table><thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Expires</th></tr></thead><tbody>
{{range .Invites}}<tr><td>{{if .Email}}{{.Email}}{{else}}(first sign-in link){{end}}</td><td>{{.Role.Label}}</td><td>{{when .ExpiresAt}}</td></tr>{{end}}
</tbody></table></section>{{end}}
{{if .Owner}}<section class="card" aria-labelledby="invite-h"><h2 id="invite-h">Invite someone</h2>
<p class="hint">Developers see the API keys and callbacks; support handles links, payments and refunds; viewers only look.</p>
{{template "errors" .Errors}}
<form method="post" action="/dashboard/team/invite" novalidate>{{template "csrf" $}}
<p class="field{{if .Errors.email}} invalid{{end}}"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="off" value="{{.Email}}"{{if .Errors.email}} aria-invalid="true" aria-describedby="email-err"{{end}}>{{with .Errors.email}}<span class="err" id="email-err">{{.}}</span>{{end}}</p>
<p class="field"><label for="role">Role</label><select id="role" name="role">{{range .Roles}}<option value="{{.}}"{{if eq . "viewer"}} selected{{end}}>{{.Label}}</option>{{end}}</select></p>
<button type="submit">Send the invitation</button></form></section>{{end}}{{end}}{{end}}`)

type teamView struct {
	Users   []*account.User
	Invites []*account.Invite
	Roles   []account.Role
	Owner   bool
	Email   string
	Errors  map[string]string
}

func (h *Handler) team(r *http.Request) (*teamView, error) {
	u := userFrom(r.Context())
	users, err := h.Store.Users(r.Context(), u.TenantID)
	if err != nil {
		return nil, err
	}
	v := &teamView{Users: users, Roles: account.Roles, Owner: requireRole(r.Context(), account.Owner) == nil}
	if v.Owner {
		if v.Invites, err = h.Store.Invites(r.Context(), u.TenantID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (h *Handler) teamPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.team(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, teamTmpl, v)
	return nil
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request) error {
	ctx, u, now := r.Context(), userFrom(r.Context()), h.Now()
	email := strings.TrimSpace(r.PostFormValue("email"))
	role, err := account.ParseRole(r.PostFormValue("role"))
	var inv *account.Invite
	var token string
	if err == nil {
		if email == "" {
			err = pinglinks.Invalid("email", "is required")
		} else {
			inv, token, err = account.NewInvite(u.TenantID, email, role, &u.ID, now)
		}
	}
	if err == nil {
		if other, lerr := h.Store.UserByEmail(ctx, email); lerr == nil && other != nil {
			err = pinglinks.Invalid("email", "already belongs to a user")
		}
	}
	if errs := fieldErrors(err); errs != nil {
		v, verr := h.team(r)
		if verr != nil {
			return verr
		}
		v.Email, v.Errors = email, errs
		h.render(w, r, http.StatusUnprocessableEntity, teamTmpl, v)
		return nil
	} else if err != nil {
		return err
	}
	t, err := h.Store.Tenant(ctx, u.TenantID)
	if err != nil {
		return err
	}
	m := inviteMail(inv.Email, t.Name, role, h.PublicURL+"/dashboard/invite/"+token)
	m.CreatedAt = now
	if err := h.Store.CreateInvite(ctx, u.TenantID, inv, m); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/team", "Invitation sent to "+inv.Email+".")
	return nil
}

func (h *Handler) setRole(w http.ResponseWriter, r *http.Request) error {
	ctx, me := r.Context(), userFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	target, err := h.Store.User(ctx, me.TenantID, id)
	if err != nil {
		return err
	}
	role, err := account.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return err
	}
	if target.ID == me.ID {
		return pinglinks.Forbidden("you cannot change your own role; another owner can")
	}
	target.Role, target.UpdatedAt = role, h.Now()
	if err := h.Store.SaveUser(ctx, me.TenantID, target); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/team", target.Email+" is now "+role.Label()+".")
	return nil
}

// OwnerInvite makes the first owner's sign-in link of a new tenant (an
// invitation without an e-mail address: the owner names theirs when they
// first use it) and returns its path, for `pinglinks tenant create` and
// serve's greeting to print after the public URL.
func OwnerInvite(ctx context.Context, st *store.Store, tenantID uuid.UUID) (string, error) {
	inv, token, err := account.NewInvite(tenantID, "", account.Owner, nil, st.Now())
	if err != nil {
		return "", err
	}
	if err := st.CreateInvite(ctx, tenantID, inv, nil); err != nil {
		return "", err
	}
	return "/dashboard/invite/" + token, nil
}
