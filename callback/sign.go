// Package callback delivers the outbox's callbacks to tenants: signed the
// Standard Webhooks way, retried on a schedule of more than three days,
// never following redirects, and — outside the sandbox — never to private,
// loopback or link-local addresses.
package callback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// decodeKey turns "whsec_<base64>" into the HMAC key.
func decodeKey(key string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(key, "whsec_"))
	if err != nil {
		return nil, fmt.Errorf("callback: signing key is not whsec_<base64>: %w", err)
	}
	return raw, nil
}

// Sign returns the webhook-signature header value for a message:
// "v1," + base64(HMAC-SHA256(key, id + "." + unix timestamp + "." + body)).
func Sign(key, id string, ts time.Time, body []byte) (string, error) {
	k, err := decodeKey(key)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("callback: webhook-id, webhook-timestamp or webhook-signature header missing")
	ErrTimestamp    = errors.New("callback: webhook-timestamp is outside the tolerance")
	ErrBadSignature = errors.New("callback: no webhook-signature matches")
)

// Verify checks a received callback the way a tenant should: the timestamp
// within tolerance of now, and one of the space-separated v1 signatures
// matching the body.
func Verify(key string, h http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	id, tsRaw, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsRaw == "" || sigs == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want, err := Sign(key, id, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
