module github.com/pinglinks/pinglinks

go 1.26.8

require (
	code.dny.dev/ssrf v0.3.0 // refuses IANA special-purpose addresses at dial time (callbacks, logos), incl. NAT64, 6to4, Teredo
	github.com/getkin/kin-openapi v0.153.0 // tests only: validates every API response against openapi.yaml (OpenAPI 3.1)
	github.com/google/uuid v1.6.0 // UUIDv7 ids (time-ordered, so cursors are ids) and parsing
	github.com/jackc/pgx/v5 v5.12.0 // PostgreSQL driver: the store uses its own interface (pgxpool: binary UUIDs, statement cache), database/sql only for migrations and health checks
	github.com/nyaruka/phonenumbers v1.8.1 // E.164 normalisation of SMS recipients (libphonenumber port, maintained)
	github.com/pressly/goose/v3 v3.29.0 // embedded, versioned migrations per engine, used as a library
	github.com/prometheus/client_golang v1.25.0 // /metrics
	golang.org/x/time v0.16.0 // per-tenant rate limiting (token bucket)
	modernc.org/sqlite v1.62.0 // embedded SQLite in pure Go: go build needs no C toolchain
)

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // tests only: SMTP AUTH PLAIN in the in-process SMTP server
	github.com/emersion/go-smtp v0.25.1 // tests only: in-process SMTP server the mail package talks to
	github.com/wneessen/go-mail v0.8.1 // composing MIME e-mail and sending it over SMTP (STARTTLS, smtps, AUTH)
)

require (
	github.com/boombuler/barcode v1.1.0 // QR codes: the checkout URL on invoice PDFs, Swish m-commerce on the checkout, the stall's link
	github.com/chromedp/chromedp v0.23.0 // tests only: drives Debian's headless Chromium through the checkout and the stall
	github.com/signintech/gopdf v0.33.0 // invoice and receipt PDFs with embedded TrueType (DejaVu) fonts
	github.com/stripe/stripe-go/v83 v83.2.1 // Stripe's official library: Checkout Sessions, refunds, webhook signature checks (cards in production)
	golang.org/x/image v0.46.0 // Catmull-Rom downscaling of large logos for PDFs (v0.46: needs no newer x/sys, x/text)
	software.sslmate.com/src/go-pkcs12 v0.7.4 // Swish client certificates as PKCS#12: decodes modern AES/PBKDF2 files (x/crypto/pkcs12 is frozen and reads only legacy 3DES/RC2)
)

require github.com/pinglinks/pinglinks/client v0.0.0 // the Go SDK, its own module (client/go.mod) so its users get no server dependencies; used by the demo and the market-stall example

require github.com/alecthomas/kong v1.17.0 // the command line from one typed struct: subcommands each listing only their flags, an env variable behind every flag, help, typo suggestions (caarlos0/env reads the environment only; flags, subcommands and help would stay hand-written)

require (
	github.com/chromedp/cdproto v0.159.0 // tests only: chromedp's protocol types, used directly by browser tests
	github.com/pquerna/otp v1.5.0 // TOTP two-factor sign-in of the dashboard (RFC 6238; maintained, no dependencies but barcode)
	golang.org/x/crypto v0.58.0 // argon2id password hashes of the dashboard's users
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-openapi/jsonpointer v0.22.5 // indirect
	github.com/go-openapi/swag/jsonname v0.25.5 // indirect
	github.com/gorilla/mux v1.8.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/mfridman/interpolate v0.0.2 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/phpdave11/gofpdi v1.0.14-0.20211212211723-1f10f9844311 // indirect
	github.com/pkg/errors v0.8.1 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	github.com/sethvargo/go-retry v0.5.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.yaml.in/yaml/v4 v4.0.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

// The SDK is developed in this repository: always build against its copy here.
replace github.com/pinglinks/pinglinks/client => ./client
