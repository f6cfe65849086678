package dashboard

import (
	"html/template"
	"io"
	"net/http"

	"github.com/pinglinks/pinglinks"
)

var settingsTmpl = definePage("settings", `{{define "title"}}Settings{{end}}
{{define "content"}}<h1>Settings</h1>{{with .Data}}
<style nonce="{{$.Nonce}}">.preview{background:{{.Shown}}}</style>
<section class="card" aria-labelledby="brand-h"><h2 id="brand-h">Your look on the checkout, e-mails and PDFs</h2>
<p class="hint">Your payers see this colour on the checkout's buttons, the e-mails' button and the invoices' and receipts' headings, and the logo at the top of each when a link brings no logo of its own.</p>
{{template "errors" .Errors}}
<form method="post" action="/dashboard/settings/branding" enctype="multipart/form-data" novalidate>{{template "csrf" $}}
<p class="field{{if .Errors.colour}} invalid{{end}}"><label for="colour">Button colour</label>
<span class="hint" id="colour-hint">Dark enough for white text; leave it as it is for the platform's blue.</span>
<input id="colour" name="colour" type="color" value="{{.Shown}}" aria-describedby="colour-hint{{if .Errors.colour}} colour-err{{end}}"{{if .Errors.colour}} aria-invalid="true"{{end}}>{{with .Errors.colour}}<span class="err" id="colour-err">{{.}}</span>{{end}}</p>
<p class="field{{if .Errors.logo}} invalid{{end}}"><label for="logo">Logo</label>
<span class="hint" id="logo-hint">PNG or JPEG, at most 256 KB.</span>
<input id="logo" name="logo" type="file" accept="image/png,image/jpeg" aria-describedby="logo-hint{{if .Errors.logo}} logo-err{{end}}"{{if .Errors.logo}} aria-invalid="true"{{end}}>{{with .Errors.logo}}<span class="err" id="logo-err">{{.}}</span>{{end}}</p>
{{if .HasLogo}}<p><img class="logo-preview" src="/dashboard/settings/logo" alt="Your current logo" height="64"></p>
<p class="field"><label><input type="checkbox" name="remove_logo" value="1"> Remove the logo</label></p>{{end}}
<button type="submit">Save</button></form></section>
<section class="card" aria-labelledby="prev-h"><h2 id="prev-h">Preview</h2>
<p><span class="button preview">Pay 170,00 kr</span></p></section>{{end}}{{end}}`)

type settingsView struct {
	Shown   template.CSS // the colour shown: the tenant's or the platform's blue
	HasLogo bool
	Errors  map[string]string
}

// platformBlue is the checkout's own button colour.
const platformBlue = "#0b57c2"

func (h *Handler) settingsView(r *http.Request, b *pinglinks.Branding) *settingsView {
	v := &settingsView{Shown: platformBlue, HasLogo: len(b.Logo) > 0}
	if b.Colour != "" {
		v.Shown = template.CSS(b.Colour) // checked by Branding.SetColour: #rrggbb
	}
	return v
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) error {
	b, err := h.Store.Branding(r.Context(), userFrom(r.Context()).TenantID)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, settingsTmpl, h.settingsView(r, b))
	return nil
}

func (h *Handler) saveBranding(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	b, err := h.Store.Branding(r.Context(), u.TenantID)
	if err != nil {
		return err
	}
	var errs pinglinks.Errors
	colour := r.PostFormValue("colour")
	if colour == platformBlue {
		colour = ""
	}
	if err := b.SetColour(colour); err != nil {
		errs = append(errs, err.(*pinglinks.Error))
	}
	if r.PostFormValue("remove_logo") != "" {
		b.RemoveLogo()
	}
	if f, _, err := r.FormFile("logo"); err == nil {
		img, err := io.ReadAll(io.LimitReader(f, pinglinks.MaxLogoBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		if len(img) > 0 {
			if err := b.SetLogo(img); err != nil {
				errs = append(errs, err.(*pinglinks.Error))
			}
		}
	}
	if len(errs) > 0 {
		v := h.settingsView(r, b)
		v.Errors = fieldErrors(errs)
		h.render(w, r, http.StatusUnprocessableEntity, settingsTmpl, v)
		return nil
	}
	b.UpdatedAt = h.Now()
	if err := h.Store.SaveBranding(r.Context(), u.TenantID, b); err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/settings", "Saved: the checkout, and e-mails and PDFs made from now on, show your colour and logo.")
	return nil
}

func (h *Handler) brandingLogo(w http.ResponseWriter, r *http.Request) error {
	b, err := h.Store.Branding(r.Context(), userFrom(r.Context()).TenantID)
	if err != nil {
		return err
	}
	if len(b.Logo) == 0 {
		return pinglinks.NotFound("logo")
	}
	w.Header().Set("Content-Type", b.LogoType)
	w.Write(b.Logo)
	return nil
}
