package main

import (
	"errors"
	"fmt"
	"github.com/pinglinks/pinglinks"
	"net/url"
	"time"
)

// The settings, in groups that commands embed (`embed:""`) so that each
// command lists only the flags it uses. Every setting is a flag with its
// environment variable as fallback; a flag given wins over the variable.
// A new setting is one tagged field in the group (or command) that uses it.

// databaseFlags names the database.
type databaseFlags struct {
	DatabaseURL string `name:"database-url" env:"PINGLINKS_DATABASE_URL" default:"sqlite://pinglinks.db" help:"sqlite://PATH or postgres://USER@HOST/DB."`
}

// logFlags says how the server logs.
type logFlags struct {
	LogFormat string `name:"log-format" env:"PINGLINKS_LOG_FORMAT" enum:"text,json" default:"text" help:"Log format: text or json."`
	LogLevel  string `name:"log-level" env:"PINGLINKS_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" help:"Least severe level logged: debug, info, warn or error."`
}

// bankFlags are the platform's own bank accounts.
type bankFlags struct {
	Bankgiro      string `env:"PINGLINKS_BANKGIRO" placeholder:"NNNN-NNNN" help:"Bankgiro that SEK bank transfers are paid to (default: a sandbox bankgiro)."`
	BankAccountNo string `name:"bank-account-no" env:"PINGLINKS_BANK_ACCOUNT_NO" placeholder:"NNNN.NN.NNNNN" help:"Norwegian account that NOK bank transfers are paid to (default: a sandbox account)."`
}

func (b bankFlags) accounts() pinglinks.BankAccounts {
	return pinglinks.BankAccounts{Bankgiro: b.Bankgiro, NorwegianAccount: b.BankAccountNo}
}

// serverFlags is everything `serve` needs beyond the database and logging.
type serverFlags struct {
	Addr       string  `env:"PINGLINKS_ADDR" default:"127.0.0.1:8080" help:"Listen address (port 0: any free port, printed at start)."`
	PublicURL  string  `name:"public-url" env:"PINGLINKS_PUBLIC_URL" placeholder:"URL" help:"Base URL of checkout links and files (default: http:// and the address listened on)."`
	Env        string  `env:"PINGLINKS_ENV" enum:"sandbox,production" default:"sandbox" help:"sandbox or production."`
	RateLimit  float64 `name:"rate-limit" env:"PINGLINKS_RATE_LIMIT" default:"200" help:"API requests per second per tenant (0: no limit)."`
	TrustProxy bool    `name:"trust-proxy" env:"PINGLINKS_TRUST_PROXY" help:"Behind a reverse proxy that appends the client's address to X-Forwarded-For."`
	PprofAddr  string  `name:"pprof-addr" env:"PINGLINKS_PPROF_ADDR" placeholder:"HOST:PORT" help:"Serve Go profiling (/debug/pprof/) on this address; keep it on loopback."`

	SMTPURL  string `name:"smtp-url" env:"PINGLINKS_SMTP_URL" placeholder:"URL" help:"Send e-mail through smtp://USER:PASS@HOST:PORT or smtps://… (default: keep it in the sandbox outbox)."`
	MailFrom string `name:"mail-from" env:"PINGLINKS_MAIL_FROM" placeholder:"ADDRESS" help:"From address of e-mails."`
	SMSURL   string `name:"sms-url" env:"PINGLINKS_SMS_URL" placeholder:"URL" help:"Send SMS through https://USER:PASS@api.46elks.com (default: keep them in the sandbox outbox)."`
	SMSFrom  string `name:"sms-from" env:"PINGLINKS_SMS_FROM" placeholder:"NAME" help:"Sender name of SMS."`

	bankFlags `embed:""`

	SwishSimDelay time.Duration `name:"swish-sim-delay" env:"PINGLINKS_SWISH_SIM_DELAY" default:"3s" help:"Sandbox: how long the simulated Swish payer takes to answer."`
	CallbackLease time.Duration `name:"callback-lease" env:"PINGLINKS_CALLBACK_LEASE" default:"1m" help:"How long a worker holds a claimed callback before another process may retry it (at least 20s)."`
	MessageLease  time.Duration `name:"message-lease" env:"PINGLINKS_MESSAGE_LEASE" default:"2m" help:"How long a worker holds a claimed e-mail or SMS before another process may send it again (at least 20s)."`
}

// Validate checks what the flag types cannot; kong calls it after parsing,
// before the command runs.
func (s *serverFlags) Validate() error {
	var errs []error
	if s.RateLimit < 0 {
		errs = append(errs, errors.New("--rate-limit must be ≥ 0 requests per second (0 turns limiting off)"))
	}
	if s.SwishSimDelay <= 0 {
		errs = append(errs, errors.New("--swish-sim-delay must be a positive duration such as 3s"))
	}
	if s.CallbackLease < 20*time.Second {
		errs = append(errs, errors.New("--callback-lease must be a duration of at least 20s, such as 1m"))
	}
	if s.MessageLease < 20*time.Second {
		errs = append(errs, errors.New("--message-lease must be a duration of at least 20s, such as 2m"))
	}
	if s.PublicURL != "" {
		u, err := url.Parse(s.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--public-url must be an absolute http(s) URL, not %q", s.PublicURL))
		}
	}
	return errors.Join(errs...)
}

func (s *serverFlags) sandbox() bool { return s.Env == "sandbox" }
