package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Error codes the platform uses in ErrorDetail.Code.
const (
	CodeValidation           = "validation_error"       // 422: a field is missing or wrong
	CodeMalformed            = "malformed_request"      // 422: the body is not JSON of the right shape
	CodeIdempotencyKeyReused = "idempotency_key_reused" // 422: the key was used with another body
	CodeUnauthorized         = "unauthorized"           // 401
	CodeOperationForbidden   = "operation_forbidden"    // 403: a business rule forbids it
	CodePaymentOrderClosed   = "payment_order_closed"   // 403
	CodeNotFound             = "not_found"              // 404
	CodeMethodNotAllowed     = "method_not_allowed"     // 405
	CodeIdempotencyConflict  = "idempotency_conflict"   // 409: the key's first request still runs
	CodeTooLarge             = "request_too_large"      // 413
	CodeRateLimited          = "rate_limited"           // 429
	CodeInternal             = "internal_error"         // 500
)

// ErrorDetail is one item of the API's error body.
type ErrorDetail struct {
	// Code is machine-readable, e.g. "validation_error" or "operation_forbidden".
	Code string `json:"error"`
	// Description is for people; its wording may change.
	Description string `json:"description"`
	// Property is the dotted path of the field at fault (e.g. "items[0].price"),
	// empty when no single field is.
	Property string `json:"property,omitempty"`
}

// Error is an answer of the API that was not a success.
type Error struct {
	// StatusCode is the HTTP status, e.g. 422.
	StatusCode int
	// Method and Path name the request, for messages.
	Method, Path string
	// Errors are the items of the error body; empty when the body was not
	// the API's error JSON (e.g. a proxy's HTML page).
	Errors []ErrorDetail
}

// Error describes the failure with its first error item.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pinglinks: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString(http.StatusText(e.StatusCode))
	if e.StatusCode != 0 {
		b.WriteString(" (" + strconv.Itoa(e.StatusCode) + ")")
	}
	if len(e.Errors) > 0 {
		d := e.Errors[0]
		b.WriteString(": " + d.Code)
		if d.Property != "" {
			b.WriteString(" at " + d.Property)
		}
		if d.Description != "" {
			b.WriteString(": " + d.Description)
		}
		if n := len(e.Errors) - 1; n > 0 {
			b.WriteString(" (and " + strconv.Itoa(n) + " more)")
		}
	}
	return b.String()
}

// Code returns the code of the first error item, or "" if there is none.
func (e *Error) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// HasCode reports whether any error item has the given code.
func (e *Error) HasCode(code string) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Property returns the property of the first item that names one, or "".
func (e *Error) Property() string {
	for _, d := range e.Errors {
		if d.Property != "" {
			return d.Property
		}
	}
	return ""
}

// parseError builds the *Error of a failed response from its body.
func parseError(method, path string, status int, body []byte) *Error {
	e := &Error{StatusCode: status, Method: method, Path: path}
	var v struct {
		Errors []ErrorDetail `json:"errors"`
	}
	if json.Unmarshal(body, &v) == nil {
		e.Errors = v.Errors
	}
	return e
}

func statusIs(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == status
}

// IsNotFound reports whether err is a 404: the object does not exist for
// this tenant (or the route does not).
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is a 401: wrong tenant id or secret.
func IsUnauthorized(err error) bool { return statusIs(err, http.StatusUnauthorized) }

// IsForbidden reports whether err is a 403: a business rule forbids the
// operation (e.g. the payment order is closed).
func IsForbidden(err error) bool { return statusIs(err, http.StatusForbidden) }

// IsValidation reports whether err is a 422: a field is missing or wrong.
func IsValidation(err error) bool { return statusIs(err, http.StatusUnprocessableEntity) }

// IsConflict reports whether err is a 409: a request with the same
// Idempotency-Key was still running (after the retries ran out).
func IsConflict(err error) bool { return statusIs(err, http.StatusConflict) }

// IsRateLimited reports whether err is a 429 (after the retries ran out).
func IsRateLimited(err error) bool { return statusIs(err, http.StatusTooManyRequests) }

// HasCode reports whether err is an *Error with an item of the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.HasCode(code)
}
