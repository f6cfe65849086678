package checkout

import "html/template"

// pages are the checkout's templates: one layout, one block per state.
// The style sheet is inline (one request for a first visit) under the
// response's CSP nonce.
var pages = template.Must(template.New("page").Funcs(template.FuncMap{"args": fieldArgsOf, "methodField": methodFieldOf}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .Supplier}}{{.Supplier}} – {{end}}{{.T.Title}}</title>
<style nonce="{{.Nonce}}">` + css + `</style>
{{if .Brand}}<style nonce="{{.Nonce}}">.pay,.button{background:{{.Brand}}}.pay:hover,.button:hover{filter:brightness(.9)}.method:has(input[type=radio]:checked){border-color:{{.Brand}}}</style>{{end}}</head>
<body><a class="skip" href="#main">{{.T.Skip}}</a>
<main id="main">
{{if .TestMode}}<p class="test" role="note">{{.T.Test}}</p>{{end}}
{{if eq .State "notfound"}}<section class="card"><h1>{{.T.NotFoundTitle}}</h1><p>{{.T.NotFoundText}}</p></section>
{{else}}
<header class="card supplier">
{{if .LogoURL}}<img class="logo" src="{{.LogoURL}}" alt="{{.Supplier}} {{.T.Logo}}">{{end}}
<p class="payto">{{.HeadTo}}</p><h1>{{.Supplier}}</h1>
<p class="total-top state-{{.State}}"><span class="amount-label">{{.AmountLabel}}</span> {{.HeadAmount}}</p>
{{if and .DueDate (eq .State "form" "bank" "waiting")}}<p class="due">{{.T.DueDate}}: {{.DueDate}}</p>{{end}}
</header>
{{if .Notice}}<div class="notice" role="alert" id="notice">{{.Notice}}</div>{{end}}
{{if eq .State "paid"}}{{template "paid" .}}
{{else if eq .State "expired"}}<section class="card" role="status"><h2>{{.T.ExpiredTitle}}</h2><p>{{.T.ExpiredText}}</p></section>
{{else if eq .State "cancelled"}}<section class="card" role="status"><h2>{{.T.CancelledTitle}}</h2><p>{{.T.CancelledText}}</p></section>
{{else if .Elsewhere}}{{template "elsewhere" .}}
{{else if eq .State "waiting"}}{{template "waiting" .}}
{{else if eq .State "panel"}}{{.Panel}}
{{else}}{{template "summary" .}}{{if eq .State "bank"}}{{template "bank" .}}{{end}}{{if or (eq .State "form") (and .Methods (not .Received))}}{{template "form" .}}{{end}}{{end}}
{{end}}
<footer><p>{{.T.Secure}}</p></footer>
</main>
<script nonce="{{.Nonce}}">` + script + `</script>
</body></html>
{{define "summary"}}<section class="card" aria-labelledby="items-h"><h2 id="items-h">{{.T.Items}}</h2>
<table><thead><tr><th scope="col">{{.T.Item}}</th><th scope="col" class="num">{{.T.Quantity}}</th><th scope="col" class="num">{{.T.Amount}}</th></tr></thead><tbody>
{{range .Items}}<tr><td>{{.Description}}<span class="sub">{{.UnitPrice}}{{if .Unit}} / {{.Unit}}{{end}} · {{$.T.VAT}} {{.VAT}}</span></td>
<td class="num">{{.Quantity}}</td><td class="num">{{.Amount}}</td></tr>{{end}}
</tbody><tfoot>
{{range .VATs}}<tr class="vat"><td colspan="2">{{$.T.VATIncluded}} {{.Rate}}</td><td class="num">{{.Amount}}</td></tr>{{end}}
<tr class="sum"><th scope="row" colspan="2">{{.SumLabel}}</th><td class="num">{{.Total}}</td></tr></tfoot></table></section>{{end}}
{{define "form"}}<form class="card" method="post" action="/checkout/{{.Token}}/pay" novalidate>
{{if .Banner}}<div class="banner" role="alert" id="banner">{{.Banner}}</div>{{end}}
{{if eq .State "bank"}}<p>{{.T.OtherMethod}}</p>{{end}}
<fieldset><legend>{{.T.YourDetails}}</legend>
{{template "field" (args . "first_name" .T.FirstName .Details.FirstName "given-name" "text" true)}}
{{template "field" (args . "last_name" .T.LastName .Details.LastName "family-name" "text" true)}}
{{template "field" (args . "email" .T.Email .Details.Email "email" "email" false)}}
{{template "field" (args . "phone" .T.Phone .Details.Phone "tel" "tel" false)}}
<details{{if or .Errors.street_address .Errors.zip .Errors.city}} open{{end}}><summary>{{.T.Address}} ({{.T.Optional}})</summary>
{{with .Details.Address}}{{template "field" (args $ "street_address" $.T.Street .StreetAddress "street-address" "text" false)}}
{{template "field" (args $ "zip" $.T.Zip .Zip "postal-code" "text" false)}}
{{template "field" (args $ "city" $.T.City .City "address-level2" "text" false)}}{{else}}
{{template "field" (args . "street_address" .T.Street "" "street-address" "text" false)}}
{{template "field" (args . "zip" .T.Zip "" "postal-code" "text" false)}}
{{template "field" (args . "city" .T.City "" "address-level2" "text" false)}}{{end}}
</details></fieldset>
<fieldset class="methods"><legend>{{.T.ChooseMethod}}</legend>
{{if .Errors.method}}<p class="err" id="method-err">{{.Errors.method}}</p>{{end}}
{{range .Methods}}<div class="method">
<label class="choice"><input type="radio" name="method" value="{{.Value}}"{{if .Checked}} checked{{end}}{{if $.Errors.method}} aria-invalid="true" aria-describedby="method-err"{{end}}> {{.Label}}</label>
<div class="fields">
{{range .Groups}}{{if .Row}}<div class="row">{{range .Fields}}{{template "field" (methodField $ .)}}{{end}}</div>
{{else}}{{range .Fields}}{{template "field" (methodField $ .)}}
{{end}}{{end}}{{end}}</div></div>{{end}}
</fieldset>
<button type="submit" class="pay">{{.T.Pay}} {{.Total}}</button>
{{if .CancelURL}}<p class="cancel"><a href="{{.CancelURL}}">{{.T.Cancel}}</a></p>{{end}}
</form>{{end}}
{{define "field"}}{{$err := index .V.Errors .Name}}<p class="field{{if $err}} invalid{{end}}">
<label for="{{.Name}}">{{.Label}}{{if .Hint}} <span class="fmt">{{.Hint}}</span>{{end}}</label>
<input id="{{.Name}}" name="{{.Name}}" type="{{.Type}}" autocomplete="{{.Auto}}" value="{{.Value}}"{{if .Required}} aria-required="true"{{end}}{{if .Numeric}} inputmode="numeric"{{end}}{{if $err}} aria-invalid="true" aria-describedby="{{.Name}}-err"{{end}}>
{{if $err}}<span class="err" id="{{.Name}}-err">{{$err}}</span>{{end}}</p>{{end}}
{{define "bank"}}<section class="card" aria-labelledby="bank-h"><h2 id="bank-h">{{.T.BankTitle}}</h2>
<dl class="facts"><dt>{{.AccountLabel}}</dt><dd>{{.Account}}</dd><dt>{{.ReferenceLabel}}</dt><dd class="ref">{{.Reference}}</dd>
{{if .Received}}<dt>{{.T.Received}}</dt><dd>{{.Received}}</dd><dt>{{.T.Remaining}}</dt>{{else}}<dt>{{.T.Amount}}</dt>{{end}}<dd>{{.AmountDue}}</dd></dl>
{{if .PartlyPaid}}<p class="partly">{{.PartlyPaid}}</p>{{else}}<p>{{.BankNote}}</p>{{end}}
{{template "refresh" .}}</section>{{end}}
{{define "refresh"}}<p class="hint" data-poll="/checkout/{{.Token}}/status" data-key="{{.PollKey}}" data-url="/checkout/{{.Token}}">
<span data-js hidden>{{.T.Refreshing}}</span><noscript>{{.T.PressCheck}}</noscript> <a href="/checkout/{{.Token}}">{{.T.CheckNow}}</a></p>{{end}}
{{define "waiting"}}<section class="card center" role="status" aria-live="polite"><h2>{{.Waiting.Title}}</h2>
<div class="spinner" aria-hidden="true"></div>
{{with .Waiting}}{{if .Text}}<p>{{.Text}}</p>{{end}}
{{if $.AppURL}}<p class="phone-only">{{.AppText}}</p><p class="phone-only"><a class="button" href="{{$.AppURL}}">{{.OpenApp}}</a></p>
<p class="desktop">{{.ScanQR}}</p><img class="qr desktop" src="{{$.AppQR}}" alt="{{.ScanQR}}" width="200" height="200">{{end}}{{end}}
{{template "refresh" .}}
{{if .Waiting.LinkURL}}<p class="hint"><a href="{{.Waiting.LinkURL}}">{{.Waiting.LinkText}}</a></p>{{end}}</section>{{end}}
{{define "elsewhere"}}<section class="card center" role="status" aria-live="polite"><h2>{{.T.InProgress}}</h2>
<div class="spinner" aria-hidden="true"></div>
<p>{{printf .T.OtherTabText .MethodName}}</p>
{{template "refresh" .}}</section>{{end}}
{{define "paid"}}<section class="card" role="status"><h2 class="ok">{{.T.PaidTitle}}</h2><p>{{.T.PaidText}}</p>
<dl class="facts"><dt>{{.T.PaidAt}}</dt><dd>{{.PaidAt}}</dd><dt>{{.T.Method}}</dt><dd>{{.MethodName}}</dd>
<dt>{{.T.ReceiptNo}}</dt><dd>{{.ReceiptNo}}</dd><dt>{{.T.Amount}}</dt><dd>{{.Total}}</dd></dl>
{{if .ReceiptURL}}<p><a class="button secondary" href="{{.ReceiptURL}}">{{.T.DownloadReceipt}}</a></p>{{end}}
{{if .SuccessURL}}<p><a class="button" href="{{.SuccessURL}}">{{.T.Continue}}</a></p>{{end}}</section>
{{template "summary" .}}{{end}}
`))

// fieldArgs are the arguments of the "field" template.
type fieldArgs struct {
	V                        *view
	Name, Label, Value, Auto string
	Type, Hint               string
	Required, Numeric        bool
}

func fieldArgsOf(v *view, name, label, value, auto, typ string, required bool) fieldArgs {
	return fieldArgs{V: v, Name: name, Label: label, Value: value, Auto: auto, Type: typ, Required: required}
}

// methodFieldOf is a method's field (a connector's) as the "field"
// template's arguments; a phone field starts with the payer's phone.
func methodFieldOf(v *view, f fieldView) fieldArgs {
	value := f.Value
	if value == "" && f.Prefill == "phone" {
		value = v.Details.Phone
	}
	return fieldArgs{V: v, Name: f.Name, Label: f.Label, Value: value, Auto: f.Autocomplete, Type: f.Type,
		Hint: f.Hint, Required: true, Numeric: f.Numeric}
}

const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f2f4f7}
main{max-width:34rem;margin:0 auto;padding:.75rem}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:9}
.card{background:#fff;border-radius:10px;padding:1rem 1.1rem;margin:0 0 .75rem;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.supplier{text-align:center}.logo{max-width:160px;max-height:64px;display:block;margin:0 auto .5rem}
.payto{margin:0;color:#4a4f57;font-size:.9rem}h1{font-size:1.35rem;margin:.1rem 0}h2{font-size:1.1rem;margin:0 0 .5rem}
.total-top{font-size:1.6rem;font-weight:700;margin:.25rem 0}.amount-label{display:block;font-size:.9rem;font-weight:600;color:#4a4f57}
.state-expired,.state-cancelled{color:#4a4f57}
.notice{background:#e8f0fb;border:1px solid #1d5fbf;color:#0f2f5f;border-radius:8px;padding:.6rem .75rem;margin:0 0 .75rem}.due{margin:0;color:#4a4f57}
.test{background:#fff4d6;border:1px solid #8a6100;color:#5c4100;border-radius:8px;padding:.4rem .75rem;font-size:.9rem}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.35rem 0;vertical-align:top}
thead th{font-size:.85rem;color:#4a4f57;border-bottom:1px solid #d0d4da}.num{text-align:right;white-space:nowrap;padding-left:.5rem}
.sub{display:block;font-size:.85rem;color:#4a4f57}.vat td{font-size:.9rem;color:#4a4f57}
.sum th,.sum td{border-top:1px solid #d0d4da;font-weight:700;padding-top:.5rem}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:700;font-size:1.1rem;margin-bottom:.25rem}
.field{margin:.5rem 0}label{display:block;font-weight:600;font-size:.95rem}
input[type=text],input[type=email],input[type=tel]{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1a1a1a}
input:focus,button:focus,a:focus,summary:focus{outline:3px solid #1d5fbf;outline-offset:2px}
.invalid input{border-color:#b00020;border-width:2px}.err{color:#b00020;font-size:.9rem;display:block}
.row{display:grid;grid-template-columns:1fr 1fr;column-gap:.75rem}
.row .field{display:grid;grid-row:span 3;grid-template-rows:subgrid;align-content:start;margin:.5rem 0}
.row label{align-self:end}.fmt{display:block;font-weight:400;font-size:.85rem;color:#4a4f57}
details summary{cursor:pointer;color:#1d4f9a;margin:.5rem 0}
.method{border:1px solid #c4c9d0;border-radius:8px;margin:.5rem 0;padding:.5rem .75rem}
.method:has(input[type=radio]:checked){border-color:#1d5fbf;border-width:2px}
.choice{font-weight:600;display:flex;gap:.5rem;align-items:center;min-height:2.2rem}
.choice input{width:1.2rem;height:1.2rem}
.method:not(:has(input[type=radio]:checked)) .fields{display:none}
button,.button{display:inline-block;font:inherit;font-weight:700;border:0;border-radius:8px;padding:.8rem 1.2rem;cursor:pointer;text-decoration:none;text-align:center}
.pay,.button{background:#0b57c2;color:#fff;width:100%}.pay:hover,.button:hover{background:#0a4aa3}
.secondary{background:#e6e9ee;color:#1a1a1a;width:100%;margin-top:.5rem}
.pay[disabled]{background:#5a6b85}
.banner{background:#fde8eb;border:1px solid #b00020;color:#7a0016;border-radius:8px;padding:.6rem .75rem;margin-bottom:.75rem}
.cancel{text-align:center}a{color:#1d4f9a}
.facts{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:.5rem 0}.facts dt{color:#4a4f57}.facts dd{margin:0;font-weight:600}
.ref{font-family:ui-monospace,monospace;font-size:1.15rem;letter-spacing:.05em}
.center{text-align:center}.hint{font-size:.9rem;color:#4a4f57}.ok{color:#146c2e}
.qr{display:block;margin:.5rem auto;image-rendering:pixelated}
.spinner{width:2.5rem;height:2.5rem;margin:.5rem auto;border:4px solid #d0d4da;border-top-color:#0b57c2;border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
@media (max-width:40rem) and (pointer:coarse){.desktop{display:none}}
@media (min-width:40rem) and (not (pointer:coarse)){.phone-only{display:none}}
footer{text-align:center;font-size:.85rem;color:#4a4f57}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`

// script only enhances: it stops a second submit of the same form, puts
// the focus on the first field to correct, and polls the state of a page
// that waits (Swish, a bank transfer, another tab's payment) so a change
// shows at once; it loads the page afresh with a GET, so a page answered
// to a POST is never posted again. Without script the page says to press
// "check now" (no meta refresh: WCAG 2.2.1 wants the payer in control).
const script = `
document.querySelectorAll('form').forEach(function(f){f.addEventListener('submit',function(e){
if(f.dataset.sent){e.preventDefault();return}f.dataset.sent='1';
var b=e.submitter||f.querySelector('button');if(b){setTimeout(function(){b.disabled=true},0)}})});
var inv=document.querySelector('[aria-invalid="true"]');if(inv){inv.focus()}
document.querySelectorAll('[data-js]').forEach(function(e){e.hidden=false});
var w=document.querySelector('[data-poll]');
if(w){setInterval(function(){fetch(w.dataset.poll,{cache:'no-store'}).then(function(r){return r.json()}).then(function(s){
if(s.key!==w.dataset.key){location.replace(w.dataset.url)}}).catch(function(){})},1000)}
`
