package stall

import "html/template"

// pageTmpl is the stall's one layout: the form with today's purchases, or
// one purchase. Style and script are inline under the response's CSP
// nonce, so a page is one request on a slow market-square connection.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
{{with .Purchase}}{{if or .Waiting (and (eq .Status "creating") (not .CanRetry))}}<noscript><meta http-equiv="refresh" content="3"></noscript>{{end}}{{end}}
<title>{{.Title}}</title>
<style nonce="{{.Nonce}}">` + css + `</style></head>
<body>
<header class="top"><a href="/">{{.Stall}}</a></header>
<main>
{{with .Purchase}}{{template "purchase" .}}{{else}}{{template "form" .}}{{template "today" .}}{{end}}
</main>
{{with .Purchase}}{{if or .Waiting (and (eq .Status "creating") (not .CanRetry))}}<script nonce="{{$.Nonce}}">` + script + `</script>{{end}}{{end}}
</body></html>

{{define "field-error"}}{{if .}}<p class="error" role="alert">{{.}}</p>{{end}}{{end}}

{{define "form"}}<section class="card">
<h1>New purchase</h1>
{{if .Banner}}<p class="banner" role="alert">{{.Banner}}</p>{{end}}
<form method="post" action="/purchases" novalidate>
<label for="amount">Amount (kr)</label>
<input id="amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="0,00" value="{{.Form.Amount}}"{{if .Errors.amount}} aria-invalid="true"{{end}} required>
{{template "field-error" .Errors.amount}}
<label for="description">What was bought</label>
<input id="description" name="description" maxlength="100" placeholder="Honey 500 g" value="{{.Form.Description}}"{{if .Errors.description}} aria-invalid="true"{{end}} required>
{{template "field-error" .Errors.description}}
<label for="vat">VAT</label>
<select id="vat" name="vat">
<option value="25"{{if eq .Form.VAT "25"}} selected{{end}}>25 % (goods)</option>
<option value="12"{{if eq .Form.VAT "12"}} selected{{end}}>12 % (food)</option>
<option value="6"{{if eq .Form.VAT "6"}} selected{{end}}>6 % (books, culture)</option>
</select>
{{template "field-error" .Errors.vat}}
<fieldset><legend>Send the link to the payer</legend>
<p class="hint">Optional: the QR code on the next page always works.</p>
<label for="phone">Mobile number (SMS)</label>
<input id="phone" name="phone" type="tel" autocomplete="off" placeholder="070-123 45 67" value="{{.Form.Phone}}"{{if .Errors.phone}} aria-invalid="true"{{end}}>
{{template "field-error" .Errors.phone}}
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="off" placeholder="name@example.com" value="{{.Form.Email}}"{{if .Errors.email}} aria-invalid="true"{{end}}>
{{template "field-error" .Errors.email}}
<label for="name">Payer's name <span class="hint">(optional)</span></label>
<input id="name" name="name" autocomplete="off" value="{{.Form.Name}}"{{if .Errors.name}} aria-invalid="true"{{end}}>
{{template "field-error" .Errors.name}}
</fieldset>
<label class="check"><input type="checkbox" id="subscription" name="subscription" value="1"{{if .Form.Subscription}} checked{{end}}>
<span>Subscription <span class="hint">– the link gets a due date; if it passes unpaid, the subscription is cancelled</span></span></label>
<button type="submit" class="primary">Create payment link</button>
</form></section>{{end}}

{{define "today"}}<section class="card">
<h2>Today</h2>
{{if .Today}}<ul class="today">{{range .Today}}<li><a href="/purchases/{{.ID}}"><span class="time">{{.Time}}</span>
<span class="desc">{{.Description}}{{if .Subscription}} <span class="hint">(subscription)</span>{{end}}</span><span class="amt">{{.Amount}}</span><span class="badge {{.Class}}">{{.Status}}</span></a></li>
{{end}}</ul>{{else}}<p class="hint">No purchases yet today.</p>{{end}}
</section>{{end}}

{{define "purchase"}}<section class="card purchase">
<p class="amount">{{.AmountText}}</p>
<h1>{{.Description}}</h1>
<p id="status" class="status {{.Class}}" role="status" aria-live="polite" data-status="{{.Status}}" data-url="/purchases/{{.ID}}/status">{{.Label}}</p>
{{if .Subscription}}<p class="hint">Subscription{{if .DueDate}}, due {{.DueDate}}{{end}}{{if .SubscriptionCancelled}} — <strong>cancelled</strong> because the link expired unpaid{{end}}.</p>{{end}}
{{if .Error}}<p class="banner" role="alert">{{.Error}}</p>{{end}}
{{if .CanRetry}}<form method="post" action="/purchases/{{.ID}}/retry"><button type="submit" class="primary">Try again</button></form>{{end}}
{{if .Waiting}}<figure class="qr"><img src="/purchases/{{.ID}}/qr.png" width="260" height="260" alt="QR code of the payment link">
<figcaption>Let the payer scan this, or share the link:</figcaption></figure>
<p class="link"><a href="{{.CheckoutURL}}" target="_blank" rel="noopener">{{.CheckoutURL}}</a></p>
{{end}}
{{if .SentTo}}<p class="sent">{{.SentTo}}</p>{{end}}
<p class="meta">{{if .PaidAt}}Paid {{.PaidAt}} · {{end}}{{.VAT}} % VAT · entered {{.Created}}{{if .LinkID}} · link {{.LinkID}}{{end}}</p>
<p><a class="button" href="/">New purchase</a></p>
</section>{{end}}
`))

const css = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f3f1ec}
.top{background:#2d5a27;padding:.75rem 1rem}.top a{color:#fff;font-weight:700;text-decoration:none;font-size:1.1rem}
main{max-width:34rem;margin:0 auto;padding:.75rem}
.card{background:#fff;border-radius:12px;padding:1rem 1.1rem;margin:0 0 .9rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:.1rem 0 .6rem}h2{font-size:1.1rem;margin:.1rem 0 .5rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input,select{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #767676;border-radius:8px;background:#fff}
input:focus,select:focus,button:focus,a:focus{outline:3px solid #f0b429;outline-offset:1px}
input[aria-invalid=true]{border:2px solid #b3261e}
#amount{font-size:1.6rem;font-weight:700}#amount::placeholder{font-weight:400;color:#8a8a8a}
fieldset .hint{margin:.1rem 0 0}
fieldset{border:1px solid #d5d2ca;border-radius:10px;margin:1rem 0 0;padding:.2rem .8rem .8rem}
legend{font-weight:700;padding:0 .3rem}
.hint{color:#555;font-weight:400;font-size:.9rem}
label.check{display:flex;gap:.6rem;align-items:flex-start;font-weight:600;margin-top:1rem}
label.check input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}
.error{color:#b3261e;margin:.25rem 0 0;font-size:.95rem}
.banner{background:#fdecea;color:#8c1d18;border-radius:8px;padding:.6rem .8rem}
button.primary,a.button{display:block;width:100%;margin-top:1.2rem;padding:.85rem;font:inherit;font-weight:700;font-size:1.1rem;
text-align:center;color:#fff;background:#2d5a27;border:0;border-radius:10px;text-decoration:none;cursor:pointer}
a.button{background:#4a4a4a}
ul.today{list-style:none;margin:0;padding:0}
ul.today li a{display:grid;grid-template-columns:3.2rem 1fr auto;gap:.1rem .6rem;padding:.55rem 0;border-top:1px solid #e6e3dc;
color:inherit;text-decoration:none}
.today .time{color:#555}.today .amt{font-weight:700;text-align:right}
.today .badge{grid-column:2/4;justify-self:start}
.badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.85rem;font-weight:600}
.badge.paid{background:#d7f0d2;color:#1e4d1a}.badge.waiting{background:#fff1c7;color:#5c4500}
.badge.expired,.badge.failed{background:#eee;color:#3a3a3a}
.purchase{text-align:center}
.amount{font-size:2.4rem;font-weight:800;margin:.2rem 0 0}
.status{font-size:1.5rem;font-weight:800;border-radius:10px;padding:.6rem;margin:.6rem 0}
.status.paid{background:#2d7a22;color:#fff;font-size:2rem}
.status.waiting{background:#fff1c7;color:#5c4500}
.status.expired,.status.failed{background:#5b5b5b;color:#fff}
.qr{margin:.6rem 0}.qr img{width:260px;height:260px;max-width:100%;image-rendering:pixelated}
figcaption{color:#444;font-size:.95rem}
.link{word-break:break-all;font-size:.9rem;margin:.3rem 0}
.sent{color:#1e4d1a;font-weight:600}
.meta{color:#555;font-size:.85rem}
`

// script polls the purchase's status every second and reloads the page
// when it changes, so the payee sees "Paid ✓" the moment the callback
// arrives. Without script, the <noscript> refresh does the same, slower.
const script = `
(function(){
  var el=document.getElementById('status');
  if(!el)return;
  var was=el.dataset.status, url=el.dataset.url;
  function tick(){
    fetch(url,{cache:'no-store',credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){
      if(s.status!==was){location.reload();return;}
      setTimeout(tick,1000);
    }).catch(function(){setTimeout(tick,2000);});
  }
  setTimeout(tick,1000);
})();
`
