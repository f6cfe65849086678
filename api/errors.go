package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/pinglinks/pinglinks"
)

// statusOf maps every API error code to its HTTP status: the one place where
// this happens.
var statusOf = map[string]int{
	pinglinks.ECodeInvalid:            http.StatusUnprocessableEntity,
	pinglinks.ECodeMalformed:          http.StatusUnprocessableEntity,
	pinglinks.ECodeIdempotencyReused:  http.StatusUnprocessableEntity,
	pinglinks.ECodeUnauthorized:       http.StatusUnauthorized,
	pinglinks.ECodeForbidden:          http.StatusForbidden,
	pinglinks.ECodeOrderClosed:        http.StatusForbidden,
	pinglinks.ECodeNotFound:           http.StatusNotFound,
	pinglinks.ECodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	pinglinks.ECodeIdempotencyRunning: http.StatusConflict,
	pinglinks.ECodeTooLarge:           http.StatusRequestEntityTooLarge,
	pinglinks.ECodeRateLimited:        http.StatusTooManyRequests,
	pinglinks.ECodeInternal:           http.StatusInternalServerError,
}

type errorItem struct {
	Error       string `json:"error"`
	Description string `json:"description"`
	Property    string `json:"property,omitempty"`
}

type errorBody struct {
	Errors []errorItem `json:"errors"`
}

// writeError answers with the API's error body. Errors that are not domain
// errors are logged and answered as a bare 500, leaking nothing.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var items []errorItem
	var es pinglinks.Errors
	var e *pinglinks.Error
	switch {
	case errors.As(err, &es) && len(es) > 0:
		for _, e := range es {
			items = append(items, errorItem{e.Code, e.Message, e.Property})
		}
	case errors.As(err, &e):
		items = []errorItem{{e.Code, e.Message, e.Property}}
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg := "internal error; it has been logged"
		if id := RequestID(r.Context()); id != "" {
			msg += " as request " + id
		}
		items = []errorItem{{pinglinks.ECodeInternal, msg, ""}}
	}
	status, ok := statusOf[items[0].Error]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{items})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"errors":[{"error":"internal_error","description":"response encoding failed"}]}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
