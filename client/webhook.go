package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultWebhookTolerance is how far a callback's webhook-timestamp may be
// from now for WebhookHandler: the Standard Webhooks recommendation, which
// bounds how long a captured callback can be replayed.
const DefaultWebhookTolerance = 5 * time.Minute

// maxWebhookBody bounds what WebhookHandler reads; the platform's callbacks
// are a few hundred bytes.
const maxWebhookBody = 1 << 20

// Errors of VerifyWebhook.
var (
	// ErrWebhookHeaders: webhook-id, webhook-timestamp or webhook-signature
	// is missing or malformed.
	ErrWebhookHeaders = errors.New("pinglinks: webhook-id, webhook-timestamp or webhook-signature header missing or malformed")
	// ErrWebhookTimestamp: the callback is older (or newer) than the
	// tolerance allows, e.g. a replay.
	ErrWebhookTimestamp = errors.New("pinglinks: webhook-timestamp is outside the tolerance")
	// ErrWebhookSignature: no signature matches the body.
	ErrWebhookSignature = errors.New("pinglinks: no webhook-signature matches")
	// ErrWebhookKey: the signing key is not "whsec_" followed by base64.
	ErrWebhookKey = errors.New("pinglinks: signing key is not whsec_<base64>")
)

// VerifyWebhook checks a received callback the Standard Webhooks way:
// webhook-timestamp (Unix seconds) within tolerance of now, and one of the
// space-separated "v1,<base64>" signatures of webhook-signature equal to
// HMAC-SHA256(key, webhook-id + "." + webhook-timestamp + "." + body).
// signingKey is the tenant's callback_signing_key ("whsec_<base64>").
// body must be the bytes received, before any decoding.
func VerifyWebhook(signingKey string, header http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(signingKey, "whsec_"))
	if err != nil || len(key) == 0 {
		return ErrWebhookKey
	}
	id, tsRaw, sigs := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || tsRaw == "" || sigs == "" {
		return ErrWebhookHeaders
	}
	sec, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil {
		return ErrWebhookHeaders
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrWebhookTimestamp
	}
	mac := hmac.New(sha256.New, key)
	// The signed content uses the timestamp as sent, so that a sender's
	// formatting cannot make a valid signature fail.
	mac.Write([]byte(id + "." + tsRaw + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue // other schemes (e.g. v1a) are not ours to check
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrWebhookSignature
}

// LinkEvent is a payment link status callback.
type LinkEvent struct {
	// WebhookID identifies the callback; it is the same on every delivery
	// of it, so receivers can drop duplicates (delivery is at least once).
	WebhookID     CallbackID    `json:"-"`
	PaymentLinkID PaymentLinkID `json:"payment_link_id"`
	// Status is the link's new status, e.g. COMPLETED or EXPIRED.
	Status LinkStatus `json:"status"`
	// OccurredAt is when the change happened. The wire field is spelled
	// "occured_at", for compatibility with existing receivers.
	OccurredAt time.Time `json:"occured_at"`
}

// PaymentEvent is a payment status callback.
type PaymentEvent struct {
	// WebhookID identifies the callback; it is the same on every delivery
	// of it, so receivers can drop duplicates (delivery is at least once).
	WebhookID      CallbackID     `json:"-"`
	PaymentID      PaymentID      `json:"payment_id"`
	PaymentOrderID PaymentOrderID `json:"payment_order_id"`
	Status         PaymentStatus  `json:"status"`
	OccurredAt     time.Time      `json:"occurred_at"`
	TotalAmount    int64          `json:"total_amount"`
	Currency       string         `json:"currency"`
}

// MerchantEvent is a merchant status callback, sent to the tenant's
// merchant_status_callback_url.
type MerchantEvent struct {
	// WebhookID identifies the callback; it is the same on every delivery
	// of it, so receivers can drop duplicates (delivery is at least once).
	WebhookID  CallbackID `json:"-"`
	MerchantID MerchantID `json:"merchant_id"`
	// Status is the merchant's new status, APPROVED or DENIED.
	Status     string    `json:"status"`
	OccurredAt time.Time `json:"occurred_at"`
}

// WebhookReceiver is an http.Handler for the platform's callbacks. It
// verifies each with VerifyWebhook, decodes it, and calls the function of
// its kind; a nil function ignores that kind. WebhookHandler makes one for
// the common case.
//
// It answers 204 when the callback was handled (or ignored), 400 for a
// malformed request, 401 when the signature or timestamp is wrong, and 500
// when the function fails, so that the platform delivers the callback again
// later.
type WebhookReceiver struct {
	// SigningKey is the tenant's callback_signing_key ("whsec_…").
	SigningKey string
	// Tolerance is how far webhook-timestamp may be from now; 0 means
	// DefaultWebhookTolerance.
	Tolerance  time.Duration
	OnLink     func(context.Context, LinkEvent) error
	OnPayment  func(context.Context, PaymentEvent) error
	OnMerchant func(context.Context, MerchantEvent) error
}

// WebhookHandler returns a handler for the platform's callbacks that calls
// onLink for payment link callbacks and onPayment for payment callbacks
// (either may be nil) and acknowledges others (merchant status) without
// acting. See WebhookReceiver for what it answers.
func WebhookHandler(signingKey string, onLink func(context.Context, LinkEvent) error, onPayment func(context.Context, PaymentEvent) error) http.Handler {
	return &WebhookReceiver{SigningKey: signingKey, OnLink: onLink, OnPayment: onPayment}
}

// ServeHTTP receives one callback.
func (wr *WebhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if len(body) > maxWebhookBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	tolerance := wr.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	switch err := VerifyWebhook(wr.SigningKey, r.Header, body, tolerance, time.Now()); {
	case errors.Is(err, ErrWebhookHeaders):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case errors.Is(err, ErrWebhookKey):
		// The receiver is misconfigured; a retry after it is fixed helps.
		http.Error(w, "receiver misconfigured", http.StatusInternalServerError)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("webhook-id")
	// The kinds are told apart by their id field: the payloads carry no
	// type, and only payment callbacks have payment_id without
	// payment_link_id.
	var kind struct {
		PaymentLinkID string `json:"payment_link_id"`
		PaymentID     string `json:"payment_id"`
		MerchantID    string `json:"merchant_id"`
	}
	if err := json.Unmarshal(body, &kind); err != nil {
		http.Error(w, "body is not a JSON object", http.StatusBadRequest)
		return
	}
	var failed error
	switch {
	case kind.PaymentLinkID != "":
		var ev LinkEvent
		if !decodeEvent(w, body, &ev) {
			return
		}
		ev.WebhookID = CallbackID(id)
		if wr.OnLink != nil {
			failed = wr.OnLink(r.Context(), ev)
		}
	case kind.PaymentID != "":
		var ev PaymentEvent
		if !decodeEvent(w, body, &ev) {
			return
		}
		ev.WebhookID = CallbackID(id)
		if wr.OnPayment != nil {
			failed = wr.OnPayment(r.Context(), ev)
		}
	case kind.MerchantID != "":
		var ev MerchantEvent
		if !decodeEvent(w, body, &ev) {
			return
		}
		ev.WebhookID = CallbackID(id)
		if wr.OnMerchant != nil {
			failed = wr.OnMerchant(r.Context(), ev)
		}
	}
	if failed != nil {
		// Say nothing of the error: the response goes to the platform,
		// and the receiver's internals are not its business.
		http.Error(w, "callback not processed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decodeEvent decodes a verified body into ev, answering 400 if it cannot:
// a signed body that does not decode will not decode on a retry either.
func decodeEvent(w http.ResponseWriter, body []byte, ev any) bool {
	if err := json.Unmarshal(body, ev); err != nil {
		http.Error(w, fmt.Sprintf("callback: %v", err), http.StatusBadRequest)
		return false
	}
	return true
}
