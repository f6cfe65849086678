package dashboard

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/store"
)

var signInTmpl = definePage("sign-in", `{{define "title"}}Sign in{{end}}
{{define "content"}}<section class="card narrow"><h1>Sign in</h1>
{{with .Data}}{{if .Error}}<div class="banner" role="alert" id="banner"><p>{{.Error}}</p></div>{{end}}
<form method="post" action="/dashboard/sign-in" novalidate>{{template "csrf" $}}
<input type="hidden" name="next" value="{{.Next}}">
<p class="field"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" value="{{.Email}}"></p>
<p class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password"></p>
<button type="submit" class="wide">Sign in</button></form>
<p><a href="/dashboard/forgot">Forgot your password?</a></p>{{end}}</section>{{end}}`)

type signInView struct{ Email, Next, Error string }

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) error {
	if s := sessionFrom(r.Context()); s != nil && s.VerifiedAt != nil {
		http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
		return nil
	}
	h.render(w, r, http.StatusOK, signInTmpl, signInView{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// safeNext keeps a post-sign-in target only if it is a dashboard path.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/dashboard/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return ""
}

var errWrongSignIn = "The e-mail address or the password is wrong."

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	ctx, now, addr := r.Context(), h.Now(), h.clientAddr(r)
	v := signInView{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	pw := r.PostFormValue("password")
	if !h.signins.left(addr, now) {
		return pinglinks.Errorf(pinglinks.ECodeRateLimited, "too many failed sign-ins from your network; wait a minute and try again")
	}
	refuse := func(msg string) error {
		h.signins.allow(addr, now)
		v.Error = msg
		h.render(w, r, http.StatusUnauthorized, signInTmpl, v)
		return nil
	}
	u, err := h.Store.UserByEmail(ctx, v.Email)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		account.CheckNoUser(pw) // as slow as a wrong password
		return refuse(errWrongSignIn)
	} else if err != nil {
		return err
	}
	if u.Locked(now) {
		return refuse("This account is locked for a while after too many failed attempts. Try again later, or reset your password.")
	}
	ok, err := account.CheckPassword(u.PasswordHash, pw)
	if err != nil {
		return err
	}
	if !ok {
		u.SignInFailed(now)
		if err := h.Store.SaveUser(ctx, u.TenantID, u); err != nil {
			return err
		}
		return refuse(errWrongSignIn)
	}
	if u.TwoFactor() {
		if _, err := h.startSession(w, r, u, false); err != nil {
			return err
		}
		target := "/dashboard/sign-in/code"
		if v.Next != "" {
			target += "?next=" + v.Next
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	u.SignedIn(now)
	if err := h.Store.SaveUser(ctx, u.TenantID, u); err != nil {
		return err
	}
	if _, err := h.startSession(w, r, u, true); err != nil {
		return err
	}
	target := v.Next
	if target == "" {
		target = "/dashboard/"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

var codeTmpl = definePage("code", `{{define "title"}}Two-factor code{{end}}
{{define "content"}}<section class="card narrow"><h1>Enter your code</h1>
{{with .Data}}{{if .Error}}<div class="banner" role="alert" id="banner"><p>{{.Error}}</p></div>{{end}}
<p>Open your authenticator app and enter the 6-digit code it shows for Ping Payments.</p>
<form method="post" action="/dashboard/sign-in/code" novalidate>{{template "csrf" $}}
<input type="hidden" name="next" value="{{.Next}}">
<p class="field{{if .Error}} invalid{{end}}"><label for="code">Code</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"{{if .Error}} aria-invalid="true" aria-describedby="banner"{{end}}></p>
<button type="submit" class="wide">Continue</button></form>{{end}}</section>{{end}}`)

func (h *Handler) codePage(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, codeTmpl, signInView{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (h *Handler) code(w http.ResponseWriter, r *http.Request) error {
	ctx, now, addr := r.Context(), h.Now(), h.clientAddr(r)
	u := userFrom(ctx)
	next := safeNext(r.PostFormValue("next"))
	if !h.signins.left(addr, now) {
		return pinglinks.Errorf(pinglinks.ECodeRateLimited, "too many failed sign-ins from your network; wait a minute and try again")
	}
	if u.Locked(now) || !u.CheckTOTP(r.PostFormValue("code"), now) {
		h.signins.allow(addr, now)
		if !u.Locked(now) {
			u.SignInFailed(now)
			if err := h.Store.SaveUser(ctx, u.TenantID, u); err != nil {
				return err
			}
		}
		if u.Locked(now) {
			if err := h.endSession(w, r); err != nil {
				return err
			}
			h.seeOther(w, r, "/dashboard/sign-in", "Too many wrong codes: the account is locked for a while.")
			return nil
		}
		h.render(w, r, http.StatusUnauthorized, codeTmpl, signInView{Next: next, Error: "That code is not right, or it was used already. Wait for the next one and try again."})
		return nil
	}
	u.SignedIn(now)
	if err := h.Store.SaveUser(ctx, u.TenantID, u); err != nil {
		return err
	}
	// A fresh token for the complete session: the half-signed-in one is
	// dropped.
	if _, err := h.startSession(w, r, u, true); err != nil {
		return err
	}
	if next == "" {
		next = "/dashboard/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := h.endSession(w, r); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/sign-in", "You are signed out.")
	return nil
}

func (h *Handler) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	n, err := h.Store.DeleteUserSessions(r.Context(), u.TenantID, u.ID)
	if err != nil {
		return err
	}
	h.setCookie(w, sessionCookie, "", -1)
	msg := "You are signed out on every device."
	if n > 1 {
		msg = "You are signed out on every device (" + strconv.Itoa(n) + " sessions)."
	}
	h.seeOther(w, r, "/dashboard/sign-in", msg)
	return nil
}

var forgotTmpl = definePage("forgot", `{{define "title"}}Reset your password{{end}}
{{define "content"}}<section class="card narrow"><h1>Reset your password</h1>
{{if .Data.Sent}}<p role="status">If an account has the address {{.Data.Email}}, an e-mail with a link to choose a new password is on its way. The link works for an hour.</p>
{{else}}<p>Enter your e-mail address; we send you a link to choose a new password.</p>
<form method="post" action="/dashboard/forgot" novalidate>{{template "csrf" .}}
<p class="field"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username"></p>
<button type="submit" class="wide">Send the link</button></form>{{end}}
<p><a href="/dashboard/sign-in">Back to sign-in</a></p></section>{{end}}`)

func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, forgotTmpl, struct {
		Sent  bool
		Email string
	}{})
	return nil
}

func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	ctx, now, addr := r.Context(), h.Now(), h.clientAddr(r)
	email := account.NormalEmail(r.PostFormValue("email"))
	// Every request counts: resets send e-mail, which must not become a
	// way to flood someone's inbox.
	if !h.signins.allow(addr, now) {
		return pinglinks.Errorf(pinglinks.ECodeRateLimited, "too many requests from your network; wait a minute and try again")
	}
	u, err := h.Store.UserByEmail(ctx, email)
	switch {
	case pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound:
		// The answer is the same: it must not tell who has an account.
	case err != nil:
		return err
	default:
		reset, token := account.NewReset(u, now)
		m := resetMail(u.Email, h.PublicURL+"/dashboard/reset/"+token)
		m.CreatedAt = now
		if err := h.Store.CreateReset(ctx, u.TenantID, reset, m); err != nil {
			return err
		}
	}
	h.render(w, r, http.StatusOK, forgotTmpl, struct {
		Sent  bool
		Email string
	}{true, email})
	return nil
}

var resetTmpl = definePage("reset", `{{define "title"}}Choose a new password{{end}}
{{define "content"}}<section class="card narrow"><h1>Choose a new password</h1>
{{with .Data}}{{if .Error}}<div class="banner" role="alert" id="banner"><p>{{.Error}}</p></div>{{end}}
<form method="post" action="/dashboard/reset/{{.Token}}" novalidate>{{template "csrf" $}}
<p class="field{{if .Error}} invalid{{end}}"><label for="password">New password</label>
<span class="hint" id="password-hint">At least 12 characters. Signing in ends every other session.</span>
<input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint"{{if .Error}} aria-invalid="true"{{end}}></p>
<button type="submit" class="wide">Save the new password</button></form>{{end}}</section>{{end}}`)

type resetView struct{ Token, Error string }

func (h *Handler) usableReset(r *http.Request) (*account.Reset, error) {
	token := r.PathValue("token")
	if len(token) != 43 {
		return nil, pinglinks.NotFound("password reset")
	}
	rs, err := h.Store.ResetByToken(r.Context(), account.HashToken(token))
	if err != nil {
		return nil, err
	}
	if !rs.Usable(h.Now()) {
		return nil, pinglinks.Forbidden("this password reset link has expired or has been used; ask for a new one")
	}
	return rs, nil
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.usableReset(r); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, resetTmpl, resetView{Token: r.PathValue("token")})
	return nil
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.usableReset(r)
	if err != nil {
		return err
	}
	pw := r.PostFormValue("password")
	if err := account.ValidatePassword(pw); err != nil {
		h.render(w, r, http.StatusUnprocessableEntity, resetTmpl, resetView{Token: r.PathValue("token"),
			Error: "The password " + err.(*pinglinks.Error).Message + "."})
		return nil
	}
	u, err := h.Store.User(r.Context(), rs.TenantID, rs.UserID)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = account.HashPassword(pw); err != nil {
		return err
	}
	u.UpdatedAt = h.Now()
	if err := h.Store.UseReset(r.Context(), rs.TenantID, rs.ID, u); errors.Is(err, store.ErrUsedUp) {
		return pinglinks.Forbidden("the password reset link has been used already")
	} else if err != nil {
		return err
	}
	h.setCookie(w, sessionCookie, "", -1)
	h.seeOther(w, r, "/dashboard/sign-in", "Your password is changed. Sign in with it.")
	return nil
}

var inviteTmpl = definePage("invite", `{{define "title"}}Join {{.Data.Tenant}}{{end}}
{{define "content"}}{{with .Data}}<section class="card narrow"><h1>Join {{.Tenant}}</h1>
<p>You are invited as <strong>{{.Role.Label}}</strong> to the Ping Payments dashboard of {{.Tenant}}.
Choose how you sign in.</p>
{{template "errors" .Errors}}
<form method="post" action="/dashboard/invite/{{.Token}}" novalidate>{{template "csrf" $}}
{{if .FixedEmail}}<p class="field"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" value="{{.Email}}" readonly></p>
{{else}}<p class="field{{if .Errors.email}} invalid{{end}}"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" value="{{.Email}}"{{if .Errors.email}} aria-invalid="true" aria-describedby="email-err"{{end}}>{{with .Errors.email}}<span class="err" id="email-err">{{.}}</span>{{end}}</p>{{end}}
<p class="field{{if .Errors.name}} invalid{{end}}"><label for="name">Your name</label><input id="name" name="name" type="text" autocomplete="name" value="{{.Name}}"{{if .Errors.name}} aria-invalid="true" aria-describedby="name-err"{{end}}>{{with .Errors.name}}<span class="err" id="name-err">{{.}}</span>{{end}}</p>
<p class="field{{if .Errors.password}} invalid{{end}}"><label for="password">Password</label>
<span class="hint" id="password-hint">At least 12 characters.</span>
<input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint{{if .Errors.password}} password-err{{end}}"{{if .Errors.password}} aria-invalid="true"{{end}}>{{with .Errors.password}}<span class="err" id="password-err">{{.}}</span>{{end}}</p>
<button type="submit" class="wide">Create my account</button></form></section>{{end}}{{end}}`)

type inviteView struct {
	Tenant, Token, Email, Name string
	Role                       account.Role
	FixedEmail                 bool
	Errors                     map[string]string
}

func (h *Handler) usableInvite(r *http.Request) (*account.Invite, *pinglinks.Tenant, error) {
	token := r.PathValue("token")
	if len(token) != 43 {
		return nil, nil, pinglinks.NotFound("invitation")
	}
	inv, err := h.Store.InviteByToken(r.Context(), account.HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if !inv.Usable(h.Now()) {
		return nil, nil, pinglinks.Forbidden("this invitation has expired or has been used; ask the person who invited you for a new one")
	}
	t, err := h.Store.Tenant(r.Context(), inv.TenantID)
	if err != nil {
		return nil, nil, err
	}
	return inv, t, nil
}

func (h *Handler) invitePage(w http.ResponseWriter, r *http.Request) error {
	inv, t, err := h.usableInvite(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, inviteTmpl, inviteView{Tenant: t.Name, Token: r.PathValue("token"), Email: inv.Email,
		Role: inv.Role, FixedEmail: inv.Email != ""})
	return nil
}

func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	inv, t, err := h.usableInvite(r)
	if err != nil {
		return err
	}
	v := inviteView{Tenant: t.Name, Token: r.PathValue("token"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Role: inv.Role, FixedEmail: inv.Email != ""}
	if inv.Email != "" {
		v.Email = inv.Email // the invitation's address, whatever was posted
	}
	u, err := account.NewUser(inv.TenantID, v.Email, v.Name, r.PostFormValue("password"), inv.Role, h.Now())
	if err == nil {
		err = h.Store.AcceptInvite(r.Context(), inv.TenantID, inv.ID, u)
		switch {
		case errors.Is(err, store.ErrEmailTaken):
			err = pinglinks.Invalid("email", "already belongs to a user")
		case errors.Is(err, store.ErrUsedUp):
			err = pinglinks.Forbidden("the invitation has been used already")
		}
	}
	if errs := fieldErrors(err); errs != nil {
		v.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, inviteTmpl, v)
		return nil
	} else if err != nil {
		return err
	}
	if _, err := h.startSession(w, r, u, true); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/account", "Welcome! Protect your account now: turn on two-factor sign-in below.")
	return nil
}

// fieldErrors maps a validation error to form fields, or nil for another
// error.
func fieldErrors(err error) map[string]string {
	var out map[string]string
	add := func(e *pinglinks.Error) {
		if e.Code != pinglinks.ECodeInvalid {
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		name := e.Property
		if name == "" {
			name = "form"
		}
		if _, seen := out[name]; !seen {
			out[name] = "The " + strings.ReplaceAll(name, "_", " ") + " " + e.Message + "."
		}
	}
	switch e := err.(type) {
	case *pinglinks.Error:
		add(e)
	case pinglinks.Errors:
		for _, x := range e {
			add(x)
		}
	}
	return out
}

var accountTmpl = definePage("account", `{{define "title"}}Your account{{end}}
{{define "content"}}<h1>Your account</h1>
<section class="card"><h2>You</h2><dl class="facts"><dt>Name</dt><dd>{{.User.Name}}</dd><dt>E-mail</dt><dd>{{.User.Email}}</dd>
<dt>Role</dt><dd>{{.User.Role.Label}}</dd></dl></section>
<section class="card" aria-labelledby="tfa-h"><h2 id="tfa-h">Two-factor sign-in</h2>
{{if .User.TwoFactor}}<p><span class="badge ok">On</span> since {{whenp .User.TOTPEnabledAt}}. Signing in takes your password and a code from your authenticator app.</p>
{{else}}<p><span class="badge bad">Off</span> Anyone who learns your password can sign in as you. Turn on two-factor sign-in: you will need an authenticator app (any that reads a QR code).</p>
<form method="post" action="/dashboard/account/totp">{{template "csrf" .}}<button type="submit">Set up two-factor sign-in</button></form>{{end}}
</section>
<section class="card" aria-labelledby="out-h"><h2 id="out-h">Sessions</h2>
<p>Signed in on a computer you no longer use, or lost a phone? End every session of yours, this one included.</p>
<form method="post" action="/dashboard/account/sign-out-everywhere">{{template "csrf" .}}<button type="submit" class="secondary">Sign out everywhere</button></form></section>{{end}}`)

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, accountTmpl, nil)
	return nil
}

// issuer names the installation in authenticator apps.
const issuer = "Ping Payments"

func (h *Handler) startTOTP(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if u.TwoFactor() {
		h.seeOther(w, r, "/dashboard/account", "Two-factor sign-in is on already.")
		return nil
	}
	if _, err := u.StartTOTP(issuer, h.Now()); err != nil {
		return err
	}
	if err := h.Store.SaveUser(r.Context(), u.TenantID, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/dashboard/account/totp", http.StatusSeeOther)
	return nil
}

var totpTmpl = definePage("totp", `{{define "title"}}Set up two-factor sign-in{{end}}
{{define "content"}}{{with .Data}}<section class="card narrow"><h1>Set up two-factor sign-in</h1>
<ol><li>Scan this QR code with your authenticator app.</li>
<li>Enter the 6-digit code the app shows.</li></ol>
<img class="qr" src="{{.QR}}" alt="QR code of your two-factor secret" width="200" height="200">
<p>No camera? Enter this key in the app instead:</p><p><code class="secret" id="totp-secret">{{.Secret}}</code></p>
<form method="post" action="/dashboard/account/totp/enable" novalidate>{{template "csrf" $}}
<p class="field{{if .Error}} invalid{{end}}"><label for="code">Code from the app</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"{{if .Error}} aria-invalid="true" aria-describedby="code-err"{{end}}>{{with .Error}}<span class="err" id="code-err">{{.}}</span>{{end}}</p>
<button type="submit" class="wide">Turn on two-factor sign-in</button></form>{{end}}</section>{{end}}`)

type totpView struct {
	QR            any
	Secret, Error string
}

func (h *Handler) totpView(u *account.User, errMsg string) (totpView, error) {
	url, err := u.TOTPURL(issuer)
	if err != nil {
		return totpView{}, err
	}
	code, err := qr.Encode(url, qr.M, qr.Auto)
	if err != nil {
		return totpView{}, err
	}
	if code, err = barcode.Scale(code, 200, 200); err != nil {
		return totpView{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, code); err != nil {
		return totpView{}, err
	}
	return totpView{QR: dataURL("image/png", buf.Bytes()), Secret: u.TOTPSecret, Error: errMsg}, nil
}

func (h *Handler) totpPage(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if u.TwoFactor() || u.TOTPSecret == "" {
		http.Redirect(w, r, "/dashboard/account", http.StatusSeeOther)
		return nil
	}
	v, err := h.totpView(u, "")
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, totpTmpl, v)
	return nil
}

func (h *Handler) enableTOTP(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if u.TwoFactor() {
		h.seeOther(w, r, "/dashboard/account", "Two-factor sign-in is on already.")
		return nil
	}
	if err := u.EnableTOTP(r.PostFormValue("code"), h.Now()); err != nil {
		v, verr := h.totpView(u, "That is not the code your app shows now. Check that the app's clock is right and try the next code.")
		if verr != nil {
			return verr
		}
		h.render(w, r, http.StatusUnprocessableEntity, totpTmpl, v)
		return nil
	}
	if err := h.Store.SaveUser(r.Context(), u.TenantID, u); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/account", "Two-factor sign-in is on. From now on signing in asks for a code from your app.")
	return nil
}

// resetMail is the e-mail with a password reset link.
func resetMail(to, link string) *store.AccountMail {
	text := "Someone (we hope you) asked to reset the password of your Ping Payments dashboard account.\n\n" +
		"Choose a new password here (the link works for an hour, once):\n" + link + "\n\n" +
		"If it was not you, ignore this e-mail: your password stays as it is.\n"
	return &store.AccountMail{Recipient: to, Kind: "reset", Subject: "Reset your Ping Payments password",
		Text: text, HTML: mailHTML("Reset your password", "Someone (we hope you) asked to reset the password of your Ping Payments dashboard account.",
			"Choose a new password", link, "The link works for an hour, once. If it was not you, ignore this e-mail: your password stays as it is.")}
}

// inviteMail is the e-mail with an invitation link.
func inviteMail(to, tenant string, role account.Role, link string) *store.AccountMail {
	text := "You are invited to the Ping Payments dashboard of " + tenant + " as " + role.Label() + ".\n\n" +
		"Accept the invitation and choose your password here (the link works for 7 days):\n" + link + "\n"
	return &store.AccountMail{Recipient: to, Kind: "invite", Subject: "You are invited to " + tenant + "'s Ping Payments dashboard",
		Text: text, HTML: mailHTML("You are invited", "You are invited to the Ping Payments dashboard of "+tenant+" as "+role.Label()+".",
			"Accept the invitation", link, "The link works for 7 days.")}
}

func dataURL(mime string, b []byte) any {
	return templateURL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b))
}
