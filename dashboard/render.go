package dashboard

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks/account"
)

// view is what the layout shows around a page's content.
type view struct {
	Title   string // the page's own title; "title" in its template wins
	Nonce   string // the CSP nonce of the inline style and script
	CSRF    string // the forms' CSRF token ({{template "csrf" .}})
	User    *account.User
	Tenant  string // the tenant's name
	Sandbox bool
	Flash   string // a message left by the previous POST
	Nav     []navItem
	Path    string
	Data    any
}

type navItem struct {
	Href, Label string
	Current     bool
}

// nav is the menu: each entry shows to the roles that may use its page.
var nav = []struct {
	Href, Label string
	Role        account.Role
}{
	{"/dashboard/", "Overview", account.Viewer},
	{"/dashboard/links", "Links", account.Viewer},
	{"/dashboard/orders", "Orders", account.Viewer},
	{"/dashboard/merchants", "Merchants", account.Viewer},
	{"/dashboard/saved", "Saved", account.Viewer},
	{"/dashboard/developers", "Developers", account.Developer},
	{"/dashboard/team", "Team", account.Viewer},
	{"/dashboard/settings", "Settings", account.Owner},
	{"/dashboard/account", "Your account", account.Viewer},
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"allows": func(u *account.User, role string) bool { return u != nil && u.Role.Allows(account.Role(role)) },
	"ms": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	},
}

// layout is the frame of every page; a page defines "content" and may
// define "title".
var layout = template.Must(template.New("layout").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{block "title" .}}{{.Title}}{{end}} – {{if .Tenant}}{{.Tenant}} – {{end}}Ping Payments dashboard</title>
<style nonce="{{.Nonce}}">` + css + `</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="bar">
<p class="brand"><a href="/dashboard/">Ping Payments</a>{{if .Tenant}} <span class="tenant">{{.Tenant}}</span>{{end}}</p>
{{if .User}}<form method="post" action="/dashboard/sign-out" class="out">{{template "csrf" .}}<button class="link" type="submit">Sign out</button></form>{{end}}
</div>
{{if .Nav}}<nav aria-label="Dashboard"><ul>{{range .Nav}}<li><a href="{{.Href}}"{{if .Current}} aria-current="page"{{end}}>{{.Label}}</a></li>{{end}}</ul></nav>{{end}}
</header>
<main id="main">
{{if .Sandbox}}<p class="test" role="note">Sandbox: no real money moves.</p>{{end}}
{{if .Flash}}<div class="flash" role="status">{{.Flash}}</div>{{end}}
{{template "content" .}}
</main>
<footer><p>Ping Payments Links</p></footer>
<script nonce="{{.Nonce}}">` + script + `</script>
</body></html>
{{define "csrf"}}<input type="hidden" name="csrf" value="{{.CSRF}}">{{end}}
{{define "errors"}}{{if .}}<div class="banner" role="alert" id="banner"><p>Please correct:</p><ul>{{range $k, $v := .}}<li><a href="#{{$k}}">{{$v}}</a></li>{{end}}</ul></div>{{end}}{{end}}
`))

// definePage makes a page's template: the layout with the page's
// "content" (and "title").
func definePage(name, src string) *template.Template {
	return template.Must(template.Must(layout.Clone()).New(name).Parse(src))
}

var errorPage = definePage("error", `{{define "title"}}{{.Data.Title}}{{end}}
{{define "content"}}<section class="card"><h1>{{.Data.Title}}</h1><p>{{.Data.Message}}</p>
<p><a href="/dashboard/">Back to the dashboard</a></p></section>{{end}}`)

// render writes page with data inside the layout.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page *template.Template, data any) {
	v := &view{Nonce: nonceFrom(r), CSRF: h.csrfToken(w, r), Sandbox: h.Sandbox, Data: data, Path: r.URL.Path}
	if s := sessionFrom(r.Context()); s != nil && s.VerifiedAt != nil {
		v.User = userFrom(r.Context())
		if t, err := h.Store.Tenant(r.Context(), v.User.TenantID); err == nil {
			v.Tenant = t.Name
		}
		for _, n := range nav {
			if v.User.Role.Allows(n.Role) {
				cur := r.URL.Path == n.Href || (n.Href != "/dashboard/" && strings.HasPrefix(r.URL.Path, n.Href+"/"))
				v.Nav = append(v.Nav, navItem{Href: n.Href, Label: n.Label, Current: cur})
			}
		}
	}
	v.Flash = h.takeFlash(w, r)
	var buf bytes.Buffer
	if err := page.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.Log.ErrorContext(r.Context(), "dashboard template", "err", err)
		http.Error(w, "Something went wrong on our side. Please try again in a moment.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func nonceFrom(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}

// css is the checkout's look (colours, type, cards, buttons) widened for
// tables; the menu wraps on a phone.
const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f2f4f7}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:9}
.top{background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.bar{max-width:62rem;margin:0 auto;padding:.6rem .75rem;display:flex;align-items:center;justify-content:space-between;gap:.5rem;flex-wrap:wrap}
.brand{margin:0;font-weight:700}.brand a{color:#1a1a1a;text-decoration:none}.tenant{font-weight:400;color:#4a4f57;margin-left:.4rem}
nav ul{list-style:none;margin:0 auto;padding:0 .75rem .4rem;max-width:62rem;display:flex;flex-wrap:wrap;gap:.25rem .9rem}
nav a{display:inline-block;padding:.3rem 0;color:#1d4f9a;text-decoration:none;font-weight:600}
nav a[aria-current=page]{color:#1a1a1a;border-bottom:3px solid #0b57c2}
main{max-width:62rem;margin:0 auto;padding:.75rem}
.narrow{max-width:28rem;margin:0 auto}
.card{background:#fff;border-radius:10px;padding:1rem 1.1rem;margin:0 0 .75rem;box-shadow:0 1px 2px rgba(0,0,0,.12);overflow-x:auto}
h1{font-size:1.35rem;margin:.1rem 0 .6rem}h2{font-size:1.1rem;margin:0 0 .5rem}
.test{background:#fff4d6;border:1px solid #8a6100;color:#5c4100;border-radius:8px;padding:.4rem .75rem;font-size:.9rem}
.flash{background:#e6f4ea;border:1px solid #146c2e;color:#0d4a1f;border-radius:8px;padding:.6rem .75rem;margin:0 0 .75rem}
.banner{background:#fde8eb;border:1px solid #b00020;color:#7a0016;border-radius:8px;padding:.6rem .75rem;margin-bottom:.75rem}
.banner p{margin:0}.banner ul{margin:.25rem 0 0;padding-left:1.2rem}.banner a{color:#7a0016}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.4rem .5rem .4rem 0;vertical-align:top}
thead th{font-size:.85rem;color:#4a4f57;border-bottom:1px solid #d0d4da}tbody tr+tr td{border-top:1px solid #eceef1}
.num{text-align:right;white-space:nowrap}
.field{margin:.6rem 0}label{display:block;font-weight:600;font-size:.95rem}
.hint{font-size:.9rem;color:#4a4f57;margin:.2rem 0}
input[type=text],input[type=email],input[type=password],input[type=url],input[type=number],input[type=date],select{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1a1a1a}
input[type=color]{width:4rem;height:2.5rem;border:1px solid #6b7280;border-radius:6px;padding:.1rem}
input:focus,button:focus,a:focus,select:focus,summary:focus{outline:3px solid #1d5fbf;outline-offset:2px}
.invalid input,.invalid select{border-color:#b00020;border-width:2px}.err{color:#b00020;font-size:.9rem;display:block}
button,.button{display:inline-block;font:inherit;font-weight:700;border:0;border-radius:8px;padding:.7rem 1.1rem;cursor:pointer;text-decoration:none;text-align:center;background:#0b57c2;color:#fff}
button:hover,.button:hover{background:#0a4aa3}
.secondary{background:#e6e9ee;color:#1a1a1a}.secondary:hover{background:#d5d9e0}
.danger{background:#b00020}.danger:hover{background:#8c001a}
button.link{background:none;color:#1d4f9a;padding:.3rem 0;font-weight:600;text-decoration:underline}
.wide{width:100%}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}.actions form{margin:0}
.facts{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:.5rem 0}.facts dt{color:#4a4f57}.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,monospace;font-size:.92rem;overflow-wrap:anywhere}
.secret{background:#f6f7f9;border:1px dashed #6b7280;border-radius:6px;padding:.5rem;display:block}
.badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.85rem;font-weight:600;background:#e6e9ee;color:#1a1a1a}
.ok{background:#e6f4ea;color:#0d4a1f}.bad{background:#fde8eb;color:#7a0016}.wait{background:#fff4d6;color:#5c4100}
.qr{display:block;margin:.5rem 0;image-rendering:pixelated}
.grid{display:grid;gap:.75rem}@media (min-width:48rem){.grid{grid-template-columns:1fr 1fr}}
.grid4{display:grid;gap:0 .75rem;grid-template-columns:1fr 1fr}@media (min-width:48rem){.grid4{grid-template-columns:3fr 1.2fr .8fr 1fr}.grid4.even{grid-template-columns:repeat(4,1fr)}}
.grid4 .field{margin:.3rem 0}fieldset{border:1px solid #d0d4da;border-radius:8px;margin:.5rem 0;padding:.4rem .75rem}legend{font-weight:700;padding:0 .3rem}
.timeline{padding-left:1.4rem}.timeline li{margin:.45rem 0}.timeline time{color:#4a4f57;font-variant-numeric:tabular-nums}.attempts{font-size:.9rem;color:#4a4f57;margin:.2rem 0;padding-left:1.1rem}
.checks label{display:inline-flex;gap:.35rem;align-items:center;font-weight:400;margin:.15rem 1rem .15rem 0}
a{color:#1d4f9a}
footer{text-align:center;font-size:.85rem;color:#4a4f57;padding:1rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`

// script only enhances: it stops a second submit of the same form and
// puts the focus on the first field to correct.
const script = `
document.querySelectorAll('form').forEach(function(f){f.addEventListener('submit',function(e){
if(f.dataset.sent){e.preventDefault();return}f.dataset.sent='1'})});
var inv=document.querySelector('[aria-invalid="true"]');if(inv){inv.focus()}
document.querySelectorAll('[data-confirm]').forEach(function(b){b.addEventListener('click',function(e){
if(!confirm(b.dataset.confirm)){e.preventDefault()}})});
`
