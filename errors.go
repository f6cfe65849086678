// Package pinglinks holds the domain of the Ping Payments Links platform:
// money, tenants, merchants, payment orders, payments and their state
// machines and validation rules. It imports neither HTTP nor SQL; storage
// engines, HTTP handlers and workers live in their own packages around it.
package pinglinks

import (
	"errors"
	"fmt"
)

// Error codes of the API. Each maps to exactly one HTTP status in package api.
const (
	ECodeInvalid            = "validation_error"       // 422: a field is missing or wrong
	ECodeMalformed          = "malformed_request"      // 422: body is not JSON of the right shape
	ECodeUnauthorized       = "unauthorized"           // 401
	ECodeNotFound           = "not_found"              // 404
	ECodeForbidden          = "operation_forbidden"    // 403: a business rule forbids it
	ECodeOrderClosed        = "payment_order_closed"   // 403
	ECodeIdempotencyReused  = "idempotency_key_reused" // 422
	ECodeIdempotencyRunning = "idempotency_conflict"   // 409
	ECodeTooLarge           = "request_too_large"      // 413
	ECodeMethodNotAllowed   = "method_not_allowed"     // 405
	ECodeRateLimited        = "rate_limited"           // 429
	ECodeInternal           = "internal_error"         // 500
)

// Error is the one error type of the domain: an API code, a human
// description, and the dotted path of the field at fault, if any.
type Error struct {
	Code     string
	Message  string
	Property string
}

func (e *Error) Error() string {
	if e.Property != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Property)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a missing or wrong field; property is its dotted path.
func Invalid(property, format string, args ...any) *Error {
	return &Error{Code: ECodeInvalid, Message: fmt.Sprintf(format, args...), Property: property}
}

// Forbidden reports a business rule that forbids the operation.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: ECodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports an object that does not exist for this tenant.
func NotFound(what string) *Error {
	return &Error{Code: ECodeNotFound, Message: what + " not found"}
}

// ErrorCode returns the code of err's *Error, or ECodeInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// Errors collects several validation failures so that a client learns of
// every wrong field at once.
type Errors []*Error

func (es Errors) Error() string {
	if len(es) == 0 {
		return "no errors"
	}
	s := es[0].Error()
	if len(es) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(es)-1)
	}
	return s
}

// Err returns nil when es is empty, so that callers can `return errs.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Add appends a validation failure for property.
func (es *Errors) Add(property, format string, args ...any) {
	*es = append(*es, Invalid(property, format, args...))
}
