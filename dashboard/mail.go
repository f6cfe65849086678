package dashboard

import (
	"bytes"
	"html/template"
)

// templateURL marks a URL the dashboard made itself (a data: URL of a PNG
// it encoded) as safe for a src attribute.
func templateURL(u string) template.URL { return template.URL(u) }

var mailTmpl = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="margin:0;padding:1rem;background:#f2f4f7;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a">
<div style="max-width:34rem;margin:0 auto;background:#fff;border-radius:10px;padding:1rem 1.1rem">
<h1 style="font-size:1.3rem;margin:0 0 .5rem">{{.Title}}</h1><p>{{.Lead}}</p>
<p><a href="{{.Link}}" style="display:inline-block;background:#0b57c2;color:#fff;font-weight:700;border-radius:8px;padding:.7rem 1.1rem;text-decoration:none">{{.Button}}</a></p>
<p style="color:#4a4f57;font-size:.9rem">{{.Note}}</p>
<p style="color:#4a4f57;font-size:.9rem;overflow-wrap:anywhere">{{.Link}}</p></div></body></html>`))

// mailHTML is the HTML part of an account e-mail: a lead, one button, a
// note, and the link spelled out for mail readers that show no buttons.
func mailHTML(title, lead, button, link, note string) string {
	var b bytes.Buffer
	mailTmpl.Execute(&b, struct{ Title, Lead, Button, Link, Note string }{title, lead, button, link, note})
	return b.String()
}
