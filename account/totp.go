package account

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP codes: RFC 6238 defaults (SHA-1, 6 digits, 30 s), which every
// authenticator app reads from the QR code.
const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// StartTOTP gives u a new TOTP secret (not yet enabled) and returns the
// otpauth:// URL an authenticator app reads from the QR code.
func (u *User) StartTOTP(issuer string, now time.Time) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email})
	if err != nil {
		return "", err
	}
	u.TOTPSecret, u.TOTPEnabledAt, u.UpdatedAt = key.Secret(), nil, now
	return key.URL(), nil
}

// TOTPURL is the otpauth:// URL of u's secret, for the QR code.
func (u *User) TOTPURL(issuer string) (string, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.TOTPSecret)
	if err != nil {
		return "", fmt.Errorf("account: totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email, Secret: raw})
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// CheckTOTP accepts a code of the current time step or the one before or
// after (clocks drift), once: a code whose step is not after the last one
// accepted is refused, so a code seen over a shoulder cannot be replayed.
func (u *User) CheckTOTP(code string, now time.Time) bool {
	code = strings.Join(strings.Fields(code), "")
	if u.TOTPSecret == "" || len(code) != 6 {
		return false
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step - 1, step, step + 1} {
		if s <= u.TOTPLastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(u.TOTPSecret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			u.TOTPLastStep, u.UpdatedAt = s, now
			return true
		}
	}
	return false
}

// EnableTOTP turns the second factor on, given a code that proves the app
// has the secret.
func (u *User) EnableTOTP(code string, now time.Time) error {
	if u.TOTPSecret == "" {
		return pinglinks.Invalid("code", "start the set-up first")
	}
	if !u.CheckTOTP(code, now) {
		return pinglinks.Invalid("code", "is not the code your app shows now")
	}
	u.TOTPEnabledAt = &now
	return nil
}

// TOTPCode is the current code of a secret, for tests that play the app.
func TOTPCode(secret string, now time.Time) string {
	c, _ := totp.GenerateCodeCustom(secret, now, totpOpts)
	return c
}
