package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/requestlog"
)

// requestInfo is what the access log needs to know about a request that
// only inner handlers learn (the tenant). The observe middleware puts it in
// the request's context; authentication fills in the tenant.
type requestInfo struct {
	id     string
	tenant uuid.UUID
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

// RequestID is the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// requestIDHeader names the request id on the request (when a proxy in
// front set one) and on every response.
const requestIDHeader = "Request-Id"

// observe gives every request an id, answers it in Request-Id and writes
// one access log line per request: method, route pattern, status,
// duration, tenant and request id.
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: acceptableRequestID(r.Header.Get(requestIDHeader))}
		if ri.id == "" {
			ri.id = newRequestID()
		}
		w.Header().Set(requestIDHeader, ri.id)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("route", routeOf(r)),
			slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if ri.tenant != uuid.Nil {
			attrs = append(attrs, slog.String("tenant", ri.tenant.String()))
			if s.Requests != nil {
				s.Requests.Record(ri.tenant, requestlog.Entry{At: start, Method: r.Method, Path: r.URL.Path,
					Route: routeOf(r), Status: sw.status, Duration: time.Since(start), RequestID: ri.id})
			}
		}
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// routeOf is the pattern that served r, never the raw path (ids and tokens
// stay out of logs and metric labels).
func routeOf(r *http.Request) string {
	if r.Pattern == "" || r.Pattern == "/" {
		return "unmatched"
	}
	return r.Pattern
}

// acceptableRequestID keeps an id a proxy in front assigned, if it is
// short and made of safe characters (it goes into logs and headers).
func acceptableRequestID(v string) string {
	if v == "" || len(v) > 64 {
		return ""
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return ""
		}
	}
	return v
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// LogHandler wraps h so that every record logged with a request's context
// names the request (request_id), whichever package logs it.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
